using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Scheduler.Events;
using Scheduler.Internal;
using Scheduler.Jobs;

namespace Scheduler.Stores;

/// <summary>
/// What a running scheduler adds to a store: its exclusive claim on the file, noticing changes made by
/// other processes, run-now requests from them, and its events written to the file for them to read.
/// </summary>
/// <remarks>
/// <para>The claim is an OS lock on <c>&lt;file&gt;.lock</c> (opened without sharing), which the OS
/// releases when the process dies, so a crash never leaves a store claimed. Who holds it is written
/// to <c>running_scheduler</c> for the error message of the next one.</para>
/// <para>Changes are noticed through <c>PRAGMA data_version</c>, which changes when another connection
/// commits to the file and reads no table. It is checked when a watch of the file (<see cref="SqliteFileWatch"/>)
/// reports a write, and by a timer on the store's clock, which also writes the scheduler's events and
/// run ends to the file. While a watch works and nothing happens, the timer backs off from
/// <see cref="SqliteJobStoreOptions.ChangeCheckInterval"/> to <see cref="IdleCheckIntervalLimit"/>; any
/// change or event brings it back. Without a watch (it failed, or the store runs on a clock other than
/// the system's, as in tests) the timer keeps its interval: it alone notices changes.</para>
/// </remarks>
internal sealed partial class SqliteJobStore
{
    // Histories of ended jobs (trigger finished) are kept for reading, up to this many jobs, like the memory store.
    private const int EndedJobHistoryLimit = 1000;

    private const int EventBatchSize = 1000;

    private static readonly TimeSpan MaintenanceInterval = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The longest the timer backs off to while a watch of the file works and nothing happens: the bound
    /// on noticing a change the watch missed. Each check costs a timer tick and a PRAGMA, so an idle
    /// scheduler checks twice in 10 s instead of forty times.
    /// </summary>
    internal static readonly TimeSpan IdleCheckIntervalLimit = TimeSpan.FromSeconds(5);

    private SqliteStatement dataVersion = null!;
    private SqliteStatement writeRunningScheduler = null!;
    private SqliteStatement clearRunningScheduler = null!;
    private SqliteStatement readRunningScheduler = null!;
    private SqliteStatement jobExists = null!;
    private SqliteStatement insertRunRequest = null!;
    private SqliteStatement selectRunRequests = null!;
    private SqliteStatement deleteRunRequests = null!;
    private SqliteStatement insertEvent = null!;
    private SqliteStatement trimEvents = null!;
    private SqliteStatement selectEvents = null!;
    private SqliteStatement selectLastEventId = null!;
    private SqliteStatement pruneEndedRuns = null!;
    private SqliteStatement pruneEndedJobs = null!;

    private Attachment? attachment;

    /// <summary>Whether a scheduler in this process runs on the store.</summary>
    internal bool IsAttached
    {
        get
        {
            lock (sync)
            {
                return attachment is not null;
            }
        }
    }

