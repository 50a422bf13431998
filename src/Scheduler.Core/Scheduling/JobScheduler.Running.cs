using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using Scheduler.Events;
using Scheduler.Executors;
using Scheduler.Internal;
using Scheduler.Jobs;
using Scheduler.Stores;
using Scheduler.Triggers;

namespace Scheduler.Scheduling;

/// <summary>The life cycle, the loop that dispatches due jobs, and the bookkeeping of runs in progress.</summary>
public sealed partial class JobScheduler
{
    // Due jobs are read, decided and committed in batches: one store transaction per batch.
    private const int DispatchBatchSize = 256;

    private const int MaxSpareActivities = 4096;

    // Batches per store per pass before the loop looks at the other stores and its signals again.
    private const int MaxBatchesPerPass = 64;

    // The loop never sleeps longer than this, so a jump of the wall clock is noticed within it.
    private static readonly TimeSpan MaxSleep = TimeSpan.FromMinutes(1);

    // On the system clock the loop's timer is set this much before the due time, and the rest is spun.
    private static readonly TimeSpan SpinThreshold = TimeSpan.FromMilliseconds(1.5);

    // After a store fails, the loop waits this long before it tries again.
    private static readonly TimeSpan ErrorRetryDelay = TimeSpan.FromSeconds(1);

    private readonly Dictionary<string, JobActivity> activities = new(StringComparer.Ordinal);

    // Idle activities kept for the next job that runs: a burst of runs would otherwise make and drop one per run.
    private readonly Stack<JobActivity> spareActivities = new();
    private readonly HashSet<PendingRetry> retries = [];
    private readonly ConcurrentQueue<(JobExecution Execution, JobRun Ended)> endedRuns = new();
    private readonly WakeSignal wake = new();
    private readonly Random jitterRandom = new();
    private long armedWakeTicks = long.MaxValue;
    private bool stopping;
    private Task? loopTask;
    private TaskCompletionSource<bool>? shutdownCompletion;

    /// <summary>The loop of the latest start; completed once the scheduler has shut down.</summary>
    internal Task? LoopTask => loopTask;

    // ---------------------------------------------------------------- life cycle

    /// <summary>Starts the scheduler in the background and returns.</summary>
    /// <param name="paused">Start paused: no scheduled job runs until <see cref="Resume"/>.</param>
    /// <exception cref="InvalidOperationException">The scheduler is already running.</exception>
    public void Start(bool paused = false)
    {
        var work = new Work();
        lock (gate)
        {
            if (state != SchedulerState.Stopped || shutdownCompletion is not null)
            {
                throw new InvalidOperationException($"The scheduler '{Id}' is already running.");
            }

            AttachStoresLocked();
            stopping = false;
            foreach (var executor in executors.Values)
            {
                executor.Start();
            }

            state = paused ? SchedulerState.Paused : SchedulerState.Running;
            stoppedSignal = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            events.Publish(new SchedulerEventData(SchedulerEventType.SchedulerStarted, Now) { SchedulerId = Id });
            if (paused)
            {
                events.Publish(new SchedulerEventData(SchedulerEventType.SchedulerPaused, Now) { SchedulerId = Id });
            }

            foreach (var target in storeList)
            {
                AbandonUnfinishedRunsLocked(target, work);
            }

            Volatile.Write(ref armedWakeTicks, long.MaxValue);
            loopTask = Task.Run(LoopAsync);
        }

        Perform(work);
    }

    /// <summary>Starts the scheduler and blocks until it is shut down (by <see cref="ShutdownAsync"/> from a job, a listener or another thread).</summary>
    /// <exception cref="InvalidOperationException">The scheduler is already running.</exception>
    public void Run() => RunAsync(CancellationToken.None).GetAwaiter().GetResult();

    /// <summary>
    /// Starts the scheduler; the task completes when it has shut down. Cancelling the token shuts
    /// it down, letting running jobs finish.
    /// </summary>
    /// <exception cref="InvalidOperationException">The scheduler is already running.</exception>
    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        Start();
        Task stopped;
        lock (gate)
        {
            stopped = stoppedSignal?.Task ?? Task.CompletedTask;
        }

