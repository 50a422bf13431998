using System.Management.Automation;
using Scheduler.PowerShell.Arguments;

namespace Scheduler.PowerShell.Commands;

/// <summary><c>Get-ScheduledJobEx</c>: the jobs of a store, all or by name (wildcards), ordered by next run time.</summary>
[Cmdlet(VerbsCommon.Get, "ScheduledJobEx")]
[OutputType(typeof(ScheduledJob))]
public sealed class GetScheduledJobExCommand : SchedulerCmdlet
{
    /// <summary>Job names; wildcards allowed. Default: every job.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(JobNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    /// <summary>The job store's file; default: the running scheduler's store, else the per-user store.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? Store { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        var scheduler = SchedulerFor(Store);
        var jobs = scheduler.FindJobs(Name);
        foreach (var job in jobs)
        {
            WriteObject(new ScheduledJob(job, scheduler.StoreName));
        }

        // A name without wildcards names one job: its absence is an error, as with Get-Process -Name.
        foreach (var name in Name ?? [])
        {
            if (!WildcardPattern.ContainsWildcardCharacters(name) && !jobs.Any(job => string.Equals(job.Name, name, StringComparison.OrdinalIgnoreCase)))
            {
                WriteError(scheduler.JobNotFound(name));
            }
        }
    }
}
