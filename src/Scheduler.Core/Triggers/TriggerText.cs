using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Scheduler.Triggers;

/// <summary>
/// The text forms of durations, periods, date-times, times of day and cron expressions: what the
/// trigger JSON format, the cmdlets and every schedhost verb accept and print, so a value written by one
/// is read by the others. Parse errors are <see cref="FormatException"/>s whose message quotes the
/// offending text and says which forms are accepted, fit to show to a user.
/// </summary>
/// <remarks>
/// Every form is culture-invariant. Durations and periods are written in ISO 8601 (<c>PT1H30M</c>,
/// <c>P1M</c>), date-times in ISO 8601 with their offset (<c>2024-03-31T03:00:00+02:00</c>).
/// </remarks>
public static class TriggerText
{
    private const RegexOptions Options = RegexOptions.CultureInvariant | RegexOptions.IgnoreCase | RegexOptions.ExplicitCapture;

    private static readonly TimeSpan MatchTimeout = TimeSpan.FromSeconds(1);

    // 90s, 1h30m, 500ms, 1.5h: each unit at most once, largest first.
    private static readonly Regex UnitDuration = new(@"^(?<sign>-)?(?:(?<number>\d+(?:[.,]\d+)?)(?<unit>ms|w|d|h|m|s))+$", Options, MatchTimeout);

    private static readonly Regex IsoDuration = new(
        @"^(?<sign>-)?P(?:(?<Y>\d+(?:[.,]\d+)?)Y)?(?:(?<M>\d+(?:[.,]\d+)?)M)?(?:(?<W>\d+(?:[.,]\d+)?)W)?(?:(?<D>\d+(?:[.,]\d+)?)D)?" +
        @"(?:(?<T>T)(?:(?<h>\d+(?:[.,]\d+)?)H)?(?:(?<m>\d+(?:[.,]\d+)?)M)?(?:(?<s>\d+(?:[.,]\d+)?)S)?)?$",
        Options,
        MatchTimeout);

    private static readonly Regex ClockDuration = new(@"^(?<sign>-)?(?:(?<d>\d+)\.)?(?<h>\d{1,2}):(?<m>\d{2}):(?<s>\d{2})(?:[.,](?<f>\d{1,7}))?$", Options, MatchTimeout);

    private static readonly Regex IsoPeriod = new(@"^P(?:(?<Y>\d+)Y)?(?:(?<M>\d+)M)?(?:(?<W>\d+)W)?(?:(?<D>\d+)D)?(?<T>T.*)?$", Options, MatchTimeout);

    private static readonly Regex DateTimeText = new(
        @"^(?<y>\d{4})-(?<mo>\d{2})-(?<d>\d{2})" +
        @"(?:[T ](?<h>\d{2}):(?<mi>\d{2})(?::(?<s>\d{2})(?:[.,](?<f>\d{1,7}))?)?" +
        @"(?:(?<z>Z)|(?<offsign>[+-])(?<offh>\d{2}):?(?<offm>\d{2}))?)?$",
        Options,
        MatchTimeout);

    private static readonly Regex TimeOfDayText = new(@"^(?<h>\d{1,2}):(?<m>\d{2})(?::(?<s>\d{2})(?:[.,](?<f>\d{1,7}))?)?$", Options, MatchTimeout);

    private const string DurationForms = "use a number with a unit (500ms, 90s, 5m, 1h30m, 2d, 1w), ISO 8601 (PT1H30M, P1D, PT0.5S) or [d.]hh:mm:ss";

