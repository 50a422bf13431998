using Scheduler.Events;
using Scheduler.Stores;

namespace Scheduler.PowerShell.Sessions;

/// <summary>
/// Scheduler events to read and follow: a scheduler's live log in this process, or the events a shared
/// store keeps for other processes. Sequence numbers belong to one source.
/// </summary>
internal sealed class SchedulerEventSource
{
    private readonly Func<long, IReadOnlyList<SchedulerEvent>> read;
    private readonly Func<long> last;
    private readonly Func<long, CancellationToken, Task<IReadOnlyList<SchedulerEvent>>> wait;

    private SchedulerEventSource(
        string description,
        long first,
        Func<long, IReadOnlyList<SchedulerEvent>> read,
        Func<long> last,
        Func<long, CancellationToken, Task<IReadOnlyList<SchedulerEvent>>> wait)
    {
        Description = description;
        First = first;
        this.read = read;
        this.last = last;
        this.wait = wait;
    }

    /// <summary>Where the events come from, for messages.</summary>
    public string Description { get; }

    /// <summary>Events up to this sequence number are not the user's (the session's own setup).</summary>
    public long First { get; }

    /// <summary>The sequence number of the latest event.</summary>
    public long LastSequence => last();

    public static SchedulerEventSource FromLog(EventLog log, long first)
        => new("the scheduler of this session", first, after => log.Read(after), () => log.LastSequence, (after, token) => log.WaitForEventsAsync(after, token));

    public static SchedulerEventSource FromStore(ISharedJobStore store)
        => new(
            "the store's event history",
            0,
            after => store.ReadEvents(after, int.MaxValue),
            () => store.LastEventId,
            (after, token) => store.WaitForEventsAsync(after, 1000, token));

    /// <summary>The kept events after a sequence number, oldest first.</summary>
    public IReadOnlyList<SchedulerEvent> Read(long after) => read(Math.Max(after, First));

    /// <summary>Waits for events after a sequence number.</summary>
    public Task<IReadOnlyList<SchedulerEvent>> WaitAsync(long after, CancellationToken cancellationToken) => wait(after, cancellationToken);
}
