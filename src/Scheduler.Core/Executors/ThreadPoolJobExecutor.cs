using Scheduler.Invocations;
using Scheduler.Jobs;

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

    public override bool CanRun(InvocationKind kind) => DotNetInvoker.CanRun(kind);

    private protected override async Task RunAsync(JobExecution execution)
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
