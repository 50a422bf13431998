using Scheduler.Executors;
using Scheduler.Invocations;
using Scheduler.Jobs;
using Scheduler.Scheduling;
using Scheduler.Tests.Support;
using Scheduler.Triggers;

namespace Scheduler.Tests.Scheduling;

public sealed class SchedulerOptionsTests
{
    private static readonly DateTimeOffset T0 = TestScheduler.Epoch;

    [Fact]
    public void Options_are_read_from_json()
    {
        var options = SchedulerOptions.FromJson("""
            {
              "schedulerId": "web-1",
              "maxWorkers": 20,
              "eventLogCapacity": 500,
              "runHistoryLimit": 5,
              // Comments and trailing commas are allowed.
              "jobDefaults": {
                "misfireGraceTime": 30,
                "coalesce": "earliest",
                "maxInstances": 3,
                "overlap": "Queue",
                "timeout": "00:10:00",
                "retryCount": 2,
                "retryDelay": "PT5S",
                "recover": true,
              },
            }
            """);

        Assert.Equal("web-1", options.SchedulerId);
        Assert.Equal(20, options.MaxWorkers);
        Assert.Equal(500, options.EventLogCapacity);
        Assert.Equal(5, options.RunHistoryLimit);
        Assert.Equal(
            new JobOptions
            {
                MisfireGraceTime = TimeSpan.FromSeconds(30),
                Coalesce = CoalescePolicy.Earliest,
                MaxInstances = 3,
                Overlap = OverlapPolicy.Queue,
                Timeout = TimeSpan.FromMinutes(10),
                RetryCount = 2,
                RetryDelay = TimeSpan.FromSeconds(5),
                Recover = true,
            },
            options.JobDefaults);
    }

    [Fact]
    public void Empty_json_gives_the_defaults_and_shares_the_default_job_options()
    {
        var options = SchedulerOptions.FromJson("{}");

        Assert.Equal(SchedulerOptions.Default, options);
        Assert.Same(JobOptions.Default, SchedulerOptions.FromJson("""{"jobDefaults": {"maxInstances": 1}}""").JobDefaults);
    }

