namespace Scheduler.Triggers;

/// <summary>What <see cref="AllTrigger"/> and <see cref="AnyTrigger"/> share about their children.</summary>
internal static class CompositeTriggers
{
    public static IReadOnlyList<Trigger> Copy(IReadOnlyList<Trigger> triggers, string kind)
    {
        if (triggers is null)
        {
            throw new ArgumentNullException(nameof(triggers));
        }

        if (triggers.Count == 0)
        {
            throw new ArgumentException($"An {kind}-trigger needs at least one trigger.", nameof(triggers));
        }

        var copy = new Trigger[triggers.Count];
        for (var i = 0; i < copy.Length; i++)
        {
            copy[i] = triggers[i] ?? throw new ArgumentException($"Trigger {i} of the {kind}-trigger is null.", nameof(triggers));
        }

        return Array.AsReadOnly(copy);
    }

    public static bool TryAnchor(IReadOnlyList<Trigger> triggers, DateTimeOffset now, out IReadOnlyList<Trigger> anchored)
    {
        var copy = new Trigger[triggers.Count];
        var changed = false;
        for (var i = 0; i < copy.Length; i++)
        {
            copy[i] = triggers[i].AnchoredAt(now);
            changed |= !ReferenceEquals(copy[i], triggers[i]);
        }

        anchored = copy;
        return changed;
    }
}
