using Scheduler.Events;
using Scheduler.Executors;
using Scheduler.Jobs;
using Scheduler.Scheduling;
using Scheduler.Tests.Support;
using Scheduler.Triggers;

namespace Scheduler.Tests.Scheduling;

public sealed class JobSchedulerLifecycleTests
{
    private static readonly DateTimeOffset T0 = TestScheduler.Epoch;

    private static IntervalTrigger EveryMinute => new(TimeSpan.FromMinutes(1), start: T0.AddMinutes(1), timeZone: TimeZoneInfo.Utc);

    [Fact]
    public async Task Now_is_the_time_on_the_scheduler_s_clock_which_stamps_its_events()
    {
        await using var test = new TestScheduler();
        test.Time.Advance(TimeSpan.FromHours(3));

        Assert.Equal(T0.AddHours(3), test.Scheduler.Now);
        test.Scheduler.Start();
        Assert.Equal(test.Scheduler.Now, test.Scheduler.Events.Read().Single(e => e.Type == SchedulerEventType.SchedulerStarted).Timestamp);
    }

    [Fact]
    public async Task Shutdown_with_wait_lets_running_jobs_finish_and_leaves_no_worker_behind()
    {
        await using var test = new TestScheduler();
        var pool = JobExecutor.CreateThreadPool(2);
        test.Scheduler.AddExecutor("pool", pool);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var token = CancellationToken.None;
        test.Scheduler.AddJob(
            new DateTrigger(T0.AddMinutes(1)),
            new Scheduler.Invocations.DelegateInvocation((Func<JobContext, CancellationToken, Task>)((_, t) =>
            {
                token = t;
                return release.Task;
            })),
            "slow",
            executor: "pool");
        test.Scheduler.Start();
        test.Time.Advance(TimeSpan.FromMinutes(1));
        await test.WaitFor(SchedulerEventType.JobStarted, "slow");

        var shutdown = test.Scheduler.ShutdownAsync(wait: true);

        Assert.False(shutdown.IsCompleted);
        Assert.False(token.IsCancellationRequested);
        release.SetResult();
        await shutdown.Within();
        Assert.Equal(JobRunOutcome.Succeeded, Assert.Single(test.Scheduler.GetJobRuns("slow")).Outcome);
        Assert.Equal(SchedulerState.Stopped, test.Scheduler.State);
        Assert.True(test.Scheduler.LoopTask!.IsCompleted);
        Assert.Equal(0, pool.ActiveWorkers);
        Assert.Equal(SchedulerEventType.SchedulerShutdown, test.Scheduler.Events.Read()[^1].Type);
    }

    [Fact]
    public async Task Shutdown_with_wait_reports_the_end_of_every_run_before_the_scheduler_stops()
    {
        const int Jobs = 300;
        await using var test = new TestScheduler(new SchedulerOptions { EventLogCapacity = 5_000 });
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = 0;
        var allStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var pool = JobExecutor.CreateThreadPool(Jobs);
        test.Scheduler.AddExecutor("pool", pool);
        for (var i = 0; i < Jobs; i++)
        {
            test.Scheduler.AddJob(
                new DateTrigger(T0.AddMinutes(1)),
                new Scheduler.Invocations.DelegateInvocation((Func<Task>)(() =>
                {
                    if (Interlocked.Increment(ref started) == Jobs)
                    {
                        allStarted.SetResult();
                    }

                    return release.Task;
                })),
                "job" + i,
                executor: "pool");
        }

        test.Scheduler.Start();
        test.Time.Advance(TimeSpan.FromMinutes(1));
        await allStarted.Task.Within();

        var shutdown = test.Scheduler.ShutdownAsync(wait: true);
        release.SetResult();
        await shutdown.Within();

        var events = test.Scheduler.Events.Read();
        Assert.Equal(Jobs, events.Count(e => e.Type == SchedulerEventType.JobExecuted));
        Assert.Equal(SchedulerEventType.SchedulerShutdown, events[^1].Type);
    }