        using (cancellationToken.Register(static s => _ = ((JobScheduler)s!).ShutdownAsync(wait: true), this))
        {
            await stopped.ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Shuts the scheduler down and blocks until it has stopped; see <see cref="ShutdownAsync"/>.
    /// Called from a job or an event listener, it starts the shutdown and returns at once instead:
    /// waiting would wait for the caller itself.
    /// </summary>
    public void Shutdown(bool wait = true)
    {
        var stopping = ShutdownAsync(wait);
        if (!CallbackScope.IsActive)
        {
            stopping.GetAwaiter().GetResult();
        }
    }

    /// <summary>
    /// Shuts the scheduler down. With <paramref name="wait"/>, running jobs finish; without, their
    /// cancellation tokens are cancelled (.NET code stops when it observes its token, a child process
    /// tree is killed). Called without wait while a waiting shutdown is in progress, it cancels the
    /// runs that shutdown waits for (a service that ran out of time to stop). Either way
    /// runs waiting in a queue or for a retry are cancelled, and the task completes when the loop
    /// and every executor worker have exited. Jobs stay in their stores; the scheduler can be started again.
    /// </summary>
    public Task ShutdownAsync(bool wait = true)
    {
        TaskCompletionSource<bool> completion;
        var inProgress = false;
        var work = new Work();
        lock (gate)
        {
            if (shutdownCompletion is not null)
            {
                inProgress = true;
                completion = shutdownCompletion;

                // A shutdown that waits for the running jobs is under way: without wait, stop waiting for them.
                if (!wait)
                {
                    foreach (var execution in activities.Values.SelectMany(a => a.Active))
                    {
                        work.ToCancel.Add((execution, CancelReason.Shutdown));
                    }
                }
            }
            else if (state == SchedulerState.Stopped)
            {
                return Task.CompletedTask;
            }
            else
            {
                stopping = true;
                completion = shutdownCompletion = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }

        if (inProgress)
        {
            Perform(work);
        }
        else
        {
            _ = ShutdownCoreAsync(wait, completion);
        }

        return completion.Task;
    }

    /// <summary>Pauses the scheduler: no scheduled run starts until <see cref="Resume"/>; runs due meanwhile are not made up.</summary>
    /// <exception cref="InvalidOperationException">The scheduler is not running.</exception>
    public void Pause()
    {
        lock (gate)
        {
            if (state == SchedulerState.Stopped || stopping)
            {
                throw new InvalidOperationException($"The scheduler '{Id}' is not running.");
            }

            if (state == SchedulerState.Paused)
            {
                return;
            }

            state = SchedulerState.Paused;
            events.Publish(new SchedulerEventData(SchedulerEventType.SchedulerPaused, Now) { SchedulerId = Id });
        }

        events.Flush();
        wake.Set();
    }

    /// <summary>
    /// Resumes a paused scheduler. Jobs that became due during the pause get their next run time
    /// computed from now: the runs that fell inside the pause are not made up.
    /// </summary>
    /// <exception cref="InvalidOperationException">The scheduler is not running.</exception>
    public void Resume()
    {
        lock (gate)
        {
            if (state == SchedulerState.Stopped || stopping)
            {
                throw new InvalidOperationException($"The scheduler '{Id}' is not running.");
            }

            if (state == SchedulerState.Running)
            {
                return;
            }

            var now = Now;
            foreach (var target in storeList)
            {
                foreach (var job in target.Store.GetDueJobs(now, int.MaxValue))
                {
                    RecomputeFromLocked(target, job, now);
                }
            }

            state = SchedulerState.Running;
            events.Publish(new SchedulerEventData(SchedulerEventType.SchedulerResumed, Now) { SchedulerId = Id });
        }

        events.Flush();
        wake.Set();
    }

    /// <summary>Shuts down without waiting for running jobs (their tokens are cancelled).</summary>
    public void Dispose() => Shutdown(wait: false);

    /// <summary>Shuts down without waiting for running jobs (their tokens are cancelled).</summary>
    public ValueTask DisposeAsync() => new(ShutdownAsync(wait: false));

    private async Task ShutdownCoreAsync(bool wait, TaskCompletionSource<bool> completion)
    {
        wake.Set();
        Task? loop;
        lock (gate)
        {
            loop = loopTask;
        }

        if (loop is not null)
        {
            await loop.ConfigureAwait(false);
        }

        var work = new Work();
        JobExecutor[] toStop;
        lock (gate)
        {
            foreach (var retry in retries)
            {
                retry.Timer?.Dispose();
                if (activities.TryGetValue(retry.Failed.Job.Id, out var activity))
                {
                    ReleaseSlotLocked(retry.Failed.Job.Id, activity, work);
                }
            }

            retries.Clear();
            foreach (var pair in activities.ToArray())
            {
                var activity = pair.Value;
                if (!wait)
                {
                    foreach (var execution in activity.Active)
                    {
                        work.ToCancel.Add((execution, CancelReason.Shutdown));
                    }
                }

                if (activity.Queued is { } queued)
                {
                    activity.Queued = null;
                    activity.Running++;
                    activity.Active.Add(queued);
                    work.ToEnd.Add((queued, JobRunOutcome.Cancelled, "The run was cancelled before it started: the scheduler shut down."));
                }
            }

            toStop = executors.Values.ToArray();
        }

        Perform(work);
        var stops = new Task[toStop.Length];
        for (var i = 0; i < toStop.Length; i++)
        {
            stops[i] = toStop[i].StopAsync();
        }

        await Task.WhenAll(stops).ConfigureAwait(false);
        ProcessEndedRuns(wait: true);

        TaskCompletionSource<bool>? stopped;
        lock (gate)
        {
            state = SchedulerState.Stopped;
            stopping = false;
            shutdownCompletion = null;
            stopped = stoppedSignal;
            stoppedSignal = null;
            events.Publish(new SchedulerEventData(SchedulerEventType.SchedulerShutdown, Now) { SchedulerId = Id });
            foreach (var target in storeList)
            {
                DetachStoreLocked(target);
            }
        }

        events.Flush();
        stopped?.TrySetResult(true);
        completion.TrySetResult(true);
    }

    /// <summary>Tells every store that the scheduler runs on it; none is left attached when one refuses.</summary>
    /// <exception cref="InvalidOperationException">A store is used by another running scheduler.</exception>
    private void AttachStoresLocked()
    {
        var attached = new List<NamedStore>();
        try
        {
            foreach (var target in storeList)
            {
                target.Store.AttachScheduler(Id, TimeProvider, events.Log);
                attached.Add(target);
            }
        }
        catch
        {
            foreach (var target in attached)
            {
                DetachStoreLocked(target);
            }

            throw;
        }
    }

    private void DetachStoreLocked(NamedStore target)
    {
        try
        {
            target.Store.DetachScheduler();
        }
#pragma warning disable CA1031 // A store that fails to let go is reported; the others are still released.
        catch (Exception error)
#pragma warning restore CA1031
        {
            events.Publish(new SchedulerEventData(SchedulerEventType.SchedulerError, Now)
            {
                SchedulerId = Id,
                StoreName = target.Name,
                Exception = error,
                Error = error.Message,
                Message = $"The store '{target.Name}' failed to release the scheduler: {error.Message}",
            });
        }
    }

    /// <summary>Runs the jobs that other processes asked the store to run now.</summary>
    private void RunRequestedJobs(JobStore store)
    {
        lock (gate)
        {
            if (state == SchedulerState.Stopped || stopping || store.Owner != this)
            {
                return;
            }
        }

        IReadOnlyList<string> requested;
        try
        {
            requested = store.TakeRunRequests();
        }
#pragma warning disable CA1031 // A failing store is reported; the requests stay for the next change.
        catch (Exception error)
#pragma warning restore CA1031
        {
            ReportError(null, $"Reading the run requests of a store failed: {error.Message}", error);
            return;
        }

        foreach (var id in requested)
        {
            try
            {
                RunJobNow(id);
            }
            catch (Exception error) when (error is KeyNotFoundException or InvalidOperationException)
            {
                ReportError(id, $"The job '{id}' could not run as requested: {ExceptionText.FirstLine(error)}", error);
            }
        }
    }

    private void ReportError(string? jobId, string message, Exception error)
    {
        events.Publish(new SchedulerEventData(SchedulerEventType.SchedulerError, Now)
        {
            SchedulerId = Id,
            JobId = jobId,
            Exception = error,
            Error = error.Message,
            Message = message,
        });
        events.Flush();
    }

    // ---------------------------------------------------------------- the loop

    /// <summary>
    /// Sleeps until the earliest next run time over all stores (or a change), then dispatches
    /// everything due in one pass. Never polls; never starts a run before its time.
    /// </summary>
    private async Task LoopAsync()
    {
        var work = new Work();
        var preciseClock = ReferenceEquals(TimeProvider, TimeProvider.System);
        using var timer = TimeProvider.CreateTimer(static s => ((WakeSignal)s!).Set(), wake, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        while (true)
        {
            // While awake, any change wakes the loop again: it may have read the stores before the change.
            Volatile.Write(ref armedWakeTicks, long.MaxValue);
            lock (gate)
            {
                if (stopping)
                {
                    return;
                }
            }

            DateTimeOffset? next;
            try
            {
                next = ProcessDueJobs(work);
            }
#pragma warning disable CA1031 // The loop must survive a failing store; the failure is reported and retried.
            catch (Exception error)
#pragma warning restore CA1031
            {
                work.Clear();
                events.Publish(new SchedulerEventData(SchedulerEventType.SchedulerError, Now)
                {
                    SchedulerId = Id,
                    Exception = error,
                    Error = error.Message,
                    Message = string.Format(CultureInfo.InvariantCulture, "Dispatching due jobs failed; retrying in {0}: {1}", ErrorRetryDelay, error.Message),
                });
                events.Flush();
                next = Now + ErrorRetryDelay;
            }

            if (next is { } due)
            {
                var delay = due - Now;
                if (delay <= TimeSpan.Zero)
                {
                    continue;
                }

                if (preciseClock && delay <= SpinThreshold)
                {
                    SpinUntil(due);
                    continue;
                }

                Volatile.Write(ref armedWakeTicks, due.UtcTicks);
                var sleep = preciseClock ? delay - SpinThreshold : delay;
                timer.Change(sleep < MaxSleep ? sleep : MaxSleep, Timeout.InfiniteTimeSpan);

                // The timer counts from when it is set: a clock that moved on since the delay was
                // computed (a fake clock jumps) would make it fire late.
                if (Now >= due)
                {
                    continue;
                }
            }
            else
            {
                timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            }

            await wake.WaitAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Dispatches every due job of every store; returns the earliest next run time, or null when none (or paused).</summary>
    [MethodImpl(DispatchPath.Optimized)]
    private DateTimeOffset? ProcessDueJobs(Work work)
    {
        ProcessEndedRuns(wait: true);
        var now = Now;
        DateTimeOffset? earliest = null;
        foreach (var target in storeList)
        {
            for (var batch = 0; batch < MaxBatchesPerPass; batch++)
            {
                // Runs that ended while the previous batch held the lock give their slots back first.
                ProcessEndedRuns(wait: true);
                int dueCount;
                lock (gate)
                {
                    if (stopping || state != SchedulerState.Running)
                    {
                        return null;
                    }

                    if (!stores.ContainsKey(target.Name))
                    {
                        break;
                    }

                    dueCount = DispatchBatchLocked(target, now, work);
                }

                Perform(work);
                if (dueCount < DispatchBatchSize)
                {
                    break;
                }
            }

            if (target.Store.GetNextRunTime() is { } next && (earliest is null || next < earliest))
            {
                earliest = next;
            }
        }

        return earliest;
    }

    /// <summary>
    /// Waits out the last stretch before a due time on the system clock by spinning: system timers
    /// fire with millisecond granularity (rounded down, so early as often as late), and runs should
    /// start within a fraction of a millisecond of their time.
    /// </summary>
    private void SpinUntil(DateTimeOffset due)
    {
        while (Now < due)
        {
            if (!Thread.Yield())
            {
                Thread.SpinWait(64);
            }
        }
    }

    private void WakeIfEarlier(DateTimeOffset? nextRunTime)
    {
        if (nextRunTime is { } next && next.UtcTicks < Volatile.Read(ref armedWakeTicks))
        {
            wake.Set();
        }
    }

    // ---------------------------------------------------------------- dispatch

    /// <summary>Decides, commits and applies one batch of due jobs; returns how many were due.</summary>
    [MethodImpl(DispatchPath.Optimized)]
    private int DispatchBatchLocked(NamedStore target, DateTimeOffset now, Work work)
    {
        var due = target.Store.GetDueJobs(now, DispatchBatchSize);
        if (due.Count == 0)
        {
            return 0;
        }

        var dispatches = new List<JobDispatch>(due.Count);
        var decisions = new List<RunDecision[]>(due.Count);
        foreach (var job in due)
        {
            if (TryPlanLocked(target, job, now, out var dispatch, out var decided))
            {
                dispatches.Add(dispatch);
                decisions.Add(decided);
            }
        }

        if (dispatches.Count == 0)
        {
            return due.Count;
        }

        var rejected = target.Store.CommitDispatches(dispatches);
        var rejectedIds = rejected.Count == 0 ? null : new HashSet<string>(rejected, StringComparer.Ordinal);
        for (var i = 0; i < dispatches.Count; i++)
        {
            var dispatch = dispatches[i];
            if (rejectedIds is not null && rejectedIds.Contains(dispatch.Job.Id))
            {
                // Changed meanwhile (by another process): the next read sees its new state.
                continue;
            }

            var job = dispatch.Updated ?? dispatch.Job;
            var runs = dispatch.Runs;
            for (var r = 0; r < runs.Count; r++)
            {
                ApplyLocked(target, job, runs[r], decisions[i][r], work);
            }

            if (dispatch.Updated is null)
            {
                events.Publish(JobEvent(SchedulerEventType.JobRemoved, dispatch.Job, "The job's trigger has no further fire times."));
            }
        }

        return due.Count;
    }

    /// <summary>What to do with one due job: the misfire/coalesce plan, then the overlap decision for each run.</summary>
    [MethodImpl(DispatchPath.Optimized)]
    private bool TryPlanLocked(NamedStore target, Job job, DateTimeOffset now, out JobDispatch dispatch, out RunDecision[] decisions)
    {
        DuePlan plan;
        try
        {
            plan = DuePlanner.Plan(job.Trigger, job.NextFireTime!.Value, job.NextRunTime!.Value, job.Options, now);
        }
#pragma warning disable CA1031 // A trigger that throws must not stop the other jobs; its job is paused and reported.
        catch (Exception error)
#pragma warning restore CA1031
        {
            var paused = job with { NextRunTime = null, JitterTicks = 0, State = JobState.Paused };
            target.Store.Update(paused);
            events.Publish(new SchedulerEventData(SchedulerEventType.SchedulerError, now)
            {
                SchedulerId = Id,
                JobId = job.Id,
                JobName = job.Name,
                StoreName = target.Name,
                Exception = error,
                Error = error.Message,
                Message = $"The trigger of the job failed; the job is paused: {error.Message}",
            });
            events.Publish(JobEvent(SchedulerEventType.JobPaused, paused));
            dispatch = null!;
            decisions = null!;
            return false;
        }

        var count = (plan.MissedTime is null ? 0 : 1) + (plan.RunTime is null ? 0 : 1) + (plan.RunTimes?.Count ?? 0);
        var runs = new JobRun[count];
        decisions = new RunDecision[count];
        var index = 0;
        if (plan.MissedTime is { } missed)
        {
            runs[index] = new JobRun(RunKey.New(), job.Id, missed, JobRunOutcome.Missed, 1, Id)
            {
                EndTime = now,
                Error = string.Format(
                    CultureInfo.InvariantCulture,
                    "The run was {0} late, more than the misfire grace time of {1}.",
                    now - missed,
                    job.Options.MisfireGraceTime),
            };
            decisions[index++] = RunDecision.Missed;
        }

        var tentative = new Tentative(activities.TryGetValue(job.Id, out var activity) ? activity : null);
        if (plan.RunTime is { } single)
        {
            decisions[index] = Decide(job, ref tentative);
            runs[index] = NewRun(job, single, decisions[index], now, attempt: 1);
            index++;
        }
        else if (plan.RunTimes is { } many)
        {
            foreach (var time in many)
            {
                decisions[index] = Decide(job, ref tentative);
                runs[index] = NewRun(job, time, decisions[index], now, attempt: 1);
                index++;
            }
        }

        var updated = plan.NextFireTime is { } nextFire ? WithNextFireLocked(job, nextFire) : null;
        dispatch = new JobDispatch(job, updated, runs);
        return true;
    }

    /// <summary>The overlap rule: start, queue, replace or skip, given the runs in progress (and those already decided in this pass).</summary>
    private static RunDecision Decide(Job job, ref Tentative tentative)
    {
        var options = job.Options;
        if (tentative.Running < options.MaxInstances)
        {
            tentative.Running++;
            return RunDecision.Start;
        }

        switch (options.Overlap)
        {
            case OverlapPolicy.Queue when !tentative.QueueTaken:
                tentative.QueueTaken = true;
                return RunDecision.Queue;
            case OverlapPolicy.Replace:
                return RunDecision.Replace;
            default:
                return RunDecision.Skip;
        }
    }

    [MethodImpl(DispatchPath.Optimized)]
    private JobRun NewRun(Job job, DateTimeOffset scheduled, RunDecision decision, DateTimeOffset now, int attempt)
    {
        if (decision != RunDecision.Skip)
        {
            return new JobRun(RunKey.New(), job.Id, scheduled, JobRunOutcome.Running, attempt, Id);
        }

        return new JobRun(RunKey.New(), job.Id, scheduled, JobRunOutcome.Skipped, attempt, Id)
        {
            EndTime = now,
            Error = string.Format(CultureInfo.InvariantCulture, "The job already has its maximum of {0} run(s) in progress.", job.Options.MaxInstances),
        };
    }

    /// <summary>Carries out a committed decision for one run.</summary>
    [MethodImpl(DispatchPath.Optimized)]
    private void ApplyLocked(NamedStore target, Job job, JobRun run, RunDecision decision, Work work)
    {
        switch (decision)
        {
            case RunDecision.Missed:
                events.Publish(RunEvent(SchedulerEventType.JobMissed, job, run, run.Error));
                return;
            case RunDecision.Skip:
                events.Publish(RunEvent(SchedulerEventType.JobMaxInstances, job, run, run.Error));
                return;
            case RunDecision.Queue:
                var activity = ActivityLocked(job.Id);
                activity.Queued = new JobExecution(this, job, run, target.Store, ExecutorFor(job));
                events.Publish(RunEvent(
                    SchedulerEventType.JobMaxInstances,
                    job,
                    run,
                    string.Format(CultureInfo.InvariantCulture, "The job already has its maximum of {0} run(s) in progress; this run waits for one to end.", job.Options.MaxInstances)));
                return;
            case RunDecision.Replace:
                var running = ActivityLocked(job.Id);
                if (running.Active.Count > 0)
                {
                    var victim = running.Active[0];
                    running.Active.RemoveAt(0);
                    victim.Replaced = true;
                    running.Running--;
                    work.ToCancel.Add((victim, CancelReason.Replaced));
                }

                StartLocked(target, job, run, work);
                return;
            default:
                StartLocked(target, job, run, work);
                return;
        }
    }

    [MethodImpl(DispatchPath.Optimized)]
    private void StartLocked(NamedStore target, Job job, JobRun run, Work work)
    {
        var activity = ActivityLocked(job.Id);
        var execution = new JobExecution(this, job, run, target.Store, ExecutorFor(job));
        activity.Running++;
        activity.Active.Add(execution);
        SubmitLocked(execution, work);
    }

    [MethodImpl(DispatchPath.Optimized)]
    private void SubmitLocked(JobExecution execution, Work work)
    {
        events.Publish(RunEvent(SchedulerEventType.JobSubmitted, execution.Job, execution.Run));
        if (execution.Executor is { } executor && executor.CanRun(execution.Job.Invocation.Kind))
        {
            work.ToSubmit.Add(execution);
        }
        else
        {
            var reason = execution.Executor is null
                ? $"There is no executor named '{execution.Job.Executor}'."
                : $"The executor '{execution.Job.Executor}' cannot run {execution.Job.Invocation.Kind} invocations.";
            work.ToEnd.Add((execution, JobRunOutcome.Failed, reason));
        }
    }

    /// <summary>Records and submits one run outside the schedule (run now, recovery).</summary>
    private JobRun SubmitOneLocked(NamedStore target, Job job, DateTimeOffset scheduled, int attempt, Work work)
    {
        var tentative = new Tentative(activities.TryGetValue(job.Id, out var activity) ? activity : null);
        var decision = Decide(job, ref tentative);
        var run = NewRun(job, scheduled, decision, Now, attempt);
        target.Store.SaveRun(run);
        ApplyLocked(target, job, run, decision, work);
        return run;
    }

    private void AbandonUnfinishedRunsLocked(NamedStore target, Work work)
    {
        var now = Now;
        foreach (var run in target.Store.AbandonUnfinishedRuns(Id, now))
        {
            var job = target.Store.Get(run.JobId);
            events.Publish(new SchedulerEventData(SchedulerEventType.JobAbandoned, now)
            {
                SchedulerId = Id,
                JobId = run.JobId,
                JobName = job?.Name,
                StoreName = target.Name,
                RunKey = run.Key,
                ScheduledTime = run.ScheduledTime,
                StartTime = run.StartTime,
                Attempt = run.Attempt,
                Outcome = JobRunOutcome.Abandoned,
                Message = job is { Options.Recover: true, State: not JobState.Broken }
                    ? $"The run was left unfinished by the scheduler '{run.SchedulerId}'; it runs again."
                    : $"The run was left unfinished by the scheduler '{run.SchedulerId}'.",
            });
            if (job is { Options.Recover: true, State: not JobState.Broken })
            {
                SubmitOneLocked(target, job, run.ScheduledTime, attempt: 1, work);
            }
        }
    }

    /// <summary>Sets the job's next run time from the trigger's first fire time at or after now; removes the job when there is none.</summary>
    private Job? RecomputeFromLocked(NamedStore target, Job job, DateTimeOffset now)
    {
        if (job.Trigger.GetFireTimeAtOrAfter(now) is not { } next)
        {
            target.Store.Remove(job.Id);
            events.Publish(JobEvent(SchedulerEventType.JobRemoved, job, "The job's trigger has no further fire times."));
            return null;
        }

        var updated = WithNextFireLocked(job, next);
        target.Store.Update(updated);
        return updated;
    }

    /// <summary>The job scheduled at a fire time, with the trigger's jitter applied to the run time.</summary>
    [MethodImpl(DispatchPath.Optimized)]
    private Job WithNextFireLocked(Job job, DateTimeOffset fireTime)
    {
        var runTime = JitteredLocked(job.Trigger, fireTime);
        return job with
        {
            NextRunTime = runTime,
            JitterTicks = runTime.UtcTicks - fireTime.UtcTicks,
            State = JobState.Scheduled,
        };
    }

    private DateTimeOffset JitteredLocked(Trigger trigger, DateTimeOffset fireTime)
        => trigger.Jitter is null ? fireTime : trigger.ApplyJitter(fireTime, jitterRandom);

    private JobExecutor? ExecutorFor(Job job) => executors.TryGetValue(job.Executor, out var executor) ? executor : null;

    [MethodImpl(DispatchPath.Optimized)]
    private JobActivity ActivityLocked(string jobId)
    {
        if (!activities.TryGetValue(jobId, out var activity))
        {
            activity = spareActivities.Count > 0 ? spareActivities.Pop() : new JobActivity();
            activities.Add(jobId, activity);
        }

        return activity;
    }

    /// <summary>Does what was decided under the lock: cancels, ends and submits runs, and delivers events.</summary>
    [MethodImpl(DispatchPath.Optimized)]
    private void Perform(Work work)
    {
        events.Flush();
        if (work.IsEmpty)
        {
            return;
        }

        foreach (var (execution, reason) in work.ToCancel)
        {
            execution.Cancel(reason);
        }

        foreach (var (execution, outcome, error) in work.ToEnd)
        {
            execution.EndWithoutRunning(outcome, error);
        }

        foreach (var execution in work.ToSubmit)
        {
            execution.Executor!.Submit(execution);
        }

        work.Clear();
    }

    // ---------------------------------------------------------------- runs reported by executors

    object IRunReporter.Scheduler => this;

    DelegateRegistry IRunReporter.Delegates => Delegates;

    void IRunReporter.OnRunStarted(JobExecution execution) => OnRunStarted(execution);

    void IRunReporter.OnRunEnded(JobExecution execution) => OnRunEnded(execution);

    [MethodImpl(DispatchPath.Optimized)]
    internal void OnRunStarted(JobExecution execution)
    {
        var run = execution.Run;
        events.Publish(new SchedulerEventData(SchedulerEventType.JobStarted, execution.StartTime!.Value)
        {
            SchedulerId = Id,
            JobId = run.JobId,
            JobName = execution.Job.Name,
            StoreName = execution.Job.Store,
            ExecutorName = execution.Job.Executor,
            RunKey = run.Key,
            ScheduledTime = run.ScheduledTime,
            StartTime = execution.StartTime,
            Attempt = run.Attempt,
        });
        events.Flush();
    }

    /// <summary>Records how a run ended, raises its event, and starts what waited for it (a queued run, a retry).</summary>
    [MethodImpl(DispatchPath.Optimized)]
    internal void OnRunEnded(JobExecution execution)
    {
        var ended = execution.ToEndedRun();
        try
        {
            execution.Store.SaveRun(ended);
        }
#pragma warning disable CA1031 // A store failing to record a run must not kill the worker; it is reported.
        catch (Exception error)
#pragma warning restore CA1031
        {
            events.Publish(new SchedulerEventData(SchedulerEventType.SchedulerError, Now)
            {
                SchedulerId = Id,
                JobId = ended.JobId,
                RunKey = ended.Key,
                Exception = error,
                Error = error.Message,
                Message = $"The end of the run could not be recorded: {error.Message}",
            });
        }

        endedRuns.Enqueue((execution, ended));
        ProcessEndedRuns(wait: false);
    }

    /// <summary>
    /// Raises the events of ended runs and gives their instance slots back (starting queued runs
    /// and retries). Without <paramref name="wait"/>, a thread that finds the lock taken leaves its
    /// runs to the holder's next look or to the loop, which it wakes: a worker must not queue up
    /// behind the loop while it dispatches a batch, when it could run the next job instead.
    /// </summary>
    [MethodImpl(DispatchPath.Optimized)]
    private void ProcessEndedRuns(bool wait)
    {
        while (!endedRuns.IsEmpty)
        {
            if (wait)
            {
                Monitor.Enter(gate);
            }
            else if (!Monitor.TryEnter(gate))
            {
                wake.Set();
                return;
            }

            Work? work = null;
            List<PendingRetry>? retryNow = null;
            try
            {
                while (endedRuns.TryDequeue(out var item))
                {
                    if (EndRunLocked(item.Execution, item.Ended, ref work) is { Timer: null } retry)
                    {
                        (retryNow ??= []).Add(retry);
                    }
                }
            }
            finally
            {
                Monitor.Exit(gate);
            }

            if (work is null)
            {
                events.Flush();
            }
            else
            {
                Perform(work);
            }

            if (retryNow is not null)
            {
                foreach (var retry in retryNow)
                {
                    FireRetry(retry);
                }
            }
        }
    }

    /// <summary>Raises a run's end event and gives its slot back, or keeps the slot for its retry (returned).</summary>
    [MethodImpl(DispatchPath.Optimized)]
    private PendingRetry? EndRunLocked(JobExecution execution, JobRun ended, ref Work? work)
    {
        var job = execution.Job;
        events.Publish(EndEvent(execution, ended));
        activities.TryGetValue(job.Id, out var activity);
        activity?.Active.Remove(execution);
        if (ended.Outcome == JobRunOutcome.Failed && ended.Attempt <= job.Options.RetryCount && !stopping
            && state != SchedulerState.Stopped && !execution.Replaced && activity is not null && execution.StartTime is not null)
        {
            var retry = new PendingRetry(this, execution);
            retries.Add(retry);

            // The delay runs from the failure, before anyone hears of the retry.
            if (job.Options.RetryDelay > TimeSpan.Zero)
            {
                retry.Timer = TimeProvider.CreateTimer(static s => ((PendingRetry)s!).Owner.FireRetry((PendingRetry)s!), retry, job.Options.RetryDelay, Timeout.InfiniteTimeSpan);
            }

            events.Publish(RunEvent(
                SchedulerEventType.JobRetried,
                job,
                ended,
                string.Format(CultureInfo.InvariantCulture, "Attempt {0} of {1} runs in {2}.", ended.Attempt + 1, job.Options.RetryCount + 1, job.Options.RetryDelay)));
            return retry;
        }

        if (!execution.Replaced && activity is not null)
        {
            // Work is needed only to start a run that waited in the queue for this slot: most
            // runs end without one, and this is the hot path of every run.
            ReleaseSlotLocked(job.Id, activity, activity.Queued is null ? null : work ??= new Work());
        }

        return null;
    }

    /// <summary>A run gave its instance slot back: the queued run, if any, takes it.</summary>
    [MethodImpl(DispatchPath.Optimized)]
    private void ReleaseSlotLocked(string jobId, JobActivity activity, Work? work)
    {
        activity.Running--;
        if (activity.Queued is { } queued && activity.Running < queued.Job.Options.MaxInstances)
        {
            work ??= new Work();
            activity.Queued = null;
            activity.Running++;
            activity.Active.Add(queued);
            if (stopping)
            {
                work.ToEnd.Add((queued, JobRunOutcome.Cancelled, "The run was cancelled before it started: the scheduler shut down."));
            }
            else
            {
                SubmitLocked(queued, work);
            }
        }

        if (activity.IsIdle)
        {
            activities.Remove(jobId);
            if (spareActivities.Count < MaxSpareActivities)
            {
                spareActivities.Push(activity);
            }
        }
    }

    private void FireRetry(PendingRetry retry)
    {
        var work = new Work();
        JobRun? run = null;
        JobExecution? execution = null;
        lock (gate)
        {
            if (!retries.Remove(retry))
            {
                // Cancelled by a shutdown.
                return;
            }

            retry.Timer?.Dispose();
            var failed = retry.Failed;
            var id = failed.Job.Id;
            if (!activities.TryGetValue(id, out var activity))
            {
                return;
            }

            // A retry belongs to the run in progress: it happens even when the job has been removed
            // since (a one-off job is removed as soon as it is dispatched), with the job as it is now if it still exists.
            var current = failed.Store.Get(id) ?? failed.Job;
            if (stopping || current.State == JobState.Broken)
            {
                ReleaseSlotLocked(id, activity, work);
            }
            else
            {
                // The retry inherits the failed attempt's instance slot.
                run = new JobRun(RunKey.New(), id, failed.Run.ScheduledTime, JobRunOutcome.Running, failed.Run.Attempt + 1, Id);
                execution = new JobExecution(this, current, run, failed.Store, ExecutorFor(current));
                activity.Active.Add(execution);
                SubmitLocked(execution, work);
            }
        }

        if (run is not null)
        {
            try
            {
                execution!.Store.SaveRun(run);
            }
#pragma warning disable CA1031 // Reported like any store failure; the retry still runs.
            catch (Exception error)
#pragma warning restore CA1031
            {
                events.Publish(new SchedulerEventData(SchedulerEventType.SchedulerError, Now) { SchedulerId = Id, JobId = run.JobId, RunKey = run.Key, Exception = error, Error = error.Message });
            }
        }

        Perform(work);
    }

    [MethodImpl(DispatchPath.Optimized)]
    private SchedulerEventData RunEvent(SchedulerEventType type, Job job, JobRun run, string? message = null) => new(type, Now)
    {
        SchedulerId = Id,
        JobId = job.Id,
        JobName = job.Name,
        StoreName = job.Store,
        ExecutorName = job.Executor,
        RunKey = run.Key,
        ScheduledTime = run.ScheduledTime,
        StartTime = run.StartTime,
        Attempt = run.Attempt,
        Outcome = run.Outcome == JobRunOutcome.Running ? null : run.Outcome,
        Error = run.Error,
        Message = message,
    };

    [MethodImpl(DispatchPath.Optimized)]
    private SchedulerEventData EndEvent(JobExecution execution, JobRun ended)
    {
        var type = ended.Outcome switch
        {
            JobRunOutcome.Succeeded => SchedulerEventType.JobExecuted,
            JobRunOutcome.TimedOut => SchedulerEventType.JobTimedOut,
            JobRunOutcome.Cancelled => SchedulerEventType.JobCancelled,
            _ => SchedulerEventType.JobError,
        };
        var job = execution.Job;
        return new SchedulerEventData(type, ended.EndTime ?? Now)
        {
            SchedulerId = Id,
            JobId = job.Id,
            JobName = job.Name,
            StoreName = job.Store,
            ExecutorName = job.Executor,
            RunKey = ended.Key,
            ScheduledTime = ended.ScheduledTime,
            StartTime = ended.StartTime,
            Duration = ended.Duration,
            Attempt = ended.Attempt,
            Outcome = ended.Outcome,
            ReturnValue = execution.ReturnValue,
            Exception = execution.Exception,
            Error = ended.Error,
        };
    }

    /// <summary>Runs of a job in progress plus those decided earlier in the same pass.</summary>
    private struct Tentative(JobActivity? activity)
    {
        public int Running = activity?.Running ?? 0;

        public bool QueueTaken = activity?.Queued is not null;
    }

    /// <summary>What to do once the lock is released: executor calls and cancellation callbacks run user code.</summary>
    private sealed class Work
    {
        public List<(JobExecution Execution, CancelReason Reason)> ToCancel { get; } = [];

        public List<(JobExecution Execution, JobRunOutcome Outcome, string Error)> ToEnd { get; } = [];

        public List<JobExecution> ToSubmit { get; } = [];

        public bool IsEmpty => ToCancel.Count == 0 && ToEnd.Count == 0 && ToSubmit.Count == 0;

        public void Clear()
        {
            ToCancel.Clear();
            ToEnd.Clear();
            ToSubmit.Clear();
        }
    }

    /// <summary>A failed run waiting for its retry delay; it keeps the job's instance slot.</summary>
    private sealed class PendingRetry(JobScheduler owner, JobExecution failed)
    {
        public JobScheduler Owner { get; } = owner;

        public JobExecution Failed { get; } = failed;

        public ITimer? Timer { get; set; }
    }
}
