using Scheduler.Jobs;

namespace Scheduler.Events;

/// <summary>
/// Something that happened in a scheduler. One type for every kind (see <see cref="Type"/>); the
/// properties that do not apply to a kind are null.
/// </summary>
public sealed class SchedulerEvent
{
    private readonly SchedulerEventData data;
    private string? runId;

    internal SchedulerEvent(in SchedulerEventData data, long sequence)
    {
        this.data = data;
        Sequence = sequence;
    }

    /// <summary>The event's position in its scheduler's event log; increases by one per event.</summary>
    public long Sequence { get; }

    /// <summary>What happened.</summary>
    public SchedulerEventType Type => data.Type;

    /// <summary>When the event happened, by the scheduler's clock.</summary>
    public DateTimeOffset Timestamp => data.Timestamp;

    /// <summary>The id of the scheduler that raised the event.</summary>
    public string? SchedulerId => data.SchedulerId;

    /// <summary>The id of the job the event is about.</summary>
    public string? JobId => data.JobId;

    /// <summary>The name of the job the event is about.</summary>
    public string? JobName => data.JobName;

    /// <summary>The name of the job store the event is about (its job's store, or the store added or removed).</summary>
    public string? StoreName => data.StoreName;

    /// <summary>The name of the executor the event is about (its run's executor, or the executor added or removed).</summary>
    public string? ExecutorName => data.ExecutorName;

    /// <summary>The id of the run the event is about.</summary>
    public string? RunId => runId ??= data.RunKey.Text;

    /// <summary>The time the run was due.</summary>
    public DateTimeOffset? ScheduledTime => data.ScheduledTime;

    /// <summary>When the run actually started.</summary>
    public DateTimeOffset? StartTime => data.StartTime;

    /// <summary>How long the run took.</summary>
    public TimeSpan? Duration => data.Duration;

    /// <summary>The attempt the event is about (1 for the first, 2 for the first retry...), 0 when not about a run.</summary>
    public int Attempt => data.Attempt;

    /// <summary>How the run ended, for events about an ended run.</summary>
    public JobRunOutcome? Outcome => data.Outcome;

    /// <summary>What the run returned.</summary>
    public object? ReturnValue => data.ReturnValue;

    /// <summary>The error as text.</summary>
    public string? Error => data.Error;

    /// <summary>A human-readable explanation.</summary>
    public string? Message => data.Message;

    /// <summary>
    /// The exception a run (or a listener, or a store) threw, while the event is in the live log of the
    /// scheduler that raised it; null for events read back from a store, which keep <see cref="Error"/>.
    /// </summary>
    /// <remarks>
    /// A method, not a property: an event is data that serializers walk (PowerShell's ConvertTo-Json,
    /// Export-Csv), and a live exception graph is not data; walking one fails in some of them.
    /// </remarks>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1024:Use properties where appropriate", Justification = "A method on purpose, see the remarks: serializers walk properties.")]
    public Exception? GetException() => data.Exception;

    /// <summary>One line: sequence, timestamp, type, the job and the message or error.</summary>
    public override string ToString()
    {
        var subject = JobId is null ? string.Empty : $" {JobName ?? JobId}";
        var detail = Message ?? Error;
        return detail is null ? $"#{Sequence} {Timestamp:O} {Type}{subject}" : $"#{Sequence} {Timestamp:O} {Type}{subject}: {detail}";
    }
}
