using System.Globalization;

namespace Scheduler.Internal;

/// <summary>Durations in messages people read: <c>00:05:00.007</c>, not the seven decimals of a tick count.</summary>
internal static class TimeText
{
    /// <summary>[d.]hh:mm:ss, with milliseconds when there are any (rounded to the nearest).</summary>
    public static string Elapsed(TimeSpan value)
    {
        var sign = value < TimeSpan.Zero ? "-" : string.Empty;
        var rounded = TimeSpan.FromMilliseconds(Math.Round(Math.Abs(value.TotalMilliseconds)));
        var format = (rounded.Days > 0 ? @"d\." : string.Empty) + @"hh\:mm\:ss" + (rounded.Milliseconds > 0 ? @"\.fff" : string.Empty);
        return sign + rounded.ToString(format, CultureInfo.InvariantCulture);
    }
}
