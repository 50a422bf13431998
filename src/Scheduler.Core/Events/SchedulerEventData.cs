using System.Runtime.CompilerServices;
using Scheduler.Internal;
using Scheduler.Jobs;

namespace Scheduler.Events;

/// <summary>
/// What a <see cref="SchedulerEvent"/> says, as a value. The event log keeps these in place in its
/// ring, so publishing a run's events allocates nothing and nothing they record has to survive a
/// garbage collection as an object of its own; the <see cref="SchedulerEvent"/> a reader or a listener
/// sees is made when it is read.
/// </summary>
/// <remarks>
/// Every run writes three of these into the ring, from the loop and from workers, so they are kept
/// small: optional values as a value and a flag each instead of nullables, and what only some events
/// carry (an error, a return value, an exception) in one object, made for the events that have any.
/// Messages stay in place: most are constant texts, and a job that ends says so in every dispatch.
/// </remarks>
[method: MethodImpl(DispatchPath.Optimized)]
internal readonly struct SchedulerEventData(SchedulerEventType type, DateTimeOffset timestamp)
{
    private readonly DateTimeOffset scheduledTime;
    private readonly DateTimeOffset startTime;
    private readonly long durationTicks;
    private readonly JobRunOutcome outcome;
    private readonly EventValues present;
    private readonly Details? details;

    public SchedulerEventType Type { get; } = type;

    public DateTimeOffset Timestamp { get; } = timestamp;

    public string? SchedulerId { get; init; }

    public string? JobId { get; init; }

    public string? JobName { get; init; }

    public string? StoreName { get; init; }

    public string? ExecutorName { get; init; }

    public RunKey RunKey { get; init; }

    public DateTimeOffset? ScheduledTime
    {
        get => (present & EventValues.ScheduledTime) != 0 ? scheduledTime : null;
        init
        {
            scheduledTime = value.GetValueOrDefault();
            present = Mark(present, EventValues.ScheduledTime, value.HasValue);
        }
    }

    public DateTimeOffset? StartTime
    {
        get => (present & EventValues.StartTime) != 0 ? startTime : null;
        init
        {
            startTime = value.GetValueOrDefault();
            present = Mark(present, EventValues.StartTime, value.HasValue);
        }
    }

    public TimeSpan? Duration
    {
        get => (present & EventValues.Duration) != 0 ? new TimeSpan(durationTicks) : null;
        init
        {
            durationTicks = value.GetValueOrDefault().Ticks;
            present = Mark(present, EventValues.Duration, value.HasValue);
        }
    }

    public int Attempt { get; init; }

    public JobRunOutcome? Outcome
    {
        get => (present & EventValues.Outcome) != 0 ? outcome : null;
        init
        {
            outcome = value.GetValueOrDefault();
            present = Mark(present, EventValues.Outcome, value.HasValue);
        }
    }

    public object? ReturnValue
    {
        get => details?.ReturnValue;
        init => details = With(details, value, Exception, Error);
    }

    public Exception? Exception
    {
        get => details?.Exception;
        init => details = With(details, ReturnValue, value, Error);
    }

    public string? Error
    {
        get => details?.Error;
        init => details = With(details, ReturnValue, Exception, value);
    }

    public string? Message { get; init; }

    private static EventValues Mark(EventValues present, EventValues value, bool hasValue) => hasValue ? present | value : present & ~value;

    // A new object each time, never changed after: a copy of the event (with) shares it.
    private static Details? With(Details? current, object? returnValue, Exception? exception, string? error)
        => current is null && returnValue is null && exception is null && error is null
            ? null
            : new Details(returnValue, exception, error);

    [Flags]
    private enum EventValues : byte
    {
        ScheduledTime = 1,
        StartTime = 2,
        Duration = 4,
        Outcome = 8,
    }

    private sealed class Details(object? returnValue, Exception? exception, string? error)
    {
        public object? ReturnValue { get; } = returnValue;

        public Exception? Exception { get; } = exception;

        public string? Error { get; } = error;
    }
}