    /// <summary>
    /// Parses a duration: units (<c>500ms</c>, <c>90s</c>, <c>5m</c>, <c>1h30m</c>, <c>2d</c>, <c>1w</c>),
    /// ISO 8601 (<c>PT1H30M</c>, <c>P1D</c>, <c>PT0.5S</c>) or <c>[d.]hh:mm:ss[.fffffff]</c>. A leading
    /// minus makes it negative.
    /// </summary>
    /// <param name="text">The text; surrounding white space is ignored.</param>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    /// <exception cref="FormatException">The text is none of the forms, or the duration is too large for a <see cref="TimeSpan"/>.</exception>
    public static TimeSpan ParseDuration(string text)
    {
        if (text is null)
        {
            throw new ArgumentNullException(nameof(text));
        }

        var trimmed = text.Trim();
        var ticks = ParseUnitDuration(trimmed, text) ?? ParseIsoDuration(trimmed, text) ?? ParseClockDuration(trimmed, text)
            ?? throw new FormatException($"'{text}' is not a duration: {DurationForms}.");
        return TimeSpan.FromTicks(ticks);
    }

    /// <summary>Parses a duration that must be greater than zero (an interval, a timeout); the forms of <see cref="ParseDuration"/>.</summary>
    /// <param name="text">The text; surrounding white space is ignored.</param>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    /// <exception cref="FormatException">The text is not a duration, or the duration is zero or negative.</exception>
    public static TimeSpan ParsePositiveDuration(string text)
    {
        var duration = ParseDuration(text);
        if (duration <= TimeSpan.Zero)
        {
            throw new FormatException($"The duration '{text}' must be positive.");
        }

        return duration;
    }

