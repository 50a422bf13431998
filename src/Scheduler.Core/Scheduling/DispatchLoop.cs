using System.Diagnostics.CodeAnalysis;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using Scheduler.Events;
using Scheduler.Executors;
using Scheduler.Internal;
using Scheduler.Jobs;
using Scheduler.Stores;
using Scheduler.Triggers;

namespace Scheduler.Scheduling;

/// <summary>
/// The scheduler's loop: sleeps until the earliest next run time over its stores (or a change), reads
/// what is due in batches, plans each due job (misfire, coalesce, overlap), commits the plan to the
/// store and hands the runs to the <see cref="RunTracker"/>. Never polls; never starts a run early.
/// </summary>
/// <remarks>
/// Shares the scheduler's lock: everything named <c>...Locked</c> runs under it, and nothing that runs
/// user code (executors, listeners) does.
/// </remarks>
internal sealed class DispatchLoop
{
    // Due jobs are read, decided and committed in batches: one store transaction per batch.
    private const int DispatchBatchSize = 256;

    // Batches per store per pass before the loop looks at the other stores and its signals again.
    private const int MaxBatchesPerPass = 64;

    // The loop never sleeps longer than this, so a jump of the wall clock is noticed within it.
    private static readonly TimeSpan MaxSleep = TimeSpan.FromMinutes(1);

    // On the system clock the loop's timer is set this much before the due time, and the rest is spun
    // while the spin budget lasts.
    private static readonly TimeSpan SpinThreshold = TimeSpan.FromMilliseconds(1.5);

    // While its executors are full, a scheduler sharing its store with others looks for due jobs again
    // this often (the others take them meanwhile).
    private static readonly TimeSpan FullRecheck = TimeSpan.FromMilliseconds(50);

    // While a queued run waits for runs in other schedulers sharing its store, the loop asks the store this often.
    private static readonly TimeSpan QueuedElsewhereRecheck = TimeSpan.FromSeconds(1);

    // After a store fails, the loop waits this long before it tries again.
    private static readonly TimeSpan ErrorRetryDelay = TimeSpan.FromSeconds(1);

    private readonly WakeSignal wake = new();

    private readonly SpinBudget spinBudget = new();

    private readonly Random jitterRandom = new();

    private long armedWakeTicks = long.MaxValue;

    // Whether the last batch took fewer due jobs than the store had because the executors were full.
    private bool boundByCapacity;

    // Whether the last pass left due jobs or taken-over runs waiting for workers: a run that ends then
    // wakes the loop, so the freed worker is used at once instead of at the next look.
    private int waitsForWorkers;

    // Non-zero while the loop is in a pass over its stores, which gives back the slots of the runs that
    // ended before each batch and once more as it ends (see TakesEndedRuns).
    private int inPass;

    private readonly JobScheduler owner;
    private readonly RunTracker tracker;
    private Task? loopTask;

    // Abandoned runs of a shared store taken over to run again, waiting for free workers (under the lock).
    // They stay in this scheduler's care in the store meanwhile, so they pass on should it die.
    // Each keeps its job as it was when the run was taken over: its executor matches the waiting ones to
    // free workers without reading their jobs again, and it runs the run should the job be gone by then.
    private readonly List<(NamedStore Target, JobRun Run, Job TakenOver)> waitingRecoveries = [];
    private int waitingRecoveryCount;

    // Scratch of the capacity count (under the lock): the slots in use by executor, and each executor's
    // free workers as the claim of a shared store takes them.
    private readonly Dictionary<string, int> slotsInUse = new(StringComparer.Ordinal);

    // Scratch of a batch's plan (under the lock): the decision for each run of each planned dispatch, in order.
    private readonly List<RunDecision> plannedDecisions = [];

    // Scratch of a batch's plan (under the lock): the jobs whose trigger failed past their due runs, and why.
    private readonly Dictionary<string, Exception> triggerFailures = new(StringComparer.Ordinal);
    private readonly List<KeyValuePair<string, int>> freeWorkers = [];

    public DispatchLoop(JobScheduler owner, RunTracker tracker)
    {
        this.owner = owner;
        this.tracker = tracker;
    }

    /// <summary>The loop of the latest start; completed once it has seen the scheduler stopping.</summary>
    public Task? Task => loopTask;

