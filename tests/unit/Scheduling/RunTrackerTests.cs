using Scheduler.Events;
using Scheduler.Executors;
using Scheduler.Invocations;
using Scheduler.Jobs;
using Scheduler.Scheduling;
using Scheduler.Tests.Support;
using Scheduler.Triggers;

namespace Scheduler.Tests.Scheduling;

/// <summary>Max instances and overlap, timeout and retry, on the thread-pool executor with jobs blocked by the test.</summary>
public sealed class RunTrackerTests
{
    private static readonly DateTimeOffset T0 = TestScheduler.Epoch;

    private static IntervalTrigger EveryMinute => new(TimeSpan.FromMinutes(1), start: T0.AddMinutes(1), timeZone: TimeZoneInfo.Utc);

    [Fact]
    public async Task Skip_reports_max_instances_and_records_a_skipped_run_while_the_job_runs()
    {
        await using var test = new TestScheduler();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        test.Scheduler.AddJob("slow", EveryMinute, (_, _) => release.Task);
        test.Scheduler.Start();

        test.Time.Advance(TimeSpan.FromMinutes(1));
        var started = await test.WaitFor(SchedulerEventType.JobStarted, "slow");
        test.Time.Advance(TimeSpan.FromMinutes(1));
        var skipped = await test.WaitFor(SchedulerEventType.JobMaxInstances, "slow");
        release.SetResult();
        var executed = await test.WaitFor(SchedulerEventType.JobExecuted, "slow");

        Assert.Equal(T0.AddMinutes(2), skipped.ScheduledTime);
        Assert.Equal(JobRunOutcome.Skipped, skipped.Outcome);
        Assert.Equal(started.RunId, executed.RunId);
        var runs = test.Scheduler.GetJobRuns("slow");
        Assert.Equal([JobRunOutcome.Skipped, JobRunOutcome.Succeeded], runs.Select(r => r.Outcome));
    }

    [Fact]
    public async Task Queue_runs_exactly_one_extra_run_after_the_current_one_ends()
    {
        await using var test = new TestScheduler();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var scheduled = AddSlowJob(test, release.Task, JobOptions.Default with { Overlap = OverlapPolicy.Queue });
        test.Scheduler.Start();

        test.Time.Advance(TimeSpan.FromMinutes(1));
        await test.WaitFor(SchedulerEventType.JobStarted, "slow");
        test.Time.Advance(TimeSpan.FromMinutes(1));
        var queued = await test.WaitFor(SchedulerEventType.JobMaxInstances, "slow");
        test.Time.Advance(TimeSpan.FromMinutes(1));
        var skipped = await test.WaitFor(SchedulerEventType.JobMaxInstances, "slow", queued.Sequence);
        await test.Settle();
        Assert.Single(scheduled);

        release.SetResult();
        var first = await test.WaitFor(SchedulerEventType.JobExecuted, "slow");
        var second = await test.WaitFor(SchedulerEventType.JobExecuted, "slow", first.Sequence);
        await test.Settle();

        Assert.Null(queued.Outcome);
        Assert.Contains("waits", queued.Message, StringComparison.Ordinal);
        Assert.Equal(JobRunOutcome.Skipped, skipped.Outcome);
        Assert.Equal([T0.AddMinutes(1), T0.AddMinutes(2)], scheduled);
        Assert.Equal(T0.AddMinutes(2), second.ScheduledTime);
        Assert.Equal(2, test.EventsOf(SchedulerEventType.JobExecuted, "slow").Count);
    }

