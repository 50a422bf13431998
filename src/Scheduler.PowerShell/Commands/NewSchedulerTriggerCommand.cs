using System.Management.Automation;
using Scheduler.Internal;
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
public sealed class NewSchedulerTriggerCommand : PSCmdlet
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

    protected override void ProcessRecord()
    {
        var zone = TimeZone ?? TimeZoneInfo.Local;
        try
        {
            if (Build(zone) is { } trigger)
            {
                WriteObject(trigger);
            }
        }
        catch (ArgumentException error)
        {
            // Limits the parsers cannot see, such as a period longer than the calendar.
            WriteError(Errors.InvalidArgument(ErrorIds.InvalidTrigger, ExceptionText.FirstLine(error), ParameterSetName, error));
        }
    }

    private Trigger? Build(TimeZoneInfo zone)
    {
        if (Jitter is { } jitter && jitter < TimeSpan.Zero)
        {
            return Fail(ErrorIds.InvalidDuration, $"The jitter '{TriggerText.FormatDuration(jitter)}' must not be negative.", jitter);
        }

        DateTimeOffset? start = StartDate is { } startDate ? Instants.InZone(startDate, zone) : null;
        DateTimeOffset? end = EndDate is { } endDate ? Instants.InZone(endDate, zone) : null;
        if (start is { } s && end is { } e && e < s)
        {
            return Fail(
                ErrorIds.InvalidTrigger,
                $"The end date '{TriggerText.FormatFireTime(e, zone)}' is before the start date '{TriggerText.FormatFireTime(s, zone)}'.",
                EndDate);
        }

        switch (ParameterSetName)
        {
            case CronSet:
                try
                {
                    return TriggerText.ParseCron(Cron, zone, start, end, Jitter);
                }
                catch (FormatException error)
                {
                    return Fail(ErrorIds.InvalidCronExpression, error.Message, Cron, error);
                }

            case IntervalSet:
                return Interval > TimeSpan.Zero
                    ? new IntervalTrigger(Interval, start, end, zone, Jitter)
                    : Fail(ErrorIds.InvalidDuration, $"The interval must be positive, not '{TriggerText.FormatDuration(Interval)}'.", Interval);

            case AtSet:
                return new DateTrigger(Instants.InZone(At, zone), zone, Jitter);

            case CalendarIntervalSet:
                return BuildCalendarInterval(zone, start, end);

            case AllSet:
                return new AllTrigger(All, start, end, zone, Jitter);

            case AnySet:
                return new AnyTrigger(Any, start, end, zone, Jitter);

            default:
                throw new InvalidOperationException($"Unknown parameter set '{ParameterSetName}'.");
        }
    }

    private Trigger? BuildCalendarInterval(TimeZoneInfo zone, DateTimeOffset? start, DateTimeOffset? end)
    {
        CalendarPeriod period;
        try
        {
            period = TriggerText.ParsePeriod(CalendarInterval);
        }
        catch (FormatException error)
        {
            return Fail(ErrorIds.InvalidPeriod, error.Message, CalendarInterval, error);
        }

        if (period.IsZero)
        {
            return Fail(ErrorIds.InvalidPeriod, $"The period '{CalendarInterval}' must be positive.", CalendarInterval);
        }

        if (TimeOfDay is { } timeOfDay && (timeOfDay < TimeSpan.Zero || timeOfDay >= TimeSpan.FromDays(1)))
        {
            return Fail(ErrorIds.InvalidTimeOfDay, $"The time of day must lie between 00:00 and 23:59:59, not '{timeOfDay}'.", timeOfDay);
        }

        return new CalendarIntervalTrigger(period, TimeOfDay, start, end, zone, Jitter);
    }

    private Trigger? Fail(string errorId, string message, object? target, Exception? cause = null)
    {
        WriteError(Errors.InvalidArgument(errorId, message, target, cause));
        return null;
    }
}
