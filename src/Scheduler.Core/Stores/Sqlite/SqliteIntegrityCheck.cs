using System.Diagnostics;
using Microsoft.Data.Sqlite;

namespace Scheduler.Stores;

/// <summary>
/// <c>PRAGMA quick_check</c> of a whole store file, on a connection of its own, once: what the store's
/// first write waits for, so a damaged file is never written to. It can start early, in the background,
/// so that it overlaps what the opener does before it writes (a daemon starting, a verb parsing its job).
/// </summary>
/// <remarks>
/// SQLite notices damage only in the pages a statement reads, so a write that touches sound pages
/// succeeds in a file damaged elsewhere. quick_check reads every page (O(file size): about 55 ms for a
/// store of 100 000 jobs, 36 MiB, on the machine in docs/benchmarks.md) and skips only the check that
/// index entries match their rows, which integrity_check adds at little extra cost on such a file.
/// </remarks>
internal sealed class SqliteIntegrityCheck : IDisposable
{
    // At most three lines: enough to say what is wrong and where; SQLite may list thousands.
    private const string Check = "PRAGMA quick_check(3)";

    private readonly string path;
    private readonly TimeSpan busyTimeout;
    private readonly object gate = new();
    private Task<string?>? check;
    private SqliteConnection? connection;
    private bool disposed;

    public SqliteIntegrityCheck(string path, TimeSpan busyTimeout)
    {
        this.path = path;
        this.busyTimeout = busyTimeout;
    }

    /// <summary>How long the check took (for tests and measurements); zero until it ended.</summary>
    public TimeSpan Elapsed { get; private set; }

    /// <summary>Starts the check in the background unless it has started.</summary>
    public void Start()
    {
        lock (gate)
        {
            if (!disposed)
            {
                check ??= Task.Run(Run);
            }
        }
    }

    /// <summary>
    /// Waits for the check (running it here when it has not started) and tells what is wrong with the
    /// file, or null when it is sound.
    /// </summary>
    public string? Problem()
    {
        Task<string?> running;
        lock (gate)
        {
            if (disposed)
            {
                throw new ObjectDisposedException(nameof(SqliteIntegrityCheck));
            }

            running = check ??= Task.FromResult(Run());
        }

        return running.GetAwaiter().GetResult();
    }

    /// <summary>Stops a check in progress (the store is closing) and waits for it.</summary>
    public void Dispose()
    {
        Task<string?>? running;
        lock (gate)
        {
            if (disposed)
            {
                return;
            }

            disposed = true;
            running = check;
            if (connection is { } open)
            {
                SQLitePCL.raw.sqlite3_interrupt(open.Handle);
            }
        }

        try
        {
            running?.Wait();
        }
        catch (AggregateException)
        {
            // Interrupted: the outcome no longer matters.
        }
    }

    /// <summary>
    /// Runs the check on an open connection (a store's, a backup's): what is wrong with the file, or null
    /// when it is sound.
    /// </summary>
    internal static string? ProblemOf(SqliteConnection connection)
    {
        try
        {
            using var command = connection.CreateCommand();
            command.CommandText = Check;
            using var reader = command.ExecuteReader();
            var lines = new List<string>();
            while (reader.Read())
            {
                lines.Add(reader.GetString(0));
            }

            return lines.Count == 1 && lines[0] == "ok" ? null : "PRAGMA quick_check: " + string.Join("; ", lines);
        }
        catch (SqliteException error) when (SqliteJobStore.IsDamage(error))
        {
            return error.Message;
        }
    }

    private string? Run()
    {
        var watch = Stopwatch.StartNew();

        // Read-write only so that SQLite may use the log's shared memory as the store does; it only reads.
        var opened = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWrite,
            Pooling = false,
            DefaultTimeout = (int)Math.Ceiling(busyTimeout.TotalSeconds),
        }.ToString());
        try
        {
            opened.Open();
            SqliteJobStore.WaitWhenBusy(opened, busyTimeout);
            lock (gate)
            {
                if (disposed)
                {
                    return null;
                }

                // Dispose interrupts it from now until it is let go below, under the same lock.
                connection = opened;
            }

            return ProblemOf(opened);
        }
        catch (SqliteException error) when (error.SqliteErrorCode is SqliteErrorCodes.Corrupt or SqliteErrorCodes.NotADatabase)
        {
            return error.Message;
        }
        finally
        {
            lock (gate)
            {
                connection = null;
            }

            opened.Dispose();
            Elapsed = watch.Elapsed;
        }
    }
}
