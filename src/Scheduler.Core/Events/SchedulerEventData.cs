using Scheduler.Jobs;

namespace Scheduler.Events;

/// <summary>
/// What a <see cref="SchedulerEvent"/> says, as a value. The event log keeps these in place in its
/// ring, so publishing an event allocates nothing and nothing it records has to survive a garbage
/// collection as an object of its own; the <see cref="SchedulerEvent"/> a reader or a listener sees is
/// made when it is read.
/// </summary>
internal readonly struct SchedulerEventData(SchedulerEventType type, DateTimeOffset timestamp)
{
    public SchedulerEventType Type { get; } = type;

    public DateTimeOffset Timestamp { get; } = timestamp;

    public string? SchedulerId { get; init; }

    public string? JobId { get; init; }

    public string? JobName { get; init; }

    public string? StoreName { get; init; }

    public string? ExecutorName { get; init; }

    public RunKey RunKey { get; init; }

    public DateTimeOffset? ScheduledTime { get; init; }

    public DateTimeOffset? StartTime { get; init; }

    public TimeSpan? Duration { get; init; }

    public int Attempt { get; init; }

    public JobRunOutcome? Outcome { get; init; }

    public object? ReturnValue { get; init; }

    public Exception? Exception { get; init; }

    public string? Error { get; init; }

    public string? Message { get; init; }
}
