using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using Scheduler.Events;
using Scheduler.Executors;
using Scheduler.Internal;
using Scheduler.Jobs;
using Scheduler.Stores;

namespace Scheduler.Scheduling;

/// <summary>
/// The runs in progress of one scheduler: instance slots per job, the queued run (overlap policy
/// Queue), replacements, retries waiting for their delay, and the end of every run as its executor
/// reports it (<see cref="IRunReporter"/>): the end event, the run record, the slot given back.
/// </summary>
/// <remarks>
/// Shares the scheduler's lock. Run ends arrive on executor workers; a worker that finds the lock
/// taken leaves its run in a queue for the holder or the loop instead of waiting for it.
/// </remarks>
internal sealed class RunTracker : IRunReporter
{
    private const int MaxSpareActivities = 4096;

    private readonly JobScheduler owner;

    private readonly Dictionary<string, JobActivity> activities = new(StringComparer.Ordinal);

    // Idle activities kept for the next job that runs: a burst of runs would otherwise make and drop one per run.
    private readonly Stack<JobActivity> spareActivities = new();
    private readonly Func<JobActivity> takeActivity;

    private readonly HashSet<PendingRetry> retries = [];

    // Of executions, not of (execution, record) pairs: the runtime ships this queue's code compiled for
    // reference types, where a queue of pairs would start out unoptimized in a new process.
    private readonly ConcurrentQueue<JobExecution> endedRuns = new();

    // Jobs whose queued run waits for runs in other schedulers (a shared store) to end, and their store.
    private readonly Dictionary<string, NamedStore> queuedBehindElsewhere = new(StringComparer.Ordinal);
    private int queuedBehindElsewhereHint;

    /// <summary>Carries out a committed decision for one run; its events are stamped <paramref name="at"/>.</summary>
    /// <param name="target">The job's store.</param>
    /// <param name="job">The job as committed.</param>
    /// <param name="run">The run as committed.</param>
    /// <param name="decision">What happens to the run.</param>
    /// <param name="work">What to do once the scheduler's lock is let go.</param>
    /// <param name="at">The time of the commit.</param>
    /// <param name="onSchedule">
    /// The run is one of the job's schedule, which the misfire grace time holds to until it starts;
    /// false for runs started by hand and recoveries, which run however long they wait.
    /// </param>
    [MethodImpl(DispatchPath.Optimized)]
    public void ApplyLocked(NamedStore target, Job job, JobRun run, RunDecision decision, RunWork work, DateTimeOffset at, bool onSchedule)
    {
        switch (decision)
        {
            case RunDecision.Missed:
                owner.Hub.Publish(RunEvent(SchedulerEventType.JobMissed, job, run, run.Error, at));
                return;
            case RunDecision.Skip:
                owner.Hub.Publish(RunEvent(SchedulerEventType.JobMaxInstances, job, run, run.Error, at));
                return;
            case RunDecision.Queue:
                var activity = ActivityLocked(job);
                activity.Queued = new JobExecution(this, job, run, target.Store, owner.ExecutorFor(job)) { MissedIfLate = onSchedule };
                if (activity.Running == 0)
                {
                    // The slots are held by runs in other schedulers sharing the store: no run here will
                    // end to let this one in, so the loop asks the store until one has.
                    queuedBehindElsewhere[job.Id] = target;
                    Volatile.Write(ref queuedBehindElsewhereHint, 1);
                }

                owner.Hub.Publish(RunEvent(
                    SchedulerEventType.JobMaxInstances,
                    job,
                    run,
                    string.Format(CultureInfo.InvariantCulture, "The job already has its maximum of {0} run(s) in progress; this run waits for one to end.", job.Options.MaxInstances),
                    at));
                return;
            case RunDecision.Replace:
                var running = ActivityLocked(job);
                if (running.Active.Count > 0)
                {
                    var victim = running.Active[0];
                    running.Active.RemoveAt(0);
                    victim.Replaced = true;
                    running.Running--;
                    work.ToCancel.Add((victim, CancelReason.Replaced));
                }
                else
                {
                    // The run to replace is in another scheduler sharing the store.
                    target.Store.CancelElsewhere(job.Id, owner.Id);
                }

                StartLocked(target, job, run, work, at, onSchedule);
                return;
            default:
                StartLocked(target, job, run, work, at, onSchedule);
                return;
        }
    }

