using System.Runtime.CompilerServices;
using Scheduler.Internal;

namespace Scheduler.Triggers;

/// <summary>
/// A pure, stateless rule that says when a job fires. Every trigger has a time zone (default: the
/// machine's local zone), an optional inclusive start and end, and an optional jitter.
/// </summary>
/// <remarks>
/// The set of trigger kinds is closed (date, interval, calendar interval, cron, all, any) because
/// triggers are persisted as JSON and loading a store must never instantiate a type named in data.
/// </remarks>
public abstract class Trigger
{
    private protected Trigger(TimeZoneInfo? timeZone, DateTimeOffset? start, DateTimeOffset? end, TimeSpan? jitter, bool allowEndBeforeStart = false)
    {
        if (!allowEndBeforeStart && start is { } s && end is { } e && e < s)
        {
            throw new ArgumentException($"The end {e:O} is before the start {s:O}.", nameof(end));
        }

        if (jitter is { } j && j < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(jitter), j, "The jitter must not be negative.");
        }

        TimeZone = timeZone ?? TimeZoneInfo.Local;
        Start = start;
        End = end;
        Jitter = jitter is { } jj && jj > TimeSpan.Zero ? jj : null;
    }

    /// <summary>The zone the trigger's wall-clock rules are evaluated in, and the offset its fire times carry.</summary>
    public TimeZoneInfo TimeZone { get; }

    /// <summary>No fire time is earlier than this instant.</summary>
    public DateTimeOffset? Start { get; }

    /// <summary>No fire time is later than this instant (inclusive).</summary>
    public DateTimeOffset? End { get; }

    /// <summary>A random delay in [0, Jitter] added to each run, capped at <see cref="End"/>.</summary>
    public TimeSpan? Jitter { get; }

    /// <summary>The first fire time at or after <paramref name="instant"/>, or null when the trigger never fires again.</summary>
    [MethodImpl(DispatchPath.Optimized)]
    public DateTimeOffset? GetFireTimeAtOrAfter(DateTimeOffset instant)
    {
        if (Start is { } start && instant < start)
        {
            instant = start;
        }

        var fireTime = FireTimeAtOrAfterCore(instant);
        if (fireTime is not { } found || (End is { } end && found > end))
        {
            return null;
        }

        return InZone(found);
    }

    /// <summary>The first fire time strictly after <paramref name="instant"/>, or null when the trigger never fires again.</summary>
    [MethodImpl(DispatchPath.Optimized)]
    public DateTimeOffset? GetFireTimeAfter(DateTimeOffset instant)
    {
        return instant.UtcTicks >= DateTimeOffset.MaxValue.UtcTicks
            ? null
            : GetFireTimeAtOrAfter(instant.AddTicks(1));
    }

    /// <summary>
    /// Previews up to <paramref name="count"/> fire times: the first at or after <paramref name="from"/>,
    /// each following one strictly later. Jitter is not applied.
    /// </summary>
    public IEnumerable<DateTimeOffset> GetFireTimes(DateTimeOffset from, int count)
    {
        if (count < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, "The count must not be negative.");
        }

        return Enumerate(AnchoredAt(from), from, count);

        // Looks no further than the last fire time asked for: a trigger that fails past it (an all-trigger
        // whose triggers agree a few times and never again) still lists those.
        static IEnumerable<DateTimeOffset> Enumerate(Trigger trigger, DateTimeOffset from, int count)
        {
            if (count == 0)
            {
                yield break;
            }

            var next = trigger.GetFireTimeAtOrAfter(from);
            for (var i = 0; next is { } fireTime; i++)
            {
                yield return fireTime;
                if (i + 1 == count)
                {
                    yield break;
                }

                next = trigger.GetFireTimeAfter(fireTime);
            }
        }
    }

    /// <summary>
    /// Fixes whatever the trigger leaves relative to "when the job was added" (an interval without a
    /// start fires one interval after that moment), so the stored trigger is deterministic.
    /// </summary>
    public virtual Trigger AnchoredAt(DateTimeOffset now) => this;

    /// <summary>Adds a random delay in [0, <see cref="Jitter"/>] to a fire time, never past <see cref="End"/>.</summary>
    public DateTimeOffset ApplyJitter(DateTimeOffset fireTime, Random random)
    {
        if (random is null)
        {
            throw new ArgumentNullException(nameof(random));
        }

        if (Jitter is not { } jitter)
        {
            return fireTime;
        }

        var delayTicks = (long)(random.NextDouble() * jitter.Ticks);
        var jittered = fireTime.UtcTicks > DateTimeOffset.MaxValue.UtcTicks - delayTicks
            ? DateTimeOffset.MaxValue
            : fireTime.AddTicks(delayTicks);
        return End is { } end && jittered > end && fireTime <= end ? end : jittered;
    }

    /// <summary>
    /// Reads a trigger from its JSON form (see docs/triggers.md), e.g.
    /// <c>{"type":"cron","expression":"0 9 * * MON-FRI","timezone":"Europe/Berlin"}</c>.
    /// </summary>
    /// <exception cref="FormatException">The JSON is malformed or names an unknown kind, field, zone or value; the message names the field and value.</exception>
    public static Trigger FromJson(string json) => TriggerJson.Read(json);

    /// <summary>The JSON form of this trigger (versioned, zone as an IANA id, times with offsets); <see cref="FromJson"/> reads it back.</summary>
    public string ToJson() => TriggerJson.Write(this);

    /// <summary>The first fire time at or after <paramref name="instant"/> (already at or after <see cref="Start"/>), ignoring <see cref="End"/>.</summary>
    private protected abstract DateTimeOffset? FireTimeAtOrAfterCore(DateTimeOffset instant);

    /// <summary>The fire time with the offset of <see cref="TimeZone"/>; a trigger that already computes in the zone returns it unchanged.</summary>
    private protected virtual DateTimeOffset InZone(DateTimeOffset fireTime) => TimeZoneInfo.ConvertTime(fireTime, TimeZone);
}