    /// <summary>Starts the loop (under the scheduler's lock, as the scheduler starts).</summary>
    public void StartLocked()
    {
        Volatile.Write(ref armedWakeTicks, long.MaxValue);
        loopTask = System.Threading.Tasks.Task.Run(LoopAsync);
    }

    /// <summary>Wakes the loop to look at the stores and its signals again.</summary>
    public void Wake() => wake.Set();

    /// <summary>
    /// Whether the loop is in a pass, and so gives back the slots of runs that end now itself (before its
    /// next batch, or as the pass ends). Asked after the ended run is queued: a full fence orders that
    /// before the read, and the loop ends its pass with a full fence before it looks at the queue, so
    /// one of the two sees the run.
    /// </summary>
    public bool TakesEndedRuns
    {
        get
        {
            Interlocked.MemoryBarrier();
            return Volatile.Read(ref inPass) != 0;
        }
    }

    /// <summary>Whether the last pass left work waiting for a worker: a run that ends then should wake the loop.</summary>
    public bool WaitsForWorkers => Volatile.Read(ref waitsForWorkers) != 0;

    // ---------------------------------------------------------------- the loop

    /// <summary>
    /// Sleeps until the earliest next run time over all stores (or a change), then dispatches
    /// everything due in one pass. Never polls; never starts a run before its time.
    /// </summary>
    private async Task LoopAsync()
    {
        var work = new RunWork();
        var preciseClock = ReferenceEquals(owner.TimeProvider, TimeProvider.System);
        using var timer = owner.TimeProvider.CreateTimer(static s => ((WakeSignal)s!).Set(), wake, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        while (true)
        {
            // While awake, any change wakes the loop again: it may have read the stores before the change.
            Volatile.Write(ref armedWakeTicks, long.MaxValue);
            lock (owner.Gate)
            {
                if (owner.StoppingLocked)
                {
                    return;
                }
            }

            DateTimeOffset? next;
            try
            {
                Volatile.Write(ref inPass, 1);
                try
                {
                    next = ProcessDueJobs(work);
                }
                finally
                {
                    Interlocked.Exchange(ref inPass, 0);
                }

                // From here the workers give their runs' slots back themselves; runs that ended before
                // they could see that are given back now, before the loop waits. (After a failed pass
                // they wait for the next one, a second later, unless a worker ends a run first.)
                tracker.ProcessEndedRuns(wait: true);
            }
#pragma warning disable CA1031 // The loop must survive a failing store; the failure is reported and retried.
            catch (Exception error)
#pragma warning restore CA1031
            {
                work.Clear();
                owner.Hub.Publish(new SchedulerEventData(SchedulerEventType.SchedulerError, owner.Now)
                {
                    SchedulerId = owner.Id,
                    Exception = error,
                    Error = error.Message,
                    Message = string.Format(CultureInfo.InvariantCulture, "Dispatching due jobs failed; retrying in {0}: {1}", ErrorRetryDelay, error.Message),
                });
                owner.Hub.Flush();
                next = owner.Now + ErrorRetryDelay;
            }

            if (next is { } due)
            {
                var delay = due - owner.Now;
                if (delay <= TimeSpan.Zero)
                {
                    continue;
                }

                if (preciseClock && delay <= SpinThreshold && (PreciseSleep.IsAvailable || spinBudget.TryTake(owner.Now, delay)))
                {
                    if (PreciseSleep.IsAvailable)
                    {
                        PreciseSleep.For(delay);
                    }

                    SpinUntil(due);
                    continue;
                }

                Volatile.Write(ref armedWakeTicks, due.UtcTicks);
                var sleep = !preciseClock ? delay
                    : delay > SpinThreshold && (PreciseSleep.IsAvailable || spinBudget.Covers(owner.Now, SpinThreshold)) ? delay - SpinThreshold

                    // Out of spinning time: the timer, rounded up to its millisecond so it never fires early.
                    : TimeSpan.FromMilliseconds(Math.Ceiling(delay.TotalMilliseconds));
                timer.Change(sleep < MaxSleep ? sleep : MaxSleep, Timeout.InfiniteTimeSpan);

                // The timer counts from when it is set: a clock that moved on since the delay was
                // computed (a fake clock jumps) would make it fire late.
                if (owner.Now >= due)
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
    private DateTimeOffset? ProcessDueJobs(RunWork work)
    {
        tracker.ProcessEndedRuns(wait: true);
        var now = owner.Now;
        DateTimeOffset? earliest = null;
        var waiting = false;
        if (tracker.MayHaveQueuedBehindElsewhere)
        {
            lock (owner.Gate)
            {
                tracker.StartQueuedFreedElsewhereLocked(work);
                if (tracker.HasQueuedBehindElsewhereLocked)
                {
                    earliest = now + QueuedElsewhereRecheck;
                }
            }

            tracker.Perform(work);
        }

        if (Volatile.Read(ref waitingRecoveryCount) > 0)
        {
            lock (owner.Gate)
            {
                RunWaitingRecoveriesLocked(work);
                if (waitingRecoveries.Count > 0)
                {
                    earliest = now + FullRecheck;
                    waiting = true;
                }
            }

            tracker.Perform(work);
        }

        foreach (var target in owner.StoreList)
        {
            boundByCapacity = false;
            for (var batch = 0; batch < MaxBatchesPerPass; batch++)
            {
                // Runs that ended while the previous batch held the lock give their slots back first.
                tracker.ProcessEndedRuns(wait: true);
                int dueCount;
                lock (owner.Gate)
                {
                    if (owner.StoppingLocked || owner.StateLocked != SchedulerState.Running)
                    {
                        return null;
                    }

                    if (!owner.HasStoreLocked(target.Name))
                    {
                        break;
                    }

                    dueCount = DispatchBatchLocked(target, now, work);
                }

                tracker.Perform(work);
                if (dueCount < DispatchBatchSize)
                {
                    break;
                }

                // The first batch of a burst woke the executors' workers, and the system tends to queue a
                // woken thread on the core of the thread that woke it: the loop, which would keep that
                // core through the rest of the burst while the runs it submitted wait 1 to 4 ms to start
                // (measured on 2 cores). It lets them have it once, at the start of the burst.
                if (batch == 0)
                {
                    Thread.Yield();
                }
            }

            if (target.Store.GetNextRunTime() is { } next)
            {
                // Due jobs left to the other nodes are still due: look again once a run here ends, or
                // after a while. (A job due later is waited for as usual: a full executor need not be its.)
                if (boundByCapacity && next <= now)
                {
                    next = now + FullRecheck;
                    waiting = true;
                }

                if (earliest is null || next < earliest)
                {
                    earliest = next;
                }
            }
        }

        Volatile.Write(ref waitsForWorkers, waiting ? 1 : 0);
        return earliest;
    }

    /// <summary>
    /// Waits out the last stretch before a due time on the system clock by spinning: system timers
    /// fire with millisecond granularity (rounded down, so early as often as late), and runs should
    /// start within a fraction of a millisecond of their time.
    /// </summary>
    private void SpinUntil(DateTimeOffset due)
    {
        while (owner.Now < due)
        {
            if (!Thread.Yield())
            {
                Thread.SpinWait(64);
            }
        }
    }

    [MethodImpl(DispatchPath.Optimized)]
    public void WakeIfEarlier(DateTimeOffset? nextRunTime)
    {
        if (nextRunTime is { } next && next.UtcTicks < Volatile.Read(ref armedWakeTicks))
        {
            wake.Set();
        }
    }

    // ---------------------------------------------------------------- dispatch

    /// <summary>Decides, commits and applies one batch of due jobs; returns how many were due.</summary>
    [MethodImpl(DispatchPath.Optimized)]
    private int DispatchBatchLocked(NamedStore target, DateTimeOffset now, RunWork work)
    {
        IReadOnlyList<Job> due;
        if (target.Store.SharedBySchedulers)
        {
            // A node takes no more due jobs of an executor than that executor has free workers: what it took
            // beyond that would wait in its queue while the other nodes idle, and die with it if it crashed.
            var free = CountFreeWorkersLocked(out var anyExecutorFull);
            if (free == 0)
            {
                boundByCapacity = true;
                return 0;
            }

            var batchSize = Math.Min(DispatchBatchSize, free);
            due = target.Store.ClaimDueJobs(now, batchSize, freeWorkers);

            // The due jobs of a full executor were left to the other nodes and are still due: the pass
            // then looks again after a while instead of at once.
            boundByCapacity = anyExecutorFull || (batchSize < DispatchBatchSize && due.Count == batchSize);
        }
        else
        {
            due = target.Store.GetDueJobs(now, DispatchBatchSize);
        }

        if (due.Count == 0)
        {
            return 0;
        }

        // A store several schedulers share counts the runs the others have in progress, so
        // max-instances and the overlap policy hold across all of them.
        var elsewhere = target.Store.CountRunningElsewhere(due, owner.Id);
        var dispatches = new List<JobDispatch>(due.Count);
        plannedDecisions.Clear();
        triggerFailures.Clear();
        foreach (var job in due)
        {
            if (TryPlanLocked(target, job, now, elsewhere, out var dispatch))
            {
                dispatches.Add(dispatch);
            }
        }

        if (dispatches.Count == 0)
        {
            return due.Count;
        }

        var rejected = target.Store.CommitDispatches(dispatches);
        var rejectedIds = rejected.Count == 0 ? null : new HashSet<string>(rejected, StringComparer.Ordinal);

        // The batch's events happen as it is committed, within a fraction of a millisecond: one
        // reading of the clock serves them all (it is two readings per run otherwise).
        var committedAt = owner.Now;
        var decision = 0;
        for (var i = 0; i < dispatches.Count; i++)
        {
            var dispatch = dispatches[i];
            var runs = dispatch.Runs;
            decision += runs.Count;
            if (rejectedIds is not null && rejectedIds.Contains(dispatch.Job.Id))
            {
                // Changed meanwhile (by another process): the next read sees its new state.
                continue;
            }

            var job = dispatch.Updated ?? dispatch.Job;
            for (var r = 0; r < runs.Count; r++)
            {
                tracker.ApplyLocked(target, job, runs[r], plannedDecisions[decision - runs.Count + r], work, committedAt, onSchedule: true);
            }

            if (dispatch.Updated is null)
            {
                owner.Hub.Publish(owner.JobEvent(SchedulerEventType.JobRemoved, dispatch.Job, committedAt, "The job's trigger has no further fire times."));
            }
            else if (triggerFailures.Count > 0 && triggerFailures.TryGetValue(dispatch.Job.Id, out var failure))
            {
                ReportTriggerFailure(target, dispatch.Updated, failure, committedAt, "after its due runs");
            }
        }

        return due.Count;
    }

    /// <summary>
    /// What to do with one due job: the misfire/coalesce plan, then the overlap decision for each run
    /// (added to <see cref="plannedDecisions"/>, in the order of the dispatch's runs).
    /// </summary>
    [MethodImpl(DispatchPath.Optimized)]
    private bool TryPlanLocked(NamedStore target, Job job, DateTimeOffset now, IReadOnlyDictionary<string, int>? elsewhere, out JobDispatch dispatch)
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
            var paused = PausedByTrigger(job);
            target.Store.Update(paused);
            ReportTriggerFailure(target, paused, error, now, when: null);
            dispatch = null!;
            return false;
        }

        if (plan.NextFailure is { } nextFailure)
        {
            triggerFailures[job.Id] = nextFailure;
        }

        var count = (plan.MissedTime is null ? 0 : 1) + (plan.RunTime is null ? 0 : 1) + (plan.RunTimes?.Count ?? 0);
        var runs = new JobRun[count];
        var firstDecision = plannedDecisions.Count;
        var index = 0;
        if (plan.MissedTime is { } missed)
        {
            runs[index] = new JobRun(RunKey.New(), job.Id, missed, JobRunOutcome.Missed, 1, owner.Id)
            {
                EndTime = now,
                Error = string.Format(
                    CultureInfo.InvariantCulture,
                    "The run was {0} late, more than the misfire grace time of {1}.",
                    TimeText.Elapsed(now - missed),
                    TimeText.Elapsed(job.Options.MisfireGraceTime!.Value)),
            };
            plannedDecisions.Add(RunDecision.Missed);
            index++;
        }

        var tentative = tracker.TentativeFor(job.Id);
        if (elsewhere is not null && elsewhere.TryGetValue(job.Id, out var runningElsewhere))
        {
            tentative.Running += runningElsewhere;
        }

        var runsHere = false;
        if (plan.RunTime is { } single)
        {
            var decided = Decide(job, ref tentative);
            plannedDecisions.Add(decided);
            runs[index++] = NewRun(job, single, decided, now, attempt: 1);
            runsHere |= decided is RunDecision.Start or RunDecision.Queue or RunDecision.Replace;
        }
        else if (plan.RunTimes is { } many)
        {
            foreach (var time in many)
            {
                var decided = Decide(job, ref tentative);
                plannedDecisions.Add(decided);
                runs[index++] = NewRun(job, time, decided, now, attempt: 1);
                runsHere |= decided is RunDecision.Start or RunDecision.Queue or RunDecision.Replace;
            }
        }

        Debug.Assert(plannedDecisions.Count - firstDecision == count, "One decision per run.");
        var updated = plan.NextFireTime is { } nextFire ? WithNextFireLocked(job, nextFire)
            : plan.NextFailure is not null ? PausedByTrigger(job)
            : job.Options.Recover && runsHere ? Ending(job)
            : null;
        dispatch = new JobDispatch(job, updated, runs);
        return true;
    }

    /// <summary>
    /// A job whose trigger failed looking past its due runs (an all-trigger whose triggers agree no more):
    /// the due runs go ahead, and the job is paused, as one whose trigger fails before its runs is.
    /// </summary>
    private static Job PausedByTrigger(Job job) => job with { NextRunTime = null, JitterTicks = 0, State = JobState.Paused };

    private void ReportTriggerFailure(NamedStore target, Job paused, Exception error, DateTimeOffset at, string? when)
    {
        owner.Hub.Publish(new SchedulerEventData(SchedulerEventType.SchedulerError, at)
        {
            SchedulerId = owner.Id,
            JobId = paused.Id,
            JobName = paused.Name,
            StoreName = target.Name,
            Exception = error,
            Error = error.Message,
            Message = when is null
                ? $"The trigger of the job failed; the job is paused: {error.Message}"
                : $"The trigger of the job failed {when}; the job is paused: {error.Message}",
        });
        owner.Hub.Publish(owner.JobEvent(SchedulerEventType.JobPaused, paused, at, message: null));
    }

    /// <summary>
    /// A job that asks for recovery, at its last fire time: kept, with no next run time, until that run
    /// ends (<see cref="RunTracker"/> removes it then). Should its scheduler die meanwhile, the run is
    /// abandoned and run again, which takes the job; removed at once, its last run would be lost.
    /// </summary>
    internal static Job Ending(Job job) => job with { NextRunTime = null, JitterTicks = 0, State = JobState.Scheduled };

    /// <summary>Whether the job is one that <see cref="Ending"/> kept for its last run (a paused job is Paused).</summary>
    [MethodImpl(DispatchPath.Optimized)]
    internal static bool IsEnding(Job? job) => job is { NextRunTime: null, State: JobState.Scheduled, Options.Recover: true };

    /// <summary>The overlap rule: start, queue, replace or skip, given the runs in progress (and those already decided in this pass).</summary>
    [MethodImpl(DispatchPath.Optimized)]
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
            return new JobRun(RunKey.New(), job.Id, scheduled, JobRunOutcome.Running, attempt, owner.Id);
        }

        return new JobRun(RunKey.New(), job.Id, scheduled, JobRunOutcome.Skipped, attempt, owner.Id)
        {
            EndTime = now,
            Error = string.Format(CultureInfo.InvariantCulture, "The job already has its maximum of {0} run(s) in progress.", job.Options.MaxInstances),
        };
    }

