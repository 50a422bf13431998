using System.Management.Automation;
using Scheduler.Jobs;
using Scheduler.PowerShell.Arguments;

namespace Scheduler.PowerShell.Commands;

/// <summary>
/// <c>Get-ScheduledJobExRun</c>: the run history of jobs (by name, wildcards), newest first per job:
/// scheduled and start time, outcome, output and error.
/// </summary>
[Cmdlet(VerbsCommon.Get, "ScheduledJobExRun")]
[OutputType(typeof(ScheduledJobRun))]
public sealed class GetScheduledJobExRunCommand : SchedulerCmdlet
{
    /// <summary>Job names; wildcards allowed. Default: every job.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(JobNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    /// <summary>Only the latest N runs of each job (after -Outcome).</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int Last { get; set; }

    /// <summary>Only runs with these outcomes.</summary>
    [Parameter]
    public JobRunOutcome[]? Outcome { get; set; }

    /// <summary>The job store's file; default: the running scheduler's store, else the per-user store.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? Store { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        var scheduler = SchedulerFor(Store);
        var jobs = scheduler.FindJobs(Name).Select(job => (job.Id, job.Name, Zone: job.Trigger.TimeZone)).ToList();

        // A job whose trigger has ended (a one-off job once it ran) is gone, its runs are not: PowerShell
        // gives jobs their name as id.
        var patterns = Name?.Select(name => WildcardPattern.Get(name, WildcardOptions.IgnoreCase)).ToList();
        foreach (var id in scheduler.Scheduler.GetEndedJobIds())
        {
            if (patterns is null || patterns.Any(pattern => pattern.IsMatch(id)))
            {
                jobs.Add((id, id, TimeZoneInfo.Local));
            }
        }

        foreach (var name in Name ?? [])
        {
            if (WildcardPattern.ContainsWildcardCharacters(name) || jobs.Any(job => string.Equals(job.Name, name, StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }

            if (scheduler.Scheduler.GetJobRuns(name, 1).Count > 0)
            {
                jobs.Add((name, name, TimeZoneInfo.Local));
            }
            else
            {
                WriteError(scheduler.JobNotFound(name));
            }
        }

        foreach (var (id, name, zone) in jobs)
        {
            IEnumerable<JobRun> runs = scheduler.Scheduler.GetJobRuns(id, int.MaxValue);
            if (Outcome is { Length: > 0 } outcomes)
            {
                runs = runs.Where(run => outcomes.Contains(run.Outcome));
            }

            if (MyInvocation.BoundParameters.ContainsKey(nameof(Last)))
            {
                runs = runs.Take(Last);
            }

            foreach (var run in runs)
            {
                WriteObject(new ScheduledJobRun(run, name, zone, scheduler.StoreName));
            }
        }
    }
}
