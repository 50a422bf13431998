using System.Management.Automation;
using Scheduler.Internal;
using Scheduler.Triggers;

namespace Scheduler.PowerShell.Arguments;

/// <summary>The kinds of trigger the cmdlets build from parameters.</summary>
internal enum TriggerKind
{
    Cron,
    Interval,
    At,
    CalendarInterval,
    All,
    Any,
}

/// <summary>The trigger parameters a cmdlet declares (each with its own binding attributes).</summary>
internal interface ITriggerParameters
{
    string? Cron { get; }

    TimeSpan Interval { get; }

    DateTime At { get; }

    string? CalendarInterval { get; }

    TimeSpan? TimeOfDay { get; }

    TimeZoneInfo? TimeZone { get; }

    DateTime? StartDate { get; }

    DateTime? EndDate { get; }

    TimeSpan? Jitter { get; }
}

/// <summary>
/// A trigger as cmdlet parameters describe it (New-SchedulerTrigger, Register- and Set-ScheduledJobEx):
/// one rule, plus the zone, start, end and jitter. The one place that turns those parameters into a
/// trigger, with the same error ids everywhere.
/// </summary>
internal sealed class TriggerSpec
{
    public string? Cron { get; set; }

    public TimeSpan Interval { get; set; }

    public DateTime At { get; set; }

    public string? CalendarInterval { get; set; }

    public TimeSpan? TimeOfDay { get; set; }

    public Trigger[]? All { get; set; }

    public Trigger[]? Any { get; set; }

    public TimeZoneInfo? TimeZone { get; set; }

    public DateTime? StartDate { get; set; }

    public DateTime? EndDate { get; set; }

    public TimeSpan? Jitter { get; set; }

    /// <summary>The spec of a cmdlet's trigger parameters.</summary>
    public static TriggerSpec From(ITriggerParameters parameters) => new()
    {
        Cron = parameters.Cron,
        Interval = parameters.Interval,
        At = parameters.At,
        CalendarInterval = parameters.CalendarInterval,
        TimeOfDay = parameters.TimeOfDay,
        TimeZone = parameters.TimeZone,
        StartDate = parameters.StartDate,
        EndDate = parameters.EndDate,
        Jitter = parameters.Jitter,
    };

    /// <summary>The trigger, or null with <paramref name="error"/> saying why (an error record with a stable id).</summary>
    public Trigger? Build(TriggerKind kind, out ErrorRecord? error)
    {
        error = null;
        var zone = TimeZone ?? TimeZoneInfo.Local;
        try
        {
            return Build(kind, zone, ref error);
        }
        catch (ArgumentException failure)
        {
            // Limits the parsers cannot see, such as a period longer than the calendar.
            error = Errors.InvalidArgument(ErrorIds.InvalidTrigger, ExceptionText.FirstLine(failure), kind.ToString(), failure);
            return null;
        }
    }

    private Trigger? Build(TriggerKind kind, TimeZoneInfo zone, ref ErrorRecord? error)
    {
        if (Jitter is { } jitter && jitter < TimeSpan.Zero)
        {
            return Fail(ref error, ErrorIds.InvalidDuration, $"The jitter '{TriggerText.FormatDuration(jitter)}' must not be negative.", jitter);
        }

        DateTimeOffset? start = StartDate is { } startDate ? Instants.InZone(startDate, zone) : null;
        DateTimeOffset? end = EndDate is { } endDate ? Instants.InZone(endDate, zone) : null;
        if (start is { } s && end is { } e && e < s)
        {
            return Fail(
                ref error,
                ErrorIds.InvalidTrigger,
                $"The end date '{TriggerText.FormatFireTime(e, zone)}' is before the start date '{TriggerText.FormatFireTime(s, zone)}'.",
                EndDate);
        }

        switch (kind)
        {
            case TriggerKind.Cron:
                try
                {
                    return TriggerText.ParseCron(Cron!, zone, start, end, Jitter);
                }
                catch (FormatException failure)
                {
                    return Fail(ref error, ErrorIds.InvalidCronExpression, failure.Message, Cron, failure);
                }

            case TriggerKind.Interval:
                return Interval > TimeSpan.Zero
                    ? new IntervalTrigger(Interval, start, end, zone, Jitter)
                    : Fail(ref error, ErrorIds.InvalidDuration, $"The interval must be positive, not '{TriggerText.FormatDuration(Interval)}'.", Interval);

            case TriggerKind.At:
                return new DateTrigger(Instants.InZone(At, zone), zone, Jitter);

            case TriggerKind.CalendarInterval:
                return BuildCalendarInterval(zone, start, end, ref error);

            case TriggerKind.All:
                return new AllTrigger(All!, start, end, zone, Jitter);

            case TriggerKind.Any:
                return new AnyTrigger(Any!, start, end, zone, Jitter);

            default:
                throw new InvalidOperationException($"Unknown trigger kind '{kind}'.");
        }
    }

    private Trigger? BuildCalendarInterval(TimeZoneInfo zone, DateTimeOffset? start, DateTimeOffset? end, ref ErrorRecord? error)
    {
        CalendarPeriod period;
        try
        {
            period = TriggerText.ParsePeriod(CalendarInterval!);
        }
        catch (FormatException failure)
        {
            return Fail(ref error, ErrorIds.InvalidPeriod, failure.Message, CalendarInterval, failure);
        }

        if (period.IsZero)
        {
            return Fail(ref error, ErrorIds.InvalidPeriod, $"The period '{CalendarInterval}' must be positive.", CalendarInterval);
        }

        if (TimeOfDay is { } timeOfDay && (timeOfDay < TimeSpan.Zero || timeOfDay >= TimeSpan.FromDays(1)))
        {
            return Fail(ref error, ErrorIds.InvalidTimeOfDay, $"The time of day must lie between 00:00 and 23:59:59, not '{timeOfDay}'.", timeOfDay);
        }

        return new CalendarIntervalTrigger(period, TimeOfDay, start, end, zone, Jitter);
    }

    private static Trigger? Fail(ref ErrorRecord? error, string errorId, string message, object? target, Exception? cause = null)
    {
        error = Errors.InvalidArgument(errorId, message, target, cause);
        return null;
    }
}
