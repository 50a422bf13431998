using Scheduler.Events;
using Scheduler.Jobs;
using Scheduler.Scheduling;
using Scheduler.Tests.Support;
using Scheduler.Triggers;

namespace Scheduler.Tests.Scheduling;

public sealed class DispatchLoopTests
{
    private static readonly DateTimeOffset T0 = TestScheduler.Epoch;

    [Fact]
    public async Task On_the_system_clock_no_run_starts_before_its_time()
    {
        // The loop's timer wakes it up to a millisecond early and it waits out the rest (a precise
        // sleep or a spin): the run's body must never see a clock before its scheduled time.
        const int Jobs = 40;
        var scheduler = new JobScheduler();
        var seen = new System.Collections.Concurrent.ConcurrentBag<(DateTimeOffset Scheduled, DateTimeOffset Started)>();
        var first = DateTimeOffset.UtcNow.AddMilliseconds(50);
        for (var i = 0; i < Jobs; i++)
        {
            scheduler.AddJob($"job-{i}", new DateTrigger(first.AddTicks(i * 23_417)), (Action<JobContext>)(context => seen.Add((context.ScheduledTime, DateTimeOffset.UtcNow))));
        }

        scheduler.Start();
        try
        {
            var deadline = DateTimeOffset.UtcNow.AddSeconds(20);
            while (seen.Count < Jobs && DateTimeOffset.UtcNow < deadline)
            {
                await Task.Delay(20);
            }
        }
        finally
        {
            scheduler.Shutdown();
        }

        Assert.Equal(Jobs, seen.Count);
        Assert.All(seen, run => Assert.True(run.Started >= run.Scheduled, $"Started {(run.Scheduled - run.Started).TotalMilliseconds} ms early."));
    }

    [Fact]
    public async Task A_trigger_that_fails_past_its_due_fire_time_runs_it_and_then_pauses_the_job()
    {
        await using var test = new TestScheduler();

        // Even hours, and (at four o'clock or on odd hours): they agree at four and never again.
        var evenHours = new IntervalTrigger(TimeSpan.FromHours(2), T0, timeZone: TimeZoneInfo.Utc);
        var atFourOrOddHours = new AnyTrigger([new DateTrigger(T0.AddHours(4), TimeZoneInfo.Utc), new IntervalTrigger(TimeSpan.FromHours(2), T0.AddHours(1), timeZone: TimeZoneInfo.Utc)], timeZone: TimeZoneInfo.Utc);
        var runs = new List<DateTimeOffset>();
        test.AddInline("once", new AllTrigger([evenHours, atFourOrOddHours], timeZone: TimeZoneInfo.Utc), context => runs.Add(context.ScheduledTime));
        test.Scheduler.Start();

        test.Time.Advance(TimeSpan.FromHours(4));
        var executed = await test.WaitFor(SchedulerEventType.JobExecuted, "once");
        var error = await test.WaitFor(e => e.Type == SchedulerEventType.SchedulerError && e.JobId == "once");
        await test.Settle();

        Assert.Equal([T0.AddHours(4)], runs);
        Assert.Equal(T0.AddHours(4), executed.ScheduledTime);
        Assert.StartsWith("The trigger of the job failed after its due runs; the job is paused: The triggers of this all-trigger never agree on a fire time", error.Message, StringComparison.Ordinal);
        Assert.Equal(JobState.Paused, test.Scheduler.GetJob("once")!.State);
        Assert.Single(test.EventsOf(SchedulerEventType.JobPaused, "once"));
    }

    [Fact]
    public async Task A_run_later_than_its_grace_time_is_missed_and_not_run()
    {
        await using var test = new TestScheduler();
        var runs = 0;
        test.AddInline("late", new DateTrigger(T0.AddMinutes(1)), _ => runs++, JobOptions.Default with { MisfireGraceTime = TimeSpan.FromSeconds(30) });
        test.Scheduler.Start();

        test.Time.Advance(TimeSpan.FromMinutes(5));
        var missed = await test.WaitFor(SchedulerEventType.JobMissed, "late");
        await test.Settle();

        Assert.Equal(0, runs);
        Assert.Equal(T0.AddMinutes(1), missed.ScheduledTime);
        var run = Assert.Single(test.Scheduler.GetJobRuns("late"));
        Assert.Equal(JobRunOutcome.Missed, run.Outcome);
        Assert.Equal("The run was 00:04:00 late, more than the misfire grace time of 00:00:30.", run.Error);
        Assert.Empty(test.EventsOf(SchedulerEventType.JobExecuted, "late"));
    }

    [Fact]
    public async Task A_late_run_within_its_grace_time_runs()
    {
        await using var test = new TestScheduler();
        var runs = 0;
        test.AddInline("late", new DateTrigger(T0.AddMinutes(1)), _ => runs++, JobOptions.Default with { MisfireGraceTime = TimeSpan.FromMinutes(10) });
        test.Scheduler.Start();

        test.Time.Advance(TimeSpan.FromMinutes(5));
        await test.WaitFor(SchedulerEventType.JobExecuted, "late");

        Assert.Equal(1, runs);
    }

