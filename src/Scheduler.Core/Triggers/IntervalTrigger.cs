namespace Scheduler.Triggers;

/// <summary>
/// Fires every fixed elapsed duration. Elapsed means real time: across a DST change the wall-clock
/// time of the fires moves by the shift. With a start, fire times are start + k * interval; without
/// one, the first fire is one interval after the job is added (see <see cref="AnchoredAt"/>).
/// </summary>
public sealed class IntervalTrigger : Trigger
{
    public IntervalTrigger(
        TimeSpan every,
        DateTimeOffset? start = null,
        DateTimeOffset? end = null,
        TimeZoneInfo? timeZone = null,
        TimeSpan? jitter = null)
        : this(every, start, end, timeZone, jitter, allowEndBeforeStart: false)
    {
    }

    private IntervalTrigger(TimeSpan every, DateTimeOffset? start, DateTimeOffset? end, TimeZoneInfo? timeZone, TimeSpan? jitter, bool allowEndBeforeStart)
        : base(timeZone, start, end, jitter, allowEndBeforeStart)
    {
        if (every <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(every), every, $"The interval must be positive, not '{every}'.");
        }

        Every = every;
    }

    public TimeSpan Every { get; }

    public override Trigger AnchoredAt(DateTimeOffset now)
    {
        if (Start is not null)
        {
            return this;
        }

        var first = now.UtcTicks > DateTimeOffset.MaxValue.UtcTicks - Every.Ticks ? DateTimeOffset.MaxValue : now + Every;
        // An end before the first fire is legal here: the job was added too late and never fires.
        return new IntervalTrigger(Every, first, End, TimeZone, Jitter, allowEndBeforeStart: true);
    }

    private protected override DateTimeOffset? FireTimeAtOrAfterCore(DateTimeOffset instant)
    {
        if (Start is not { } start)
        {
            // Unanchored: behave as if the job were added at this instant.
            return instant.UtcTicks > DateTimeOffset.MaxValue.UtcTicks - Every.Ticks ? null : instant + Every;
        }

        if (instant <= start)
        {
            return start;
        }

        var elapsed = instant.UtcTicks - start.UtcTicks;
        var steps = elapsed / Every.Ticks;
        if (elapsed % Every.Ticks != 0)
        {
            steps++;
        }

        var remaining = DateTimeOffset.MaxValue.UtcTicks - start.UtcTicks;
        if (steps > remaining / Every.Ticks)
        {
            return null;
        }

        return start.AddTicks(steps * Every.Ticks);
    }
}