    /// <summary>Records and submits one run outside the schedule (run now, recovery).</summary>
    public JobRun SubmitOneLocked(NamedStore target, Job job, DateTimeOffset scheduled, int attempt, RunWork work)
    {
        var tentative = tracker.TentativeFor(job.Id);
        if (target.Store.CountRunningElsewhere([job], owner.Id) is { } elsewhere && elsewhere.TryGetValue(job.Id, out var runningElsewhere))
        {
            tentative.Running += runningElsewhere;
        }

        var decision = Decide(job, ref tentative);
        var run = NewRun(job, scheduled, decision, owner.Now, attempt);
        target.Store.SaveRun(run);
        tracker.ApplyLocked(target, job, run, decision, work, owner.Now, onSchedule: false);
        return run;
    }

    /// <summary>
    /// Forgets the recoveries that waited for workers when the scheduler last stopped (before it starts
    /// again): its care of them lapsed as it left its stores, which hand them over again.
    /// </summary>
    public void ForgetWaitingRecoveriesLocked()
    {
        waitingRecoveries.Clear();
        Volatile.Write(ref waitingRecoveryCount, 0);
    }

    public void AbandonUnfinishedRunsLocked(NamedStore target, RunWork work)
        => ReportAbandonedLocked(target, target.Store.AbandonUnfinishedRuns(owner.Id, owner.Now), work);

