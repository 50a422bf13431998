using NCrontab;

namespace Scheduler.Triggers;

/// <summary>Fires on a crontab calendar evaluated in the trigger's time zone.</summary>
public sealed class CronTrigger : Trigger
{
    private readonly CrontabSchedule schedule;

    public CronTrigger(
        string expression,
        TimeZoneInfo? timeZone = null,
        DateTimeOffset? start = null,
        DateTimeOffset? end = null,
        TimeSpan? jitter = null)
        : base(timeZone, start, end, jitter)
    {
        Expression = expression ?? throw new ArgumentNullException(nameof(expression));
        var fields = expression.Split([' '], StringSplitOptions.RemoveEmptyEntries).Length;
        schedule = CrontabSchedule.Parse(expression, new CrontabSchedule.ParseOptions { IncludingSeconds = fields == 6 });
    }

    public string Expression { get; }

    private protected override DateTimeOffset? FireTimeAtOrAfterCore(DateTimeOffset instant)
    {
        var local = TimeZoneInfo.ConvertTime(instant, TimeZone).DateTime;
        var next = schedule.GetNextOccurrence(local.AddTicks(-1), DateTime.MaxValue);
        return next == DateTime.MaxValue ? null : new DateTimeOffset(next, TimeZone.GetUtcOffset(next));
    }
}