    /// <summary>Parses an ISO 8601 period of whole years, months, weeks and days: <c>P1M</c>, <c>P1Y6M</c>, <c>P2W</c>, <c>P3D</c>.</summary>
    /// <param name="text">The text; surrounding white space is ignored.</param>
    /// <returns>The period; <c>P0D</c> reads as the empty period, which a calendar interval refuses (see <see cref="CalendarPeriod.IsZero"/>).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    /// <exception cref="FormatException">The text is not such a period, has a time part, or a number is too large.</exception>
    public static CalendarPeriod ParsePeriod(string text)
    {
        if (text is null)
        {
            throw new ArgumentNullException(nameof(text));
        }

        var match = IsoPeriod.Match(text.Trim());
        if (!match.Success || !(match.Groups["Y"].Success || match.Groups["M"].Success || match.Groups["W"].Success || match.Groups["D"].Success || match.Groups["T"].Success))
        {
            throw new FormatException($"'{text}' is not a period: use ISO 8601 years, months, weeks and days such as P1M, P1Y6M, P2W or P3D.");
        }

        if (match.Groups["T"].Success)
        {
            throw new FormatException($"The period '{text}' has a time part: a calendar period counts whole years, months, weeks and days; give the time of day separately.");
        }

        return new CalendarPeriod(Component("Y"), Component("M"), Component("W"), Component("D"));

        int Component(string name)
        {
            var group = match.Groups[name];
            if (!group.Success)
            {
                return 0;
            }

            return int.TryParse(group.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
                ? value
                : throw new FormatException($"The period '{text}' is too large.");
        }
    }

    /// <summary>
    /// Parses <c>yyyy-MM-dd[THH:mm[:ss[.fffffff]]][Z|±HH:MM]</c> (a space may replace the T). Without an
    /// offset the wall-clock time is read in <paramref name="zone"/> under the DST rules of the triggers
    /// (<see cref="TimeZones.ToInstant"/>); a date alone is midnight in the zone.
    /// </summary>
    /// <param name="text">The text; surrounding white space is ignored.</param>
    /// <param name="zone">The zone of a date-time written without an offset.</param>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> or <paramref name="zone"/> is null.</exception>
    /// <exception cref="FormatException">The text is not such a date-time, a field or the offset is out of range, or the instant is outside the range of <see cref="DateTimeOffset"/>.</exception>
    public static DateTimeOffset ParseDateTime(string text, TimeZoneInfo zone)
    {
        if (zone is null)
        {
            throw new ArgumentNullException(nameof(zone));
        }

        var wall = ParseWall(text, out var match);
        int Number(string name) => match.Groups[name].Success ? int.Parse(match.Groups[name].Value, NumberStyles.None, CultureInfo.InvariantCulture) : 0;
        if (match.Groups["z"].Success)
        {
            return new DateTimeOffset(wall, TimeSpan.Zero);
        }

        if (match.Groups["offsign"].Success)
        {
            var offset = new TimeSpan(Number("offh"), Number("offm"), 0);
            if (match.Groups["offsign"].Value == "-")
            {
                offset = offset.Negate();
            }

            if (Number("offm") > 59 || offset.Duration() > TimeSpan.FromHours(14))
            {
                throw new FormatException($"'{text}' has an invalid UTC offset: offsets range from -14:00 to +14:00.");
            }

            return ToInstant(wall, offset, text);
        }

        try
        {
            return WallClock.FirstInstant(wall, zone);
        }
        catch (ArgumentOutOfRangeException)
        {
            throw new FormatException($"'{text}' is outside the supported range of date-times.");
        }
    }

    /// <summary>
    /// The time of day a calendar interval without one keeps when its start is <paramref name="startText"/>:
    /// null (the start's own wall-clock time) unless the start is written without an offset at a time the
    /// clocks skipped. Such a start stands for the first instant after the gap ('2017-03-31' in
    /// Asia/Amman, whose clocks jumped from 00:00 to 01:00, is 01:00 +03:00), but the time of day it names
    /// is the one written: daily from that start runs at midnight, not at 01:00.
    /// </summary>
    /// <param name="startText">The start as written, in a form of <see cref="ParseDateTime"/>.</param>
    /// <param name="zone">The trigger's zone.</param>
    /// <exception cref="ArgumentNullException"><paramref name="startText"/> or <paramref name="zone"/> is null.</exception>
    /// <exception cref="FormatException"><paramref name="startText"/> is not a date-time (see <see cref="ParseDateTime"/>).</exception>
    public static TimeSpan? WrittenTimeOfDayInGap(string startText, TimeZoneInfo zone)
    {
        if (zone is null)
        {
            throw new ArgumentNullException(nameof(zone));
        }

        var written = ParseWall(startText, out var match);
        if (match.Groups["z"].Success || match.Groups["offsign"].Success)
        {
            return null;
        }

        var instant = ParseDateTime(startText, zone);
        return WallClock.ToWall(instant, zone) == written ? null : written.TimeOfDay;
    }

    /// <summary>The wall-clock time a date-time text writes, before any offset or zone is applied.</summary>
    private static DateTime ParseWall(string text, out Match match)
    {
        if (text is null)
        {
            throw new ArgumentNullException(nameof(text));
        }

        var found = DateTimeText.Match(text.Trim());
        if (!found.Success)
        {
            throw new FormatException($"'{text}' is not a date-time: use ISO 8601 such as 2024-05-01, 2024-05-01T09:30 or 2024-05-01T09:30:00+02:00.");
        }

        match = found;
        int Number(string name) => found.Groups[name].Success ? int.Parse(found.Groups[name].Value, NumberStyles.None, CultureInfo.InvariantCulture) : 0;

        int year = Number("y"), month = Number("mo"), day = Number("d"), hour = Number("h"), minute = Number("mi"), second = Number("s");
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
        {
            throw new FormatException($"'{text}' is not a valid date-time: a field is out of range.");
        }

        return new DateTime(year, month, day, hour, minute, second, DateTimeKind.Unspecified).AddTicks(FractionTicks(found.Groups["f"]));
    }

    /// <summary>Parses a wall-clock time of day <c>HH:mm[:ss[.fffffff]]</c> in [00:00, 24:00).</summary>
    /// <param name="text">The text; surrounding white space is ignored.</param>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    /// <exception cref="FormatException">The text is not a time of day, or lies outside [00:00, 24:00).</exception>
    public static TimeSpan ParseTimeOfDay(string text)
    {
        if (text is null)
        {
            throw new ArgumentNullException(nameof(text));
        }

        var match = TimeOfDayText.Match(text.Trim());
        if (!match.Success)
        {
            throw new FormatException($"'{text}' is not a time of day: use HH:mm or HH:mm:ss such as 09:00 or 17:30:00.");
        }

        var hour = int.Parse(match.Groups["h"].Value, NumberStyles.None, CultureInfo.InvariantCulture);
        var minute = int.Parse(match.Groups["m"].Value, NumberStyles.None, CultureInfo.InvariantCulture);
        var second = match.Groups["s"].Success ? int.Parse(match.Groups["s"].Value, NumberStyles.None, CultureInfo.InvariantCulture) : 0;
        if (hour > 23 || minute > 59 || second > 59)
        {
            throw new FormatException($"'{text}' is not a time of day: it must lie between 00:00 and 23:59:59.");
        }

        return new TimeSpan(hour, minute, second) + TimeSpan.FromTicks(FractionTicks(match.Groups["f"]));
    }

    /// <summary>
    /// Builds a cron trigger from user or stored text (the dialect of <see cref="CronTrigger"/>); any
    /// rejection becomes a <see cref="FormatException"/> that quotes the expression. Check start, end and
    /// jitter first (as <see cref="CronTrigger"/>'s constructor would), so that every failure here is
    /// about the expression.
    /// </summary>
    /// <param name="expression">The cron expression.</param>
    /// <param name="zone">The zone the expression is evaluated in.</param>
    /// <param name="start">No fire is earlier.</param>
    /// <param name="end">No fire is later (inclusive).</param>
    /// <param name="jitter">A random delay in [0, jitter] added to each run.</param>
    /// <exception cref="ArgumentNullException"><paramref name="expression"/> is null.</exception>
    /// <exception cref="FormatException">The expression is not valid; the message names the field and the token.</exception>
    public static CronTrigger ParseCron(string expression, TimeZoneInfo zone, DateTimeOffset? start = null, DateTimeOffset? end = null, TimeSpan? jitter = null)
    {
        if (expression is null)
        {
            throw new ArgumentNullException(nameof(expression));
        }

        try
        {
            return new CronTrigger(expression, zone, start, end, jitter);
        }
        catch (Exception error) when (error is FormatException or ArgumentException)
        {
            var message = error.Message.Contains(expression) ? error.Message : $"'{expression}' is not a valid cron expression: {error.Message}";
            throw new FormatException(message, error);
        }
    }

    /// <summary>
    /// A fire time as users see it: ISO 8601 with the offset of <paramref name="zone"/> at that instant,
    /// always <c>±HH:MM</c> (never Z), fractional seconds only when present: <c>2024-03-31T03:00:00+02:00</c>.
    /// </summary>
    /// <param name="instant">The instant.</param>
    /// <param name="zone">The zone whose wall-clock time and offset are shown (the trigger's).</param>
    /// <exception cref="ArgumentNullException"><paramref name="zone"/> is null.</exception>
    public static string FormatFireTime(DateTimeOffset instant, TimeZoneInfo zone)
        => FormatDateTime(TimeZoneInfo.ConvertTime(instant, zone ?? throw new ArgumentNullException(nameof(zone))));

    /// <summary>ISO 8601 with the value's own offset, in the fire-time style of <see cref="FormatFireTime"/>.</summary>
    /// <param name="value">The date-time.</param>
    public static string FormatDateTime(DateTimeOffset value)
    {
        var builder = new StringBuilder(value.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture));
        AppendFraction(builder, value.Ticks % TimeSpan.TicksPerSecond);
        var offset = value.Offset;
        builder.Append(offset < TimeSpan.Zero ? '-' : '+');
        offset = offset.Duration();
        builder.Append(offset.Hours.ToString("00", CultureInfo.InvariantCulture)).Append(':').Append(offset.Minutes.ToString("00", CultureInfo.InvariantCulture));
        return builder.ToString();
    }

