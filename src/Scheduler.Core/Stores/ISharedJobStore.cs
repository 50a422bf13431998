using Scheduler.Events;

namespace Scheduler.Stores;

/// <summary>
/// A job store that several processes use at once: the SQLite store (<see cref="JobStore.CreateSqlite(string)"/>),
/// on which one scheduler runs, and the PostgreSQL store, on which any number do. Any other process may
/// add, change and remove jobs in it, and through this interface also learn which schedulers run on it,
/// ask one of them to run a job now, and read the events they recorded. A tool that manages a store from
/// outside (a CLI verb, a PowerShell session) asks <c>if (store is ISharedJobStore shared)</c>.
/// </summary>
/// <remarks>
/// The members are safe to call from several threads and from any process, whether or not a scheduler
/// runs on the store. A store damaged inside fails any of them with <see cref="InvalidDataException"/>.
/// </remarks>
public interface ISharedJobStore
{
    /// <summary>The id of the newest event recorded in the store, 0 when there is none: follow from here.</summary>
    /// <exception cref="ObjectDisposedException">The store is disposed.</exception>
    long LastEventId { get; }

    /// <summary>
    /// The scheduler running on the store, in any process, or null when none does. A record left by a
    /// process that died on this machine is not a running scheduler; one from another machine is taken at
    /// its word.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The store is disposed.</exception>
    RunningScheduler? GetRunningScheduler();

    /// <summary>
    /// Every scheduler running on the store: at most one on a SQLite file; every live node of a cluster on
    /// PostgreSQL, the longest-running first.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The store is disposed.</exception>
    IReadOnlyList<RunningScheduler> GetRunningSchedulers();

    /// <summary>
    /// Asks the scheduler running on the store to run a job now, in addition to its schedule; it notices
    /// within about a second. A request made while no scheduler runs is dropped when the next one starts,
    /// so ask <see cref="GetRunningScheduler"/> first.
    /// </summary>
    /// <param name="jobId">The job's id.</param>
    /// <exception cref="ArgumentNullException"><paramref name="jobId"/> is null.</exception>
    /// <exception cref="KeyNotFoundException">There is no job with that id.</exception>
    /// <exception cref="ObjectDisposedException">The store is disposed.</exception>
    void RequestRun(string jobId);

    /// <summary>
    /// The events that schedulers running on the store recorded in it with an id above
    /// <paramref name="afterId"/>, oldest first, at most <paramref name="maxCount"/>. An event's
    /// <see cref="SchedulerEvent.Sequence"/> is its id in the store, which grows across scheduler
    /// restarts; the store keeps the newest events only.
    /// </summary>
    /// <param name="afterId">The id of the last event already read; 0 for the oldest kept.</param>
    /// <param name="maxCount">How many events at most.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxCount"/> is negative.</exception>
    /// <exception cref="ObjectDisposedException">The store is disposed.</exception>
    IReadOnlyList<SchedulerEvent> ReadEvents(long afterId, int maxCount);

    /// <summary>
    /// Waits until the store has events with an id above <paramref name="afterId"/> and returns them, as
    /// <see cref="ReadEvents"/> does: for following a scheduler that runs in another process.
    /// </summary>
    /// <param name="afterId">The id of the last event already read.</param>
    /// <param name="maxCount">How many events at most.</param>
    /// <param name="cancellationToken">Ends the wait.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxCount"/> is negative.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> ended the wait.</exception>
    /// <exception cref="ObjectDisposedException">The store is disposed.</exception>
    Task<IReadOnlyList<SchedulerEvent>> WaitForEventsAsync(long afterId, int maxCount, CancellationToken cancellationToken = default);
}
