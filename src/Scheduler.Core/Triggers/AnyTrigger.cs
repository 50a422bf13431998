namespace Scheduler.Triggers;

/// <summary>Fires whenever any of its triggers fires ("or"): the earliest of their next fire times.</summary>
/// <remarks>
/// The children's own start, end and zone apply; their jitter does not (only this trigger's jitter is
/// applied to its fire times). Two triggers firing at the same instant give one fire.
/// </remarks>
public sealed class AnyTrigger : Trigger
{
    /// <summary>Creates an any-trigger over at least one trigger.</summary>
    public AnyTrigger(
        IReadOnlyList<Trigger> triggers,
        DateTimeOffset? start = null,
        DateTimeOffset? end = null,
        TimeZoneInfo? timeZone = null,
        TimeSpan? jitter = null)
        : base(timeZone, start, end, jitter)
    {
        Triggers = CompositeTriggers.Copy(triggers, "any");
    }

    /// <summary>The triggers whose fire times are merged.</summary>
    public IReadOnlyList<Trigger> Triggers { get; }

    /// <summary>Anchors every trigger that is relative to when the job is added.</summary>
    public override Trigger AnchoredAt(DateTimeOffset now)
        => CompositeTriggers.TryAnchor(Triggers, now, out var anchored)
            ? new AnyTrigger(anchored, Start, End, TimeZone, Jitter)
            : this;

    private protected override DateTimeOffset? FireTimeAtOrAfterCore(DateTimeOffset instant)
    {
        DateTimeOffset? earliest = null;
        foreach (var trigger in Triggers)
        {
            if (trigger.GetFireTimeAtOrAfter(instant) is { } next && (earliest is null || next < earliest))
            {
                earliest = next;
            }
        }

        return earliest;
    }
}