    [MethodImpl(DispatchPath.Optimized)]
    private void StartLocked(NamedStore target, Job job, JobRun run, RunWork work, DateTimeOffset at, bool onSchedule)
    {
        var activity = ActivityLocked(job);
        var execution = new JobExecution(this, job, run, target.Store, owner.ExecutorFor(job)) { MissedIfLate = onSchedule };
        activity.Running++;
        activity.Active.Add(execution);
        SubmitLocked(execution, work, at);
    }

    [MethodImpl(DispatchPath.Optimized)]
    public void SubmitLocked(JobExecution execution, RunWork work) => SubmitLocked(execution, work, owner.Now);

    [MethodImpl(DispatchPath.Optimized)]
    private void SubmitLocked(JobExecution execution, RunWork work, DateTimeOffset at)
    {
        owner.Hub.Publish(RunEvent(SchedulerEventType.JobSubmitted, execution.Job, execution.Run, message: null, at));
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

    [MethodImpl(DispatchPath.Optimized)]
    private JobActivity ActivityLocked(Job job)
    {
        var activity = activities.GetOrAdd(job.Id, takeActivity, out _);
        activity.Executor = job.Executor;
        return activity;
    }

    /// <summary>Does what was decided under the lock: cancels, ends and submits runs, and delivers owner.Hub.</summary>
    [MethodImpl(DispatchPath.Optimized)]
    public void Perform(RunWork work)
    {
        owner.Hub.Flush();
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

    public RunTracker(JobScheduler owner)
    {
        this.owner = owner;
        takeActivity = [MethodImpl(DispatchPath.Optimized)] () => spareActivities.Count > 0 ? spareActivities.Pop() : new JobActivity();
    }

    public TimeProvider TimeProvider
    {
        [MethodImpl(DispatchPath.Optimized)]
        get => owner.TimeProvider;
    }

    /// <summary>The runs of the job in progress, as the overlap rule counts them (under the lock).</summary>
    [MethodImpl(DispatchPath.Optimized)]
    public Tentative TentativeFor(string jobId) => new(activities.TryGetValue(jobId, out var activity) ? activity : null);

    public object Scheduler
    {
        [MethodImpl(DispatchPath.Optimized)]
        get => owner;
    }

    public DelegateRegistry Delegates
    {
        [MethodImpl(DispatchPath.Optimized)]
        get => owner.Delegates;
    }

    [MethodImpl(DispatchPath.Optimized)]
    public void OnRunStarted(JobExecution execution)
    {
        var run = execution.Run;
        owner.Hub.Publish(new SchedulerEventData(SchedulerEventType.JobStarted, execution.StartTime!.Value)
        {
            SchedulerId = owner.Id,
            JobId = run.JobId,
            JobName = execution.Job.Name,
            StoreName = execution.Job.Store,
            ExecutorName = execution.Job.Executor,
            RunKey = run.Key,
            ScheduledTime = run.ScheduledTime,
            StartTime = execution.StartTime,
            Attempt = run.Attempt,
        });
        owner.Hub.Flush();
    }

    /// <summary>Records how a run ended, raises its event, and starts what waited for it (a queued run, a retry).</summary>
    [MethodImpl(DispatchPath.Optimized)]
    public void OnRunEnded(JobExecution execution)
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
            owner.Hub.Publish(new SchedulerEventData(SchedulerEventType.SchedulerError, owner.Now)
            {
                SchedulerId = owner.Id,
                JobId = ended.JobId,
                RunKey = ended.Key,
                Exception = error,
                Error = error.Message,
                Message = $"The end of the run could not be recorded: {error.Message}",
            });
        }

        // Raised here, not where the slot is given back: whichever thread holds the lock does that for
        // every run that ended meanwhile, and most often that is the loop, the one thread every run
        // passes through. Raised before the slot is given back, it still comes before anything that
        // slot lets start.
        owner.Hub.Publish(EndEvent(execution, ended));
        owner.Hub.Flush();
        execution.EndedRun = ended;
        endedRuns.Enqueue(execution);

        // While the loop is in a pass it gives the slot back itself, before its next batch: a worker
        // would mostly find the lock taken by that batch and wake the loop for nothing, once a run,
        // each a cache line the other core then has to fetch back.
        if (!owner.Loop.TakesEndedRuns)
        {
            ProcessEndedRuns(wait: false);
        }

        // The worker is about to idle: the loop takes on more work now rather than at its next look.
        // (The loop's flag first: the executor's queue is written by every submit and every worker.)
        if (owner.Loop.WaitsForWorkers && execution.Executor is not { HasWaitingRuns: true })
        {
            owner.Loop.Wake();
        }
    }

