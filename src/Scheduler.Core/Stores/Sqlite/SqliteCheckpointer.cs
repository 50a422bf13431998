using System.Globalization;
using Microsoft.Data.Sqlite;
using Scheduler.Internal;

namespace Scheduler.Stores;

/// <summary>
/// Copies a store's write-ahead log into its database file on a second connection on the thread pool,
/// every <see cref="CommitsPerCheckpoint"/> commits, so the writer's commits do not wait for the copy and
/// its syncs, and <see cref="SyncDelay"/> after a commit no checkpoint has covered yet, so a commit is on
/// disk within about that long however quiet the store is. At most one checkpoint runs at a time; a
/// failed one (file gone, store closing) is dropped and the next tries again.
/// </summary>
/// <remarks>
/// The checkpoints are PASSIVE: they never wait for, or block, the store's writer or another process.
/// Under a continuous writer they never quite catch up, so the log only restarts when the writer's own
/// automatic checkpoint (<see cref="WalAutoCheckpointPages"/>, set on the store's connection) runs; by
/// then the background has copied almost every frame, and that checkpoint is cheap. The same bound
/// keeps the log from growing without end when background checkpoints fail. A store that goes quiet
/// keeps its log (within the bound) until a later checkpoint or its closing copies it: the log is part
/// of the file, as safe as the rest against a crash of the process.
/// <para>Against a power loss it is not: with <c>synchronous=NORMAL</c> only a checkpoint syncs the log.
/// So the first commit after a checkpoint arms a timer on the store's clock, and a commit another process
/// made to the file (<see cref="OnOtherCommit"/>: it may have ended before syncing it) does too; a
/// checkpoint a reader held back is tried again later. A store closing, and the process exiting, sync
/// what waits (<see cref="SyncCommits"/>). A store nobody writes to arms nothing and costs nothing.</para>
/// </remarks>
internal sealed class SqliteCheckpointer : IDisposable
{
    /// <summary>Chosen by measuring <c>add-sqlite</c>: often enough that each checkpoint is small, rarely enough that queuing one costs nothing.</summary>
    internal const int CommitsPerCheckpoint = 300;

    /// <summary>
    /// The log's bound in pages (about 16 MiB of 4 KiB pages): where the writer checkpoints itself. Measured
    /// as fast as 10 000 pages in <c>add-sqlite</c>, with a log less than half the size.
    /// </summary>
    internal const int WalAutoCheckpointPages = 4_000;

    /// <summary>
    /// The size the log file is cut back to when it restarts (<c>journal_size_limit</c>): the bound, so a
    /// log that overshot it (the writer's checkpoint found a background one running) does not keep the
    /// space, while a log within it is reused without being cut and grown again.
    /// </summary>
    internal const long WalSizeLimitBytes = 16L * 1024 * 1024;

    /// <summary>
    /// How long a commit waits at most for a checkpoint to sync it: the most a power loss takes from a
    /// quiet store. Short enough to be the "last moments" of commits, long enough that a store under
    /// steady writes adds at most one checkpoint a second to its count-driven ones.
    /// </summary>
    internal static readonly TimeSpan SyncDelay = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between tries while a reader keeps a checkpoint from copying the whole log, or checkpoints fail.</summary>
    internal static readonly TimeSpan HeldBackRetryLimit = TimeSpan.FromMinutes(1);

    private readonly string connectionString;
    private readonly int busyTimeoutMilliseconds;

    // Its own (a check is not thread-safe): the checkpoints run on the thread pool, outside the store's lock.
    private readonly OpenFileCheck fileCheck;

    // Held for a whole checkpoint, so Dispose waits for one in flight and a queued one sees it disposed.
    private readonly object gate = new();

    // Its own lock, not the gate: a commit arming the sync timer must not wait for a checkpoint.
    private readonly object syncTimerGate = new();

    private SqliteConnection? connection;
    private bool disposed;

    // Touched only by the store's writer, under its lock.
    private int commitsSinceCheckpoint;

