using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Scheduler.Internal;
using Scheduler.Jobs;

namespace Scheduler.Executors;

/// <summary>
/// At most N workers draining one queue of runs. Workers are started on demand and exit when the
/// queue is empty, so an idle executor holds no thread; a subclass only says how one run is run.
/// </summary>
/// <remarks>
/// The extension point for executors: the thread-pool executor and the PowerShell module's runspace
/// executor derive from it. <see cref="RunAsync"/> receives each run and must call
/// <see cref="JobExecution.Begin"/> on the worker, run the job (observing
/// <see cref="JobExecution.CancellationToken"/>), then call one of the <c>End</c> methods; the
/// scheduler does the rest (timeouts, outcomes, run records, events, retries).
/// </remarks>
public abstract class QueuedJobExecutor : JobExecutor
{
    private static readonly WaitCallback RunWorker = [MethodImpl(DispatchPath.Optimized)] static (state) => _ = ((QueuedJobExecutor)state!).WorkAsync();

    private readonly object sync = new();
    private readonly ConcurrentQueue<JobExecution> queue = new();
    private readonly int maxWorkers;
    private readonly bool flowExecutionContext;
    private int workers;
    private volatile bool stopping = true;
    private TaskCompletionSource<bool>? drained;

    /// <param name="maxWorkers">How many runs run at once.</param>
    /// <param name="flowExecutionContext">
    /// Whether workers inherit the submitter's execution context (culture, async locals); without it a
    /// worker is a bare thread-pool work item, which costs less.
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxWorkers"/> is less than 1.</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage(
        "ApiDesign",
        "RS0022:Constructor make noninheritable base class inheritable",
        Justification = "This is the one way to derive an executor; JobExecutor has no protected members of its own to expose.")]
    protected QueuedJobExecutor(int maxWorkers, bool flowExecutionContext)
    {
        if (maxWorkers < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(maxWorkers), maxWorkers, $"The number of workers must be at least 1, not {maxWorkers}.");
        }

        this.maxWorkers = maxWorkers;
        this.flowExecutionContext = flowExecutionContext;
    }

    /// <inheritdoc/>
    public sealed override int MaxWorkers => maxWorkers;

    /// <inheritdoc/>
    public sealed override int ActiveWorkers => Volatile.Read(ref workers);

    internal sealed override bool HasWaitingRuns => !queue.IsEmpty;

    internal sealed override void Start()
    {
        lock (sync)
        {
            stopping = false;
            drained = null;
        }

        OnStarted();
    }

    [MethodImpl(DispatchPath.Optimized)]
    internal sealed override void Submit(JobExecution execution)
    {
        if (stopping)
        {
            execution.EndWithoutRunning(JobRunOutcome.Cancelled, "The run was cancelled: its executor is stopped.");
            return;
        }

        queue.Enqueue(execution);
        if (TryClaimWorker())
        {
            if (flowExecutionContext)
            {
                _ = Task.Run(WorkAsync);
            }
            else
            {
                ThreadPool.UnsafeQueueUserWorkItem(RunWorker, this);
            }
        }
    }

    internal sealed override Task StopAsync()
    {
        TaskCompletionSource<bool> done;
        lock (sync)
        {
            stopping = true;
            done = drained ??= new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        OnStopping();
        if (Volatile.Read(ref workers) == 0 && queue.IsEmpty)
        {
            done.TrySetResult(true);
        }

        return done.Task;
    }

    /// <summary>
    /// Runs one execution on a worker: <see cref="JobExecution.Begin"/> (false: it was cancelled before
    /// it started and is already ended), invoke, then <see cref="JobExecution.End(object?, Exception?)"/>.
    /// An exception that escapes is swallowed to keep the worker alive, and the run never ends: end it.
    /// </summary>
    protected abstract Task RunAsync(JobExecution execution);

    /// <summary>Called once the executor takes runs again.</summary>
    protected virtual void OnStarted()
    {
    }

    /// <summary>Called once the executor refuses new runs, before it waits for the queued ones.</summary>
    protected virtual void OnStopping()
    {
    }

    [MethodImpl(DispatchPath.Optimized)]
    private bool TryClaimWorker()
    {
        while (true)
        {
            var current = Volatile.Read(ref workers);
            if (current >= maxWorkers)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref workers, current + 1, current) == current)
            {
                return true;
            }
        }
    }

    private async Task WorkAsync()
    {
        while (true)
        {
            while (true)
            {
                try
                {
                    if (RunUntilOneIsPending() is not { } pending)
                    {
                        break;
                    }

                    await pending.ConfigureAwait(false);
                }
#pragma warning disable CA1031 // Recording a run's end failed (a scheduler bug); the worker must live on, or the executor shrinks and never drains.
                catch (Exception)
#pragma warning restore CA1031
                {
                }
            }

            Interlocked.Decrement(ref workers);

            // A run queued after the last dequeue but before the decrement found every worker busy
            // and started none: take it on, unless another worker already has.
            if (queue.IsEmpty || !TryClaimWorker())
            {
                break;
            }
        }

        if (stopping && Volatile.Read(ref workers) == 0 && queue.IsEmpty)
        {
            lock (sync)
            {
                drained?.TrySetResult(true);
            }
        }
    }

    /// <summary>
    /// Runs queued runs until the queue is empty (null) or one has not succeeded when its call returns
    /// (returned, for the worker to await: still running, or failed to record its end). Most runs end
    /// synchronously: they go through here, compiled optimized at once, rather than through the
    /// worker's async state machine, which tiered compilation would leave unoptimized for the first
    /// bursts of runs.
    /// </summary>
    [MethodImpl(DispatchPath.Optimized)]
    private Task? RunUntilOneIsPending()
    {
        while (queue.TryDequeue(out var execution))
        {
            var run = RunAsync(execution);
            if (run.Status != TaskStatus.RanToCompletion)
            {
                return run;
            }
        }

        return null;
    }
}
