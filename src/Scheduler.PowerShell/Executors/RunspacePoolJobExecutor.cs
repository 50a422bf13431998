using System.Collections.Concurrent;
using Scheduler.Executors;
using Scheduler.Invocations;

namespace Scheduler.PowerShell.Executors;

/// <summary>
/// Runs PowerShell jobs in-process, at most N at once, each in a fresh runspace (see
/// <see cref="RunspaceSupply"/>): a script block is re-created from its text there, never run as the
/// ScriptBlock object of another runspace.
/// </summary>
/// <remarks>
/// <para>Any error record or terminating error makes the run Failed; output, warnings and information are
/// the run's output text, errors its error text (both bounded). A timeout, a replacing run or a shutdown
/// without wait stops the pipeline, as Ctrl+C would: a script blocked inside a .NET call that ignores
/// stop requests ends only when that call returns. The process executor runs the same job in a child
/// pwsh instead, which can be killed.</para>
/// <para>The records of the latest runs are kept (bounded) for <c>Receive-Job</c> in this session.</para>
/// </remarks>
internal sealed class RunspacePoolJobExecutor : QueuedJobExecutor
{
    public const int DefaultMaxWorkers = 5;

    /// <summary>How many ended runs keep their records for Receive-Job.</summary>
    public const int RecentResultCount = 100;

    private readonly ConcurrentDictionary<string, PowerShellRun> active = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RunResult> recent = new(StringComparer.Ordinal);
    private readonly Queue<string> recentOrder = new();
    private readonly RunspaceSupply runspaces = new();

    public RunspacePoolJobExecutor(int maxWorkers = DefaultMaxWorkers)
        : base(maxWorkers, flowExecutionContext: true)
    {
    }

    public override bool CanRun(InvocationKind kind) => kind == InvocationKind.PowerShell;

    /// <summary>The records a run of this executor wrote, while it is among the latest; null otherwise.</summary>
    public RunResult? GetResult(string runId)
    {
        lock (recent)
        {
            return recent.TryGetValue(runId, out var result) ? result : null;
        }
    }

    /// <summary>Whether the run is in progress here.</summary>
    public bool IsRunning(string runId) => active.ContainsKey(runId);

    /// <summary>Stops a run in progress (Stop-Job); it ends as Cancelled, and is not retried. False when it is not running here.</summary>
    public bool StopRun(string runId)
    {
        if (!active.TryGetValue(runId, out var run))
        {
            return false;
        }

        // Cancelling the run stops its pipeline (through its token).
        run.Execution.Stop("The run was stopped with Stop-Job.");
        return true;
    }

    protected override void OnStarted() => runspaces.Start();

    protected override void OnStopping() => runspaces.Stop();

    protected override async Task RunAsync(JobExecution execution)
    {
        if (!execution.Begin())
        {
            return;
        }

        var run = new PowerShellRun(execution);
        active[execution.Run.RunId] = run;
        try
        {
            var runspace = await runspaces.TakeAsync().ConfigureAwait(false);
            try
            {
                await run.ExecuteAsync(runspace).ConfigureAwait(false);
            }
            finally
            {
                RunspaceSupply.Release(runspace);
            }
        }
#pragma warning disable CA1031 // A runspace that cannot open is the run's failure.
        catch (Exception error)
#pragma warning restore CA1031
        {
            run.Capture.AddTerminatingError(error);
            execution.End(run.Capture.OutputText, error, run.Capture.ErrorText);
            return;
        }
        finally
        {
            active.TryRemove(execution.Run.RunId, out _);
            Remember(execution.Run.RunId, run.Capture.ToResult());
        }

        execution.End(run.Capture.OutputText, run.Exception, run.Capture.ErrorText);
    }

    private void Remember(string runId, RunResult result)
    {
        lock (recent)
        {
            recent[runId] = result;
            recentOrder.Enqueue(runId);
            while (recentOrder.Count > RecentResultCount)
            {
                recent.Remove(recentOrder.Dequeue());
            }
        }
    }
}