    [Fact]
    public async Task Shutdown_without_wait_cancels_running_jobs_and_leaves_no_worker_behind()
    {
        await using var test = new TestScheduler();
        var pool = JobExecutor.CreateThreadPool(2);
        test.Scheduler.AddExecutor("pool", pool);
        test.Scheduler.AddJob(
            new DateTrigger(T0.AddMinutes(1)),
            new Scheduler.Invocations.DelegateInvocation((Func<JobContext, CancellationToken, Task>)((_, token) => Task.Delay(Timeout.Infinite, token))),
            "endless",
            executor: "pool");
        test.Scheduler.Start();
        test.Time.Advance(TimeSpan.FromMinutes(1));
        await test.WaitFor(SchedulerEventType.JobStarted, "endless");

        await test.Scheduler.ShutdownAsync(wait: false).Within();

        var run = Assert.Single(test.Scheduler.GetJobRuns("endless"));
        Assert.Equal(JobRunOutcome.Cancelled, run.Outcome);
        Assert.Contains("shut down", run.Error, StringComparison.Ordinal);
        Assert.Single(test.EventsOf(SchedulerEventType.JobCancelled, "endless"));
        Assert.True(test.Scheduler.LoopTask!.IsCompleted);
        Assert.Equal(0, pool.ActiveWorkers);
    }

    [Fact]
    public async Task A_paused_job_does_not_run_and_resuming_does_not_make_up_missed_runs()
    {
        await using var test = new TestScheduler();
        var scheduled = new List<DateTimeOffset>();
        test.AddInline("minutely", EveryMinute, context => scheduled.Add(context.ScheduledTime));
        test.Scheduler.Start();

        var paused = test.Scheduler.PauseJob("minutely");
        test.Time.Advance(TimeSpan.FromMinutes(3.5));
        await test.Settle();
        Assert.Empty(scheduled);

        var resumed = test.Scheduler.ResumeJob("minutely");
        test.Time.Advance(TimeSpan.FromMinutes(0.5));
        await test.WaitFor(SchedulerEventType.JobExecuted, "minutely");
        await test.Settle();

        Assert.Null(paused.NextRunTime);
        Assert.Equal(JobState.Paused, paused.State);
        Assert.Equal(T0.AddMinutes(4), resumed.NextRunTime);
        Assert.Equal(JobState.Scheduled, resumed.State);
        Assert.Equal([T0.AddMinutes(4)], scheduled);
        Assert.Single(test.EventsOf(SchedulerEventType.JobPaused, "minutely"));
        Assert.Single(test.EventsOf(SchedulerEventType.JobResumed, "minutely"));
    }

    [Fact]
    public async Task A_paused_scheduler_runs_nothing_and_resuming_does_not_make_up_missed_runs()
    {
        await using var test = new TestScheduler();
        var scheduled = new List<DateTimeOffset>();
        test.AddInline("minutely", EveryMinute, context => scheduled.Add(context.ScheduledTime));
        test.Scheduler.Start(paused: true);
        Assert.Equal(SchedulerState.Paused, test.Scheduler.State);

        test.Time.Advance(TimeSpan.FromMinutes(3.5));
        test.Scheduler.Resume();
        await test.Settle();
        Assert.Empty(scheduled);
        Assert.Equal(T0.AddMinutes(4), test.Scheduler.GetJob("minutely")!.NextRunTime);

        test.Scheduler.Pause();
        test.Time.Advance(TimeSpan.FromMinutes(2));
        test.Scheduler.Resume();
        test.Time.Advance(TimeSpan.FromMinutes(0.5));
        await test.WaitFor(SchedulerEventType.JobExecuted, "minutely");
        await test.Settle();

        Assert.Equal([T0.AddMinutes(6)], scheduled);
        Assert.Equal(SchedulerState.Running, test.Scheduler.State);
        Assert.Equal(2, test.Scheduler.Events.Read().Count(e => e.Type == SchedulerEventType.SchedulerPaused));
        Assert.Equal(2, test.Scheduler.Events.Read().Count(e => e.Type == SchedulerEventType.SchedulerResumed));
    }

