using System.Management.Automation;
using Scheduler.PowerShell.Arguments;
using Scheduler.Triggers;

namespace Scheduler.PowerShell.Commands;

/// <summary>
/// <c>New-SchedulerTrigger</c>: builds a trigger of one kind per parameter set. The trigger only exists in
/// memory until a job is registered with it, so the cmdlet changes nothing and has no -WhatIf.
/// </summary>
/// <remarks>
/// There is deliberately no default parameter set: with one, PowerShell commits to it before binding
/// pipeline input by property name, and rows of another kind (<c>Interval</c>, <c>At</c>) would fail.
/// </remarks>
[Cmdlet(VerbsCommon.New, "SchedulerTrigger")]
[OutputType(typeof(Trigger))]
public sealed class NewSchedulerTriggerCommand : PSCmdlet, ITriggerParameters
{
    private const string CronSet = "Cron";
    private const string IntervalSet = "Interval";
    private const string AtSet = "At";
    private const string CalendarIntervalSet = "CalendarInterval";
    private const string AllSet = "All";
    private const string AnySet = "Any";

    /// <summary>A cron expression (5, 6 or 7 fields, macros such as @daily) evaluated in the time zone.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = CronSet, ValueFromPipelineByPropertyName = true)]
    public string Cron { get; set; } = null!;

    /// <summary>A fixed elapsed interval: a TimeSpan or text such as 90s, 5m, 1h30m, PT1H.</summary>
    [Parameter(Mandatory = true, ParameterSetName = IntervalSet, ValueFromPipelineByPropertyName = true)]
    [DurationTransformation]
    public TimeSpan Interval { get; set; }

    /// <summary>The one date-time a date trigger fires at.</summary>
    [Parameter(Mandatory = true, ParameterSetName = AtSet, ValueFromPipelineByPropertyName = true)]
    [DateTimeTransformation]
    public DateTime At { get; set; }

    /// <summary>An ISO 8601 period of years, months, weeks and days: P1D, P2W, P1M, P1Y6M.</summary>
    [Parameter(Mandatory = true, ParameterSetName = CalendarIntervalSet, ValueFromPipelineByPropertyName = true)]
    public string CalendarInterval { get; set; } = null!;

    /// <summary>The wall-clock time of day of a calendar interval; default: the time of the start.</summary>
    [Parameter(ParameterSetName = CalendarIntervalSet, ValueFromPipelineByPropertyName = true)]
    [TimeOfDayTransformation]
    public TimeSpan? TimeOfDay { get; set; }

    /// <summary>Triggers that must all fire at the same instant.</summary>
    [Parameter(Mandatory = true, ParameterSetName = AllSet)]
    public Trigger[] All { get; set; } = null!;

    /// <summary>Triggers whose fire times are merged.</summary>
    [Parameter(Mandatory = true, ParameterSetName = AnySet)]
    public Trigger[] Any { get; set; } = null!;

    /// <summary>IANA or Windows zone id, or a TimeZoneInfo; default: the machine's local zone.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [TimeZoneTransformation]
    [ArgumentCompleter(typeof(TimeZoneCompleter))]
    public TimeZoneInfo? TimeZone { get; set; }

    /// <summary>No fire before this date-time; anchors intervals and calendar intervals.</summary>
    [Parameter(ParameterSetName = CronSet, ValueFromPipelineByPropertyName = true)]
    [Parameter(ParameterSetName = IntervalSet, ValueFromPipelineByPropertyName = true)]
    [Parameter(ParameterSetName = CalendarIntervalSet, ValueFromPipelineByPropertyName = true)]
    [Parameter(ParameterSetName = AllSet, ValueFromPipelineByPropertyName = true)]
    [Parameter(ParameterSetName = AnySet, ValueFromPipelineByPropertyName = true)]
    [DateTimeTransformation]
    public DateTime? StartDate { get; set; }

    /// <summary>No fire after this date-time (inclusive).</summary>
    [Parameter(ParameterSetName = CronSet, ValueFromPipelineByPropertyName = true)]
    [Parameter(ParameterSetName = IntervalSet, ValueFromPipelineByPropertyName = true)]
    [Parameter(ParameterSetName = CalendarIntervalSet, ValueFromPipelineByPropertyName = true)]
    [Parameter(ParameterSetName = AllSet, ValueFromPipelineByPropertyName = true)]
    [Parameter(ParameterSetName = AnySet, ValueFromPipelineByPropertyName = true)]
    [DateTimeTransformation]
    public DateTime? EndDate { get; set; }

    /// <summary>A random delay in [0, Jitter] added to each run.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [DurationTransformation]
    public TimeSpan? Jitter { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        var spec = TriggerSpec.From(this);
        spec.All = All;
        spec.Any = Any;
        var kind = (TriggerKind)Enum.Parse(typeof(TriggerKind), ParameterSetName);
        if (spec.Build(kind, out var error) is { } trigger)
        {
            WriteObject(trigger);
        }
        else
        {
            WriteError(error!);
        }
    }
}
