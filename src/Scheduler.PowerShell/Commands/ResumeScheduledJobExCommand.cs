using System.Management.Automation;

namespace Scheduler.PowerShell.Commands;

/// <summary>
/// <c>Resume-ScheduledJobEx</c>: resumes paused jobs. Each runs next at its trigger's first fire time
/// from now: runs that fell inside the pause are not made up.
/// </summary>
[Cmdlet(VerbsLifecycle.Resume, "ScheduledJobEx", SupportsShouldProcess = true, DefaultParameterSetName = NameSet)]
[OutputType(typeof(ScheduledJob))]
public sealed class ResumeScheduledJobExCommand : JobTargetCmdlet
{
    /// <summary>Write each job as resumed.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord() =>
        ChangeEach("Resume the job", (scheduler, job) =>
        {
            try
            {
                var resumed = scheduler.Scheduler.ResumeJob(job.Id);
                if (scheduler.Scheduler.GetJob(resumed.Id) is null)
                {
                    WriteWarning($"The job '{job.Name}' has no further fire times and was removed.");
                }
                else if (PassThru)
                {
                    WriteObject(new ScheduledJob(resumed, scheduler.StoreName));
                }
            }
            catch (InvalidOperationException error)
            {
                WriteError(Errors.InvalidOperation(ErrorIds.JobBroken, error, job.Name));
            }
        });
}
