namespace Scheduler.Triggers;

/// <summary>
/// Fires on a crontab calendar evaluated on the wall clock of the trigger's time zone.
/// </summary>
/// <remarks>
/// <para>The expression has 5 fields (minute hour day-of-month month day-of-week), 6 (second first) or
/// 7 (second first, year last), or is one of <c>@yearly @annually @monthly @weekly @daily @midnight
/// @hourly</c>. Fields take values, names (JAN-DEC, SUN-SAT, any case; weekday 0 and 7 are Sunday),
/// lists, ranges (wrapping around when the start is after the end, e.g. <c>FRI-MON</c>), steps
/// (<c>*/15</c>, <c>10-40/10</c>, <c>5/10</c>), <c>?</c> in the day fields, <c>L</c> and <c>L-n</c> in the
/// day-of-month field, <c>5L</c>/<c>FRIL</c> (last Friday) and <c>FRI#3</c> (third Friday) in the
/// day-of-week field. When both day fields are restricted a day matches if either does (POSIX cron).
/// Anything else, and day/month combinations that can never occur, throw a <see cref="FormatException"/>
/// naming the field and the token.</para>
/// <para>Daylight saving time: a wall-clock time that does not exist fires at the first instant after
/// the gap (several collapse into one fire); a wall-clock time that happens twice fires once, in the
/// first pass, unless the second, minute or hour field is a wildcard, range or step, in which case the
/// expression fires in both passes.</para>
/// </remarks>
public sealed class CronTrigger : Trigger
{
    private readonly CronSchedule schedule;
    private readonly ZoneOffsets offsets;

    /// <summary>Creates a cron trigger.</summary>
    /// <exception cref="FormatException">The expression is not valid or can never fire.</exception>
    public CronTrigger(
        string expression,
        TimeZoneInfo? timeZone = null,
        DateTimeOffset? start = null,
        DateTimeOffset? end = null,
        TimeSpan? jitter = null)
        : base(timeZone, start, end, jitter)
    {
        Expression = expression ?? throw new ArgumentNullException(nameof(expression));
        schedule = CronParser.Parse(expression);
        offsets = ZoneOffsets.For(TimeZone);
    }

    /// <summary>The cron expression as given.</summary>
    public string Expression { get; }

    private protected override DateTimeOffset? FireTimeAtOrAfterCore(DateTimeOffset instant)
    {
        var pass = WallClock.Locate(instant, offsets, out var wall, out var overlap, out var span);
        if (pass == OverlapPass.Second)
        {
            // The first pass of this overlap is over. Interval-like schedules keep firing on the
            // repeated wall-clock times; fixed times fired in the first pass and wait for the end.
            var endWall = overlap.EndWall;
            if (schedule.IntervalLike && schedule.TryGetNext(wall, out var repeated) && repeated < endWall)
            {
                return new DateTimeOffset(repeated.Ticks, overlap.SecondOffset);
            }

            return schedule.TryGetNext(endWall, out var afterOverlap) ? FirstInstant(afterOverlap) : null;
        }

        var found = schedule.TryGetNext(WallClock.EarliestWallAtOrAfter(instant, span, wall), out var next);
        if (pass == OverlapPass.First && schedule.IntervalLike && (!found || next >= overlap.EndWall))
        {
            // Nothing left in the first pass: the second pass repeats the whole overlap, including
            // wall-clock times before this instant's.
            if (schedule.TryGetNext(overlap.StartWall, out var repeated) && repeated < overlap.EndWall)
            {
                return new DateTimeOffset(repeated.Ticks, overlap.SecondOffset);
            }
        }

        return found && WallClock.TryGetFirstInstant(next, offsets, span, out var fireTime) ? fireTime : null;
    }

    // Fire times are computed with the zone's offsets already.
    private protected override DateTimeOffset InZone(DateTimeOffset fireTime) => fireTime;

    private DateTimeOffset? FirstInstant(DateTime wall)
        => WallClock.TryGetFirstInstant(wall, offsets, out var instant) ? instant : null;
}
