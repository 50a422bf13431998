namespace Scheduler.Triggers;

/// <summary>
/// Fires every fixed elapsed duration. Elapsed means real time: across a DST change the wall-clock
/// time of the fires moves by the shift. With a start, fire times are start + k * interval; without
/// one, the first fire is one interval after the job is added (see <see cref="AnchoredAt"/>).
/// </summary>
public sealed class IntervalTrigger : Trigger
{
    /// <summary>Creates an interval trigger.</summary>
    /// <param name="every">The elapsed time between fires; positive.</param>
    /// <param name="start">The first fire time and the anchor of the others; null: one interval after the job is added.</param>
    /// <param name="end">No fire time is later (inclusive).</param>
    /// <param name="timeZone">The zone the fire times are shown in (default: the machine's local zone).</param>
    /// <param name="jitter">A random delay in [0, jitter] added to each run, never past the end.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="every"/> is not positive.</exception>
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

    /// <summary>The elapsed time between fires.</summary>
    public TimeSpan Every { get; }

    /// <summary>Without a start: the same trigger starting one interval after <paramref name="now"/>; with one, this trigger.</summary>
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
