namespace Scheduler.Scheduling;

/// <summary>
/// How much of its time the dispatch loop may spend spinning for punctual starts. Spinning through the
/// last moment before a due time starts runs within microseconds, but when due times follow each other
/// closely (thousands of jobs spread over each second) the loop would spin without pause and cost a
/// core: it spins only while it has saved up time for it, and otherwise sleeps on the timer.
/// </summary>
internal sealed class SpinBudget
{
    // The share of the time the loop may spin, and the most it saves up for a burst of wake-ups.
    private const double Share = 0.03;
    private static readonly long MaxSavedTicks = TimeSpan.FromMilliseconds(5).Ticks;

    private long savedTicks = MaxSavedTicks;
    private long lastTicks = long.MinValue;

    /// <summary>Whether the budget, saved at the loop's share until <paramref name="now"/>, covers a spin of <paramref name="spin"/>.</summary>
    public bool Covers(DateTimeOffset now, TimeSpan spin)
    {
        Save(now.UtcTicks);
        return spin.Ticks <= savedTicks;
    }

    /// <summary>Takes a spin of <paramref name="spin"/> from the budget; false, taking nothing, when it does not cover it.</summary>
    public bool TryTake(DateTimeOffset now, TimeSpan spin)
    {
        if (!Covers(now, spin))
        {
            return false;
        }

        savedTicks -= spin.Ticks;
        return true;
    }

    private void Save(long ticks)
    {
        if (lastTicks != long.MinValue && ticks > lastTicks)
        {
            savedTicks = Math.Min(MaxSavedTicks, savedTicks + (long)((ticks - lastTicks) * Share));
        }

        lastTicks = ticks;
    }
}
