namespace Scheduler.Triggers;

/// <summary>
/// Fires every N years, months, weeks and days at a wall-clock time of day in the trigger's zone.
/// </summary>
/// <remarks>
/// <para>
/// The k-th fire date is the anchor date plus k times the period: first k * (years, months), keeping
/// the anchor's day of month, then k * (weeks, days). When that month lacks the day (the 31st, or
/// February 29 in a common year) the k-th fire is skipped rather than moved, so a monthly trigger
/// anchored on January 31 fires on January 31, March 31, May 31, ...
/// </para>
/// <para>
/// The time of day is kept across DST changes: a time inside a spring-forward gap fires at the first
/// instant after the gap, a time inside a fall-back overlap fires once, in the first pass.
/// </para>
/// <para>
/// The anchor is the date of <see cref="Trigger.Start"/> in the zone, and the time of day defaults to
/// the start's wall-clock time. Without a start the trigger is anchored when the job is added
/// (<see cref="AnchoredAt"/>): on that date, and, without a time of day, at that moment's wall-clock time.
/// </para>
/// </remarks>
public sealed class CalendarIntervalTrigger : Trigger
{
    // Average Gregorian month; the estimate of k only has to land within a few steps of the answer.
    private const double DaysPerMonth = 365.2425 / 12;

    private static readonly DateTime LastWallDate = DateTime.MaxValue.Date.AddDays(-2);

    private readonly DateTime anchorDate;
    private readonly TimeSpan effectiveTimeOfDay;
    private readonly int totalMonths;
    private readonly int totalDays;

    /// <summary>Creates a calendar interval trigger.</summary>
    /// <param name="years">Years per step; with <paramref name="months"/>, weeks and days, the period (not all zero, none negative).</param>
    /// <param name="months">Months per step.</param>
    /// <param name="weeks">Weeks per step.</param>
    /// <param name="days">Days per step.</param>
    /// <param name="timeOfDay">The wall-clock time of day in [00:00, 24:00); default: the wall-clock time of the start.</param>
    /// <param name="start">The anchor: its date in the zone is the first fire date, and no fire is earlier.</param>
    /// <param name="end">No fire is later (inclusive).</param>
    /// <param name="timeZone">The zone of the wall-clock rules; default: the machine's local zone.</param>
    /// <param name="jitter">A random delay in [0, jitter] added to each run.</param>
    public CalendarIntervalTrigger(
        int years = 0,
        int months = 0,
        int weeks = 0,
        int days = 0,
        TimeSpan? timeOfDay = null,
        DateTimeOffset? start = null,
        DateTimeOffset? end = null,
        TimeZoneInfo? timeZone = null,
        TimeSpan? jitter = null)
        : this(new CalendarPeriod(years, months, weeks, days), timeOfDay, start, end, timeZone, jitter, allowEndBeforeStart: false)
    {
    }

    /// <summary>Creates a calendar interval trigger that steps by a period (<see cref="TriggerText.ParsePeriod"/> reads one).</summary>
    /// <param name="period">The period of a step: not zero, no part negative.</param>
    /// <param name="timeOfDay">The wall-clock time of day in [00:00, 24:00); null: the wall-clock time of the start.</param>
    /// <param name="start">The anchor: its date in the zone is the first fire date, and no fire is earlier.</param>
    /// <param name="end">No fire is later (inclusive).</param>
    /// <param name="timeZone">The zone of the wall-clock rules; null: the machine's local zone.</param>
    /// <param name="jitter">A random delay in [0, jitter] added to each run.</param>
    /// <exception cref="ArgumentOutOfRangeException">The period is zero, negative or longer than the calendar, the time of day is outside [00:00, 24:00), or the jitter is negative.</exception>
    /// <exception cref="ArgumentException">The end is before the start.</exception>
    public CalendarIntervalTrigger(CalendarPeriod period, TimeSpan? timeOfDay, DateTimeOffset? start, DateTimeOffset? end, TimeZoneInfo? timeZone, TimeSpan? jitter)
        : this(period, timeOfDay, start, end, timeZone, jitter, allowEndBeforeStart: false)
    {
    }