    /// <summary>ISO 8601 duration: <c>PT1H30M</c>, <c>P1DT2H</c>, <c>PT0.5S</c>, <c>PT0S</c>; <see cref="ParseDuration"/> reads it back.</summary>
    /// <param name="duration">The duration; a negative one starts with a minus.</param>
    public static string FormatDuration(TimeSpan duration)
    {
        var builder = new StringBuilder();
        if (duration < TimeSpan.Zero)
        {
            builder.Append('-');
            duration = duration == TimeSpan.MinValue ? TimeSpan.MaxValue : duration.Negate();
        }

        builder.Append('P');
        if (duration.Days > 0)
        {
            builder.Append(duration.Days.ToString(CultureInfo.InvariantCulture)).Append('D');
        }

        var subSecondTicks = duration.Ticks % TimeSpan.TicksPerSecond;
        if (duration.Hours > 0 || duration.Minutes > 0 || duration.Seconds > 0 || subSecondTicks > 0 || duration.Days == 0)
        {
            builder.Append('T');
            if (duration.Hours > 0)
            {
                builder.Append(duration.Hours.ToString(CultureInfo.InvariantCulture)).Append('H');
            }

            if (duration.Minutes > 0)
            {
                builder.Append(duration.Minutes.ToString(CultureInfo.InvariantCulture)).Append('M');
            }

            if (duration.Seconds > 0 || subSecondTicks > 0 || (duration.Hours == 0 && duration.Minutes == 0))
            {
                builder.Append(duration.Seconds.ToString(CultureInfo.InvariantCulture));
                AppendFraction(builder, subSecondTicks);
                builder.Append('S');
            }
        }

        return builder.ToString();
    }

