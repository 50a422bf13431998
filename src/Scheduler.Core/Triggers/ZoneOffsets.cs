using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace Scheduler.Triggers;

/// <summary>
/// The UTC offsets a zone uses over time, kept as a table of constant-offset spans per year. Triggers
/// map between instants and wall-clock times on every fire-time query; <see cref="TimeZoneInfo"/>
/// evaluates its adjustment rules on each call (tens of nanoseconds each, several per query), while a
/// lookup in this table is a short scan. The DST rules themselves live in <see cref="WallClock"/>.
/// </summary>
internal sealed class ZoneOffsets
{
    private const long TicksPerDay = TimeSpan.TicksPerDay;

    // No zone changes its offset twice within this span (the same assumption as WallClock's), so
    // probing at this step finds every transition.
    private static readonly long ProbeStep = TimeSpan.FromHours(6).Ticks;

    // Tables cover their year plus this margin on each side, so a wall-clock time of the year, which
    // lies at most a day away from its instants, always finds the spans it can fall into.
    private const long Margin = 2 * TicksPerDay;

    // A table serves a query when the query lies this far inside it (see Margin).
    private const long Reach = TicksPerDay;

    // Cached tables per zone are few (one per year queried); the cap only guards against a caller
    // sweeping thousands of years.
    private const int MaxCachedYears = 512;

    private static readonly ConditionalWeakTable<TimeZoneInfo, ZoneOffsets> Shared = new();

    private readonly TimeZoneInfo zone;
    private readonly ConcurrentDictionary<int, Spans> years = new();
    private readonly Func<int, Spans> build;
    private readonly Spans? always;
    private Spans? recent;

    private ZoneOffsets(TimeZoneInfo zone)
    {
        this.zone = zone;
        build = Build;
        if (zone.GetAdjustmentRules().Length == 0)
        {
            // A zone without rules has one offset for all time.
            always = new Spans(DateTime.MinValue.Ticks, DateTime.MaxValue.Ticks + 1, [DateTime.MinValue.Ticks], [zone.BaseUtcOffset.Ticks]);
        }
    }

    /// <summary>The shared table of a zone (one per zone instance, released with it).</summary>
    public static ZoneOffsets For(TimeZoneInfo zone)
    {
        if (zone is null)
        {
            throw new ArgumentNullException(nameof(zone));
        }

        return Shared.GetValue(zone, static z => new ZoneOffsets(z));
    }

    /// <summary>The span of constant offset that contains an instant, with the offsets on either side of it.</summary>
    public OffsetSpan SpanAt(long utcTicks)
    {
        var spans = TableFor(utcTicks);
        var i = spans.IndexAt(utcTicks);
        var offset = spans.Offsets[i];
        var previous = i > 0 ? spans.Offsets[i - 1] : offset;
        var next = i + 1 < spans.Offsets.Length ? spans.Offsets[i + 1] : offset;
        return new OffsetSpan(spans.Starts[i], spans.EndOf(i), offset, previous, next);
    }

    /// <summary>The offset in force at an instant.</summary>
    public long OffsetAt(long utcTicks)
    {
        var spans = TableFor(utcTicks);
        return spans.Offsets[spans.IndexAt(utcTicks)];
    }

    /// <summary>How a wall-clock time maps to instants: once, twice (an overlap) or never (a gap).</summary>
    public WallMapping Map(long wallTicks)
    {
        var spans = TableFor(wallTicks);
        var starts = spans.Starts;
        var offsets = spans.Offsets;
        var found = 0;
        var first = 0L;
        var second = 0L;
        var secondStart = 0L;
        for (var i = 0; i < starts.Length; i++)
        {
            var utc = wallTicks - offsets[i];
            if (utc >= starts[i] && utc < spans.EndOf(i))
            {
                if (found == 0)
                {
                    first = offsets[i];
                }
                else
                {
                    second = offsets[i];
                    secondStart = starts[i];
                }

                found++;
                if (found == 2)
                {
                    break;
                }
            }
        }

        if (found == 1)
        {
            return new WallMapping(WallKind.Single, first, first, 0);
        }

        if (found == 2)
        {
            return new WallMapping(WallKind.Overlap, first, second, secondStart);
        }

        // A gap: the wall time read with the offset before a transition lies after it, read with the
        // offset after it lies before it.
        for (var i = 1; i < starts.Length; i++)
        {
            var transition = starts[i];
            if (wallTicks - offsets[i - 1] >= transition && wallTicks - offsets[i] < transition)
            {
                return new WallMapping(WallKind.Gap, offsets[i - 1], offsets[i], transition);
            }
        }

        // Only reachable at the ends of the DateTime range, where a wall time has no instant.
        return new WallMapping(WallKind.Gap, offsets[0], offsets[0], starts[0]);
    }