    [Fact]
    public async Task Replace_cancels_the_running_run_and_starts_the_new_one()
    {
        await using var test = new TestScheduler();
        test.Scheduler.AddJob(
            "slow",
            EveryMinute,
            (_, token) => Task.Delay(Timeout.Infinite, token),
            JobOptions.Default with { Overlap = OverlapPolicy.Replace });
        test.Scheduler.Start();

        test.Time.Advance(TimeSpan.FromMinutes(1));
        var first = await test.WaitFor(SchedulerEventType.JobStarted, "slow");
        test.Time.Advance(TimeSpan.FromMinutes(1));
        var cancelled = await test.WaitFor(SchedulerEventType.JobCancelled, "slow");
        var second = await test.WaitFor(e => e.Type == SchedulerEventType.JobStarted && e.JobId == "slow" && e.RunId != first.RunId);

        Assert.Equal(first.RunId, cancelled.RunId);
        Assert.Equal(JobRunOutcome.Cancelled, cancelled.Outcome);
        Assert.Contains("replaced", cancelled.Error, StringComparison.Ordinal);
        Assert.Equal(T0.AddMinutes(2), second.ScheduledTime);
        Assert.Empty(test.EventsOf(SchedulerEventType.JobMaxInstances, "slow"));
    }

    [Fact]
    public async Task A_run_longer_than_its_timeout_is_cancelled_and_reported_timed_out()
    {
        await using var test = new TestScheduler();
        var observedCancellation = false;
        test.Scheduler.AddJob(
            "slow",
            new DateTrigger(T0.AddMinutes(1)),
            async (_, token) =>
            {
                try
                {
                    await Task.Delay(Timeout.Infinite, token);
                }
                catch (OperationCanceledException)
                {
                    observedCancellation = true;
                    throw;
                }
            },
            JobOptions.Default with { Timeout = TimeSpan.FromSeconds(30) });
        test.Scheduler.Start();

        test.Time.Advance(TimeSpan.FromMinutes(1));
        await test.WaitFor(SchedulerEventType.JobStarted, "slow");
        test.Time.Advance(TimeSpan.FromSeconds(29));
        await test.Settle();
        Assert.Empty(test.EventsOf(SchedulerEventType.JobTimedOut, "slow"));

        test.Time.Advance(TimeSpan.FromSeconds(1));
        var timedOut = await test.WaitFor(SchedulerEventType.JobTimedOut, "slow");

        Assert.True(observedCancellation);
        Assert.Equal(JobRunOutcome.TimedOut, timedOut.Outcome);
        Assert.Equal(TimeSpan.FromSeconds(30), timedOut.Duration);
        Assert.Equal(JobRunOutcome.TimedOut, Assert.Single(test.Scheduler.GetJobRuns("slow")).Outcome);
    }

    [Fact]
    public async Task A_run_that_asks_for_its_token_only_after_timing_out_gets_a_cancelled_token()
    {
        await using var test = new TestScheduler();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        bool? cancelledWhenAsked = null;
        test.Scheduler.AddJob(
            "late-asker",
            new DateTrigger(T0.AddMinutes(1)),
            async context =>
            {
                await release.Task;
                cancelledWhenAsked = context.CancellationToken.IsCancellationRequested;
            },
            JobOptions.Default with { Timeout = TimeSpan.FromSeconds(30) });
        test.Scheduler.Start();
        test.Time.Advance(TimeSpan.FromMinutes(1));
        await test.WaitFor(SchedulerEventType.JobStarted, "late-asker");

        test.Time.Advance(TimeSpan.FromSeconds(30));
        release.SetResult();
        var timedOut = await test.WaitFor(SchedulerEventType.JobTimedOut, "late-asker");

        Assert.True(cancelledWhenAsked);
        Assert.Equal(JobRunOutcome.TimedOut, timedOut.Outcome);
    }