    [Fact]
    public async Task A_job_whose_trigger_ends_is_removed_and_reported()
    {
        await using var test = new TestScheduler();
        var runs = 0;
        test.AddInline("twice", new IntervalTrigger(TimeSpan.FromMinutes(1), start: T0.AddMinutes(1), end: T0.AddMinutes(2), timeZone: TimeZoneInfo.Utc), _ => runs++);
        test.Scheduler.Start();

        test.Time.Advance(TimeSpan.FromMinutes(1));
        await test.Settle();
        Assert.NotNull(test.Scheduler.GetJob("twice"));
        test.Time.Advance(TimeSpan.FromMinutes(1));
        var removed = await test.WaitFor(SchedulerEventType.JobRemoved, "twice");
        await test.Settle();

        Assert.Equal(2, runs);
        Assert.Null(test.Scheduler.GetJob("twice"));
        Assert.Contains("no further fire times", removed.Message, StringComparison.Ordinal);
        Assert.Equal(2, test.Scheduler.GetJobRuns("twice").Count);
    }

    [Fact]
    public async Task A_job_that_asks_for_recovery_is_kept_through_its_last_run_and_removed_when_it_ends()
    {
        // Should the scheduler die during that run, the next one runs it again, and that takes the job.
        await using var test = new TestScheduler();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        test.Scheduler.RegisterDelegate("last", (Func<Task>)(async () =>
        {
            started.TrySetResult();
            await release.Task;
        }));
        test.Scheduler.AddJob(new DateTrigger(T0.AddMinutes(1)), new Scheduler.Invocations.DelegateInvocation("last"), "once", options: JobOptions.Default with { Recover = true });
        test.AddInline("plain", new DateTrigger(T0.AddMinutes(1)), _ => { });
        test.Scheduler.Start();

        test.Time.Advance(TimeSpan.FromMinutes(1));
        await started.Task.Within();
        await test.WaitFor(SchedulerEventType.JobRemoved, "plain");
        var kept = test.Scheduler.GetJob("once");
        Assert.NotNull(kept);
        Assert.Null(kept.NextRunTime);
        Assert.Equal(JobState.Scheduled, kept.State);
        Assert.Empty(test.EventsOf(SchedulerEventType.JobRemoved, "once"));

        release.TrySetResult();
        var removed = await test.WaitFor(SchedulerEventType.JobRemoved, "once");
        var executed = Assert.Single(test.EventsOf(SchedulerEventType.JobExecuted, "once"));
        Assert.True(executed.Sequence < removed.Sequence);
        Assert.Null(test.Scheduler.GetJob("once"));
        Assert.Equal(JobRunOutcome.Succeeded, Assert.Single(test.Scheduler.GetJobRuns("once")).Outcome);
    }

    [Fact]
    public async Task A_job_added_paused_survives_and_never_runs()
    {
        await using var test = new TestScheduler();
        var runs = 0;
        test.Scheduler.AddJob(EveryMinute, new Scheduler.Invocations.DelegateInvocation(() => runs++), "dormant", executor: "inline", paused: true);
        test.Scheduler.Start();

        test.Time.Advance(TimeSpan.FromDays(3));
        await test.Settle();

        var job = test.Scheduler.GetJob("dormant");
        Assert.NotNull(job);
        Assert.Equal(JobState.Paused, job.State);
        Assert.Null(job.NextRunTime);
        Assert.Equal(0, runs);
    }

    [Fact]
    public async Task Rescheduling_a_job_recomputes_its_next_run_from_the_new_trigger()
    {
        await using var test = new TestScheduler();
        var scheduled = new List<DateTimeOffset>();
        test.AddInline("job", EveryMinute, context => scheduled.Add(context.ScheduledTime));
        test.Scheduler.Start();

        var rescheduled = test.Scheduler.RescheduleJob("job", new IntervalTrigger(TimeSpan.FromMinutes(5), timeZone: TimeZoneInfo.Utc));
        test.Time.Advance(TimeSpan.FromMinutes(1));
        await test.Settle();
        Assert.Empty(scheduled);
        test.Time.Advance(TimeSpan.FromMinutes(4));
        await test.WaitFor(SchedulerEventType.JobExecuted, "job");

        Assert.Equal(T0.AddMinutes(5), rescheduled.NextRunTime);
        Assert.Equal([T0.AddMinutes(5)], scheduled);
        Assert.Equal(T0.AddMinutes(10), test.Scheduler.GetJob("job")!.NextRunTime);
    }

