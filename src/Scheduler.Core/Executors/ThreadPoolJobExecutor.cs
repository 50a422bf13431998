using System.Runtime.CompilerServices;
using Scheduler.Internal;
using Scheduler.Invocations;

namespace Scheduler.Executors;

/// <summary>
/// Runs .NET invocations on at most N workers draining one queue. Workers are thread-pool work
/// items started on demand and exit when the queue is empty, so an idle executor holds no thread.
/// </summary>
internal sealed class ThreadPoolJobExecutor : QueuedJobExecutor
{
    public const int DefaultMaxWorkers = 10;

    public ThreadPoolJobExecutor(int maxWorkers)
        : base(maxWorkers, flowExecutionContext: false)
    {
    }

    [MethodImpl(DispatchPath.Optimized)]
    public override bool CanRun(InvocationKind kind) => DotNetInvoker.CanRun(kind);

    // Most jobs finish synchronously (or return a completed task): they end here without an async
    // state machine, and only a job still running when its call returns is awaited.
    [MethodImpl(DispatchPath.Optimized)]
    protected override Task RunAsync(JobExecution execution)
    {
        if (!execution.Begin())
        {
            return Task.CompletedTask;
        }

        ValueTask<object?> pending;
        try
        {
            var context = execution.Context!;
            CallbackScope.Enter();
            try
            {
                pending = DotNetInvoker.InvokeAsync(context, execution.Delegates);
            }
            finally
            {
                CallbackScope.Exit();
            }
        }
#pragma warning disable CA1031 // Whatever the job throws is its outcome, reported as a failed run.
        catch (Exception failure)
#pragma warning restore CA1031
        {
            execution.End(null, failure);
            return Task.CompletedTask;
        }

        if (pending.IsCompletedSuccessfully)
        {
            execution.End(pending.Result, null);
            return Task.CompletedTask;
        }

        return EndWhenDoneAsync(execution, pending);
    }

    private static async Task EndWhenDoneAsync(JobExecution execution, ValueTask<object?> pending)
    {
        object? result = null;
        Exception? error = null;
        try
        {
            result = await pending.ConfigureAwait(false);
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
