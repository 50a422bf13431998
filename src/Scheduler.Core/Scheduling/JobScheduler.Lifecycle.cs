using Scheduler.Events;
using Scheduler.Executors;
using Scheduler.Internal;
using Scheduler.Jobs;
using Scheduler.Stores;

namespace Scheduler.Scheduling;

/// <summary>The life cycle: start, run, pause, resume and shut down, and the stores a running scheduler holds.</summary>
public sealed partial class JobScheduler
{
    private bool stopping;

    private TaskCompletionSource<bool>? shutdownCompletion;

    /// <summary>The loop of the latest start; completed once the scheduler has shut down.</summary>
    internal Task? LoopTask => loop.Task;

    // ---------------------------------------------------------------- life cycle

    /// <summary>Starts the scheduler in the background and returns.</summary>
    /// <param name="paused">Start paused: no scheduled job runs until <see cref="Resume"/>.</param>
    /// <exception cref="InvalidOperationException">The scheduler is already running.</exception>
    public void Start(bool paused = false)
    {
        var work = new RunWork();
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

            loop.ForgetWaitingRecoveriesLocked();
            foreach (var target in storeList)
            {
                loop.AbandonUnfinishedRunsLocked(target, work);
            }

            loop.StartLocked();
        }

        runs.Perform(work);
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
        var work = new RunWork();
        lock (gate)
        {
            if (shutdownCompletion is not null)
            {
                inProgress = true;
                completion = shutdownCompletion;

                // A shutdown that waits for the running jobs is under way: without wait, stop waiting for them.
                if (!wait)
                {
                    runs.CancelActiveLocked(work);
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
            runs.Perform(work);
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
        loop.Wake();
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
                    loop.RecomputeFromLocked(target, job, now);
                }
            }

            state = SchedulerState.Running;
            events.Publish(new SchedulerEventData(SchedulerEventType.SchedulerResumed, Now) { SchedulerId = Id });
        }

        events.Flush();
        loop.Wake();
    }

    /// <summary>Shuts down without waiting for running jobs (their tokens are cancelled).</summary>
    public void Dispose() => Shutdown(wait: false);

    /// <summary>Shuts down without waiting for running jobs (their tokens are cancelled).</summary>
    public ValueTask DisposeAsync() => new(ShutdownAsync(wait: false));

    private async Task ShutdownCoreAsync(bool wait, TaskCompletionSource<bool> completion)
    {
        loop.Wake();
        Task? running;
        lock (gate)
        {
            running = loop.Task;
        }

        if (running is not null)
        {
            await running.ConfigureAwait(false);
        }

        var work = new RunWork();
        JobExecutor[] toStop;
        lock (gate)
        {
            runs.ShutdownLocked(wait, work);
            toStop = executors.Values.ToArray();
        }

        runs.Perform(work);
        var stops = new Task[toStop.Length];
        for (var i = 0; i < toStop.Length; i++)
        {
            stops[i] = toStop[i].StopAsync();
        }

        await Task.WhenAll(stops).ConfigureAwait(false);
        runs.ProcessEndedRuns(wait: true);

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

    /// <summary>
    /// Serves what others asked of the store since the last look: jobs to run now, runs of this scheduler
    /// to cancel (replaced in another scheduler sharing the store), and runs of dead schedulers taken over.
    /// </summary>
    private void ServeStoreRequests(JobStore store)
    {
        NamedStore? target;
        lock (gate)
        {
            if (state == SchedulerState.Stopped || stopping || store.Owner != this)
            {
                return;
            }

            target = storeList.FirstOrDefault(s => s.Store == store);
        }

        IReadOnlyList<string> requested;
        IReadOnlyList<string> toCancel;
        IReadOnlyList<JobRun> abandoned;
        try
        {
            requested = store.TakeRunRequests();
            toCancel = store.TakeCancelRequests();
            abandoned = store.TakeAbandonedRuns();
        }
#pragma warning disable CA1031 // A failing store is reported; the requests stay for the next change.
        catch (Exception error)
#pragma warning restore CA1031
        {
            ReportError(null, $"Reading the requests made of a store failed: {error.Message}", error);
            return;
        }

        if (target is not null && (toCancel.Count > 0 || abandoned.Count > 0))
        {
            var work = new RunWork();
            lock (gate)
            {
                runs.CancelReplacedElsewhereLocked(toCancel, work);
                if (abandoned.Count > 0 && !stopping && state != SchedulerState.Stopped)
                {
                    loop.ReportAbandonedLocked(target, abandoned, work);
                }
            }

            runs.Perform(work);
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

    internal JobExecutor? ExecutorFor(Job job) => ExecutorNamed(job.Executor);

    /// <summary>The executor of that name, or null when there is none.</summary>
    internal JobExecutor? ExecutorNamed(string name) => executors.TryGetValue(name, out var executor) ? executor : null;

    /// <summary>The executors by name; read under the lock.</summary>
    internal IReadOnlyDictionary<string, JobExecutor> ExecutorsLocked => executors;
}
