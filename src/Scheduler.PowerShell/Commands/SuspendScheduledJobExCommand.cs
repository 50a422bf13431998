using System.Management.Automation;
using Scheduler.PowerShell.Arguments;

namespace Scheduler.PowerShell.Commands;

/// <summary>
/// <c>Suspend-ScheduledJobEx</c>: pauses jobs: they keep their definition and have no next run time
/// until resumed. Runs in progress go on.
/// </summary>
[Cmdlet(VerbsLifecycle.Suspend, "ScheduledJobEx", SupportsShouldProcess = true, DefaultParameterSetName = NameSet)]
[OutputType(typeof(ScheduledJob))]
public sealed class SuspendScheduledJobExCommand : SchedulerCmdlet
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

    /// <summary>Write each job as paused.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var (scheduler, job) in Targets(ParameterSetName == NameSet ? Name : null, ParameterSetName == InputObjectSet ? InputObject : null, Store))
        {
            if (!ShouldProcess($"{job.Name} in {scheduler.StorePath}", "Pause the job"))
            {
                continue;
            }

            try
            {
                var paused = scheduler.Scheduler.PauseJob(job.Id);
                if (PassThru)
                {
                    WriteObject(new ScheduledJob(paused, scheduler.StorePath));
                }
            }
            catch (KeyNotFoundException)
            {
                WriteError(Errors.JobNotFound(job.Name, scheduler.StorePath));
            }
        }
    }
}
