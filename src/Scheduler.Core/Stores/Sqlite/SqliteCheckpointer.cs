using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Scheduler.Stores;

/// <summary>
/// Copies a store's write-ahead log into its database file on a second connection on the thread pool,
/// every <see cref="CommitsPerCheckpoint"/> commits, so the writer's commits do not wait for the copy and
/// its syncs. At most one checkpoint is in flight; a failed one (file gone, store closing) is dropped and
/// the next tries again.
/// </summary>
/// <remarks>
/// The checkpoints are PASSIVE: they never wait for, or block, the store's writer or another process.
/// Under a continuous writer they never quite catch up, so the log only restarts when the writer's own
/// automatic checkpoint (<see cref="WalAutoCheckpointPages"/>, set on the store's connection) runs; by
/// then the background has copied almost every frame, and that checkpoint is cheap. The same bound
/// keeps the log from growing without end when background checkpoints fail. A store that goes quiet
/// keeps its log (within the bound) until a later checkpoint or its closing copies it: the log is part
/// of the file, as safe as the rest.
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

    private readonly string connectionString;
    private readonly int busyTimeoutMilliseconds;

    // Held for a whole checkpoint, so Dispose waits for one in flight and a queued one sees it disposed.
    private readonly object gate = new();

    private SqliteConnection? connection;
    private bool disposed;

    // Touched only by the store's writer, under its lock.
    private int commitsSinceCheckpoint;

    private int inFlight;
    private int completed;
    private int failed;

    public SqliteCheckpointer(string fullPath, TimeSpan busyTimeout)
    {
        connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = fullPath,

            // Never creates the file: the store opened it, and a file deleted since stays deleted.
            Mode = SqliteOpenMode.ReadWrite,
            Pooling = false,
            DefaultTimeout = (int)Math.Ceiling(busyTimeout.TotalSeconds),
        }.ToString();
        busyTimeoutMilliseconds = (int)Math.Min(int.MaxValue, Math.Ceiling(busyTimeout.TotalMilliseconds));
    }

    /// <summary>How many background checkpoints ran to the end (for tests).</summary>
    internal int Completed => Volatile.Read(ref completed);

    /// <summary>How many background checkpoints failed and were dropped (for tests).</summary>
    internal int Failed => Volatile.Read(ref failed);

    /// <summary>What the last checkpoint said: whether it met a lock, the log's frames, and how many of them are in the file (for tests).</summary>
    internal (long Busy, long LogFrames, long CopiedFrames) LastResult { get; private set; }

    /// <summary>Whether no checkpoint is queued or running (for tests).</summary>
    internal bool IsIdle => Volatile.Read(ref inFlight) == 0;

    /// <summary>Called by the store after each commit; queues a checkpoint every so many.</summary>
    public void OnCommit()
    {
        if (++commitsSinceCheckpoint < CommitsPerCheckpoint || Volatile.Read(ref inFlight) != 0)
        {
            return;
        }

        commitsSinceCheckpoint = 0;
        Volatile.Write(ref inFlight, 1);
        ThreadPool.UnsafeQueueUserWorkItem(static state => ((SqliteCheckpointer)state!).Checkpoint(), this);
    }

    /// <summary>Waits for a checkpoint in flight, then closes the connection; later ones do nothing.</summary>
    public void Dispose()
    {
        lock (gate)
        {
            disposed = true;
            connection?.Dispose();
            connection = null;
        }
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
            }
            // A checkpoint is an optimization: whatever fails, the store goes on and the next one tries again.
            catch (Exception error) when (error is not OutOfMemoryException)
            {
                connection?.Dispose();
                connection = null;
                Interlocked.Increment(ref failed);
            }
            finally
            {
                Volatile.Write(ref inFlight, 0);
            }
        }
    }

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
