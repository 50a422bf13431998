using Scheduler.Events;
using Scheduler.Invocations;
using Scheduler.Jobs;
using Scheduler.Stores;
using Scheduler.Tests.Support;
using Scheduler.Triggers;

namespace Scheduler.Tests.Scheduling;

/// <summary>Finding jobs by name, and counting them, across a scheduler's stores.</summary>
public sealed class JobLookupTests
{
    private static readonly DateTimeOffset T0 = TestScheduler.Epoch;
    private static readonly Invocation Noop = new DelegateInvocation(() => { });

    [Fact]
    public async Task Jobs_found_by_name_come_store_by_store_each_in_next_run_order_like_all_jobs()
    {
        await using var test = new TestScheduler();
        var scheduler = test.Scheduler;
        scheduler.AddJobStore("other", JobStore.CreateMemory());
        Add(scheduler, "d2", "daily backup", T0.AddHours(2));
        Add(scheduler, "d1", "report", T0.AddHours(1));
        Add(scheduler, "d3", "Backup logs", T0.AddHours(3));
        Add(scheduler, "o1", "offsite BACKUP", T0.AddMinutes(30), store: "other");
        Add(scheduler, "o2", "cleanup", T0.AddMinutes(10), store: "other");
        static bool IsBackup(string name) => name.Contains("backup", StringComparison.OrdinalIgnoreCase);

        var backups = scheduler.FindJobsByName(IsBackup);

        Assert.Equal(["d2", "d3", "o1"], backups.Select(j => j.Id));
        Assert.Equal(scheduler.GetJobs().Where(j => IsBackup(j.Name)).Select(j => j.Id), backups.Select(j => j.Id));
        Assert.Equal(["o1"], scheduler.FindJobsByName(IsBackup, "other").Select(j => j.Id));
        Assert.Empty(scheduler.FindJobsByName(name => name == "nothing"));
    }

    [Fact]
    public async Task Ended_one_off_jobs_are_listed_with_their_runs_store_by_store_but_not_an_id_another_store_has_now()
    {
        await using var test = new TestScheduler();
        var scheduler = test.Scheduler;
        scheduler.AddJobStore("other", JobStore.CreateMemory());
        test.AddInline("first", new DateTrigger(T0.AddMinutes(1)), _ => { });
        test.AddInline("second", new DateTrigger(T0.AddMinutes(2)), _ => { });
        test.AddInline("moved", new DateTrigger(T0.AddMinutes(1)), _ => { });
        scheduler.AddJob(new IntervalTrigger(TimeSpan.FromHours(1), start: T0.AddMinutes(1)), Noop, "repeating", executor: "inline");
        scheduler.AddJob(new DateTrigger(T0.AddMinutes(3)), Noop, "elsewhere", executor: "inline", store: "other");
        scheduler.Start();

        test.Time.Advance(TimeSpan.FromMinutes(3));
        await test.WaitFor(SchedulerEventType.JobExecuted, "elsewhere");
        scheduler.AddJob(new DateTrigger(T0.AddDays(1)), Noop, "moved", executor: "inline", store: "other");

        Assert.Equal(["second", "first", "elsewhere"], scheduler.GetEndedJobIds());
        Assert.Equal(["second"], scheduler.GetEndedJobIds(1));
        Assert.Equal(JobRunOutcome.Succeeded, Assert.Single(scheduler.GetJobRuns("first")).Outcome);
        Assert.Throws<ArgumentOutOfRangeException>(() => scheduler.GetEndedJobIds(-1));
    }

    [Fact]
    public async Task Finding_jobs_by_name_in_an_unknown_store_fails_naming_it()
    {
        await using var test = new TestScheduler();

        var error = Assert.Throws<ArgumentException>(() => test.Scheduler.FindJobsByName(_ => true, "nowhere"));

        Assert.Contains("'nowhere'", error.Message, StringComparison.Ordinal);
        Assert.Equal("store", error.ParamName);
    }

    [Fact]
    public async Task The_job_count_and_next_run_time_cover_every_store_and_ignore_paused_jobs()
    {
        await using var test = new TestScheduler();
        var scheduler = test.Scheduler;
        scheduler.AddJobStore("other", JobStore.CreateMemory());
        Assert.Equal((0, null), scheduler.GetJobCountAndNextRunTime());

        Add(scheduler, "d1", "a", T0.AddHours(2));
        Add(scheduler, "d2", "b", T0.AddMinutes(1), paused: true);
        Add(scheduler, "o1", "c", T0.AddHours(1), store: "other");
        Add(scheduler, "o2", "d", T0.AddHours(5), store: "other");

        var (count, next) = scheduler.GetJobCountAndNextRunTime();

        Assert.Equal(4, count);
        Assert.Equal(T0.AddHours(1), next);
    }

    private static void Add(Scheduler.Scheduling.JobScheduler scheduler, string id, string name, DateTimeOffset at, string? store = null, bool paused = false)
        => scheduler.AddJob(new DateTrigger(at, TimeZoneInfo.Utc), Noop, id, name, store: store, paused: paused);
}
