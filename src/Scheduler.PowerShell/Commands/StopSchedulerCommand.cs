using System.Management.Automation;

namespace Scheduler.PowerShell.Commands;

/// <summary>
/// <c>Stop-Scheduler</c>: stops the scheduler running in this session. By default running jobs finish
/// first; -NoWait stops their pipelines. Jobs stay in the store. Nothing happens when none runs.
/// </summary>
[Cmdlet(VerbsLifecycle.Stop, "Scheduler", SupportsShouldProcess = true)]
[OutputType(typeof(SchedulerInfo))]
public sealed class StopSchedulerCommand : SchedulerCmdlet
{
    /// <summary>Stop running jobs instead of waiting for them (they are recorded as Cancelled).</summary>
    [Parameter]
    public SwitchParameter NoWait { get; set; }

    /// <summary>Write the scheduler's state once stopped.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        if (State.Running is not { } running)
        {
            WriteVerbose("No scheduler runs in this session.");
            return;
        }

        if (!ShouldProcess(running.StoreName, NoWait ? "Stop the scheduler and its running jobs" : "Stop the scheduler after its running jobs"))
        {
            return;
        }

        // Ctrl+C ends the wait, not the shutdown.
        if (WaitFor(running.Scheduler.ShutdownAsync(wait: !NoWait)) && PassThru)
        {
            WriteObject(Describe(running));
        }
    }
}