    /// <summary>
    /// Reports runs a dead scheduler left unfinished, and runs again those of jobs that ask for recovery.
    /// On a shared store no more start than the executors have free workers for: the rest wait here, in
    /// this scheduler's care, instead of being recorded as started and then lost again with this node.
    /// </summary>
    public void ReportAbandonedLocked(NamedStore target, IReadOnlyList<JobRun> abandoned, RunWork work)
    {
        var now = owner.Now;
        var handled = new List<JobRun>(abandoned.Count);
        var reported = abandoned.Where(run => !IsWaitingRecovery(target, run)).ToList();

        // What the runs' processes left running here goes first, whether the run is recovered or not: its
        // end would never be recorded, and it would run beside the recovered run or the job's next one.
        // (Under the lock: this is rare, a few milliseconds, and no run of the job may start meanwhile.)
        var leftovers = LeftoverProcesses.Stop(reported.Select(run => run.RunId).ToList());
        foreach (var run in reported)
        {
            var job = target.Store.Get(run.JobId);
            var runsAgain = RunsAgain(job);
            var stopped = leftovers.TryGetValue(run.RunId, out var pids) ? StoppedText(pids) : string.Empty;
            owner.Hub.Publish(new SchedulerEventData(SchedulerEventType.JobAbandoned, now)
            {
                SchedulerId = owner.Id,
                JobId = run.JobId,
                JobName = job?.Name,
                StoreName = target.Name,
                RunKey = run.Key,
                ScheduledTime = run.ScheduledTime,
                StartTime = run.StartTime,
                Attempt = run.Attempt,
                Outcome = JobRunOutcome.Abandoned,
                Message = runsAgain
                    ? $"The run was left unfinished by the scheduler '{run.SchedulerId}'{stopped}; it runs again."
                    : $"The run was left unfinished by the scheduler '{run.SchedulerId}'{stopped}.",
            });
            if (RunsAgain(job))
            {
                if (target.Store.SharedBySchedulers)
                {
                    waitingRecoveries.Add((target, run, job));
                    continue;
                }

                SubmitOneLocked(target, job, run.ScheduledTime, attempt: 1, work);
            }

            handled.Add(run);
        }

        if (handled.Count > 0)
        {
            target.Store.AbandonedRunsHandled(handled);
        }

        RunWaitingRecoveriesLocked(work);
        if (waitingRecoveries.Count > 0)
        {
            // The loop looks again while its workers are busy, as for due jobs it leaves to the other nodes.
            wake.Set();
        }
    }

