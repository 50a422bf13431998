namespace Scheduler.Triggers;

/// <summary>Fires once, at the given instant.</summary>
public sealed class DateTrigger : Trigger
{
    public DateTrigger(DateTimeOffset at, TimeZoneInfo? timeZone = null, TimeSpan? jitter = null)
        : base(timeZone, start: null, end: null, jitter)
    {
        At = at;
    }

    public DateTimeOffset At { get; }

    private protected override DateTimeOffset? FireTimeAtOrAfterCore(DateTimeOffset instant)
        => instant <= At ? At : null;
}