    [Fact]
    public async Task With_unlimited_grace_a_very_late_run_still_runs()
    {
        await using var test = new TestScheduler();
        var runs = 0;
        test.AddInline("late", new DateTrigger(T0.AddMinutes(1)), _ => runs++);
        test.Scheduler.Start();

        test.Time.Advance(TimeSpan.FromDays(30));
        var executed = await test.WaitFor(SchedulerEventType.JobExecuted, "late");

        Assert.Equal(1, runs);
        Assert.Equal(T0.AddMinutes(1), executed.ScheduledTime);
        Assert.Equal(T0.AddDays(30), executed.StartTime);
    }

    [Fact]
    public async Task A_date_that_passed_before_the_job_was_added_is_due_at_once()
    {
        await using var test = new TestScheduler();
        test.Time.Advance(TimeSpan.FromHours(1));

        var job = test.AddInline("past", new DateTrigger(T0), _ => { });

        Assert.Equal(T0, job.NextRunTime);
    }

    [Theory]
    [InlineData(CoalescePolicy.Latest, new[] { 5 })]
    [InlineData(CoalescePolicy.Earliest, new[] { 1 })]
    [InlineData(CoalescePolicy.All, new[] { 1, 2, 3, 4, 5 })]
    public async Task After_the_clock_jumps_past_several_fire_times_coalescing_decides_what_runs(CoalescePolicy coalesce, int[] expectedMinutes)
    {
        await using var test = new TestScheduler();
        var scheduled = new List<DateTimeOffset>();
        test.AddInline(
            "every-minute",
            new IntervalTrigger(TimeSpan.FromMinutes(1), start: T0.AddMinutes(1), timeZone: TimeZoneInfo.Utc),
            context => scheduled.Add(context.ScheduledTime),
            JobOptions.Default with { Coalesce = coalesce, MaxInstances = 10 });
        test.Scheduler.Start();

        test.Time.Advance(TimeSpan.FromMinutes(5.5));
        await test.Settle();

        Assert.Equal(expectedMinutes.Select(m => T0.AddMinutes(m)), scheduled);
        Assert.Equal(T0.AddMinutes(6), test.Scheduler.GetJob("every-minute")!.NextRunTime);
    }

    [Fact]
    public async Task Coalesce_earliest_runs_the_earliest_fire_time_still_within_grace()
    {
        await using var test = new TestScheduler();
        var scheduled = new List<DateTimeOffset>();
        test.AddInline(
            "every-minute",
            new IntervalTrigger(TimeSpan.FromMinutes(1), start: T0.AddMinutes(1), timeZone: TimeZoneInfo.Utc),
            context => scheduled.Add(context.ScheduledTime),
            JobOptions.Default with { Coalesce = CoalescePolicy.Earliest, MisfireGraceTime = TimeSpan.FromMinutes(2) });
        test.Scheduler.Start();

        test.Time.Advance(TimeSpan.FromMinutes(10.5));
        await test.Settle();

        Assert.Equal([T0.AddMinutes(9)], scheduled);
    }

    [Fact]
    public async Task Coalesce_all_reports_the_late_fire_times_once_and_runs_those_within_grace()
    {
        await using var test = new TestScheduler();
        var scheduled = new List<DateTimeOffset>();
        test.AddInline(
            "every-minute",
            new IntervalTrigger(TimeSpan.FromMinutes(1), start: T0.AddMinutes(1), timeZone: TimeZoneInfo.Utc),
            context => scheduled.Add(context.ScheduledTime),
            JobOptions.Default with { Coalesce = CoalescePolicy.All, MaxInstances = 10, MisfireGraceTime = TimeSpan.FromMinutes(2) });
        test.Scheduler.Start();

        test.Time.Advance(TimeSpan.FromMinutes(10.5));
        await test.Settle();

        Assert.Equal([T0.AddMinutes(9), T0.AddMinutes(10)], scheduled);
        var missed = Assert.Single(test.EventsOf(SchedulerEventType.JobMissed, "every-minute"));
        Assert.Equal(T0.AddMinutes(1), missed.ScheduledTime);
    }

    [Fact]
    public async Task A_job_never_runs_before_its_time()
    {
        await using var test = new TestScheduler();
        var runs = 0;
        test.AddInline("soon", new DateTrigger(T0.AddMinutes(1)), _ => runs++);
        test.Scheduler.Start();

        test.Time.Advance(TimeSpan.FromSeconds(59.999));
        await test.Settle();
        Assert.Equal(0, runs);

        test.Time.Advance(TimeSpan.FromMilliseconds(1));
        var executed = await test.WaitFor(SchedulerEventType.JobExecuted, "soon");
        Assert.Equal(1, runs);
        Assert.Equal(T0.AddMinutes(1), executed.StartTime);
    }
}