    [Fact]
    public async Task A_failed_run_is_retried_after_the_delay_up_to_the_retry_count_each_attempt_reported()
    {
        await using var test = new TestScheduler();
        var starts = new List<DateTimeOffset>();
        test.AddInline(
            "flaky",
            new DateTrigger(T0.AddMinutes(1)),
            context =>
            {
                starts.Add(context.StartTime);
                throw new InvalidOperationException($"boom {context.Attempt}");
            },
            JobOptions.Default with { RetryCount = 2, RetryDelay = TimeSpan.FromSeconds(10) });
        test.Scheduler.Start();

        test.Time.Advance(TimeSpan.FromMinutes(1));
        await test.WaitFor(SchedulerEventType.JobRetried, "flaky");
        test.Time.Advance(TimeSpan.FromSeconds(9));
        Assert.Single(starts);
        test.Time.Advance(TimeSpan.FromSeconds(1));
        test.Time.Advance(TimeSpan.FromSeconds(10));
        var last = await test.WaitFor(e => e.Type == SchedulerEventType.JobError && e.Attempt == 3);

        Assert.Equal([T0.AddMinutes(1), T0.AddMinutes(1).AddSeconds(10), T0.AddMinutes(1).AddSeconds(20)], starts);
        Assert.Equal([1, 2, 3], test.EventsOf(SchedulerEventType.JobError, "flaky").Select(e => e.Attempt));
        Assert.Equal([1, 2], test.EventsOf(SchedulerEventType.JobRetried, "flaky").Select(e => e.Attempt));
        Assert.Contains("boom 3", last.Error, StringComparison.Ordinal);
        var runs = test.Scheduler.GetJobRuns("flaky");
        Assert.Equal([3, 2, 1], runs.Select(r => r.Attempt));
        Assert.All(runs, r => Assert.Equal(JobRunOutcome.Failed, r.Outcome));
        Assert.All(runs, r => Assert.Equal(T0.AddMinutes(1), r.ScheduledTime));
    }

    [Fact]
    public async Task Retrying_stops_at_the_first_attempt_that_succeeds()
    {
        await using var test = new TestScheduler();
        test.AddInline(
            "flaky",
            new DateTrigger(T0.AddMinutes(1)),
            context =>
            {
                if (context.Attempt == 1)
                {
                    throw new InvalidOperationException("first attempt fails");
                }
            },
            JobOptions.Default with { RetryCount = 5 });
        test.Scheduler.Start();

        test.Time.Advance(TimeSpan.FromMinutes(1));
        var executed = await test.WaitFor(SchedulerEventType.JobExecuted, "flaky");
        await test.Settle();

        Assert.Equal(2, executed.Attempt);
        Assert.Single(test.EventsOf(SchedulerEventType.JobRetried, "flaky"));
        Assert.Equal([JobRunOutcome.Succeeded, JobRunOutcome.Failed], test.Scheduler.GetJobRuns("flaky").Select(r => r.Outcome));
    }

    [Fact]
    public async Task Run_now_submits_a_run_without_moving_the_schedule_and_respects_max_instances()
    {
        await using var test = new TestScheduler();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var job = test.Scheduler.AddJob("slow", EveryMinute, (_, _) => release.Task);
        test.Scheduler.Start();

        var first = test.Scheduler.RunJobNow("slow");
        await test.WaitFor(SchedulerEventType.JobStarted, "slow");
        var second = test.Scheduler.RunJobNow("slow");
        release.SetResult();
        await test.WaitFor(SchedulerEventType.JobExecuted, "slow");

        Assert.Equal(JobRunOutcome.Running, first.Outcome);
        Assert.Equal(T0, first.ScheduledTime);
        Assert.Equal(JobRunOutcome.Skipped, second.Outcome);
        Assert.Equal(job.NextRunTime, test.Scheduler.GetJob("slow")!.NextRunTime);
    }

