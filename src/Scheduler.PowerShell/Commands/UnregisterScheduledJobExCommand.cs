using System.Management.Automation;

namespace Scheduler.PowerShell.Commands;

/// <summary><c>Unregister-ScheduledJobEx</c>: removes jobs from their store. Runs in progress finish.</summary>
[Cmdlet(VerbsLifecycle.Unregister, "ScheduledJobEx", SupportsShouldProcess = true, DefaultParameterSetName = NameSet)]
[OutputType(typeof(ScheduledJob))]
public sealed class UnregisterScheduledJobExCommand : JobTargetCmdlet
{
    /// <summary>Write each job as it was before removal.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord() =>
        ChangeEach("Unregister the job", (scheduler, job) =>
        {
            scheduler.Scheduler.RemoveJob(job.Id);
            if (PassThru)
            {
                WriteObject(new ScheduledJob(job, scheduler.StoreName));
            }
        });
}
