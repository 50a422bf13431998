namespace Scheduler.Triggers;

/// <summary>
/// A parsed cron expression evaluated on wall-clock times (no zone): "the first matching time at or
/// after this one", searched directly on the parsed fields. The time-of-day fields are bit masks; the
/// two day fields are folded, for each month shape (the weekday of its first day and its length), into
/// one mask of the days that match, so a month is searched with one table read and one bit scan.
/// </summary>
internal sealed class CronSchedule
{
    /// <summary>The first year a year field may name.</summary>
    public const int MinYear = 1970;

    /// <summary>The last year a year field may name.</summary>
    public const int MaxYear = 2099;

    private const uint AllMonths = 0x1FFE;
    private const long LastDay = 3_652_058; // DateTime.MaxValue.Ticks / TimeSpan.TicksPerDay: 9999-12-31.

    private readonly ulong seconds;
    private readonly ulong minutes;
    private readonly uint hours;
    private readonly ushort months;

    /// <summary>Allowed years, indexed from <see cref="MinYear"/>; null when every year is allowed.</summary>
    private readonly bool[]? years;

    private readonly int firstSecond;
    private readonly int firstMinute;
    private readonly int firstTimeOfDay;

    /// <summary>
    /// Bits 1..31: the days of a month that match the two day fields, at index
    /// <c>(weekday of the month's first day) * 4 + (days in the month - 28)</c>.
    /// </summary>
    private readonly uint[] monthDays = new uint[7 * 4];

    /// <summary>
    /// When only plain weekdays (or nothing) restrict the date: the matching weekdays, Sunday = bit 0,
    /// repeated for a second week, so the next match is one bit scan away. Zero otherwise.
    /// </summary>
    private readonly ushort weekDays;

    public CronSchedule(
        ulong seconds,
        ulong minutes,
        uint hours,
        CronDays days,
        ushort months,
        bool[]? years,
        bool intervalLike)
    {
        this.seconds = seconds;
        this.minutes = minutes;
        this.hours = hours;
        this.months = months;
        this.years = years;
        IntervalLike = intervalLike;
        firstSecond = TrailingZeroCount(seconds);
        firstMinute = TrailingZeroCount(minutes);
        firstTimeOfDay = (TrailingZeroCount(hours) * 3600) + (firstMinute * 60) + firstSecond;

        for (var firstWeekday = 0; firstWeekday < 7; firstWeekday++)
        {
            for (var length = 28; length <= 31; length++)
            {
                var mask = 0U;
                for (var day = 1; day <= length; day++)
                {
                    if (days.Matches(day, length, (firstWeekday + day - 1) % 7))
                    {
                        mask |= 1U << day;
                    }
                }

                monthDays[(firstWeekday * 4) + length - 28] = mask;
            }
        }

        if (years is null && (months & AllMonths) == AllMonths && !days.DayOfMonthRestricted
            && days.LastDaysOfWeek == 0 && days.NthDaysOfWeek == 0)
        {
            weekDays = (ushort)(days.DaysOfWeek | (days.DaysOfWeek << 7));
        }
    }

    /// <summary>
    /// The second (when given), minute or hour field holds a wildcard, range or step: such schedules
    /// fire in both passes of a fall-back overlap, fixed times only in the first.
    /// </summary>
    public bool IntervalLike { get; }