    /// <summary>ISO 8601 period: <c>P1Y6M</c>, <c>P2W</c>, <c>P0D</c> for the empty period; <see cref="ParsePeriod"/> reads it back.</summary>
    /// <param name="period">The period.</param>
    public static string FormatPeriod(CalendarPeriod period)
    {
        var builder = new StringBuilder("P");
        Append(period.Years, 'Y');
        Append(period.Months, 'M');
        Append(period.Weeks, 'W');
        Append(period.Days, 'D');
        if (builder.Length == 1)
        {
            builder.Append("0D");
        }

        return builder.ToString();

        void Append(int value, char designator)
        {
            if (value != 0)
            {
                builder.Append(value.ToString(CultureInfo.InvariantCulture)).Append(designator);
            }
        }
    }

    /// <summary>A time of day as <c>HH:mm:ss[.fffffff]</c>; <see cref="ParseTimeOfDay"/> reads it back.</summary>
    /// <param name="timeOfDay">The time of day, in [00:00, 24:00).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeOfDay"/> is negative.</exception>
    public static string FormatTimeOfDay(TimeSpan timeOfDay)
    {
        var builder = new StringBuilder(new DateTime(timeOfDay.Ticks - (timeOfDay.Ticks % TimeSpan.TicksPerSecond)).ToString("HH:mm:ss", CultureInfo.InvariantCulture));
        AppendFraction(builder, timeOfDay.Ticks % TimeSpan.TicksPerSecond);
        return builder.ToString();
    }

    private static void AppendFraction(StringBuilder builder, long subSecondTicks)
    {
        if (subSecondTicks != 0)
        {
            builder.Append('.').Append(subSecondTicks.ToString("0000000", CultureInfo.InvariantCulture).TrimEnd('0'));
        }
    }

    private static long FractionTicks(Group fraction)
        => fraction.Success ? long.Parse(fraction.Value.PadRight(7, '0'), NumberStyles.None, CultureInfo.InvariantCulture) : 0;

    private static DateTimeOffset ToInstant(DateTime wall, TimeSpan offset, string text)
    {
        var utcTicks = wall.Ticks - offset.Ticks;
        if (utcTicks < DateTime.MinValue.Ticks || utcTicks > DateTime.MaxValue.Ticks)
        {
            throw new FormatException($"'{text}' is outside the supported range of date-times.");
        }

        return new DateTimeOffset(wall, offset);
    }