    private CalendarIntervalTrigger(
        CalendarPeriod period,
        TimeSpan? timeOfDay,
        DateTimeOffset? start,
        DateTimeOffset? end,
        TimeZoneInfo? timeZone,
        TimeSpan? jitter,
        bool allowEndBeforeStart)
        : base(timeZone, start, end, jitter, allowEndBeforeStart)
    {
        if (period.IsNegative || period.IsZero)
        {
            throw new ArgumentOutOfRangeException(
                nameof(period),
                period.ToString(),
                $"The period must be positive with no negative part, not '{period}'.");
        }

        if (timeOfDay is { } time && (time < TimeSpan.Zero || time >= TimeSpan.FromDays(1)))
        {
            throw new ArgumentOutOfRangeException(nameof(timeOfDay), time, $"The time of day must lie in [00:00, 24:00), not '{time}'.");
        }

        long monthsPerStep = (12L * period.Years) + period.Months;
        long daysPerStep = (7L * period.Weeks) + period.Days;
        if (monthsPerStep > 12 * 10000 || daysPerStep > 366 * 10000)
        {
            throw new ArgumentOutOfRangeException(nameof(period), period.ToString(), $"The period '{period}' is longer than the calendar.");
        }

        Period = period;
        TimeOfDay = timeOfDay;
        totalMonths = (int)monthsPerStep;
        totalDays = (int)daysPerStep;
        if (start is { } anchor)
        {
            var wall = WallClock.ToWall(anchor, TimeZone);
            anchorDate = wall.Date;
            effectiveTimeOfDay = timeOfDay ?? wall.TimeOfDay;
        }
    }

    /// <summary>Years per step.</summary>
    public int Years => Period.Years;

    /// <summary>Months per step.</summary>
    public int Months => Period.Months;

    /// <summary>Weeks per step.</summary>
    public int Weeks => Period.Weeks;

    /// <summary>Days per step.</summary>
    public int Days => Period.Days;

    /// <summary>The wall-clock time of day as given; null means the wall-clock time of the start.</summary>
    public TimeSpan? TimeOfDay { get; }

    /// <summary>The period of a step: <see cref="Years"/>, <see cref="Months"/>, <see cref="Weeks"/> and <see cref="Days"/>.</summary>
    public CalendarPeriod Period { get; }

    /// <summary>Without a start, anchors the trigger at <paramref name="now"/>: fires from that date on.</summary>
    public override Trigger AnchoredAt(DateTimeOffset now)
    {
        // An end before now is legal here: the job was added too late and never fires.
        return Start is not null ? this : new CalendarIntervalTrigger(Period, TimeOfDay, now, End, TimeZone, Jitter, allowEndBeforeStart: true);
    }

    private protected override DateTimeOffset? FireTimeAtOrAfterCore(DateTimeOffset instant)
    {
        if (Start is null)
        {
            // Unanchored: behave as if the job were added at this instant.
            return ((CalendarIntervalTrigger)AnchoredAt(instant)).GetFireTimeAtOrAfter(instant);
        }

        var target = WallClock.ToWall(instant, TimeZone).Date;
        var k = EstimateStep(target);

        // The nominal date (month arithmetic clamped to the month's last day) grows with k and equals the
        // fire date whenever that exists, so the first k whose nominal fire is not before the instant is
        // found by walking from the estimate, and the first existing date from there is the answer.
        while (k > 0 && IsAtOrAfter(k - 1, instant))
        {
            k--;
        }

        while (!IsAtOrAfter(k, instant))
        {
            k++;
        }

        for (; ; k++)
        {
            if (NominalDate(k, out var dayExists) is not { } date)
            {
                return null;
            }

            if (dayExists)
            {
                return WallClock.FirstInstant(date + effectiveTimeOfDay, TimeZone);
            }
        }
    }

    private long EstimateStep(DateTime target)
    {
        var daysAhead = (target - anchorDate).TotalDays;
        if (daysAhead <= 0)
        {
            return 0;
        }

        return (long)(daysAhead / ((totalMonths * DaysPerMonth) + totalDays));
    }

    private bool IsAtOrAfter(long k, DateTimeOffset instant)
        => NominalDate(k, out _) is not { } date || WallClock.FirstInstant(date + effectiveTimeOfDay, TimeZone) >= instant;

    /// <summary>
    /// The k-th fire date, with the month part clamped to the month's last day when the month lacks the
    /// anchor's day (<paramref name="dayExists"/> false: the fire is skipped); null past the calendar.
    /// </summary>
    private DateTime? NominalDate(long k, out bool dayExists)
    {
        dayExists = true;
        var monthIndex = (anchorDate.Year * 12L) + anchorDate.Month - 1 + (k * totalMonths);
        if (monthIndex / 12 > LastWallDate.Year)
        {
            return null;
        }

        var year = (int)(monthIndex / 12);
        var month = (int)(monthIndex % 12) + 1;
        var daysInMonth = DateTime.DaysInMonth(year, month);
        dayExists = anchorDate.Day <= daysInMonth;
        var date = new DateTime(year, month, Math.Min(anchorDate.Day, daysInMonth));
        var daysToAdd = k * totalDays;
        if (daysToAdd > (LastWallDate - date).TotalDays)
        {
            return null;
        }

        return date.AddDays(daysToAdd);
    }
}
