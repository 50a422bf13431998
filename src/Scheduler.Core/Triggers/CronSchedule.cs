using System.Globalization;
using System.Text;
using NCrontab;

namespace Scheduler.Triggers;

/// <summary>
/// A parsed cron expression evaluated on wall-clock times (no zone): "the first matching time at or
/// after this one". NCrontab evaluates the second, minute, hour and month fields (and the plain day
/// fields when that is all there is); this class adds what NCrontab lacks — last day of month,
/// nth and last weekday, the POSIX either-match of the two day fields, and the year field — as a
/// day filter that jumps to the next matching date and asks NCrontab again from there.
/// </summary>
internal sealed class CronSchedule
{
    /// <summary>The first year a year field may name.</summary>
    public const int MinYear = 1970;

    /// <summary>The last year a year field may name.</summary>
    public const int MaxYear = 2099;

    private static readonly CrontabSchedule.ParseOptions WithSeconds = new() { IncludingSeconds = true };

    private readonly CrontabSchedule crontab;
    private readonly bool plain;

    public CronSchedule(
        ulong seconds,
        ulong minutes,
        uint hours,
        CronDays days,
        ushort months,
        bool[]? years,
        bool intervalLike)
    {
        Days = days;
        Months = months;
        Years = years;
        IntervalLike = intervalLike;

        // Plain day fields (at most one restricted, no L or #) and no year: NCrontab alone is exact,
        // since with one side unrestricted its "both must match" equals our "the restricted one".
        plain = years is null && days.IsPlain;
        var dayOfMonth = plain && days.DayOfMonthRestricted ? List(days.DaysOfMonth, 1, 31) : "*";
        var dayOfWeek = plain && days.DayOfWeekRestricted ? List(days.DaysOfWeek, 0, 6) : "*";
        var normalized = string.Join(
            " ",
            List(seconds, 0, 59),
            List(minutes, 0, 59),
            List(hours, 0, 23),
            dayOfMonth,
            List(months, 1, 12),
            dayOfWeek);
        crontab = CrontabSchedule.Parse(normalized, WithSeconds);
    }

    public CronDays Days { get; }

    /// <summary>Bits 1..12.</summary>
    public ushort Months { get; }

    /// <summary>Allowed years, indexed from <see cref="MinYear"/>; null when every year is allowed.</summary>
    public bool[]? Years { get; }

    /// <summary>
    /// The second (when given), minute or hour field holds a wildcard, range or step: such schedules
    /// fire in both passes of a fall-back overlap, fixed times only in the first.
    /// </summary>
    public bool IntervalLike { get; }

    /// <summary>The first matching wall-clock time at or after <paramref name="from"/>; false when there is none.</summary>
    public bool TryGetNext(DateTime from, out DateTime next)
    {
        if (plain)
        {
            return TryCrontab(from, out next);
        }

        if (!TryCrontab(from, out var candidate))
        {
            next = default;
            return false;
        }

        if (MatchesDate(candidate.Year, candidate.Month, candidate.Day))
        {
            next = candidate;
            return true;
        }

        // The candidate's date is wrong: jump to the next date that matches every day-level field. Its
        // month matches and every time-of-day field has a value, so NCrontab lands on that date.
        var date = candidate.Date;
        if (date == DateTime.MaxValue.Date || !TryGetNextDate(date.AddDays(1), out var nextDate))
        {
            next = default;
            return false;
        }

        return TryCrontab(nextDate, out next);
    }

    /// <summary>Whether a date matches the day-of-month, month, day-of-week and year fields.</summary>
    public bool MatchesDate(int year, int month, int day)
    {
        if (!YearAllowed(year) || (Months & (1 << month)) == 0)
        {
            return false;
        }

        var daysInMonth = DateTime.DaysInMonth(year, month);
        var dayOfWeek = (int)new DateTime(year, month, day).DayOfWeek;
        return Days.Matches(day, daysInMonth, dayOfWeek);
    }

    /// <summary>The first date at or after <paramref name="from"/> (a date) that matches every day-level field.</summary>
    public bool TryGetNextDate(DateTime from, out DateTime date)
    {
        var year = from.Year;
        var month = from.Month;
        var day = from.Day;
        while (year <= DateTime.MaxValue.Year)
        {
            if (!YearAllowed(year))
            {
                if (!TryGetNextYear(year + 1, out year))
                {
                    break;
                }

                month = 1;
                day = 1;
                continue;
            }

            if ((Months & (1 << month)) != 0)
            {
                var daysInMonth = DateTime.DaysInMonth(year, month);
                var firstDayOfWeek = (int)new DateTime(year, month, 1).DayOfWeek;
                for (; day <= daysInMonth; day++)
                {
                    if (Days.Matches(day, daysInMonth, (firstDayOfWeek + day - 1) % 7))
                    {
                        date = new DateTime(year, month, day);
                        return true;
                    }
                }
            }

            day = 1;
            if (++month > 12)
            {
                month = 1;
                year++;
            }
        }

        date = default;
        return false;
    }

    private bool TryCrontab(DateTime from, out DateTime next)
    {
        // NCrontab answers "strictly after"; one tick earlier makes it "at or after" (fire times are
        // whole seconds).
        var baseTime = from.Ticks == 0 ? from : new DateTime(from.Ticks - 1);
        next = crontab.GetNextOccurrence(baseTime, DateTime.MaxValue);
        return next != DateTime.MaxValue;
    }

    private bool YearAllowed(int year)
        => Years is not { } years || (year >= MinYear && year <= MaxYear && years[year - MinYear]);

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

    private static string List(ulong bits, int min, int max)
    {
        var all = true;
        for (var value = min; value <= max; value++)
        {
            all &= (bits & (1UL << value)) != 0;
        }

        if (all)
        {
            return "*";
        }

        var text = new StringBuilder();
        for (var value = min; value <= max; value++)
        {
            if ((bits & (1UL << value)) != 0)
            {
                if (text.Length > 0)
                {
                    text.Append(',');
                }

                text.Append(value.ToString(CultureInfo.InvariantCulture));
            }
        }

        return text.ToString();
    }
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

    /// <summary>Nothing NCrontab cannot evaluate by itself.</summary>
    public bool IsPlain => LastDayOffsets == 0 && LastDaysOfWeek == 0 && NthDaysOfWeek == 0
        && !(DayOfMonthRestricted && DayOfWeekRestricted);

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
