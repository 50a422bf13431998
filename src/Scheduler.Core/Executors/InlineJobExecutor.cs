using Scheduler.Internal;
using Scheduler.Invocations;
using Scheduler.Jobs;

namespace Scheduler.Executors;

/// <summary>Runs each job to its end on the thread that submits it (the scheduler's loop): deterministic, for tests.</summary>
internal sealed class InlineJobExecutor : JobExecutor
{
    private int running;
    private volatile bool stopped = true;

    public override int MaxWorkers => 1;

    public override int ActiveWorkers => Volatile.Read(ref running);

    public override bool CanRun(InvocationKind kind) => DotNetInvoker.CanRun(kind);

    internal override void Start() => stopped = false;

    internal override void Submit(JobExecution execution)
    {
        if (stopped)
        {
            execution.EndWithoutRunning(JobRunOutcome.Cancelled, "The run was cancelled: its executor is stopped.");
            return;
        }

        if (!execution.Begin())
        {
            return;
        }

        Interlocked.Increment(ref running);
        CallbackScope.Enter();
        object? result = null;
        Exception? error = null;
        try
        {
            var pending = DotNetInvoker.InvokeAsync(execution.Context!, execution.Delegates);
            result = pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
        }
#pragma warning disable CA1031 // Whatever the job throws is its outcome, reported as a failed run.
        catch (Exception failure)
#pragma warning restore CA1031
        {
            error = failure;
        }
        finally
        {
            CallbackScope.Exit();
            Interlocked.Decrement(ref running);
        }

        execution.End(result, error);
    }

    internal override Task StopAsync()
    {
        stopped = true;
        return Task.CompletedTask;
    }
}
