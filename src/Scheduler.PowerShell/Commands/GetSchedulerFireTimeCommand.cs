using System.Management.Automation;
using Scheduler.PowerShell.Arguments;
using Scheduler.Triggers;

namespace Scheduler.PowerShell.Commands;

/// <summary>
/// <c>Get-SchedulerFireTime</c>: previews the next fire times of a trigger (jitter not applied), in the
/// trigger's zone.
/// </summary>
/// <remarks>
/// The fire times of a stored job (a -Name parameter set reading the job store) join this cmdlet when
/// the store exists; the preview itself stays the same.
/// </remarks>
[Cmdlet(VerbsCommon.Get, "SchedulerFireTime", DefaultParameterSetName = TriggerSet)]
[OutputType(typeof(FireTime))]
public sealed class GetSchedulerFireTimeCommand : PSCmdlet
{
    private const string TriggerSet = "Trigger";
    private const int DefaultCount = 10;
    private const int MaxCount = 100_000;

    /// <summary>The trigger to preview, from New-SchedulerTrigger or a job's Trigger property.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = TriggerSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    public Trigger Trigger { get; set; } = null!;

    /// <summary>How many fire times to list.</summary>
    [Parameter]
    [ValidateRange(1, MaxCount)]
    public int Count { get; set; } = DefaultCount;

    /// <summary>List fire times at or after this date-time (default: now); without an offset it is read in the trigger's zone.</summary>
    [Parameter]
    [DateTimeTransformation]
    public DateTime? After { get; set; }

    protected override void ProcessRecord()
    {
        var zone = Trigger.TimeZone;
        var from = After is { } after ? Instants.InZone(after, zone) : TimeProvider.System.GetUtcNow();
        var number = 0;
        try
        {
            foreach (var fireTime in Trigger.GetFireTimes(from, Count))
            {
                WriteObject(new FireTime(++number, fireTime, zone));
            }
        }
        catch (InvalidOperationException error)
        {
            // An all-trigger whose children never agree gives up after a bounded search instead of hanging.
            WriteError(new ErrorRecord(error, ErrorIds.TriggersNeverAgree, ErrorCategory.InvalidResult, Trigger));
            return;
        }

        if (number == 0)
        {
            WriteWarning($"The trigger never fires at or after {TriggerText.FormatFireTime(from, zone)}.");
        }
    }
}