    [Fact]
    public async Task Runs_ending_while_the_loop_dispatches_a_large_batch_are_all_reported_and_free_their_slots()
    {
        // Several batches of due jobs: workers end runs while the loop holds its lock for the next batch.
        const int Jobs = 1500;
        await using var test = new TestScheduler(new SchedulerOptions { EventLogCapacity = 20_000 });
        var executed = 0;
        var firstRound = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var secondRound = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = test.Scheduler.Subscribe(
            _ =>
            {
                var count = Interlocked.Increment(ref executed);
                if (count == Jobs)
                {
                    firstRound.SetResult();
                }
                else if (count == 2 * Jobs)
                {
                    secondRound.SetResult();
                }
            },
            SchedulerEventType.JobExecuted);
        for (var i = 0; i < Jobs; i++)
        {
            test.Scheduler.AddJob("job" + i, EveryMinute, _ => { });
        }

        test.Scheduler.Start();
        test.Time.Advance(TimeSpan.FromMinutes(1));
        await firstRound.Task.Within();
        test.Time.Advance(TimeSpan.FromMinutes(1));
        await secondRound.Task.Within();
        await test.Settle();

        Assert.DoesNotContain(test.Scheduler.Events.Read(), e => e.Type == SchedulerEventType.JobMaxInstances);
        for (var i = 0; i < Jobs; i += 100)
        {
            Assert.Equal([T0.AddMinutes(2), T0.AddMinutes(1)], test.Scheduler.GetJobRuns("job" + i).Select(r => r.ScheduledTime));
        }
    }

