using System.Collections.Concurrent;
using Scheduler.Invocations;
using Scheduler.Jobs;

namespace Scheduler.Executors;

/// <summary>
/// Runs .NET invocations on at most N workers draining one queue. Workers are thread-pool work
/// items started on demand and exit when the queue is empty, so an idle executor holds no thread.
/// </summary>
internal sealed class ThreadPoolJobExecutor : JobExecutor
{
    public const int DefaultMaxWorkers = 10;

    private static readonly WaitCallback RunWorker = static state => _ = ((ThreadPoolJobExecutor)state!).WorkAsync();

    private readonly object sync = new();
    private readonly ConcurrentQueue<JobExecution> queue = new();
    private readonly int maxWorkers;
    private int workers;
    private volatile bool stopping = true;
    private TaskCompletionSource<bool>? drained;

    public ThreadPoolJobExecutor(int maxWorkers)
    {
        if (maxWorkers < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(maxWorkers), maxWorkers, $"The number of workers must be at least 1, not {maxWorkers}.");
        }

        this.maxWorkers = maxWorkers;
    }

    public override int MaxWorkers => maxWorkers;

    internal override int ActiveWorkers => Volatile.Read(ref workers);

    public override bool CanRun(InvocationKind kind) => DotNetInvoker.CanRun(kind);

    internal override void Start()
    {
        lock (sync)
        {
            stopping = false;
            drained = null;
        }
    }

    internal override void Submit(JobExecution execution)
    {
        if (stopping)
        {
            execution.EndWithoutRunning(JobRunOutcome.Cancelled, "The run was cancelled: its executor is stopped.");
            return;
        }

        queue.Enqueue(execution);
        if (TryClaimWorker())
        {
            ThreadPool.UnsafeQueueUserWorkItem(RunWorker, this);
        }
    }

    internal override Task StopAsync()
    {
        TaskCompletionSource<bool> done;
        lock (sync)
        {
            stopping = true;
            done = drained ??= new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        if (Volatile.Read(ref workers) == 0 && queue.IsEmpty)
        {
            done.TrySetResult(true);
        }

        return done.Task;
    }

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
            while (queue.TryDequeue(out var execution))
            {
                try
                {
                    await RunAsync(execution).ConfigureAwait(false);
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

    private static async Task RunAsync(JobExecution execution)
    {
        if (!execution.Begin())
        {
            return;
        }

        object? result = null;
        Exception? error = null;
        try
        {
            var context = execution.Context!;
            ValueTask<object?> pending;
            CallbackScope.Enter();
            try
            {
                pending = DotNetInvoker.InvokeAsync(context, context.Scheduler.Delegates);
            }
            finally
            {
                CallbackScope.Exit();
            }

            result = pending.IsCompletedSuccessfully ? pending.Result : await pending.ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Whatever the job throws is its outcome, reported as a failed run.
        catch (Exception failure)
#pragma warning restore CA1031
        {
            error = failure;
        }

        execution.End(result, error);
    }
}