    // Checkpoints queued or running.
    private int inFlight;

    // 1 while the sync timer is armed; the commits since it was armed wait for it.
    private int syncArmed;

    private TimeSpan syncRetryDelay = SyncDelay;
    private ITimer? syncTimer;
    private TimeProvider? syncTimerClock;

    private int completed;
    private int failed;

    public SqliteCheckpointer(string fullPath, TimeSpan busyTimeout)
    {
        fileCheck = new OpenFileCheck(fullPath);
        connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = fullPath,

            // Never creates the file: the store opened it, and a file deleted since stays deleted.
            Mode = SqliteOpenMode.ReadWrite,
            Pooling = false,
            DefaultTimeout = (int)Math.Ceiling(busyTimeout.TotalSeconds),
        }.ToString();
        busyTimeoutMilliseconds = (int)Math.Min(int.MaxValue, Math.Ceiling(busyTimeout.TotalMilliseconds));
        AppDomain.CurrentDomain.ProcessExit += SyncAtExit;
    }

    /// <summary>How many background checkpoints ran to the end (for tests).</summary>
    internal int Completed => Volatile.Read(ref completed);

    /// <summary>How many background checkpoints failed and were dropped (for tests).</summary>
    internal int Failed => Volatile.Read(ref failed);

    /// <summary>What the last checkpoint said: whether it met a lock, the log's frames, and how many of them are in the file (for tests).</summary>
    internal (long Busy, long LogFrames, long CopiedFrames) LastResult { get; private set; }

    /// <summary>Whether no checkpoint is queued or running (for tests).</summary>
    internal bool IsIdle => Volatile.Read(ref inFlight) == 0;

    /// <summary>Whether the timer that syncs the last commits is armed (for tests).</summary>
    internal bool SyncPending => Volatile.Read(ref syncArmed) != 0;

    /// <summary>
    /// Called by the store after each commit, under its lock: queues a checkpoint every so many, and arms
    /// the sync timer on <paramref name="clock"/> if it is not armed.
    /// </summary>
    public void OnCommit(TimeProvider clock)
    {
        if (++commitsSinceCheckpoint >= CommitsPerCheckpoint && Volatile.Read(ref inFlight) == 0)
        {
            commitsSinceCheckpoint = 0;
            Queue();
        }

        ArmSync(clock, SyncDelay);
    }

    /// <summary>
    /// Called by the store, under its lock, when it notices that another connection committed to the file:
    /// that process may end (or be killed) before a checkpoint of its own syncs its commits.
    /// </summary>
    public void OnOtherCommit(TimeProvider clock) => ArmSync(clock, SyncDelay);

    /// <summary>
    /// Called by the store as it closes, and when the process exits: checkpoints at once if a commit waits
    /// for the sync timer or a checkpoint is queued (closing drops a queued one), since this may not be the
    /// file's last connection (whose closing would). A reader holding the checkpoint back leaves those
    /// commits to the next checkpoint of another connection.
    /// </summary>
    public void SyncCommits()
    {
        if (Interlocked.Exchange(ref syncArmed, 0) == 0 && Volatile.Read(ref inFlight) == 0)
        {
            return;
        }

        Interlocked.Increment(ref inFlight);
        Checkpoint();
    }

    /// <summary>Waits for a checkpoint in flight, then closes the connection; later ones do nothing.</summary>
    public void Dispose()
    {
        AppDomain.CurrentDomain.ProcessExit -= SyncAtExit;
        lock (gate)
        {
            disposed = true;
            lock (syncTimerGate)
            {
                syncTimer?.Dispose();
                syncTimer = null;
            }

            connection?.Dispose();
            connection = null;
        }
    }

    private void ArmSync(TimeProvider clock, TimeSpan delay)
    {
        if (Volatile.Read(ref syncArmed) != 0 || Interlocked.Exchange(ref syncArmed, 1) != 0)
        {
            return;
        }

        lock (syncTimerGate)
        {
            if (Volatile.Read(ref disposed))
            {
                return;
            }

            // The store's clock changes when a scheduler on another clock attaches (tests run on a fake one).
            if (!ReferenceEquals(clock, syncTimerClock))
            {
                syncTimer?.Dispose();
                syncTimer = clock.CreateTimer(static state => ((SqliteCheckpointer)state!).SyncTimerFired(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                syncTimerClock = clock;
            }

            syncTimer!.Change(delay, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>
    /// A process that ends without closing its stores (pwsh exiting after Register-ScheduledJobEx, whose
    /// session keeps the store open) would leave its last commits to the operating system's write-back.
    /// </summary>
    private void SyncAtExit(object? sender, EventArgs e) => SyncCommits();

    private void SyncTimerFired()
    {
        // Cleared first: a commit from here on arms the timer again, since this checkpoint may not cover it.
        Volatile.Write(ref syncArmed, 0);
        Queue();
    }

    private void Queue()
    {
        Interlocked.Increment(ref inFlight);

        // Never on the caller's thread: the caller is the store's writer, or a fake clock's Advance.
        ThreadPool.UnsafeQueueUserWorkItem(static state => ((SqliteCheckpointer)state!).Checkpoint(), this);
    }

    private void Checkpoint()
    {
        lock (gate)
        {
            try
            {
                if (disposed)
                {
                    return;
                }

                // A file put at the path since the store opened its own (replaced under it) is not the one
                // the log beside it belongs to: a connection opened there now would copy the old file's
                // pages into the new one. One opened before goes on with the old file, as the store does.
                // Counted as failed, and tried again later: the file may be put back.
                if (connection is null && fileCheck.State() != OpenFileState.InPlace)
                {
                    Interlocked.Increment(ref failed);
                    RetrySyncLater();
                    return;
                }

                connection ??= Open();
                using var command = connection.CreateCommand();
                command.CommandText = "PRAGMA wal_checkpoint(PASSIVE)";
                using (var reader = command.ExecuteReader())
                {
                    if (reader.Read())
                    {
                        LastResult = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
                    }
                }

                Interlocked.Increment(ref completed);

                // A reader's older view kept frames in the log unsynced: try again, less often while it lasts.
                if (LastResult.CopiedFrames < LastResult.LogFrames)
                {
                    RetrySyncLater();
                }
                else
                {
                    syncRetryDelay = SyncDelay;
                }
            }
            // Whatever fails, the store goes on (its log is part of the file); the sync is tried again.
            catch (Exception error) when (error is not OutOfMemoryException)
            {
                connection?.Dispose();
                connection = null;
                Interlocked.Increment(ref failed);
                RetrySyncLater();
            }
            finally
            {
                Interlocked.Decrement(ref inFlight);
            }
        }
    }

    /// <summary>Under the gate: arms the sync timer again, twice as long as the last try's wait (up to <see cref="HeldBackRetryLimit"/>).</summary>
    private void RetrySyncLater()
    {
        syncRetryDelay = Min(syncRetryDelay + syncRetryDelay, HeldBackRetryLimit);
        TimeProvider? clock;
        lock (syncTimerGate)
        {
            clock = syncTimerClock;
        }

        // Without a clock no commit of this store armed a sync (the store is closing): the next connection's checkpoint copies it.
        if (clock is not null)
        {
            ArmSync(clock, syncRetryDelay);
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private SqliteConnection Open()
    {
        var opened = new SqliteConnection(connectionString);
        try
        {
            opened.Open();
            using var command = opened.CreateCommand();
#pragma warning disable CA2100 // A PRAGMA with a number the store computed; PRAGMA takes no parameters.
            command.CommandText = "PRAGMA busy_timeout = " + busyTimeoutMilliseconds.ToString(CultureInfo.InvariantCulture);
#pragma warning restore CA2100
            command.ExecuteNonQuery();
            return opened;
        }
        catch
        {
            opened.Dispose();
            throw;
        }
    }
}
