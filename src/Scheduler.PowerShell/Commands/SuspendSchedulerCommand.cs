using System.Management.Automation;

namespace Scheduler.PowerShell.Commands;

/// <summary>
/// <c>Suspend-Scheduler</c>: pauses the scheduler running in this session: no scheduled run starts until
/// Resume-Scheduler, and runs due meanwhile are not made up. Running jobs go on.
/// </summary>
[Cmdlet(VerbsLifecycle.Suspend, "Scheduler", SupportsShouldProcess = true)]
[OutputType(typeof(SchedulerInfo))]
public sealed class SuspendSchedulerCommand : SchedulerCmdlet
{
    /// <summary>Write the scheduler's state.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        if (RunningScheduler("suspending it") is not { } running || !ShouldProcess(running.StoreName, "Pause the scheduler"))
        {
            return;
        }

        running.Scheduler.Pause();
        if (PassThru)
        {
            WriteObject(Describe(running));
        }
    }
}