    /// <summary>
    /// Gives the instance slots of ended runs back (starting queued runs and retries). Without
    /// <paramref name="wait"/>, a thread that finds the lock taken leaves its runs to the holder's next
    /// look or to the loop, which it wakes: a worker must not queue up behind the loop while it
    /// dispatches a batch, when it could run the next job instead.
    /// </summary>
    [MethodImpl(DispatchPath.Optimized)]
    public void ProcessEndedRuns(bool wait)
    {
        while (!endedRuns.IsEmpty)
        {
            if (wait)
            {
                Monitor.Enter(owner.Gate);
            }
            else if (!Monitor.TryEnter(owner.Gate))
            {
                owner.Loop.Wake();
                return;
            }

            RunWork? work = null;
            List<PendingRetry>? retryNow = null;
            try
            {
                while (endedRuns.TryDequeue(out var execution))
                {
                    if (EndRunLocked(execution, ref work) is { Timer: null } retry)
                    {
                        (retryNow ??= []).Add(retry);
                    }
                }
            }
            finally
            {
                Monitor.Exit(owner.Gate);
            }

            if (work is null)
            {
                owner.Hub.Flush();
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

    /// <summary>Gives a run's slot back (its end event is raised already), or keeps the slot for its retry (returned).</summary>
    [MethodImpl(DispatchPath.Optimized)]
    private PendingRetry? EndRunLocked(JobExecution execution, ref RunWork? work)
    {
        var job = execution.Job;
        var ended = execution.EndedRun!;
        activities.TryGetValue(job.Id, out var activity);
        activity?.Active.Remove(execution);
        if (ended.Outcome == JobRunOutcome.Failed && ended.Attempt <= job.Options.RetryCount && !owner.StoppingLocked
            && owner.StateLocked != SchedulerState.Stopped && !execution.Replaced && activity is not null && execution.StartTime is not null)
        {
            var retry = new PendingRetry(this, execution);
            retries.Add(retry);

            // The delay runs from the failure, before anyone hears of the retry.
            if (job.Options.RetryDelay > TimeSpan.Zero)
            {
                retry.Timer = owner.TimeProvider.CreateTimer(static s => ((PendingRetry)s!).Owner.FireRetry((PendingRetry)s!), retry, job.Options.RetryDelay, Timeout.InfiniteTimeSpan);
            }

            owner.Hub.Publish(RunEvent(
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
            ReleaseSlotLocked(job.Id, activity, activity.Queued is null ? null : work ??= new RunWork());
        }

        if (DispatchLoop.IsEnding(job) && !activities.ContainsKey(job.Id))
        {
            RemoveEndedJobLocked(execution.Store, job.Id);
        }

        return null;
    }

    /// <summary>
    /// Removes a job kept past its last fire time for recovery, now that its last run ended, as a
    /// dispatch removes an ended job (its run history stays); unless it was changed meanwhile.
    /// </summary>
    [MethodImpl(DispatchPath.Optimized)]
    private void RemoveEndedJobLocked(JobStore store, string jobId)
    {
        try
        {
            if (store.Get(jobId) is { } current && DispatchLoop.IsEnding(current)
                && store.CommitDispatches([new JobDispatch(current, updated: null, runs: [])]).Count == 0)
            {
                owner.Hub.Publish(owner.JobEvent(SchedulerEventType.JobRemoved, current, "The job's trigger has no further fire times and its last run ended."));
            }
        }
#pragma warning disable CA1031 // The store failing here leaves the job listed with no next run time; it is reported, and the run's end stands.
        catch (Exception error)
#pragma warning restore CA1031
        {
            owner.Hub.Publish(new SchedulerEventData(SchedulerEventType.SchedulerError, owner.Now)
            {
                SchedulerId = owner.Id,
                JobId = jobId,
                Exception = error,
                Error = error.Message,
                Message = $"The job '{jobId}' ended, but could not be removed: {error.Message}",
            });
        }
    }

    /// <summary>A run gave its instance slot back: the queued run, if any, takes it.</summary>
    [MethodImpl(DispatchPath.Optimized)]
    public void ReleaseSlotLocked(string jobId, JobActivity activity, RunWork? work)
    {
        activity.Running--;
        if (activity.Queued is { } queued && activity.Running < queued.Job.Options.MaxInstances)
        {
            work ??= new RunWork();
            activity.Queued = null;
            activity.Running++;
            activity.Active.Add(queued);
            if (owner.StoppingLocked)
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
        var work = new RunWork();
        JobRun? run = null;
        JobExecution? execution = null;
        lock (owner.Gate)
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
            if (owner.StoppingLocked || current.State == JobState.Broken)
            {
                ReleaseSlotLocked(id, activity, work);
            }
            else
            {
                // The retry inherits the failed attempt's instance slot.
                run = new JobRun(RunKey.New(), id, failed.Run.ScheduledTime, JobRunOutcome.Running, failed.Run.Attempt + 1, owner.Id);
                execution = new JobExecution(this, current, run, failed.Store, owner.ExecutorFor(current));
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
                owner.Hub.Publish(new SchedulerEventData(SchedulerEventType.SchedulerError, owner.Now) { SchedulerId = owner.Id, JobId = run.JobId, RunKey = run.Key, Exception = error, Error = error.Message });
            }
        }

        Perform(work);
    }

    [MethodImpl(DispatchPath.Optimized)]
    private SchedulerEventData RunEvent(SchedulerEventType type, Job job, JobRun run, string? message = null) => RunEvent(type, job, run, message, owner.Now);

    [MethodImpl(DispatchPath.Optimized)]
    private SchedulerEventData RunEvent(SchedulerEventType type, Job job, JobRun run, string? message, DateTimeOffset at) => new(type, at)
    {
        SchedulerId = owner.Id,
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
            JobRunOutcome.Missed => SchedulerEventType.JobMissed,
            _ => SchedulerEventType.JobError,
        };
        var job = execution.Job;
        return new SchedulerEventData(type, ended.EndTime ?? owner.Now)
        {
            SchedulerId = owner.Id,
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

    /// <summary>A failed run waiting for its retry delay; it keeps the job's instance slot.</summary>
    private sealed class PendingRetry(RunTracker owner, JobExecution failed)
    {
        public RunTracker Owner { get; } = owner;

        public JobExecution Failed { get; } = failed;

        public ITimer? Timer { get; set; }
    }

    /// <summary>Cancels the token of every run in progress (a shutdown that stops waiting for them).</summary>
    public void CancelActiveLocked(RunWork work)
    {
        foreach (var activity in activities.Values)
        {
            foreach (var execution in activity.Active)
            {
                work.ToCancel.Add((execution, CancelReason.Shutdown));
            }
        }
    }

    /// <summary>
    /// The scheduler stops: retries waiting for their delay are dropped, queued runs end Cancelled,
    /// and without <paramref name="wait"/> the runs in progress are cancelled too.
    /// </summary>
    public void ShutdownLocked(bool wait, RunWork work)
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
    }

    /// <summary>Whether a queued run waits for runs in other schedulers to end: the loop then looks again soon.</summary>
    public bool HasQueuedBehindElsewhereLocked => queuedBehindElsewhere.Count > 0;

    /// <summary>
    /// Adds the runs that hold or wait for a worker here (submitted to an executor and not ended yet) to
    /// <paramref name="inUse"/>, by executor name.
    /// </summary>
    public void CountSlotsInUseLocked(Dictionary<string, int> inUse)
    {
        foreach (var activity in activities.Values)
        {
            if (activity.Running > 0)
            {
                inUse[activity.Executor] = (inUse.TryGetValue(activity.Executor, out var counted) ? counted : 0) + activity.Running;
            }
        }

        // A retry waiting out its delay keeps its job's instance slot but no worker. Counted as busy, a
        // node with a few such retries (minutes each, say) would leave its workers idle and take no due
        // jobs of that executor for as long.
        foreach (var retry in retries)
        {
            if (retry.Timer is not null && activities.TryGetValue(retry.Failed.Job.Id, out var activity) && inUse.TryGetValue(activity.Executor, out var counted))
            {
                inUse[activity.Executor] = counted - 1;
            }
        }
    }

    /// <summary>A hint read without the lock, so the loop takes it only when such runs may exist (almost never).</summary>
    public bool MayHaveQueuedBehindElsewhere => Volatile.Read(ref queuedBehindElsewhereHint) != 0;

    /// <summary>Starts the queued runs whose job's runs in other schedulers have ended meanwhile.</summary>
    public void StartQueuedFreedElsewhereLocked(RunWork work)
    {
        if (queuedBehindElsewhere.Count == 0)
        {
            Volatile.Write(ref queuedBehindElsewhereHint, 0);
            return;
        }

        foreach (var pair in queuedBehindElsewhere.ToArray())
        {
            var jobId = pair.Key;
            var target = pair.Value;
            if (!activities.TryGetValue(jobId, out var activity) || activity.Queued is not { } queued)
            {
                queuedBehindElsewhere.Remove(jobId);
                continue;
            }

            var elsewhere = target.Store.CountRunningElsewhere([queued.Job], owner.Id);
            var others = elsewhere is not null && elsewhere.TryGetValue(jobId, out var count) ? count : 0;
            if (activity.Running + others < queued.Job.Options.MaxInstances)
            {
                queuedBehindElsewhere.Remove(jobId);
                activity.Queued = null;
                activity.Running++;
                activity.Active.Add(queued);
                SubmitLocked(queued, work);
            }
        }
    }

    /// <summary>Cancels this scheduler's runs that another scheduler sharing the store replaced (overlap policy Replace).</summary>
    public void CancelReplacedElsewhereLocked(IReadOnlyList<string> runIds, RunWork work)
    {
        if (runIds.Count == 0)
        {
            return;
        }

        var wanted = new HashSet<string>(runIds, StringComparer.Ordinal);
        foreach (var activity in activities.Values)
        {
            for (var i = activity.Active.Count - 1; i >= 0; i--)
            {
                var execution = activity.Active[i];
                if (wanted.Contains(execution.Run.RunId))
                {
                    activity.Active.RemoveAt(i);
                    execution.Replaced = true;
                    activity.Running--;
                    work.ToCancel.Add((execution, CancelReason.Replaced));
                }
            }
        }
    }
}