    /// <summary>
    /// Whether the run waits here for a worker already: a store hands a waiting run over again when this
    /// node's care of it lapsed (its lease did, and it took the run back under its new token); it is
    /// reported and run once all the same.
    /// </summary>
    private bool IsWaitingRecovery(NamedStore target, JobRun run)
        => waitingRecoveries.Count > 0 && waitingRecoveries.Exists(waiting => waiting.Target == target && waiting.Run.RunId == run.RunId);

    private static string StoppedText(IReadOnlyList<int> pids) => pids.Count == 1
        ? string.Format(CultureInfo.InvariantCulture, "; the process it left running on this machine ({0}) was stopped", pids[0])
        : string.Format(CultureInfo.InvariantCulture, "; the {0} processes it left running on this machine ({1}) were stopped", pids.Count, string.Join(", ", pids));

    /// <summary>Whether an abandoned run of the job is run again: the job asks for recovery and can run.</summary>
    private static bool RunsAgain([NotNullWhen(true)] Job? job) => job is { Options.Recover: true, State: not JobState.Broken };

    /// <summary>
    /// Runs again the waiting recoveries whose executors have free workers, oldest first. Runs taken over
    /// from a dead node are older than anything due now, so they have those workers first; the rest keep
    /// waiting, and their executors take no due jobs meanwhile (<see cref="CountFreeWorkersLocked"/>).
    /// </summary>
    private void RunWaitingRecoveriesLocked(RunWork work)
    {
        CountSlotsInUseLocked();
        var kept = 0;
        for (var i = 0; i < waitingRecoveries.Count; i++)
        {
            var waiting = waitingRecoveries[i];
            var (target, run, takenOver) = waiting;
            var executor = takenOver.Executor;
            if (!owner.HasStoreLocked(target.Name))
            {
                continue;
            }

            // An executor this node lacks fails the run at once, as it would a due job of it.
            if (owner.ExecutorNamed(executor) is { } known && known.MaxWorkers <= SlotsInUse(executor))
            {
                waitingRecoveries[kept++] = waiting;
                continue;
            }

            // The job may have changed while the run waited: broken or no longer recovered. Gone, it ended
            // meanwhile (its last fire time ran on some node, which removed it once that run ended) or was
            // removed; the run is of a fire time before that and runs all the same, with the job as it was
            // taken over, as a retry runs after its job is removed. (Dropped, every such run was lost: a
            // loaded cluster's recoveries wait for workers for longer than a job's last seconds.)
            var job = target.Store.Get(run.JobId) ?? takenOver;
            if (RunsAgain(job))
            {
                SubmitOneLocked(target, job, run.ScheduledTime, attempt: 1, work);
                slotsInUse[job.Executor] = SlotsInUse(job.Executor) + 1;
            }

            target.Store.AbandonedRunsHandled([run]);
        }

        waitingRecoveries.RemoveRange(kept, waitingRecoveries.Count - kept);
        Volatile.Write(ref waitingRecoveryCount, waitingRecoveries.Count);
    }

