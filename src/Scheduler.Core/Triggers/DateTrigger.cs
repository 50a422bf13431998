using System.Runtime.CompilerServices;
using Scheduler.Internal;

namespace Scheduler.Triggers;

/// <summary>Fires once, at the given instant.</summary>
public sealed class DateTrigger : Trigger
{
    /// <summary>Creates a date trigger that fires at <paramref name="at"/>.</summary>
    /// <param name="at">The instant to fire.</param>
    /// <param name="timeZone">The zone the fire time is shown in (default: the machine's local zone).</param>
    /// <param name="jitter">A random delay in [0, jitter] added to the run.</param>
    public DateTrigger(DateTimeOffset at, TimeZoneInfo? timeZone = null, TimeSpan? jitter = null)
        : base(timeZone, start: null, end: null, jitter)
    {
        At = at;
    }

    /// <summary>The instant the trigger fires.</summary>
    public DateTimeOffset At { get; }

    [MethodImpl(DispatchPath.Optimized)]
    private protected override DateTimeOffset? FireTimeAtOrAfterCore(DateTimeOffset instant)
        => instant <= At ? At : null;
}