    /// <exception cref="InvalidOperationException">Another scheduler runs on the store; the message names its process, host and start.</exception>
    protected internal override void AttachScheduler(string schedulerId, TimeProvider timeProvider, EventLog events)
    {
        if (schedulerId is null)
        {
            throw new ArgumentNullException(nameof(schedulerId));
        }

        if (timeProvider is null)
        {
            throw new ArgumentNullException(nameof(timeProvider));
        }

        if (events is null)
        {
            throw new ArgumentNullException(nameof(events));
        }

        var loads = new Loads();
        lock (sync)
        {
            ThrowIfDisposed();
            if (attachment is not null)
            {
                throw new InvalidOperationException($"The store '{Path}' is already used by the scheduler '{attachment.SchedulerId}' in this process.");
            }

#pragma warning disable CA2000 // The attachment owns the claim from here and releases it on detach; a failure before that disposes it below.
            var claim = Claim();
#pragma warning restore CA2000
            try
            {
                var clock = fixedClock ?? timeProvider;
                var since = clock.GetUtcNow();
                using (var process = Process.GetCurrentProcess())
                {
                    Write(() =>
                    {
                        writeRunningScheduler.Set(0, schedulerId).Set(1, (long)process.Id).Set(2, Environment.MachineName).Set(3, since.UtcTicks).Execute();

                        // Requests made while no scheduler ran are stale: whoever made them was told so.
                        deleteRunRequests.Set(0, long.MaxValue).Execute();
                        return true;
                    });
                }

                var current = new Attachment(schedulerId, clock, events, claim, since)
                {
                    DataVersion = Convert.ToInt64(dataVersion.Scalar(), CultureInfo.InvariantCulture),
                    ForwardedSequence = events.LastSequence,
                    NextMaintenance = since + MaintenanceInterval,
                };
                current.Store = this;
                current.CheckInterval = options.ChangeCheckInterval;
                attachment = current;

                // On a thread of its own: an idle scheduler's checks then wake no thread-pool worker (whose
                // code the runtime would recompile as it warms up), and a pool that jobs keep busy does not
                // hold back the writes of run ends and events. A tick after the detach finds it and returns.
                current.Timer = DedicatedTimer.Create(
                    clock,
                    static state => ((Attachment)state!).Store!.Tick((Attachment)state!),
                    current,
                    options.ChangeCheckInterval,
                    Timeout.InfiniteTimeSpan,
                    "Scheduler SQLite store check",
                    waitOnDispose: false);
                if (options.WatchFile ?? ReferenceEquals(clock, TimeProvider.System))
                {
                    current.Watch = SqliteFileWatch.TryStart(Path, () => CheckForChanges(current), error => WatchFailed(current, error), out var watchError);
                    current.WatchError = watchError;
                }
            }
            catch
            {
                claim.Dispose();
                throw;
            }

            // Broken jobs are reported to each scheduler that starts on the store.
            reportedBroken.Clear();
            using (var reader = selectBroken.Query())
            {
                while (Next(reader))
                {
                    ReadJob(reader, loads);
                }
            }

            RecordLoadsLocked(loads);
        }

        RaiseLoadEvents(loads);
    }

    protected internal override void DetachScheduler()
    {
        lock (sync)
        {
            if (!disposed)
            {
                DetachLocked();
            }
        }
    }

    protected internal override IReadOnlyList<string> TakeRunRequests()
    {
        lock (sync)
        {
            if (disposed || attachment is null)
            {
                return [];
            }

            var ids = new List<string>();
            long last = 0;
            using (var reader = selectRunRequests.Query())
            {
                while (Next(reader))
                {
                    last = reader.GetInt64(0);
                    ids.Add(reader.GetString(1));
                }
            }

            if (ids.Count > 0)
            {
                Write(deleteRunRequests.Set(0, last).Execute, atomic: false);
            }

            return ids;
        }
    }

    /// <summary>
    /// Asks the scheduler running on the store (in any process) to run a job now, in addition to its
    /// schedule; it does so within <see cref="SqliteJobStoreOptions.ChangeCheckInterval"/>. A request
    /// made while no scheduler runs is dropped when the next one starts (see <see cref="GetRunningScheduler"/>).
    /// </summary>
    /// <exception cref="KeyNotFoundException">There is no job with that id.</exception>
    public void RequestRun(string jobId)
    {
        if (jobId is null)
        {
            throw new ArgumentNullException(nameof(jobId));
        }

        lock (sync)
        {
            ThrowIfDisposed();
            if (jobExists.Set(0, jobId).Scalar() is null)
            {
                throw new KeyNotFoundException($"There is no job with the id '{jobId}'.");
            }

            Write(insertRunRequest.Set(0, jobId).Set(1, Clock.GetUtcNow().UtcTicks).Execute, atomic: false);
        }
    }

