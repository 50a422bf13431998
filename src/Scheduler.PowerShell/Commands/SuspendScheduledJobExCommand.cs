using System.Management.Automation;

namespace Scheduler.PowerShell.Commands;

/// <summary>
/// <c>Suspend-ScheduledJobEx</c>: pauses jobs: they keep their definition and have no next run time
/// until resumed. Runs in progress go on.
/// </summary>
[Cmdlet(VerbsLifecycle.Suspend, "ScheduledJobEx", SupportsShouldProcess = true, DefaultParameterSetName = NameSet)]
[OutputType(typeof(ScheduledJob))]
public sealed class SuspendScheduledJobExCommand : JobTargetCmdlet
{
    /// <summary>Write each job as paused.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord() =>
        ChangeEach("Pause the job", (scheduler, job) =>
        {
            var paused = scheduler.Scheduler.PauseJob(job.Id);
            if (PassThru)
            {
                WriteObject(new ScheduledJob(paused, scheduler.StoreName));
            }
        });
}
