namespace Scheduler.Triggers;

/// <summary>
/// Maps wall-clock times of a zone to instants under the DST rules of docs/triggers.md ("DST rules"). Written once and
/// used by every wall-clock trigger (cron, calendar interval), so they agree on gaps and overlaps.
/// The zone facts (which offsets apply when) come from <see cref="ZoneOffsets"/>; callers on a hot
/// path keep a <see cref="ZoneOffsets"/> and use the overloads that take it.
/// </summary>
internal static class WallClock
{
    /// <summary>
    /// The instant a wall-clock time stands for: itself when it exists once; the first pass when it
    /// happens twice (fall-back overlap); the first instant after the gap when it does not exist
    /// (spring-forward gap), so a time inside a gap is moved forward, never skipped.
    /// </summary>
    public static DateTimeOffset FirstInstant(DateTime wall, TimeZoneInfo zone)
        => FirstInstant(wall, ZoneOffsets.For(zone));

    /// <inheritdoc cref="FirstInstant(DateTime, TimeZoneInfo)"/>
    public static DateTimeOffset FirstInstant(DateTime wall, ZoneOffsets zone)
    {
        if (!TryGetFirstInstant(wall, zone, out var instant))
        {
            throw new ArgumentOutOfRangeException(nameof(wall), wall, "The wall-clock time has no instant within the range of DateTimeOffset.");
        }

        return instant;
    }

    /// <summary>
    /// <see cref="FirstInstant(DateTime, ZoneOffsets)"/>, or false when the instant lies outside the range
    /// of <see cref="DateTimeOffset"/> (only at the very ends of the calendar).
    /// </summary>
    public static bool TryGetFirstInstant(DateTime wall, ZoneOffsets zone, out DateTimeOffset instant)
    {
        var mapping = zone.Map(wall.Ticks);
        var offset = mapping.Kind == WallKind.Gap ? mapping.SecondOffset : mapping.FirstOffset;
        var utc = mapping.Kind == WallKind.Gap ? mapping.TransitionUtc : wall.Ticks - offset;
        if (utc < DateTimeOffset.MinValue.UtcTicks || utc > DateTimeOffset.MaxValue.UtcTicks)
        {
            instant = default;
            return false;
        }

        instant = new DateTimeOffset(utc + offset, new TimeSpan(offset));
        return true;
    }

    /// <summary>
    /// <see cref="TryGetFirstInstant(DateTime, ZoneOffsets, out DateTimeOffset)"/> for a wall-clock time
    /// that is likely near an instant whose span is known (a fire time after the previous one): when
    /// the wall-clock time lies inside that span and clear of the changes at its ends, it happens
    /// once, with the span's offset, and the table need not be searched.
    /// </summary>
    public static bool TryGetFirstInstant(DateTime wall, ZoneOffsets zone, in OffsetSpan near, out DateTimeOffset instant)
    {
        var ticks = wall.Ticks;
        var offset = near.Offset;
        if (ticks - offset >= near.StartUtc && ticks - near.PreviousOffset >= near.StartUtc
            && ticks - offset < near.EndUtc && ticks - near.NextOffset < near.EndUtc)
        {
            instant = new DateTimeOffset(ticks, new TimeSpan(offset));
            return true;
        }

        return TryGetFirstInstant(wall, zone, out instant);
    }

    /// <summary>The second instant of a wall-clock time that happens twice; false when it happens once.</summary>
    public static bool TryGetSecondInstant(DateTime wall, TimeZoneInfo zone, out DateTimeOffset second)
        => TryGetSecondInstant(wall, ZoneOffsets.For(zone), out second);

    /// <inheritdoc cref="TryGetSecondInstant(DateTime, TimeZoneInfo, out DateTimeOffset)"/>
    public static bool TryGetSecondInstant(DateTime wall, ZoneOffsets zone, out DateTimeOffset second)
    {
        var mapping = zone.Map(wall.Ticks);
        if (mapping.Kind != WallKind.Overlap)
        {
            second = default;
            return false;
        }

        second = new DateTimeOffset(wall.Ticks, new TimeSpan(mapping.SecondOffset));
        return true;
    }

