using System.Management.Automation;
using Scheduler.PowerShell.Arguments;

namespace Scheduler.PowerShell.Commands;

/// <summary>
/// <c>Resume-ScheduledJobEx</c>: resumes paused jobs. Each runs next at its trigger's first fire time
/// from now: runs that fell inside the pause are not made up.
/// </summary>
[Cmdlet(VerbsLifecycle.Resume, "ScheduledJobEx", SupportsShouldProcess = true, DefaultParameterSetName = NameSet)]
[OutputType(typeof(ScheduledJob))]
public sealed class ResumeScheduledJobExCommand : SchedulerCmdlet
{
    private const string NameSet = "Name";
    private const string InputObjectSet = "InputObject";

    /// <summary>The names of the jobs (exact, case-insensitive).</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = NameSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(JobNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Name { get; set; } = null!;

    /// <summary>Jobs from Get-ScheduledJobEx.</summary>
    [Parameter(Mandatory = true, ParameterSetName = InputObjectSet, ValueFromPipeline = true)]
    public ScheduledJob[] InputObject { get; set; } = null!;

    /// <summary>The job store's file; default: the running scheduler's store, else the per-user store.</summary>
    [Parameter(ParameterSetName = NameSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? Store { get; set; }

    /// <summary>Write each job as resumed.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var (scheduler, job) in Targets(ParameterSetName == NameSet ? Name : null, ParameterSetName == InputObjectSet ? InputObject : null, Store))
        {
            if (!ShouldProcess($"{job.Name} in {scheduler.StorePath}", "Resume the job"))
            {
                continue;
            }

            try
            {
                var resumed = scheduler.Scheduler.ResumeJob(job.Id);
                if (scheduler.Scheduler.GetJob(resumed.Id) is null)
                {
                    WriteWarning($"The job '{job.Name}' has no further fire times and was removed.");
                }
                else if (PassThru)
                {
                    WriteObject(new ScheduledJob(resumed, scheduler.StorePath));
                }
            }
            catch (KeyNotFoundException)
            {
                WriteError(Errors.JobNotFound(job.Name, scheduler.StorePath));
            }
            catch (InvalidOperationException error)
            {
                WriteError(Errors.InvalidOperation(ErrorIds.JobBroken, error, job.Name));
            }
        }
    }
}