    /// <summary>
    /// The scheduler recorded as running on the store, or null when none is. A record left by a process
    /// on this machine that no longer exists is ignored (the process crashed); one from another machine
    /// is taken at its word.
    /// </summary>
    public RunningScheduler? GetRunningScheduler()
    {
        RunningScheduler? running;
        lock (sync)
        {
            ThrowIfDisposed();
            running = ReadRunningSchedulerLocked();
        }

        if (running is null || !string.Equals(running.Host, Environment.MachineName, StringComparison.OrdinalIgnoreCase))
        {
            return running;
        }

        try
        {
            using var process = Process.GetProcessById(running.ProcessId);
            return process.HasExited ? null : running;
        }
        catch (Exception error) when (error is ArgumentException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>The scheduler running on the file, if any: one at most.</summary>
    public IReadOnlyList<RunningScheduler> GetRunningSchedulers() => GetRunningScheduler() is { } running ? [running] : [];

    /// <summary>
    /// The events the running scheduler wrote to the store with an id above <paramref name="afterId"/>,
    /// oldest first, at most <paramref name="maxCount"/>. Each event's <see cref="SchedulerEvent.Sequence"/>
    /// is its id in the store, which increases across scheduler restarts.
    /// </summary>
    public IReadOnlyList<SchedulerEvent> ReadEvents(long afterId, int maxCount)
    {
        if (maxCount < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(maxCount), maxCount, $"The maximum count must not be negative, not {maxCount}.");
        }

        lock (sync)
        {
            ThrowIfDisposed();
            var events = new List<SchedulerEvent>();
            if (maxCount == 0)
            {
                return events;
            }

            using var reader = selectEvents.Set(0, afterId).Set(1, maxCount).Query();
            while (Next(reader))
            {
                events.Add(ReadEvent(reader));
            }

            return events;
        }
    }

    /// <summary>The id of the newest event in the store, 0 when there is none (follow from here).</summary>
    public long LastEventId
    {
        get
        {
            lock (sync)
            {
                ThrowIfDisposed();
                return selectLastEventId.Scalar() is long id ? id : 0;
            }
        }
    }

    /// <summary>
    /// Waits until the store has events with an id above <paramref name="afterId"/> and returns them
    /// (at most <paramref name="maxCount"/>), reading the events table only when the file changed. Where
    /// the file can be watched (on the system clock), a write wakes the wait at once and the check on
    /// the store's clock backs off from <see cref="SqliteJobStoreOptions.ChangeCheckInterval"/> to 5 s
    /// while nothing changes; elsewhere it checks every <see cref="SqliteJobStoreOptions.ChangeCheckInterval"/>.
    /// When the store's events end before <paramref name="afterId"/> (it was restored from a backup), the
    /// wait returns the events written after their end.
    /// </summary>
    public async Task<IReadOnlyList<SchedulerEvent>> WaitForEventsAsync(long afterId, int maxCount, CancellationToken cancellationToken = default)
    {
        var written = new WakeSignal();
        var watchFailed = false;
        using var watch = options.WatchFile ?? ReferenceEquals(Clock, TimeProvider.System)
            ? SqliteFileWatch.TryStart(
                Path,
                () =>
                {
                    written.Set();

                    // The wait reads the version itself, and a write it missed is seen at the next re-check or tick.
                    return false;
                },
                _ =>
                {
                    Volatile.Write(ref watchFailed, true);
                    written.Set();
                },
                out _)
            : null;
        using var timer = Clock.CreateTimer(static state => ((WakeSignal)state!).Set(), written, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        var interval = options.ChangeCheckInterval;
        long? seenVersion = null;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            long version;
            lock (sync)
            {
                ThrowIfDisposed();
                version = Convert.ToInt64(dataVersion.Scalar(), CultureInfo.InvariantCulture);
            }

            if (version != seenVersion)
            {
                seenVersion = version;
                interval = options.ChangeCheckInterval;
                var events = ReadEvents(afterId, maxCount);
                if (events.Count > 0)
                {
                    return events;
                }

                // Ids never go back but when the store is restored from a backup, whose events end earlier:
                // the wait goes on from there, or it would skip new events until their ids passed the old ones.
                afterId = Math.Min(afterId, LastEventId);
            }
            else if (watch is not null && !Volatile.Read(ref watchFailed))
            {
                interval = Max(options.ChangeCheckInterval, Min(interval + interval, IdleCheckIntervalLimit));
            }
            else
            {
                interval = options.ChangeCheckInterval;
            }

            timer.Change(interval, Timeout.InfiniteTimeSpan);
            await Signals.WaitAsync(written.WaitAsync(), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Writes the scheduler's events that are not in the file yet (also done by the timer).</summary>
    internal void FlushEvents()
    {
        lock (sync)
        {
            if (!disposed && attachment is { } current)
            {
                ForwardEventsLocked(current);
                WritePendingEndsLocked();
            }
        }
    }

    private void PrepareSchedulerStatements()
    {
        dataVersion = Prepare("PRAGMA data_version");
        writeRunningScheduler = Prepare(
            "INSERT OR REPLACE INTO running_scheduler (one, scheduler_id, process_id, host, since) VALUES (1, $id, $pid, $host, $since)",
            "$id", "$pid", "$host", "$since");
        clearRunningScheduler = Prepare("DELETE FROM running_scheduler WHERE scheduler_id = $id", "$id");
        readRunningScheduler = Prepare(SelectRunningScheduler);
        jobExists = Prepare("SELECT 1 FROM jobs WHERE id = $id", "$id");
        insertRunRequest = Prepare("INSERT INTO run_requests (job_id, requested_time) VALUES ($id, $time)", "$id", "$time");
        selectRunRequests = Prepare("SELECT id, job_id FROM run_requests ORDER BY id");
        deleteRunRequests = Prepare("DELETE FROM run_requests WHERE id <= $last", "$last");
        insertEvent = Prepare(
            """
            INSERT INTO events (sequence, type, timestamp, scheduler_id, job_id, job_name, store_name, executor_name, run_id,
                scheduled_time, start_time, duration, attempt, outcome, error, message)
            VALUES ($sequence, $type, $timestamp, $scheduler, $job, $name, $store, $executor, $run, $scheduled, $start, $duration, $attempt, $outcome, $error, $message)
            """,
            "$sequence", "$type", "$timestamp", "$scheduler", "$job", "$name", "$store", "$executor", "$run", "$scheduled", "$start", "$duration", "$attempt", "$outcome", "$error", "$message");
        trimEvents = Prepare("DELETE FROM events WHERE id <= (SELECT max(id) FROM events) - $keep", "$keep");
        selectEvents = Prepare(
            """
            SELECT id, sequence, type, timestamp, scheduler_id, job_id, job_name, store_name, executor_name, run_id,
                scheduled_time, start_time, duration, attempt, outcome, error, message
            FROM events WHERE id > $after ORDER BY id LIMIT $max
            """,
            "$after", "$max");
        selectLastEventId = Prepare("SELECT max(id) FROM events");
        pruneEndedRuns = Prepare(
            """
            DELETE FROM runs WHERE job_id IN
                (SELECT job_id FROM ended_jobs WHERE seq <= (SELECT max(seq) FROM ended_jobs) - $keep OR ended_time < $cutoff)
            AND NOT EXISTS (SELECT 1 FROM jobs WHERE jobs.id = runs.job_id)
            """,
            "$keep", "$cutoff");
        pruneEndedJobs = Prepare(
            "DELETE FROM ended_jobs WHERE seq <= (SELECT max(seq) FROM ended_jobs) - $keep OR ended_time < $cutoff",
            "$keep", "$cutoff");
    }

    /// <summary>
    /// Takes the exclusive claim of the store at <paramref name="path"/>, the one a running scheduler
    /// holds, or returns null when a process holds it (a restore takes it too, so that no scheduler
    /// starts on the file while its content is replaced).
    /// </summary>
    /// <exception cref="UnauthorizedAccessException">The lock file cannot be created or opened.</exception>
    internal static FileStream? TryClaim(string path)
    {
        var lockPath = path + ".lock";
        try
        {
            var created = !File.Exists(lockPath);
            var claim = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 1, FileOptions.None);
            if (created && FileModes.Get(path) is { } mode)
            {
                // As SQLite does for the -wal and -shm files: whoever may not read the store may not take its lock either.
                FileModes.Set(lockPath, mode);
            }

            return claim;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException error)
        {
            throw new UnauthorizedAccessException($"The lock file '{lockPath}' of the store cannot be created or opened: {error.Message}", error);
        }
    }

    /// <summary>The scheduler that holds a store's claim, as messages name it.</summary>
    internal static string Describe(RunningScheduler holder)
        => string.Format(
            CultureInfo.InvariantCulture,
            "pid {0} on host {1} since {2:yyyy-MM-dd HH:mm:ss}Z, scheduler '{3}'",
            holder.ProcessId,
            holder.Host,
            holder.Since.UtcDateTime,
            holder.SchedulerId);

    /// <summary>Takes the file's exclusive claim, or fails naming who holds it.</summary>
    private FileStream Claim()
    {
#pragma warning disable CA2000 // Returned: the caller owns the claim.
        if (TryClaim(Path) is { } claim)
#pragma warning restore CA2000
        {
            return claim;
        }

        var holder = ReadRunningSchedulerLocked();
        var who = holder is null ? "another process" : Describe(holder);
        throw new InvalidOperationException(
            $"The store '{Path}' is already used by a running scheduler ({who}); only one scheduler may run on a store at a time. Stop it first; adding, changing and removing jobs in the store needs no scheduler.");
    }

    private RunningScheduler? ReadRunningSchedulerLocked()
    {
        using var reader = readRunningScheduler.Query();
        return Next(reader) ? ReadRunningScheduler(reader) : null;
    }

    /// <summary>The query of the scheduler running on the store, read by <see cref="ReadRunningScheduler"/>.</summary>
    internal const string SelectRunningScheduler = "SELECT scheduler_id, process_id, host, since FROM running_scheduler";

    /// <summary>The row of <see cref="SelectRunningScheduler"/> the reader is on.</summary>
    internal static RunningScheduler ReadRunningScheduler(SqliteDataReader reader)
        => new(reader.GetString(0), reader.GetInt32(1), reader.GetString(2), FromTicks(reader.GetInt64(3)));

    private void Tick(Attachment current)
    {
        string? fileGone = null;
        var changed = false;
        var busy = true;
        try
        {
            lock (sync)
            {
                if (disposed || !ReferenceEquals(attachment, current))
                {
                    return;
                }

                fileGone = FileGoneLocked(current);
                changed = DataVersionChangedLocked(current);
                var endsPending = pendingEnds.Count > 0;
                var forwarded = ForwardEventsLocked(current);
                WritePendingEndsLocked();
                busy = changed || endsPending || forwarded;
                var now = current.Clock.GetUtcNow();
                if (now >= current.NextMaintenance)
                {
                    current.NextMaintenance = now + MaintenanceInterval;
                    MaintainLocked();
                }
            }

            // Outside the lock, as the scheduler publishes the event on this thread.
            if (fileGone is not null)
            {
                OnErrorOccurred(fileGone);
            }

            if (changed)
            {
                OnChanged();
            }
        }
#pragma warning disable CA1031 // A timer callback that throws would end the process; a busy or failing file is tried again at the next tick.
        catch (Exception error)
#pragma warning restore CA1031
        {
            current.LastError = error;
        }
        finally
        {
            lock (sync)
            {
                if (!disposed && ReferenceEquals(attachment, current))
                {
                    current.CheckInterval = busy || current.Watch is null
                        ? options.ChangeCheckInterval
                        : Max(options.ChangeCheckInterval, Min(current.CheckInterval + current.CheckInterval, IdleCheckIntervalLimit));
                    if (current.CheckInterval > options.ChangeCheckInterval)
                    {
                        WakeOnNextEventLocked(current);
                    }

                    current.Timer?.Change(current.CheckInterval, Timeout.InfiniteTimeSpan);
                }
            }
        }
    }

    /// <summary>The interval the timer of the running scheduler waits now (for tests); zero when no scheduler runs.</summary>
    internal TimeSpan CheckInterval
    {
        get
        {
            lock (sync)
            {
                return attachment?.CheckInterval ?? TimeSpan.Zero;
            }
        }
    }

    /// <summary>Whether the backed-off timer waits for the scheduler's next event to return to its full rate (for tests).</summary>
    internal bool WaitsForNextEvent
    {
        get
        {
            lock (sync)
            {
                return attachment?.WaitingForEvent ?? false;
            }
        }
    }

    /// <summary>Whether a watch of the file reports writes to the running scheduler's store (for tests).</summary>
    internal bool IsWatching
    {
        get
        {
            lock (sync)
            {
                return attachment?.Watch is not null;
            }
        }
    }

    /// <summary>
    /// A store file deleted or moved away under a running scheduler goes on working from the open file, but
    /// only until it closes, and nothing else can reach it any more: <c>schedhost add</c> would create a
    /// new, empty store at the path (or refuse, while the old log is there). A file put in its place
    /// (another store moved there, or one created anew) is not the one the scheduler runs: its jobs do not
    /// run, while the open file's go on (told on Linux, see <see cref="OpenFileCheck"/>). Said once per
    /// change (the message to report, else null); a stat per check, and on Linux a link or two read.
    /// </summary>
    private string? FileGoneLocked(Attachment current)
    {
        var state = fileCheck.State();
        if (state == current.FileState)
        {
            return null;
        }

        current.FileState = state;
        return state switch
        {
            OpenFileState.Missing => $"The store file '{Path}' was deleted or moved away while the scheduler '{current.SchedulerId}' runs on it. Its jobs and runs are kept only in the open file until this scheduler closes the store, and other processes no longer reach them. Put the file back where it was; to keep what it holds, do so before stopping the scheduler.",
            OpenFileState.Replaced => $"The store file '{Path}' was replaced by another file while the scheduler '{current.SchedulerId}' runs on it. This scheduler goes on running the jobs of the file it opened, which other processes no longer reach, and not those of the file now at the path. Restart the scheduler to run the file at the path (what the old file holds is lost then), or put the old file back before stopping it.",
            _ => null,
        };
    }

    /// <inheritdoc/>
    public override bool IsOrphaned
    {
        get
        {
            lock (sync)
            {
                return fileCheck.State() != OpenFileState.InPlace;
            }
        }
    }

    /// <summary>Whether another connection committed since the last check; remembers what it saw.</summary>
    private bool DataVersionChangedLocked(Attachment current)
    {
        var version = Convert.ToInt64(dataVersion.Scalar(), CultureInfo.InvariantCulture);
        if (version == current.DataVersion)
        {
            return false;
        }

        current.DataVersion = version;
        checkpointer.OnOtherCommit(current.Clock);
        return true;
    }

    /// <summary>
    /// The watch saw a write to the files: another process's commit is reported at once, and the timer
    /// returns to its full rate. Returns whether there was such a commit (or the scheduler is gone: nothing more to look for).
    /// </summary>
    private bool CheckForChanges(Attachment current)
    {
        try
        {
            lock (sync)
            {
                if (disposed || !ReferenceEquals(attachment, current))
                {
                    return true;
                }

                if (!DataVersionChangedLocked(current))
                {
                    return false;
                }

                ResetCheckIntervalLocked(current);
            }

            OnChanged();
            return true;
        }
#pragma warning disable CA1031 // Called on the thread pool, where an exception would end the process; the timer checks again.
        catch (Exception error)
#pragma warning restore CA1031
        {
            current.LastError = error;
            return false;
        }
    }

    /// <summary>
    /// The watch stopped working (the OS dropped events): whatever it missed is looked for now, and the
    /// timer alone notices changes from here on, at its full rate.
    /// </summary>
    internal void WatchFailed(Exception error)
    {
        Attachment? current;
        lock (sync)
        {
            current = attachment;
        }

        if (current is not null)
        {
            WatchFailed(current, error);
        }
    }

    private void WatchFailed(Attachment current, Exception error)
    {
        lock (sync)
        {
            if (disposed || !ReferenceEquals(attachment, current))
            {
                return;
            }

            current.Watch?.Dispose();
            current.Watch = null;
            current.WatchError = error;
            ResetCheckIntervalLocked(current);
            current.Timer?.Change(TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Back to the full rate: the next tick comes within <see cref="SqliteJobStoreOptions.ChangeCheckInterval"/>.</summary>
    private void ResetCheckIntervalLocked(Attachment current)
    {
        if (current.CheckInterval > options.ChangeCheckInterval)
        {
            current.CheckInterval = options.ChangeCheckInterval;
            current.Timer?.Change(options.ChangeCheckInterval, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>
    /// While the timer backs off, the scheduler's next event brings it back, so events and run ends reach
    /// the file within <see cref="SqliteJobStoreOptions.ChangeCheckInterval"/> of a quiet spell's end too.
    /// </summary>
    private static void WakeOnNextEventLocked(Attachment current)
    {
        if (current.WaitingForEvent)
        {
            return;
        }

        current.WaitingForEvent = true;
        _ = current.Events.WaitForEventsAsync(current.ForwardedSequence, current.Detached.Token, maxCount: 1).ContinueWith(
            static (waited, state) =>
            {
                var current = (Attachment)state!;
                var store = current.Store!;
                lock (store.sync)
                {
                    current.WaitingForEvent = false;
                    if (waited.Status == TaskStatus.RanToCompletion && !store.disposed && ReferenceEquals(store.attachment, current))
                    {
                        store.ResetCheckIntervalLocked(current);
                    }
                }
            },
            current,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    /// <summary>Writes the scheduler's events that are not in the file yet; whether there were any.</summary>
    private bool ForwardEventsLocked(Attachment current)
    {
        var limit = options.EventHistoryLimit;
        var forwarded = false;
        while (true)
        {
            var batch = current.Events.Read(current.ForwardedSequence, EventBatchSize);
            if (batch.Count == 0)
            {
                return forwarded;
            }

            forwarded = true;

            if (limit > 0)
            {
                Write(() =>
                {
                    foreach (var schedulerEvent in batch)
                    {
                        WriteEventLocked(schedulerEvent);
                    }

                    trimEvents.Set(0, (long)limit).Execute();
                    return true;
                });
            }

            current.ForwardedSequence = batch[batch.Count - 1].Sequence;
            if (batch.Count < EventBatchSize)
            {
                return true;
            }
        }
    }

    private void WriteEventLocked(SchedulerEvent e)
    {
        insertEvent
            .Set(0, e.Sequence)
            .Set(1, (long)e.Type)
            .Set(2, e.Timestamp.UtcTicks)
            .Set(3, e.SchedulerId)
            .Set(4, e.JobId)
            .Set(5, e.JobName)
            .Set(6, e.StoreName)
            .Set(7, e.ExecutorName)
            .Set(8, e.RunId)
            .Set(9, e.ScheduledTime?.UtcTicks)
            .Set(10, e.StartTime?.UtcTicks)
            .Set(11, e.Duration?.Ticks)
            .Set(12, (long)e.Attempt)
            .Set(13, e.Outcome is { } outcome ? (long?)outcome : null)
            .Set(14, JobRun.Bounded(e.Error ?? e.GetException()?.Message))
            .Set(15, JobRun.Bounded(e.Message))
            .Execute();
    }

    private static SchedulerEvent ReadEvent(SqliteDataReader reader) => StoredRows.ReadEvent(reader);

    /// <summary>Drops the run histories of ended jobs beyond the kept number or past the retention age.</summary>
    private void MaintainLocked()
    {
        var cutoff = RetentionCutoff();
        Write(() =>
        {
            pruneEndedRuns.Set(0, (long)EndedJobHistoryLimit).Set(1, cutoff).Execute();
            pruneEndedJobs.Set(0, (long)EndedJobHistoryLimit).Set(1, cutoff).Execute();
            return true;
        });
    }

    private void DetachLocked()
    {
        if (attachment is not { } current)
        {
            return;
        }

        current.Timer?.Dispose();
        current.Watch?.Dispose();
        current.Detached.Cancel();
        try
        {
            WritePendingEndsLocked();
            ForwardEventsLocked(current);
            Write(clearRunningScheduler.Set(0, current.SchedulerId).Execute, atomic: false);
        }
        finally
        {
            attachment = null;
            current.Claim.Dispose();
            current.Detached.Dispose();
        }
    }

    private void DisposeStatements()
    {
        foreach (var statement in new[]
        {
            begin, commit, savepoint, releaseSavepoint, rollbackToSavepoint, insertJob, upsertJob, updateJob, updateJobIfVersion, updateScheduleIfVersion, deleteJobIfVersion, deleteJob,
            deleteRunsOfJob, insertEndedJob, selectJob, selectAllJobs, selectJobsByName, selectDueJobs, selectNextRunTime, countJobs, markBroken,
            clearBroken, selectBroken, insertRun, updateRunBySeq, updateRunById, selectRuns, pruneRunsByCount, pruneRunsByAge, selectRunning, abandonRun, dataVersion,
            writeRunningScheduler, clearRunningScheduler, readRunningScheduler, jobExists, insertRunRequest, selectRunRequests, deleteRunRequests,
            insertEvent, trimEvents, selectEvents, selectLastEventId, pruneEndedRuns, pruneEndedJobs,
        })
        {
            statement.Dispose();
        }
    }

    /// <summary>A scheduler running on the store: its claim, clock, timer and how far its events were written.</summary>
    private sealed class Attachment(string schedulerId, TimeProvider clock, EventLog events, FileStream claim, DateTimeOffset since)
    {
        public string SchedulerId { get; } = schedulerId;

        public TimeProvider Clock { get; } = clock;

        public EventLog Events { get; } = events;

        public FileStream Claim { get; } = claim;

        public DateTimeOffset Since { get; } = since;

        public SqliteJobStore? Store { get; set; }

        public ITimer? Timer { get; set; }

        /// <summary>The watch of the file; null where none could start, after it failed, or on a clock other than the system's.</summary>
        public SqliteFileWatch? Watch { get; set; }

        /// <summary>Why there is no watch (for tests and diagnosis).</summary>
        public Exception? WatchError { get; set; }

        /// <summary>How long the timer waits now: the configured interval, or longer while idle with a watch.</summary>
        public TimeSpan CheckInterval { get; set; }

        /// <summary>Whether a wait for the scheduler's next event is armed.</summary>
        public bool WaitingForEvent { get; set; }

        /// <summary>Cancelled when the scheduler detaches: ends the wait for its next event.</summary>
        public CancellationTokenSource Detached { get; } = new();

        public long DataVersion { get; set; }

        public long ForwardedSequence { get; set; }

        public DateTimeOffset NextMaintenance { get; set; }

        public Exception? LastError { get; set; }

        /// <summary>Whether the last check found the store's file in place, gone from its path, or replaced (each change reported once).</summary>
        public OpenFileState FileState { get; set; }
    }
}