    /// <summary>The wall-clock time of an instant in a zone (kind Unspecified).</summary>
    public static DateTime ToWall(DateTimeOffset instant, TimeZoneInfo zone)
        => ToWall(instant, ZoneOffsets.For(zone));

    /// <inheritdoc cref="ToWall(DateTimeOffset, TimeZoneInfo)"/>
    public static DateTime ToWall(DateTimeOffset instant, ZoneOffsets zone)
        => Wall(instant.UtcTicks + zone.OffsetAt(instant.UtcTicks));

    /// <summary>
    /// The wall-clock time of an instant and, when that wall-clock time happens twice, the overlap it
    /// belongs to and which of its passes the instant is in; also the span of constant offset it is in.
    /// </summary>
    public static OverlapPass Locate(DateTimeOffset instant, ZoneOffsets zone, out DateTime wall, out Overlap overlap, out OffsetSpan span)
    {
        var utc = instant.UtcTicks;
        span = zone.SpanAt(utc);
        var offset = span.Offset;
        wall = Wall(utc + offset);

        // Just after a fall-back transition the wall clock repeats what the previous span showed.
        if (span.PreviousOffset > offset && utc - span.StartUtc < span.PreviousOffset - offset)
        {
            overlap = new Overlap(span.StartUtc, span.PreviousOffset, offset);
            return OverlapPass.Second;
        }

        // Just before one, it shows what the next span will repeat.
        if (span.NextOffset < offset && span.EndUtc - utc <= offset - span.NextOffset)
        {
            overlap = new Overlap(span.EndUtc, offset, span.NextOffset);
            return OverlapPass.First;
        }

        overlap = default;
        return OverlapPass.None;
    }

    /// <summary>
    /// The earliest wall-clock time that stands for an instant at or after <paramref name="instant"/>,
    /// whose wall-clock time and span <see cref="Locate"/> gave: its own wall-clock time, except at the
    /// very end of a gap, where the times the clocks skipped stand for this instant too (daily at 00:30
    /// fires at 01:00 on a day whose clocks jump from 00:00 to 01:00, also when asked from 01:00).
    /// </summary>
    public static DateTime EarliestWallAtOrAfter(DateTimeOffset instant, in OffsetSpan span, DateTime wall)
        => instant.UtcTicks == span.StartUtc && span.PreviousOffset < span.Offset ? Wall(span.StartUtc + span.PreviousOffset) : wall;

    // The first and last instants of the calendar show wall-clock times just outside it; they are
    // read as its first and last wall-clock time.
    private static DateTime Wall(long ticks)
        => new(Math.Min(Math.Max(ticks, DateTime.MinValue.Ticks), DateTime.MaxValue.Ticks), DateTimeKind.Unspecified);
}

/// <summary>Which pass of a fall-back overlap an instant is in.</summary>
internal enum OverlapPass
{
    None,
    First,
    Second,
}

/// <summary>
/// A fall-back overlap: the wall-clock times [StartWall, EndWall) happen twice, first with
/// <see cref="FirstOffset"/>, then, from the transition on, with <see cref="SecondOffset"/>.
/// </summary>
internal readonly struct Overlap(long transitionUtc, long firstOffset, long secondOffset)
{
    public long TransitionUtc { get; } = transitionUtc;

    public TimeSpan FirstOffset => new(firstOffset);

    public TimeSpan SecondOffset => new(secondOffset);

    /// <summary>The first wall-clock time that happens twice.</summary>
    public DateTime StartWall => new(TransitionUtc + secondOffset, DateTimeKind.Unspecified);

    /// <summary>The first wall-clock time after the overlap (happens once).</summary>
    public DateTime EndWall => new(TransitionUtc + firstOffset, DateTimeKind.Unspecified);
}