    [Fact]
    public async Task Modifying_a_job_changes_what_its_next_run_does()
    {
        await using var test = new TestScheduler();
        var log = new List<string>();
        test.AddInline("job", new DateTrigger(T0.AddMinutes(1)), _ => log.Add("old"));
        test.Scheduler.Start();

        var modified = test.Scheduler.ModifyJob("job", name: "renamed", invocation: new Scheduler.Invocations.DelegateInvocation(() => log.Add("new")));
        test.Time.Advance(TimeSpan.FromMinutes(1));
        await test.WaitFor(SchedulerEventType.JobExecuted, "job");

        Assert.Equal("renamed", modified.Name);
        Assert.Equal(["new"], log);
        Assert.Single(test.EventsOf(SchedulerEventType.JobModified, "job"));
    }

    [Fact]
    public async Task A_duplicate_id_is_an_error_naming_the_id_unless_replacing()
    {
        await using var test = new TestScheduler();
        test.AddInline("same", new DateTrigger(T0.AddHours(1)), _ => { });

        var error = Assert.Throws<InvalidOperationException>(() => test.AddInline("same", new DateTrigger(T0.AddHours(2)), _ => { }));
        var replaced = test.Scheduler.AddJob(new DateTrigger(T0.AddHours(2)), new Scheduler.Invocations.DelegateInvocation(() => { }), "same", executor: "inline", replaceExisting: true);

        Assert.Contains("'same'", error.Message, StringComparison.Ordinal);
        Assert.Equal(T0.AddHours(2), replaced.NextRunTime);
        Assert.Equal(T0.AddHours(2), Assert.Single(test.Scheduler.GetJobs()).NextRunTime);
    }

    [Fact]
    public async Task Jobs_without_an_id_get_distinct_generated_ids()
    {
        await using var test = new TestScheduler();

        var ids = Enumerable.Range(0, 100).Select(_ => test.Scheduler.AddJob(null, EveryMinute, (JobContext _) => { }).Id).ToList();

        Assert.Equal(100, ids.Distinct().Count());
        Assert.All(ids, id => Assert.Equal(16, id.Length));
    }

    [Fact]
    public async Task A_throwing_listener_is_logged_and_does_not_break_scheduling()
    {
        await using var test = new TestScheduler();
        var received = new List<SchedulerEventType>();
        test.Scheduler.Subscribe(_ => throw new InvalidOperationException("listener bug"));
        test.Scheduler.Subscribe(e => received.Add(e.Type), SchedulerEventType.JobExecuted);
        test.AddInline("job", new DateTrigger(T0.AddMinutes(1)), _ => { });
        test.Scheduler.Start();

        test.Time.Advance(TimeSpan.FromMinutes(1));
        await test.WaitFor(SchedulerEventType.JobExecuted, "job");
        var logged = await test.WaitFor(SchedulerEventType.SchedulerError);
        await test.Settle();

        Assert.Contains(SchedulerEventType.JobExecuted, received);
        Assert.Contains("listener bug", logged.Message, StringComparison.Ordinal);
        Assert.IsType<InvalidOperationException>(logged.GetException());
    }

    [Fact]
    public async Task Listeners_get_only_the_event_types_of_their_mask_in_sequence_order_until_disposed()
    {
        await using var test = new TestScheduler();
        var received = new List<SchedulerEvent>();
        var subscription = test.Scheduler.Subscribe(received.Add, SchedulerEventType.JobAdded | SchedulerEventType.JobRemoved);

        test.AddInline("a", EveryMinute, _ => { });
        test.Scheduler.RemoveJob("a");
        subscription.Dispose();
        test.AddInline("b", EveryMinute, _ => { });

        Assert.Equal([SchedulerEventType.JobAdded, SchedulerEventType.JobRemoved], received.Select(e => e.Type));
        Assert.True(received[0].Sequence < received[1].Sequence);
    }

