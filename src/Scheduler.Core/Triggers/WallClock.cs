namespace Scheduler.Triggers;

/// <summary>
/// Maps wall-clock times of a zone to instants under the DST rules of DESIGN.md §3. Written once and
/// used by every wall-clock trigger (cron, calendar interval), so they agree on gaps and overlaps.
/// </summary>
internal static class WallClock
{
    // No zone changes its offset twice within this span, so offsets this far from a transition
    // are the ones in force on either side of it.
    private static readonly TimeSpan TransitionProbe = TimeSpan.FromHours(6);

    /// <summary>
    /// The instant a wall-clock time stands for: itself when it exists once; the first pass when it
    /// happens twice (fall-back overlap); the first instant after the gap when it does not exist
    /// (spring-forward gap), so a time inside a gap is moved forward, never skipped.
    /// </summary>
    public static DateTimeOffset FirstInstant(DateTime wall, TimeZoneInfo zone)
    {
        wall = DateTime.SpecifyKind(wall, DateTimeKind.Unspecified);
        if (zone.IsInvalidTime(wall))
        {
            return FirstInstantAfterGap(wall, zone);
        }

        var offset = zone.GetUtcOffset(wall);
        if (zone.IsAmbiguousTime(wall))
        {
            // GetUtcOffset picks the standard (second-pass) offset for ambiguous times; the first pass
            // is the one with the larger offset, which was in force shortly before.
            var before = OffsetAt(wall, offset, -TransitionProbe, zone);
            if (before > offset)
            {
                offset = before;
            }
        }

        return new DateTimeOffset(wall, offset);
    }

    /// <summary>The second instant of a wall-clock time that happens twice; false when it happens once.</summary>
    public static bool TryGetSecondInstant(DateTime wall, TimeZoneInfo zone, out DateTimeOffset second)
    {
        wall = DateTime.SpecifyKind(wall, DateTimeKind.Unspecified);
        if (!zone.IsAmbiguousTime(wall))
        {
            second = default;
            return false;
        }

        var standard = zone.GetUtcOffset(wall);
        var before = OffsetAt(wall, standard, -TransitionProbe, zone);
        var after = OffsetAt(wall, standard, TransitionProbe, zone);
        var smaller = before < after ? before : after;
        second = new DateTimeOffset(wall, smaller < standard ? smaller : standard);
        return true;
    }

    /// <summary>The wall-clock time of an instant in a zone (kind Unspecified).</summary>
    public static DateTime ToWall(DateTimeOffset instant, TimeZoneInfo zone)
        => DateTime.SpecifyKind(TimeZoneInfo.ConvertTime(instant, zone).DateTime, DateTimeKind.Unspecified);

    private static TimeSpan OffsetAt(DateTime wall, TimeSpan offset, TimeSpan shift, TimeZoneInfo zone)
    {
        var utcTicks = wall.Ticks - offset.Ticks + shift.Ticks;
        if (utcTicks < DateTime.MinValue.Ticks || utcTicks > DateTime.MaxValue.Ticks)
        {
            return offset;
        }

        return zone.GetUtcOffset(new DateTime(utcTicks, DateTimeKind.Utc));
    }

    private static DateTimeOffset FirstInstantAfterGap(DateTime wall, TimeZoneInfo zone)
    {
        var standard = zone.BaseUtcOffset;
        var before = OffsetAt(wall, standard, -TransitionProbe, zone);
        var after = OffsetAt(wall, standard, TransitionProbe, zone);

        // Read with the offset after the gap, the wall time lies before the transition; read with the
        // offset before it, after. The transition is the first instant whose offset is the new one.
        var low = wall.Ticks - after.Ticks;
        var high = wall.Ticks - before.Ticks;
        if (high < low)
        {
            (low, high) = (high, low);
        }

        // Transitions fall on whole seconds: search whole seconds, keeping "before" at low and the
        // new offset at high.
        var lowSecond = low / TimeSpan.TicksPerSecond;
        var highSecond = (high + TimeSpan.TicksPerSecond - 1) / TimeSpan.TicksPerSecond;
        while (highSecond - lowSecond > 1)
        {
            var middle = lowSecond + ((highSecond - lowSecond) / 2);
            if (zone.GetUtcOffset(new DateTime(middle * TimeSpan.TicksPerSecond, DateTimeKind.Utc)) == before)
            {
                lowSecond = middle;
            }
            else
            {
                highSecond = middle;
            }
        }

        var transition = highSecond * TimeSpan.TicksPerSecond;
        var instant = new DateTime(transition, DateTimeKind.Utc);
        return new DateTimeOffset(instant).ToOffset(zone.GetUtcOffset(instant));
    }
}