    /// <summary>
    /// Fills <see cref="freeWorkers"/> with the runs each executor can take on now (<see cref="WithLookAhead"/>)
    /// and returns their sum. An executor for which taken-over runs wait counts as full: workers it frees go
    /// to those runs, not to due jobs (which would otherwise take them between two looks for as long as the
    /// load lasted).
    /// </summary>
    private int CountFreeWorkersLocked(out bool anyExecutorFull)
    {
        CountSlotsInUseLocked();
        freeWorkers.Clear();
        anyExecutorFull = false;
        var total = 0;
        foreach (var pair in owner.ExecutorsLocked)
        {
            var name = pair.Key;
            var free = Math.Max(0, WithLookAhead(pair.Value.MaxWorkers) - SlotsInUse(name));
            if (free > 0 && waitingRecoveries.Count > 0 && waitingRecoveries.Exists(waiting => waiting.TakenOver.Executor == name))
            {
                free = 0;
            }

            anyExecutorFull |= free == 0;
            freeWorkers.Add(new KeyValuePair<string, int>(name, free));
            total = free > int.MaxValue - total ? int.MaxValue : total + free;
        }

        return total;
    }

    /// <summary>
    /// How many runs a node takes on for an executor of that many workers: one more for each worker, so a
    /// worker that frees up finds its next run queued instead of waiting for a claim and a commit (three
    /// round trips to the database, tens of milliseconds on a loaded machine), while no run waits longer
    /// than the one ahead of it.
    /// </summary>
    private static int WithLookAhead(int maxWorkers) => maxWorkers > int.MaxValue / 2 ? int.MaxValue : maxWorkers * 2;

