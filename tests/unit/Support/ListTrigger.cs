using Scheduler.Triggers;

namespace Scheduler.Tests.Support;

/// <summary>A trigger that fires at an explicit list of times: the schedule a test wants, nothing more.</summary>
internal sealed class ListTrigger : Trigger
{
    private readonly DateTimeOffset[] times;

    public ListTrigger(params DateTimeOffset[] times)
        : base(TimeZoneInfo.Utc, start: null, end: null, jitter: null)
    {
        this.times = times.OrderBy(t => t).ToArray();
    }

    private protected override DateTimeOffset? FireTimeAtOrAfterCore(DateTimeOffset instant)
    {
        foreach (var time in times)
        {
            if (time >= instant)
            {
                return time;
            }
        }

        return null;
    }
}
