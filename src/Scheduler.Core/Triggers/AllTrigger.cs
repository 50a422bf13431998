namespace Scheduler.Triggers;

/// <summary>
/// Fires when all of its triggers fire at the same instant ("and"). The search asks every trigger for
/// its next fire time from the latest of their answers until they agree; when they have not agreed
/// after <see cref="MaxCandidates"/> rounds it fails with an <see cref="InvalidOperationException"/>
/// instead of hanging.
/// </summary>
/// <remarks>
/// The children's own start, end and zone apply; their jitter does not (only this trigger's jitter is
/// applied to its fire times).
/// </remarks>
public sealed class AllTrigger : Trigger
{
    /// <summary>Rounds of the search before the trigger gives up.</summary>
    internal const int MaxCandidates = 10_000;

    /// <summary>Creates an all-trigger over at least one trigger.</summary>
    public AllTrigger(
        IReadOnlyList<Trigger> triggers,
        DateTimeOffset? start = null,
        DateTimeOffset? end = null,
        TimeZoneInfo? timeZone = null,
        TimeSpan? jitter = null)
        : base(timeZone, start, end, jitter)
    {
        Triggers = CompositeTriggers.Copy(triggers, "all");
    }

    /// <summary>The triggers that must agree.</summary>
    public IReadOnlyList<Trigger> Triggers { get; }

    /// <summary>Anchors every trigger that is relative to when the job is added.</summary>
    public override Trigger AnchoredAt(DateTimeOffset now)
        => CompositeTriggers.TryAnchor(Triggers, now, out var anchored)
            ? new AllTrigger(anchored, Start, End, TimeZone, Jitter)
            : this;

    private protected override DateTimeOffset? FireTimeAtOrAfterCore(DateTimeOffset instant)
    {
        var candidate = instant;
        var lastChecked = instant;
        for (var round = 0; round < MaxCandidates; round++)
        {
            lastChecked = candidate;
            var latest = candidate;
            var agreed = true;
            foreach (var trigger in Triggers)
            {
                if (trigger.GetFireTimeAtOrAfter(candidate) is not { } next)
                {
                    return null;
                }

                if (next != candidate)
                {
                    agreed = false;
                    if (next > latest)
                    {
                        latest = next;
                    }
                }
            }

            if (agreed)
            {
                return candidate;
            }

            candidate = latest;
        }

        throw new InvalidOperationException(
            $"The triggers of this all-trigger never agree on a fire time (checked {MaxCandidates} candidates up to {TriggerText.FormatFireTime(lastChecked, TimeZone)}).");
    }
}
