using System.Management.Automation;
using System.Text.RegularExpressions;
using Scheduler.Triggers;

namespace Scheduler.PowerShell.Arguments;

/// <summary>
/// Turns a date-time argument into a <see cref="DateTime"/> whose <see cref="DateTime.Kind"/> says how to
/// read it (see <see cref="Instants.InZone"/>): text in ISO 8601 without an offset
/// (<c>2024-05-01</c>, <c>2024-05-01 09:30</c>) becomes an <see cref="DateTimeKind.Unspecified"/> wall-clock
/// time, read later in the trigger's zone; text with an offset or <c>Z</c>, and a
/// <see cref="DateTimeOffset"/>, become the <see cref="DateTimeKind.Utc"/> instant. A DateTime object
/// (<c>Get-Date</c>) keeps its kind.
/// </summary>
/// <remarks>
/// PowerShell's own conversion would read text without an offset in the machine's zone and shift text
/// with an offset into it, losing the difference that matters for a trigger with its own zone.
/// </remarks>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
internal sealed class DateTimeTransformationAttribute : ArgumentTransformationAttribute
{
    // The grammar of TriggerText.ParseDateTime allows an offset only after a time of day.
    private static readonly Regex HasOffset = new(@"[T ]\d{2}:\d{2}.*(Z|[+-]\d{2}:?\d{2})$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, TimeSpan.FromSeconds(1));

    public override object? Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        var value = ArgumentValues.Unwrap(inputData);
        switch (value)
        {
            case DateTimeOffset instant:
                return instant.UtcDateTime;
            case string text:
                try
                {
                    var parsed = TriggerText.ParseDateTime(text, TimeZoneInfo.Utc);
                    return HasOffset.IsMatch(text.Trim())
                        ? parsed.UtcDateTime
                        : DateTime.SpecifyKind(parsed.DateTime, DateTimeKind.Unspecified);
                }
                catch (FormatException error)
                {
                    throw new ArgumentValueException(ErrorIds.InvalidDateTime, error.Message, text, error);
                }

            default:
                return value;
        }
    }
}

/// <summary>Reads date-time arguments as instants.</summary>
internal static class Instants
{
    /// <summary>
    /// The instant a date-time argument stands for: a wall-clock time (<see cref="DateTimeKind.Unspecified"/>)
    /// is read in <paramref name="zone"/> under the DST rules of the triggers (a time in a spring-forward gap
    /// is the first instant after it, one in a fall-back overlap its first pass); a UTC or local time is
    /// already an instant.
    /// </summary>
    public static DateTimeOffset InZone(DateTime value, TimeZoneInfo zone)
        => value.Kind == DateTimeKind.Unspecified ? TimeZones.ToInstant(value, zone) : new DateTimeOffset(value);
}
