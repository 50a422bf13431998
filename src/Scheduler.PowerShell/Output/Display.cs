using System.Globalization;
using Scheduler.Triggers;

namespace Scheduler.PowerShell;

/// <summary>
/// How the module's objects read in a table (Scheduler.format.ps1xml): times as ISO 8601 with their
/// offset, durations in ISO 8601, long texts cut to their first line.
/// </summary>
public static class Display
{
    /// <summary>An instant as ISO 8601 with its own offset (fractional seconds only when present), or nothing for no value.</summary>
    public static string? Time(DateTimeOffset? instant)
        => instant is { } value ? TriggerText.FormatDateTime(value) : null;

    /// <summary>
    /// An instant in a table of jobs or runs: ISO 8601 to the second with its own offset, always 25
    /// characters, so an 80-column console keeps the columns after it (a run time's seven decimals are
    /// noise there; Format-List and the object keep them).
    /// </summary>
    public static string? TableTime(DateTimeOffset? instant)
        => instant?.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    /// <summary>A duration in a table: ISO 8601 to the millisecond (<c>PT1.023S</c>), or nothing for no value.</summary>
    public static string? TableDuration(TimeSpan? duration)
        => duration is { } value ? TriggerText.FormatDuration(TimeSpan.FromTicks(value.Ticks - (value.Ticks % TimeSpan.TicksPerMillisecond))) : null;

    /// <summary>
    /// An event's time in its table: local ISO 8601 to the millisecond, always 23 characters, so a
    /// console's width keeps the time of day and leaves room for the job and the message. (Format-List
    /// and the object itself keep the full time with its offset.)
    /// </summary>
    public static string? EventTime(DateTimeOffset? instant)
        => instant?.ToLocalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff", CultureInfo.InvariantCulture);

    /// <summary>The first line of a text, marked with an ellipsis when more follows.</summary>
    public static string? FirstLine(string? text)
    {
        if (text is null)
        {
            return null;
        }

        var end = text.IndexOfAny(['\r', '\n']);
        return end < 0 ? text : text.Substring(0, end) + " …";
    }

    /// <summary>A count as text (tables right-align it).</summary>
    public static string Count(int count) => count.ToString(CultureInfo.InvariantCulture);
}