    private Spans TableFor(long ticks)
    {
        if (always is { } fixedSpans)
        {
            return fixedSpans;
        }

        var spans = recent;
        if (spans is not null && ticks >= spans.From + Reach && ticks < spans.To - Reach)
        {
            return spans;
        }

        return Remember(new DateTime(ticks).Year);
    }

    private Spans Remember(int year)
    {
        if (!years.TryGetValue(year, out var spans))
        {
            if (years.Count >= MaxCachedYears)
            {
                years.Clear();
            }

            spans = years.GetOrAdd(year, build);
        }

        recent = spans;
        return spans;
    }

    private Spans Build(int year)
    {
        var from = Math.Max(DateTime.MinValue.Ticks, new DateTime(year, 1, 1).Ticks - Margin);
        var to = year == DateTime.MaxValue.Year
            ? DateTime.MaxValue.Ticks + 1
            : Math.Min(DateTime.MaxValue.Ticks + 1, new DateTime(year + 1, 1, 1).Ticks + Margin);

        var starts = new List<long>(4) { from };
        var current = Offset(from);
        var offsets = new List<long>(4) { current };
        var probe = from;
        while (probe < to - 1)
        {
            var next = Math.Min(probe + ProbeStep, to - 1);
            var offset = Offset(next);
            if (offset != current)
            {
                // Bisect to the tick: the first instant that has the new offset starts the new span.
                var low = probe;
                var high = next;
                while (high - low > 1)
                {
                    var middle = low + ((high - low) / 2);
                    if (Offset(middle) == current)
                    {
                        low = middle;
                    }
                    else
                    {
                        high = middle;
                    }
                }

                starts.Add(high);
                offsets.Add(offset);
                current = offset;
            }

            probe = next;
        }

        return new Spans(from, to, starts.ToArray(), offsets.ToArray());
    }

    private long Offset(long utcTicks) => zone.GetUtcOffset(new DateTime(utcTicks, DateTimeKind.Utc)).Ticks;

    /// <summary>Consecutive spans of constant offset covering [From, To).</summary>
    private sealed class Spans(long from, long to, long[] starts, long[] offsets)
    {
        public long From { get; } = from;

        public long To { get; } = to;

        public long[] Starts { get; } = starts;

        public long[] Offsets { get; } = offsets;

        public long EndOf(int index) => index + 1 < Starts.Length ? Starts[index + 1] : To;

        public int IndexAt(long utcTicks)
        {
            var i = Starts.Length - 1;
            while (i > 0 && Starts[i] > utcTicks)
            {
                i--;
            }

            return i;
        }
    }
}

/// <summary>An interval [StartUtc, EndUtc) of constant offset, and the offsets just before and after it.</summary>
internal readonly struct OffsetSpan(long startUtc, long endUtc, long offset, long previousOffset, long nextOffset)
{
    public long StartUtc { get; } = startUtc;

    public long EndUtc { get; } = endUtc;

    public long Offset { get; } = offset;

    public long PreviousOffset { get; } = previousOffset;

    public long NextOffset { get; } = nextOffset;
}

internal enum WallKind
{
    /// <summary>The wall-clock time happens once.</summary>
    Single,

    /// <summary>The wall-clock time happens twice (fall-back overlap).</summary>
    Overlap,

    /// <summary>The wall-clock time does not happen (spring-forward gap).</summary>
    Gap,
}

/// <summary>
/// The instants of a wall-clock time: for <see cref="WallKind.Single"/> both offsets are its offset; for
/// an overlap, the offsets of the first and second pass and the instant the second pass starts; for a
/// gap, the offsets before and after it and the instant it ends.
/// </summary>
internal readonly struct WallMapping(WallKind kind, long firstOffset, long secondOffset, long transitionUtc)
{
    public WallKind Kind { get; } = kind;

    public long FirstOffset { get; } = firstOffset;

    public long SecondOffset { get; } = secondOffset;

    public long TransitionUtc { get; } = transitionUtc;
}
