using System.Management.Automation;
using Scheduler.PowerShell.Arguments;
using Scheduler.PowerShell.Sessions;
using Job = Scheduler.Jobs.Job;

namespace Scheduler.PowerShell.Commands;

/// <summary>
/// What the cmdlets that act on existing jobs share: the jobs given by name (in one store) or as job
/// objects piped from Get-ScheduledJobEx (each in its own store).
/// </summary>
public abstract class JobTargetCmdlet : SchedulerCmdlet
{
    private protected const string NameSet = "Name";
    private protected const string InputObjectSet = "InputObject";

    private protected JobTargetCmdlet()
    {
    }

    /// <summary>The names of the jobs (exact, case-insensitive).</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = NameSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(JobNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Name { get; set; } = null!;

    /// <summary>Jobs from Get-ScheduledJobEx; each is found in its own store.</summary>
    [Parameter(Mandatory = true, ParameterSetName = InputObjectSet, ValueFromPipeline = true)]
    public ScheduledJob[] InputObject { get; set; } = null!;

    /// <summary>The job store's file; default: the running scheduler's store, else the per-user store.</summary>
    [Parameter(ParameterSetName = NameSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? Store { get; set; }

    /// <summary>The jobs this record names, each with its store's scheduler; a job not found is reported and skipped.</summary>
    private protected IEnumerable<(SessionScheduler Scheduler, Job Job)> Targets() =>
        Targets(ParameterSetName == NameSet ? Name : null, ParameterSetName == InputObjectSet ? InputObject : null, Store);

    /// <summary>
    /// Applies <paramref name="change"/> to each job the user confirms for <paramref name="action"/>; a job
    /// removed meanwhile is reported as not found.
    /// </summary>
    private protected void ChangeEach(string action, Action<SessionScheduler, Job> change)
    {
        foreach (var (scheduler, job) in Targets())
        {
            if (!ShouldProcess($"{job.Name} in {scheduler.StoreName}", action))
            {
                continue;
            }

            try
            {
                change(scheduler, job);
            }
            catch (KeyNotFoundException)
            {
                WriteError(scheduler.JobNotFound(job.Name));
            }
        }
    }
}
