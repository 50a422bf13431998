using System.Management.Automation;
using Scheduler.PowerShell.Arguments;
using Scheduler.Triggers;

namespace Scheduler.PowerShell.Commands;

/// <summary>
/// <c>Get-SchedulerFireTime</c>: previews the next fire times of a trigger (jitter not applied), in the
/// trigger's zone.
/// </summary>
/// <remarks>
/// With -Name it previews stored jobs (wildcards): their triggers as stored, anchored when the job was
/// registered, so an interval job lists the times it will really run.
/// </remarks>
[Cmdlet(VerbsCommon.Get, "SchedulerFireTime", DefaultParameterSetName = TriggerSet)]
[OutputType(typeof(FireTime))]
public sealed class GetSchedulerFireTimeCommand : SchedulerCmdlet
{
    private const string TriggerSet = "Trigger";
    private const string NameSet = "Name";
    private const int DefaultCount = 10;
    private const int MaxCount = 100_000;

    /// <summary>The trigger to preview, from New-SchedulerTrigger or a job's Trigger property.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = TriggerSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    public Trigger Trigger { get; set; } = null!;

    /// <summary>Stored jobs whose fire times to list (wildcards allowed).</summary>
    [Parameter(Mandatory = true, ParameterSetName = NameSet, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(JobNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Name { get; set; } = null!;

    /// <summary>The job store's file; default: the running scheduler's store, else the per-user store.</summary>
    [Parameter(ParameterSetName = NameSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? Store { get; set; }

    /// <summary>How many fire times to list.</summary>
    [Parameter]
    [ValidateRange(1, MaxCount)]
    public int Count { get; set; } = DefaultCount;

    /// <summary>List fire times at or after this date-time (default: now); without an offset it is read in the trigger's zone.</summary>
    [Parameter]
    [DateTimeTransformation]
    public DateTime? After { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        if (ParameterSetName == TriggerSet)
        {
            // No scheduler is involved, and none is opened just to read its clock: a bare trigger's fire
            // times count from the system's time, the one every session scheduler runs on.
            Preview(Trigger, jobName: null, DateTimeOffset.UtcNow);
            return;
        }

        var scheduler = SchedulerFor(Store);
        var jobs = scheduler.FindJobs(Name);
        var now = scheduler.Scheduler.Now;
        foreach (var job in jobs)
        {
            Preview(job.Trigger, job.Name, now);
        }

        foreach (var name in Name)
        {
            if (!WildcardPattern.ContainsWildcardCharacters(name) && !jobs.Any(job => string.Equals(job.Name, name, StringComparison.OrdinalIgnoreCase)))
            {
                WriteError(scheduler.JobNotFound(name));
            }
        }
    }

    private void Preview(Trigger trigger, string? jobName, DateTimeOffset now)
    {
        var zone = trigger.TimeZone;
        var from = After is { } after ? Instants.InZone(after, zone) : now;
        var number = 0;
        try
        {
            foreach (var fireTime in trigger.GetFireTimes(from, Count))
            {
                WriteObject(new FireTime(++number, fireTime, zone, jobName));
            }
        }
        catch (InvalidOperationException error)
        {
            // An all-trigger whose children never agree gives up after a bounded search instead of hanging.
            WriteError(new ErrorRecord(error, ErrorIds.TriggersNeverAgree, ErrorCategory.InvalidResult, trigger));
            return;
        }

        if (number == 0)
        {
            WriteWarning($"The trigger never fires at or after {TriggerText.FormatFireTime(from, zone)}.");
        }
    }
}