    /// <summary>The first matching wall-clock time at or after <paramref name="from"/>; false when there is none.</summary>
    public bool TryGetNext(DateTime from, out DateTime next)
    {
        // Fire times are whole seconds: a time inside a second is searched from the next one.
        var ticks = from.Ticks;
        var partial = ticks % TimeSpan.TicksPerSecond;
        if (partial != 0)
        {
            if (ticks > DateTime.MaxValue.Ticks - (TimeSpan.TicksPerSecond - partial))
            {
                next = default;
                return false;
            }

            ticks += TimeSpan.TicksPerSecond - partial;
        }

        var day = ticks / TimeSpan.TicksPerDay;
        if (!TryGetNextDay(day, out var matchingDay))
        {
            next = default;
            return false;
        }

        var timeOfDay = firstTimeOfDay;
        if (matchingDay == day)
        {
            var second = (int)((ticks - (day * TimeSpan.TicksPerDay)) / TimeSpan.TicksPerSecond);
            timeOfDay = TimeOfDayAtOrAfter(second / 3600, (second / 60) % 60, second % 60);
            if (timeOfDay < 0)
            {
                if (!TryGetNextDay(day + 1, out matchingDay))
                {
                    next = default;
                    return false;
                }

                timeOfDay = firstTimeOfDay;
            }
        }

        next = new DateTime((matchingDay * TimeSpan.TicksPerDay) + (timeOfDay * TimeSpan.TicksPerSecond), DateTimeKind.Unspecified);
        return true;
    }

    /// <summary>The first date at or after <paramref name="from"/> (a date) that matches every day-level field.</summary>
    public bool TryGetNextDate(DateTime from, out DateTime date)
    {
        if (TryGetNextDay(from.Ticks / TimeSpan.TicksPerDay, out var day))
        {
            date = new DateTime(day * TimeSpan.TicksPerDay, DateTimeKind.Unspecified);
            return true;
        }

        date = default;
        return false;
    }

    /// <summary>
    /// The first matching time of day (seconds since midnight) at or after the given one; -1 when the
    /// day has none left. A field that moves on resets the fields below it to their first values.
    /// </summary>
    private int TimeOfDayAtOrAfter(int hour, int minute, int second)
    {
        var nextHour = NextBit(hours, hour);
        if (nextHour == hour)
        {
            var nextMinute = NextBit(minutes, minute);
            if (nextMinute == minute)
            {
                var nextSecond = NextBit(seconds, second);
                if (nextSecond >= 0)
                {
                    return (hour * 3600) + (minute * 60) + nextSecond;
                }

                nextMinute = NextBit(minutes, minute + 1);
            }

            if (nextMinute >= 0)
            {
                return (hour * 3600) + (nextMinute * 60) + firstSecond;
            }

            nextHour = NextBit(hours, hour + 1);
        }

        return nextHour < 0 ? -1 : (nextHour * 3600) + (firstMinute * 60) + firstSecond;
    }

    /// <summary>The first day (days since 0001-01-01) at or after <paramref name="day"/> whose date matches every day-level field.</summary>
    private bool TryGetNextDay(long day, out long found)
    {
        if (weekDays != 0)
        {
            // 0001-01-01 was a Monday.
            found = day + TrailingZeroCount((uint)weekDays >> (int)((day + 1) % 7));
            return found <= LastDay;
        }

        found = 0;
        if (day > LastDay)
        {
            return false;
        }

        var date = new DateTime(day * TimeSpan.TicksPerDay, DateTimeKind.Unspecified);
        var year = date.Year;
        var month = date.Month;
        var dayOfMonth = date.Day;
        var monthStart = day - dayOfMonth + 1;
        while (true)
        {
            if (!YearAllowed(year))
            {
                if (!TryGetNextYear(year + 1, out year))
                {
                    return false;
                }

                month = 1;
                dayOfMonth = 1;
                monthStart = new DateTime(year, 1, 1).Ticks / TimeSpan.TicksPerDay;
            }

            var length = DateTime.DaysInMonth(year, month);
            if ((months & (1 << month)) != 0)
            {
                var firstWeekday = (int)((monthStart + 1) % 7);
                var matching = monthDays[(firstWeekday * 4) + length - 28] & (~0U << dayOfMonth);
                if (matching != 0)
                {
                    found = monthStart + TrailingZeroCount(matching) - 1;
                    return true;
                }
            }

            monthStart += length;
            dayOfMonth = 1;
            if (++month > 12)
            {
                month = 1;
                if (++year > DateTime.MaxValue.Year)
                {
                    return false;
                }
            }
        }
    }

    private bool YearAllowed(int year)
        => years is null || (year >= MinYear && year <= MaxYear && years[year - MinYear]);

