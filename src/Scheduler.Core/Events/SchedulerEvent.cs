using Scheduler.Jobs;

namespace Scheduler.Events;

/// <summary>
/// Something that happened in a scheduler. One type for every kind (see <see cref="Type"/>); the
/// properties that do not apply to a kind are null.
/// </summary>
public sealed class SchedulerEvent
{
    internal SchedulerEvent(SchedulerEventType type, DateTimeOffset timestamp)
    {
        Type = type;
        Timestamp = timestamp;
    }

    /// <summary>The event's position in its scheduler's event log; increases by one per event.</summary>
    public long Sequence { get; internal set; }

    public SchedulerEventType Type { get; }

    /// <summary>When the event happened, by the scheduler's clock.</summary>
    public DateTimeOffset Timestamp { get; }

    public string? SchedulerId { get; internal init; }

    public string? JobId { get; internal init; }

    public string? JobName { get; internal init; }

    public string? StoreName { get; internal init; }

    public string? ExecutorName { get; internal init; }

    public string? RunId { get; internal init; }

    /// <summary>The time the run was due.</summary>
    public DateTimeOffset? ScheduledTime { get; internal init; }

    /// <summary>When the run actually started.</summary>
    public DateTimeOffset? StartTime { get; internal init; }

    /// <summary>How long the run took.</summary>
    public TimeSpan? Duration { get; internal init; }

    /// <summary>The attempt the event is about (1 for the first, 2 for the first retry...), 0 when not about a run.</summary>
    public int Attempt { get; internal init; }

    /// <summary>How the run ended, for events about an ended run.</summary>
    public JobRunOutcome? Outcome { get; internal init; }

    /// <summary>What the run returned.</summary>
    public object? ReturnValue { get; internal init; }

    /// <summary>The exception a run (or a listener, or a store) threw.</summary>
    public Exception? Exception { get; internal init; }

    /// <summary>The error as text.</summary>
    public string? Error { get; internal init; }

    /// <summary>A human-readable explanation.</summary>
    public string? Message { get; internal init; }

    public override string ToString()
    {
        var subject = JobId is null ? string.Empty : $" {JobName ?? JobId}";
        var detail = Message ?? Error;
        return detail is null ? $"#{Sequence} {Timestamp:O} {Type}{subject}" : $"#{Sequence} {Timestamp:O} {Type}{subject}: {detail}";
    }
}