    [Theory]
    [InlineData("""{"maxWorkers": 0}""", "'maxWorkers' (0)")]
    [InlineData("""{"maxWorkers": "ten"}""", "'maxWorkers' (\"ten\")")]
    [InlineData("""{"eventLogCapacity": -5}""", "-5")]
    [InlineData("""{"maxWorker": 3}""", "Unknown property 'maxWorker'")]
    [InlineData("""{"jobDefaults": {"coalesce": "sometimes"}}""", "'coalesce' (\"sometimes\")")]
    [InlineData("""{"jobDefaults": {"timeout": "soon"}}""", "'timeout' (\"soon\")")]
    [InlineData("""{"jobDefaults": {"maxInstances": 0}}""", "'maxInstances' (0)")]
    [InlineData("""{"jobDefaults": []}""", "job options must be a JSON object")]
    [InlineData("""[]""", "must be a JSON object")]
    [InlineData("""{"maxWorkers": }""", "not valid JSON")]
    public void Bad_json_is_rejected_naming_the_property_and_value(string json, string expected)
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => SchedulerOptions.FromJson(json));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Jobs_added_without_options_get_the_scheduler_defaults()
    {
        var defaults = JobOptions.Default with { MaxInstances = 4 };
        await using var test = new TestScheduler(new SchedulerOptions { JobDefaults = defaults, SchedulerId = "mine" });

        var first = test.AddInline("a", new DateTrigger(T0.AddHours(1)), _ => { });
        var second = test.AddInline("b", new DateTrigger(T0.AddHours(1)), _ => { });

        Assert.Same(defaults, first.Options);
        Assert.Same(first.Options, second.Options);
        Assert.Equal("mine", test.Scheduler.Id);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void A_worker_count_below_one_is_rejected_naming_the_value(int workers)
    {
        var fromOptions = Assert.Throws<ArgumentOutOfRangeException>(() => new SchedulerOptions { MaxWorkers = workers });
        var fromFactory = Assert.Throws<ArgumentOutOfRangeException>(() => JobExecutor.CreateThreadPool(workers));

        Assert.Contains($"not {workers}", fromOptions.Message, StringComparison.Ordinal);
        Assert.Contains($"not {workers}", fromFactory.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_job_options_are_rejected_naming_the_value()
    {
        Assert.Contains("not 0", Assert.Throws<ArgumentOutOfRangeException>(() => JobOptions.Default with { MaxInstances = 0 }).Message, StringComparison.Ordinal);
        Assert.Contains("not -1", Assert.Throws<ArgumentOutOfRangeException>(() => JobOptions.Default with { RetryCount = -1 }).Message, StringComparison.Ordinal);
        Assert.Contains("'00:00:00'", Assert.Throws<ArgumentOutOfRangeException>(() => JobOptions.Default with { Timeout = TimeSpan.Zero }).Message, StringComparison.Ordinal);
        Assert.Contains("'-00:00:01'", Assert.Throws<ArgumentOutOfRangeException>(() => JobOptions.Default with { MisfireGraceTime = TimeSpan.FromSeconds(-1) }).Message, StringComparison.Ordinal);
        Assert.Contains("'-00:00:01'", Assert.Throws<ArgumentOutOfRangeException>(() => JobOptions.Default with { RetryDelay = TimeSpan.FromSeconds(-1) }).Message, StringComparison.Ordinal);
        Assert.Contains("'7'", Assert.Throws<ArgumentOutOfRangeException>(() => JobOptions.Default with { Overlap = (OverlapPolicy)7 }).Message, StringComparison.Ordinal);
    }
}

public sealed class SchedulerArgumentTests
{
    private static readonly DateTimeOffset T0 = TestScheduler.Epoch;

    private static DateTrigger Later => new(T0.AddHours(1));

    [Fact]
    public void An_unknown_store_or_executor_is_rejected_naming_it()
    {
        var scheduler = new JobScheduler();
        var invocation = new DelegateInvocation(() => { });

        var store = Assert.Throws<ArgumentException>(() => scheduler.AddJob(Later, invocation, store: "nowhere"));
        var executor = Assert.Throws<ArgumentException>(() => scheduler.AddJob(Later, invocation, executor: "nobody"));

        Assert.Contains("'nowhere'", store.Message, StringComparison.Ordinal);
        Assert.Equal("store", store.ParamName);
        Assert.Contains("'nobody'", executor.Message, StringComparison.Ordinal);
        Assert.Equal("executor", executor.ParamName);
        Assert.Contains("'nowhere'", Assert.Throws<ArgumentException>(() => scheduler.RemoveJobStore("nowhere")).Message, StringComparison.Ordinal);
        Assert.Contains("'nobody'", Assert.Throws<ArgumentException>(() => scheduler.RemoveExecutor("nobody")).Message, StringComparison.Ordinal);
        Assert.Contains("'nowhere'", Assert.Throws<ArgumentException>(() => scheduler.GetJobs("nowhere")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_executor_that_cannot_run_the_invocation_kind_is_refused_when_the_job_is_added()
    {
        var scheduler = new JobScheduler();

        var error = Assert.Throws<ArgumentException>(() => scheduler.AddJob(Later, new ForeignInvocation()));

        Assert.Contains("cannot run", error.Message, StringComparison.Ordinal);
        Assert.Contains("'default'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void An_empty_id_or_name_is_rejected(string value)
    {
        var scheduler = new JobScheduler();
        var invocation = new DelegateInvocation(() => { });

        Assert.Equal("id", Assert.Throws<ArgumentException>(() => scheduler.AddJob(Later, invocation, id: value)).ParamName);
        Assert.Equal("name", Assert.Throws<ArgumentException>(() => scheduler.AddJob(Later, invocation, name: value)).ParamName);
        Assert.Equal("name", Assert.Throws<ArgumentException>(() => scheduler.AddJobStore(value, Scheduler.Stores.JobStore.CreateMemory())).ParamName);
    }

    [Fact]
    public void Null_arguments_are_rejected_naming_the_parameter()
    {
        var scheduler = new JobScheduler();

        Assert.Equal("trigger", Assert.Throws<ArgumentNullException>(() => scheduler.AddJob(null!, new DelegateInvocation(() => { }))).ParamName);
        Assert.Equal("invocation", Assert.Throws<ArgumentNullException>(() => scheduler.AddJob(Later, null!)).ParamName);
        Assert.Equal("action", Assert.Throws<ArgumentNullException>(() => scheduler.AddJob("a", Later, (Action<JobContext>)null!)).ParamName);
        Assert.Equal("listener", Assert.Throws<ArgumentNullException>(() => scheduler.Subscribe(null!)).ParamName);
    }

    [Fact]
    public void Jobs_that_do_not_exist_are_reported_by_id()
    {
        var scheduler = new JobScheduler();

        Assert.Contains("'ghost'", Assert.Throws<KeyNotFoundException>(() => scheduler.RemoveJob("ghost")).Message, StringComparison.Ordinal);
        Assert.Contains("'ghost'", Assert.Throws<KeyNotFoundException>(() => scheduler.PauseJob("ghost")).Message, StringComparison.Ordinal);
        Assert.Contains("'ghost'", Assert.Throws<KeyNotFoundException>(() => scheduler.ModifyJob("ghost", name: "x")).Message, StringComparison.Ordinal);
        Assert.Null(scheduler.GetJob("ghost"));
    }

    [Fact]
    public void A_trigger_that_never_fires_is_refused()
    {
        var scheduler = new JobScheduler(timeProvider: new Microsoft.Extensions.Time.Testing.FakeTimeProvider(T0));
        var ended = new IntervalTrigger(TimeSpan.FromMinutes(1), start: T0.AddDays(-2), end: T0.AddDays(-1), timeZone: TimeZoneInfo.Utc);

        var error = Assert.Throws<ArgumentException>(() => scheduler.AddJob(ended, new DelegateInvocation(() => { })));

        Assert.Contains("never run", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Stores_and_executors_have_unique_names_and_serve_one_scheduler()
    {
        var first = new JobScheduler();
        var second = new JobScheduler();
        var store = Scheduler.Stores.JobStore.CreateMemory();
        var executor = JobExecutor.CreateInline();
        first.AddJobStore("extra", store);
        first.AddExecutor("extra", executor);

        Assert.Contains("'default'", Assert.Throws<ArgumentException>(() => first.AddJobStore("default", Scheduler.Stores.JobStore.CreateMemory())).Message, StringComparison.Ordinal);
        Assert.Contains("already belongs", Assert.Throws<ArgumentException>(() => second.AddJobStore("extra", store)).Message, StringComparison.Ordinal);
        Assert.Contains("already belongs", Assert.Throws<ArgumentException>(() => second.AddExecutor("extra", executor)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_job_id_is_unique_across_stores()
    {
        var scheduler = new JobScheduler();
        scheduler.AddJobStore("other", Scheduler.Stores.JobStore.CreateMemory());
        scheduler.AddJob("same", Later, (JobContext _) => { });

        var error = Assert.Throws<InvalidOperationException>(() => scheduler.AddJob(Later, new DelegateInvocation(() => { }), "same", store: "other"));

        Assert.Contains("'same'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Pausing_or_running_a_job_now_needs_a_running_scheduler()
    {
        var scheduler = new JobScheduler();
        scheduler.AddJob("job", Later, (JobContext _) => { });

        Assert.Contains("not running", Assert.Throws<InvalidOperationException>(scheduler.Pause).Message, StringComparison.Ordinal);
        Assert.Contains("not running", Assert.Throws<InvalidOperationException>(() => scheduler.RunJobNow("job")).Message, StringComparison.Ordinal);
    }

    private sealed class ForeignInvocation : Invocation
    {
        public override InvocationKind Kind => (InvocationKind)99;
    }
}
