using System.Management.Automation;

namespace Scheduler.PowerShell.Commands;

/// <summary>
/// <c>Resume-Scheduler</c>: resumes the paused scheduler of this session. Jobs that became due during
/// the pause run next at their next fire time from now.
/// </summary>
[Cmdlet(VerbsLifecycle.Resume, "Scheduler", SupportsShouldProcess = true)]
[OutputType(typeof(SchedulerInfo))]
public sealed class ResumeSchedulerCommand : SchedulerCmdlet
{
    /// <summary>Write the scheduler's state.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        if (RunningScheduler("resuming it") is not { } running || !ShouldProcess(running.StoreName, "Resume the scheduler"))
        {
            return;
        }

        running.Scheduler.Resume();
        if (PassThru)
        {
            WriteObject(Describe(running));
        }
    }
}