    private void CountSlotsInUseLocked()
    {
        slotsInUse.Clear();
        tracker.CountSlotsInUseLocked(slotsInUse);
    }

    private int SlotsInUse(string executor) => slotsInUse.TryGetValue(executor, out var inUse) ? inUse : 0;

    /// <summary>Sets the job's next run time from the trigger's first fire time at or after now; removes the job when there is none.</summary>
    public Job? RecomputeFromLocked(NamedStore target, Job job, DateTimeOffset now)
    {
        if (job.Trigger.GetFireTimeAtOrAfter(now) is not { } next)
        {
            target.Store.Remove(job.Id);
            owner.Hub.Publish(owner.JobEvent(SchedulerEventType.JobRemoved, job, "The job's trigger has no further fire times."));
            return null;
        }

        var updated = WithNextFireLocked(job, next);
        target.Store.Update(updated);
        return updated;
    }

    /// <summary>The job scheduled at a fire time, with the trigger's jitter applied to the run time.</summary>
    [MethodImpl(DispatchPath.Optimized)]
    public Job WithNextFireLocked(Job job, DateTimeOffset fireTime)
    {
        var runTime = JitteredLocked(job.Trigger, fireTime);
        return job with
        {
            NextRunTime = runTime,
            JitterTicks = runTime.UtcTicks - fireTime.UtcTicks,
            State = JobState.Scheduled,
        };
    }

    [MethodImpl(DispatchPath.Optimized)]
    public DateTimeOffset JitteredLocked(Trigger trigger, DateTimeOffset fireTime)
        => trigger.Jitter is null ? fireTime : trigger.ApplyJitter(fireTime, jitterRandom);
}