    private static long? ParseUnitDuration(string trimmed, string text)
    {
        var match = UnitDuration.Match(trimmed);
        if (!match.Success)
        {
            return null;
        }

        string[] order = ["w", "d", "h", "m", "s", "ms"];
        long[] unitTicks = [TimeSpan.TicksPerDay * 7, TimeSpan.TicksPerDay, TimeSpan.TicksPerHour, TimeSpan.TicksPerMinute, TimeSpan.TicksPerSecond, TimeSpan.TicksPerMillisecond];
        var numbers = match.Groups["number"].Captures;
        var units = match.Groups["unit"].Captures;
        var previous = -1;
        decimal total = 0;
        for (var i = 0; i < units.Count; i++)
        {
            var index = Array.IndexOf(order, units[i].Value.ToLowerInvariant());
            if (index <= previous)
            {
                throw new FormatException($"'{text}' is not a duration: give each unit once, largest first (w, d, h, m, s, ms), as in 1h30m.");
            }

            previous = index;
            total += Scaled(numbers[i].Value, unitTicks[index], text);
        }

        return Ticks(total, match.Groups["sign"].Success, text);
    }

    private static long? ParseIsoDuration(string trimmed, string text)
    {
        var match = IsoDuration.Match(trimmed);
        if (!match.Success)
        {
            return null;
        }

        var hasDate = match.Groups["Y"].Success || match.Groups["M"].Success || match.Groups["W"].Success || match.Groups["D"].Success;
        var hasTime = match.Groups["h"].Success || match.Groups["m"].Success || match.Groups["s"].Success;
        if ((!hasDate && !hasTime) || (match.Groups["T"].Success && !hasTime))
        {
            return null;
        }

        if (match.Groups["Y"].Success || match.Groups["M"].Success)
        {
            throw new FormatException($"The duration '{text}' has years or months, which have no fixed length: use a calendar interval for those.");
        }

        decimal total = 0;
        total += Scaled(match.Groups["W"], TimeSpan.TicksPerDay * 7, text);
        total += Scaled(match.Groups["D"], TimeSpan.TicksPerDay, text);
        total += Scaled(match.Groups["h"], TimeSpan.TicksPerHour, text);
        total += Scaled(match.Groups["m"], TimeSpan.TicksPerMinute, text);
        total += Scaled(match.Groups["s"], TimeSpan.TicksPerSecond, text);
        return Ticks(total, match.Groups["sign"].Success, text);
    }

    private static long? ParseClockDuration(string trimmed, string text)
    {
        var match = ClockDuration.Match(trimmed);
        if (!match.Success)
        {
            return null;
        }

        var hours = int.Parse(match.Groups["h"].Value, NumberStyles.None, CultureInfo.InvariantCulture);
        var minutes = int.Parse(match.Groups["m"].Value, NumberStyles.None, CultureInfo.InvariantCulture);
        var seconds = int.Parse(match.Groups["s"].Value, NumberStyles.None, CultureInfo.InvariantCulture);
        if (hours > 23 || minutes > 59 || seconds > 59)
        {
            throw new FormatException($"'{text}' is not a duration: in [d.]hh:mm:ss the hours go up to 23 and the minutes and seconds up to 59.");
        }

        decimal total = Scaled(match.Groups["d"], TimeSpan.TicksPerDay, text);
        total += (hours * TimeSpan.TicksPerHour) + (minutes * TimeSpan.TicksPerMinute) + (seconds * TimeSpan.TicksPerSecond);
        total += FractionTicks(match.Groups["f"]);
        return Ticks(total, match.Groups["sign"].Success, text);
    }

    private static decimal Scaled(Group group, long unitTicks, string text)
        => group.Success ? Scaled(group.Value, unitTicks, text) : 0;

    private static decimal Scaled(string number, long unitTicks, string text)
    {
        if (!decimal.TryParse(number.Replace(',', '.'), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value)
            || value > (decimal)TimeSpan.MaxValue.Ticks / unitTicks)
        {
            throw new FormatException($"The duration '{text}' is too large.");
        }

        return value * unitTicks;
    }

    private static long Ticks(decimal total, bool negative, string text)
    {
        total = decimal.Round(total, MidpointRounding.AwayFromZero);
        if (total > TimeSpan.MaxValue.Ticks)
        {
            throw new FormatException($"The duration '{text}' is too large.");
        }

        var ticks = (long)total;
        return negative ? -ticks : ticks;
    }
}
