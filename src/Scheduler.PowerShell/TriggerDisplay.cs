using System.Globalization;
using Scheduler.Triggers;

namespace Scheduler.PowerShell;

/// <summary>
/// How triggers read in a table (Scheduler.format.ps1xml): one short text per kind, in the same forms
/// the JSON format and schedhost use.
/// </summary>
public static class TriggerDisplay
{
    /// <summary>The kind as the JSON format names it: <c>cron</c>, <c>interval</c>, <c>calendarInterval</c>, <c>date</c>, <c>all</c>, <c>any</c>.</summary>
    public static string Kind(Trigger trigger) => trigger switch
    {
        CronTrigger => "cron",
        IntervalTrigger => "interval",
        CalendarIntervalTrigger => "calendarInterval",
        DateTrigger => "date",
        AllTrigger => "all",
        AnyTrigger => "any",
        null => throw new ArgumentNullException(nameof(trigger)),
        _ => trigger.GetType().Name,
    };

    /// <summary>
    /// The rule in one line: <c>0 9 * * MON-FRI</c>, <c>every PT1H30M</c>, <c>every P1M at 09:00:00</c>,
    /// <c>at 2024-07-01T10:00:00+02:00</c>, <c>all of 2 triggers</c>.
    /// </summary>
    public static string Schedule(Trigger trigger) => trigger switch
    {
        CronTrigger cron => cron.Expression,
        IntervalTrigger interval => "every " + TriggerText.FormatDuration(interval.Every),
        CalendarIntervalTrigger calendar => "every " + TriggerText.FormatPeriod(calendar.Period)
            + (calendar.TimeOfDay is { } timeOfDay ? " at " + TriggerText.FormatTimeOfDay(timeOfDay) : string.Empty),
        DateTrigger date => "at " + TriggerText.FormatFireTime(date.At, date.TimeZone),
        AllTrigger all => Count("all", all.Triggers.Count),
        AnyTrigger any => Count("any", any.Triggers.Count),
        null => throw new ArgumentNullException(nameof(trigger)),
        _ => trigger.ToString() ?? string.Empty,
    };

    /// <summary>The zone id (IANA where one exists).</summary>
    public static string TimeZone(Trigger trigger)
        => TimeZones.PortableId((trigger ?? throw new ArgumentNullException(nameof(trigger))).TimeZone);

    /// <summary>An instant in the trigger's zone as ISO 8601, or nothing for no value.</summary>
    public static string? Instant(Trigger trigger, DateTimeOffset? instant)
        => instant is { } value ? TriggerText.FormatFireTime(value, (trigger ?? throw new ArgumentNullException(nameof(trigger))).TimeZone) : null;

    /// <summary>A duration as ISO 8601 (<c>PT30S</c>), or nothing for no value.</summary>
    public static string? Duration(TimeSpan? duration)
        => duration is { } value ? TriggerText.FormatDuration(value) : null;

    private static string Count(string kind, int count)
        => string.Format(CultureInfo.InvariantCulture, "{0} of {1} trigger{2}", kind, count, count == 1 ? string.Empty : "s");
}
