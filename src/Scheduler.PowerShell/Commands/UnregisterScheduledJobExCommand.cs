using System.Management.Automation;
using Scheduler.PowerShell.Arguments;

namespace Scheduler.PowerShell.Commands;

/// <summary><c>Unregister-ScheduledJobEx</c>: removes jobs from their store. Runs in progress finish.</summary>
[Cmdlet(VerbsLifecycle.Unregister, "ScheduledJobEx", SupportsShouldProcess = true, DefaultParameterSetName = NameSet)]
[OutputType(typeof(ScheduledJob))]
public sealed class UnregisterScheduledJobExCommand : SchedulerCmdlet
{
    private const string NameSet = "Name";
    private const string InputObjectSet = "InputObject";

    /// <summary>The names of the jobs (exact, case-insensitive).</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = NameSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(JobNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Name { get; set; } = null!;

    /// <summary>Jobs from Get-ScheduledJobEx; each is removed from its own store.</summary>
    [Parameter(Mandatory = true, ParameterSetName = InputObjectSet, ValueFromPipeline = true)]
    public ScheduledJob[] InputObject { get; set; } = null!;

    /// <summary>The job store's file; default: the running scheduler's store, else the per-user store.</summary>
    [Parameter(ParameterSetName = NameSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? Store { get; set; }

    /// <summary>Write each job as it was before removal.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var (scheduler, job) in Targets(ParameterSetName == NameSet ? Name : null, ParameterSetName == InputObjectSet ? InputObject : null, Store))
        {
            if (!ShouldProcess($"{job.Name} in {scheduler.StorePath}", "Unregister the job"))
            {
                continue;
            }

            try
            {
                scheduler.Scheduler.RemoveJob(job.Id);
                if (PassThru)
                {
                    WriteObject(new ScheduledJob(job, scheduler.StorePath));
                }
            }
            catch (KeyNotFoundException)
            {
                WriteError(Errors.JobNotFound(job.Name, scheduler.StorePath));
            }
        }
    }
}