    [Fact]
    public async Task RunAsync_runs_until_its_token_is_cancelled()
    {
        await using var test = new TestScheduler();
        using var cancellation = new CancellationTokenSource();

        var running = test.Scheduler.RunAsync(cancellation.Token);
        Assert.Equal(SchedulerState.Running, test.Scheduler.State);
        Assert.False(running.IsCompleted);
        await cancellation.CancelAsync();
        await running.Within();

        Assert.Equal(SchedulerState.Stopped, test.Scheduler.State);
    }

    [Fact]
    public async Task Run_blocks_until_the_scheduler_is_shut_down()
    {
        await using var test = new TestScheduler();
        var started = test.WaitFor(SchedulerEventType.SchedulerStarted);

        var blocking = Task.Run(test.Scheduler.Run);
        await started;
        Assert.False(blocking.IsCompleted);
        test.Scheduler.Shutdown();
        await blocking.Within();

        Assert.Equal(SchedulerState.Stopped, test.Scheduler.State);
    }

    [Fact]
    public async Task A_job_can_shut_the_scheduler_down()
    {
        await using var test = new TestScheduler();
        test.Scheduler.AddJob("stopper", new DateTrigger(T0.AddMinutes(1)), context => { _ = context.Scheduler.ShutdownAsync(); });
        var running = test.Scheduler.RunAsync();

        test.Time.Advance(TimeSpan.FromMinutes(1));
        await running.Within();

        Assert.Equal(SchedulerState.Stopped, test.Scheduler.State);
    }

    [Fact]
    public async Task A_job_or_a_listener_calling_the_blocking_shutdown_stops_the_scheduler_without_deadlock()
    {
        await using var test = new TestScheduler();
        test.Scheduler.AddJob("stopper", new DateTrigger(T0.AddMinutes(1)), context => context.Scheduler.Shutdown());
        test.AddInline("inline-stopper", new DateTrigger(T0.AddMinutes(2)), context => context.Scheduler.Shutdown(wait: false));
        test.Scheduler.Subscribe(_ => test.Scheduler.Shutdown(), SchedulerEventType.JobRemoved);

        var running = test.Scheduler.RunAsync();
        test.Time.Advance(TimeSpan.FromMinutes(1));
        await running.Within();
        running = test.Scheduler.RunAsync();
        test.Time.Advance(TimeSpan.FromMinutes(1));
        await running.Within();
        running = test.Scheduler.RunAsync();
        test.Scheduler.RemoveAllJobs();
        test.Scheduler.AddJob("removed", new DateTrigger(T0.AddHours(1)), (JobContext _) => { });
        test.Scheduler.RemoveJob("removed");
        await running.Within();

        Assert.Equal(SchedulerState.Stopped, test.Scheduler.State);
    }

    [Fact]
    public async Task A_stopped_scheduler_can_be_started_again_and_starting_twice_is_an_error()
    {
        await using var test = new TestScheduler();
        test.Scheduler.Start();
        var error = Assert.Throws<InvalidOperationException>(() => test.Scheduler.Start());
        await test.Scheduler.ShutdownAsync().Within();

        test.AddInline("later", new DateTrigger(T0.AddMinutes(1)), _ => { });
        test.Scheduler.Start();
        test.Time.Advance(TimeSpan.FromMinutes(1));
        await test.WaitFor(SchedulerEventType.JobExecuted, "later");

        Assert.Contains("already running", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_job_on_the_default_thread_pool_executor_runs()
    {
        await using var test = new TestScheduler();
        test.Scheduler.AddJob("pooled", new DateTrigger(T0.AddMinutes(1)), (context, _) => Task.FromResult(context.Attempt));
        test.Scheduler.Start();

        test.Time.Advance(TimeSpan.FromMinutes(1));
        var executed = await test.WaitFor(SchedulerEventType.JobExecuted, "pooled");

        Assert.Equal(JobRunOutcome.Succeeded, executed.Outcome);
        Assert.Equal(SchedulerEventType.JobSubmitted, test.EventsOf(SchedulerEventType.JobSubmitted, "pooled").Single().Type);
    }
}