    private bool TryGetNextYear(int from, out int year)
    {
        for (year = Math.Max(from, MinYear); year <= MaxYear; year++)
        {
            if (YearAllowed(year))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The first set bit at or after <paramref name="from"/> (at most 63); -1 when there is none.</summary>
    private static int NextBit(ulong bits, int from)
    {
        var rest = bits >> from;
        return rest == 0 ? -1 : from + TrailingZeroCount(rest);
    }

#if NET
    private static int TrailingZeroCount(ulong bits) => System.Numerics.BitOperations.TrailingZeroCount(bits);
#else
    // netstandard2.0 has no BitOperations: a de Bruijn sequence maps the lowest set bit to its index.
    private const ulong DeBruijn = 0x03F7_9D71_B4CB_0A89UL;
    private static readonly byte[] DeBruijnIndex = BuildDeBruijnIndex();

    private static int TrailingZeroCount(ulong bits)
        => unchecked(DeBruijnIndex[(int)(((bits & (0UL - bits)) * DeBruijn) >> 58)]);

    private static byte[] BuildDeBruijnIndex()
    {
        var index = new byte[64];
        for (var bit = 0; bit < 64; bit++)
        {
            index[(int)((DeBruijn << bit) >> 58)] = (byte)bit;
        }

        return index;
    }
#endif
}

/// <summary>
/// The day-of-month and day-of-week fields. When both are restricted (neither is <c>*</c> nor
/// <c>?</c>) a day matches if either matches (POSIX cron); when one is, only it counts.
/// </summary>
internal readonly struct CronDays(
    uint daysOfMonth,
    uint lastDayOffsets,
    bool dayOfMonthRestricted,
    byte daysOfWeek,
    byte lastDaysOfWeek,
    ulong nthDaysOfWeek,
    bool dayOfWeekRestricted)
{
    /// <summary>Bits 1..31.</summary>
    public uint DaysOfMonth { get; } = daysOfMonth;

    /// <summary>Bit n set for <c>L-n</c> (bit 0 for <c>L</c>).</summary>
    public uint LastDayOffsets { get; } = lastDayOffsets;

    public bool DayOfMonthRestricted { get; } = dayOfMonthRestricted;

    /// <summary>Bits 0..6, Sunday = 0.</summary>
    public byte DaysOfWeek { get; } = daysOfWeek;

    /// <summary>Bit d set for the last weekday d of the month (<c>5L</c>).</summary>
    public byte LastDaysOfWeek { get; } = lastDaysOfWeek;

    /// <summary>Bit d * 5 + (n - 1) set for the nth weekday d of the month (<c>5#3</c>).</summary>
    public ulong NthDaysOfWeek { get; } = nthDaysOfWeek;

    public bool DayOfWeekRestricted { get; } = dayOfWeekRestricted;

    public bool Matches(int day, int daysInMonth, int dayOfWeek)
    {
        if (DayOfMonthRestricted && DayOfWeekRestricted)
        {
            return MatchesDayOfMonth(day, daysInMonth) || MatchesDayOfWeek(day, daysInMonth, dayOfWeek);
        }

        if (DayOfMonthRestricted)
        {
            return MatchesDayOfMonth(day, daysInMonth);
        }

        return !DayOfWeekRestricted || MatchesDayOfWeek(day, daysInMonth, dayOfWeek);
    }

    public bool MatchesDayOfMonth(int day, int daysInMonth)
        => (DaysOfMonth & (1U << day)) != 0 || (LastDayOffsets & (1U << (daysInMonth - day))) != 0;

    public bool MatchesDayOfWeek(int day, int daysInMonth, int dayOfWeek)
        => (DaysOfWeek & (1 << dayOfWeek)) != 0
            || ((LastDaysOfWeek & (1 << dayOfWeek)) != 0 && day + 7 > daysInMonth)
            || (NthDaysOfWeek & (1UL << ((dayOfWeek * 5) + ((day - 1) / 7)))) != 0;
}