    [Fact]
    public async Task A_run_that_ends_while_the_loop_holds_its_lock_is_reported_once_the_loop_lets_go()
    {
        await using var test = new TestScheduler();
        var pool = JobExecutor.CreateThreadPool(1);
        test.Scheduler.AddExecutor("pool", pool);
        using var finish = new ManualResetEventSlim();
        test.Scheduler.AddJob(new DateTrigger(T0.AddMinutes(1)), new DelegateInvocation((Action)(() => finish.Wait())), "worker", executor: "pool");
        using var blocker = new BlockingTrigger(T0.AddMinutes(2));
        test.Scheduler.AddJob(blocker, new DelegateInvocation((Action)(() => { })), "blocker", executor: "inline");
        test.Scheduler.Start();
        test.Time.Advance(TimeSpan.FromMinutes(1));
        await test.WaitFor(SchedulerEventType.JobStarted, "worker");

        // The loop plans "blocker" under its lock and is held there while "worker" ends its run.
        blocker.Arm();
        test.Time.Advance(TimeSpan.FromMinutes(1));
        await blocker.Entered.Task.Within();
        finish.Set();
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20)))
        {
            while (pool.ActiveWorkers > 0)
            {
                await Task.Delay(10, timeout.Token);
            }
        }

        blocker.Release();
        var executed = await test.WaitFor(SchedulerEventType.JobExecuted, "worker");

        Assert.Equal(JobRunOutcome.Succeeded, executed.Outcome);
        Assert.Equal(T0.AddMinutes(1), executed.ScheduledTime);
    }

    [Fact]
    public async Task A_queued_run_starts_as_soon_as_the_run_ahead_of_it_ends_while_the_loop_is_in_a_pass()
    {
        await using var test = new TestScheduler();
        var pool = JobExecutor.CreateThreadPool(2);
        test.Scheduler.AddExecutor("pool", pool);
        using var finish = new ManualResetEventSlim();
        var queueing = JobOptions.Default with { MaxInstances = 1, Overlap = OverlapPolicy.Queue };
        test.Scheduler.AddJob(EveryMinute, new DelegateInvocation((Action)(() => finish.Wait())), "queued", executor: "pool", options: queueing);
        using var blocker = new BlockingTrigger(T0.AddSeconds(90));
        test.Scheduler.AddJob(blocker, new DelegateInvocation((Action)(() => { })), "blocker", executor: "inline");
        test.Scheduler.Start();
        test.Time.Advance(TimeSpan.FromMinutes(1));
        await test.WaitFor(SchedulerEventType.JobStarted, "queued");
        var waiting = test.Scheduler.RunJobNow("queued");

        // The loop is held in a pass (planning "blocker") while the first run ends: it gives that run's
        // slot back itself, and must do so before it sleeps until the next fire time, half a minute on.
        blocker.Arm();
        test.Time.Advance(TimeSpan.FromSeconds(30));
        await blocker.Entered.Task.Within();
        finish.Set();
        await test.WaitFor(SchedulerEventType.JobExecuted, "queued");
        blocker.Release();
        var started = await test.WaitFor(e => e.Type == SchedulerEventType.JobStarted && e.RunId == waiting.RunId);

        Assert.Equal(T0.AddSeconds(90), test.Now);
        Assert.Equal("queued", started.JobId);
    }

    [Fact]
    public async Task A_run_that_waits_for_a_busy_worker_past_its_grace_time_is_missed_and_not_run()
    {
        await using var test = new TestScheduler(new SchedulerOptions { MaxWorkers = 1 });
        var lateRuns = 0;
        await RunLateBehindBusyWorker(test, TimeSpan.FromSeconds(45), _ => Interlocked.Increment(ref lateRuns));
        var missed = await test.WaitFor(SchedulerEventType.JobMissed, "late");
        await test.WaitFor(SchedulerEventType.JobExecuted, "busy");
        await test.Settle();

        Assert.Equal(0, lateRuns);
        Assert.Equal(JobRunOutcome.Missed, missed.Outcome);
        Assert.Equal(T0.AddMinutes(2), missed.ScheduledTime);
        Assert.Contains("misfire grace time", missed.Error, StringComparison.Ordinal);
        Assert.Empty(test.EventsOf(SchedulerEventType.JobStarted, "late"));
        var run = Assert.Single(test.Scheduler.GetJobRuns("late"));
        Assert.Equal(JobRunOutcome.Missed, run.Outcome);
        Assert.Null(run.StartTime);
        Assert.Equal(T0.AddMinutes(2).AddSeconds(45), run.EndTime);
        Assert.Equal(missed.RunId, run.RunId);
    }

    [Fact]
    public async Task A_run_that_waits_for_a_busy_worker_within_its_grace_time_runs()
    {
        await using var test = new TestScheduler(new SchedulerOptions { MaxWorkers = 1 });
        await RunLateBehindBusyWorker(test, TimeSpan.FromSeconds(30), _ => { });
        var executed = await test.WaitFor(SchedulerEventType.JobExecuted, "late");

        Assert.Equal(T0.AddMinutes(2).AddSeconds(30), executed.StartTime);
        Assert.Empty(test.EventsOf(SchedulerEventType.JobMissed, "late"));
    }

    [Fact]
    public async Task A_queued_run_that_waits_for_its_jobs_running_run_past_its_grace_time_is_missed()
    {
        await using var test = new TestScheduler();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var scheduled = AddSlowJob(test, release.Task, JobOptions.Default with { Overlap = OverlapPolicy.Queue, MisfireGraceTime = TimeSpan.FromSeconds(30) });
        test.Scheduler.Start();

        test.Time.Advance(TimeSpan.FromMinutes(1));
        await test.WaitFor(SchedulerEventType.JobStarted, "slow");
        test.Time.Advance(TimeSpan.FromMinutes(1));
        await test.WaitFor(SchedulerEventType.JobMaxInstances, "slow");
        test.Time.Advance(TimeSpan.FromSeconds(45));
        release.SetResult();
        var missed = await test.WaitFor(SchedulerEventType.JobMissed, "slow");
        await test.Settle();

        Assert.Equal(T0.AddMinutes(2), missed.ScheduledTime);
        Assert.Equal([T0.AddMinutes(1)], scheduled);
        Assert.Equal([JobRunOutcome.Missed, JobRunOutcome.Succeeded], test.Scheduler.GetJobRuns("slow").Select(r => r.Outcome));
    }

    [Fact]
    public async Task A_retry_and_a_run_started_by_hand_run_however_long_after_the_grace_time_they_start()
    {
        await using var test = new TestScheduler(new SchedulerOptions { MaxWorkers = 1 });
        var grace = JobOptions.Default with { MisfireGraceTime = TimeSpan.FromSeconds(5) };
        var attempts = 0;
        test.Scheduler.AddJob(
            "flaky",
            new DateTrigger(T0.AddMinutes(1)),
            _ =>
            {
                if (Interlocked.Increment(ref attempts) == 1)
                {
                    throw new InvalidOperationException("first attempt fails");
                }
            },
            grace with { RetryCount = 1, RetryDelay = TimeSpan.FromMinutes(1) });
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        test.Scheduler.AddJob("busy", new DateTrigger(T0.AddHours(1)), (_, _) => release.Task);
        test.Scheduler.AddJob("by-hand", new DateTrigger(T0.AddDays(1)), _ => { }, grace);
        test.Scheduler.Start();

        test.Time.Advance(TimeSpan.FromMinutes(1));
        await test.WaitFor(SchedulerEventType.JobRetried, "flaky");
        test.Time.Advance(TimeSpan.FromMinutes(1));
        var retried = await test.WaitFor(SchedulerEventType.JobExecuted, "flaky");

        test.Scheduler.RunJobNow("busy");
        await test.WaitFor(SchedulerEventType.JobStarted, "busy");
        var byHand = test.Scheduler.RunJobNow("by-hand");
        test.Time.Advance(TimeSpan.FromMinutes(1));
        release.SetResult();
        var ranByHand = await test.WaitFor(SchedulerEventType.JobExecuted, "by-hand");

        Assert.Equal(2, retried.Attempt);
        Assert.Equal(T0.AddMinutes(1), retried.ScheduledTime);
        Assert.Equal(T0.AddMinutes(2), retried.StartTime);
        Assert.Equal(byHand.RunId, ranByHand.RunId);
        Assert.Equal(byHand.ScheduledTime.AddMinutes(1), ranByHand.StartTime);
        Assert.Empty(test.EventsOf(SchedulerEventType.JobMissed, "flaky"));
        Assert.Empty(test.EventsOf(SchedulerEventType.JobMissed, "by-hand"));
    }

    /// <summary>An every-minute job whose runs record their scheduled time and last until <paramref name="release"/> completes.</summary>
    private static List<DateTimeOffset> AddSlowJob(TestScheduler test, Task release, JobOptions options)
    {
        var scheduled = new List<DateTimeOffset>();
        test.Scheduler.AddJob(
            "slow",
            EveryMinute,
            (context, _) =>
            {
                lock (scheduled)
                {
                    scheduled.Add(context.ScheduledTime);
                }

                return release;
            },
            options);
        return scheduled;
    }

    /// <summary>
    /// With one worker: "busy" runs from minute 1, "late" (grace 30 s) is due at minute 2 and waits in the
    /// executor's queue until "busy" ends, <paramref name="waited"/> after minute 2.
    /// </summary>
    private static async Task RunLateBehindBusyWorker(TestScheduler test, TimeSpan waited, Action<JobContext> late)
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        test.Scheduler.AddJob("busy", new DateTrigger(T0.AddMinutes(1)), (_, _) => release.Task);
        test.Scheduler.AddJob("late", new DateTrigger(T0.AddMinutes(2)), late, JobOptions.Default with { MisfireGraceTime = TimeSpan.FromSeconds(30) });
        test.Scheduler.Start();

        test.Time.Advance(TimeSpan.FromMinutes(1));
        await test.WaitFor(SchedulerEventType.JobStarted, "busy");
        test.Time.Advance(TimeSpan.FromMinutes(1));
        await test.WaitFor(SchedulerEventType.JobSubmitted, "late");
        test.Time.Advance(waited);
        release.SetResult();
    }

    /// <summary>Fires once; once armed, the scheduler's next look at it blocks until released and then fails.</summary>
    private sealed class BlockingTrigger(DateTimeOffset at) : Trigger(TimeZoneInfo.Utc, start: null, end: null, jitter: null), IDisposable
    {
        private readonly ManualResetEventSlim released = new();
        private volatile bool armed;

        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Arm() => armed = true;

        public void Release() => released.Set();

        public void Dispose() => released.Dispose();

        private protected override DateTimeOffset? FireTimeAtOrAfterCore(DateTimeOffset instant)
        {
            if (armed)
            {
                Entered.TrySetResult();
                released.Wait(TimeSpan.FromSeconds(20));
                throw new InvalidOperationException("The test's trigger fails once released.");
            }

            return instant <= at ? at : null;
        }
    }
}
