using System.Globalization;
using Microsoft.Data.Sqlite;
using Scheduler.Internal;

namespace Scheduler.Stores;

/// <summary>Opening a file: every check that can fail runs before anything is written to it.</summary>
internal sealed partial class SqliteJobStore
{
    /// <summary>Opens (or creates) the store at <paramref name="path"/>; see <see cref="JobStore.CreateSqlite(string, SqliteJobStoreOptions, TimeProvider)"/> for the errors.</summary>
    public static SqliteJobStore Open(string path, SqliteJobStoreOptions options, TimeProvider? timeProvider)
        => Open(path, options, timeProvider, SqliteSchema.Migrations);

    /// <summary>Opens the store with a given list of migrations (tests pass their own).</summary>
    /// <param name="path">The file.</param>
    /// <param name="options">The store's options.</param>
    /// <param name="timeProvider">The store's clock, if not the scheduler's.</param>
    /// <param name="migrations">The schema versions this build knows.</param>
    internal static SqliteJobStore Open(string path, SqliteJobStoreOptions options, TimeProvider? timeProvider, IReadOnlyList<SqliteMigration> migrations)
    {
        if (path is null)
        {
            throw new ArgumentNullException(nameof(path));
        }

        if (options is null)
        {
            throw new ArgumentNullException(nameof(options));
        }

        var fullPath = FullPathOf(path, nameof(path), "store");
        CheckFile(fullPath, out var exists);
        if (!exists)
        {
            if (!options.CreateIfMissing)
            {
                throw new FileNotFoundException($"The store '{fullPath}' does not exist.", fullPath);
            }

            CreateFile(fullPath, migrations);
        }
        else if (new FileInfo(fullPath).Length == 0)
        {
            // A store is never empty (CreateFile makes it whole before it is there), so an empty file is something else's.
            throw new InvalidDataException($"The file '{fullPath}' is empty: it is not a job store, and it is left as it is. Remove it to create a new store there.");
        }

        var integrityCheck = new SqliteIntegrityCheck(fullPath, options.BusyTimeout);
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = fullPath,

            // Never creates: a file that vanished since the checks is an error, not a new store.
            Mode = SqliteOpenMode.ReadWrite,

            // A pooled connection would keep the file open after Dispose (and its lock file claim with it).
            Pooling = false,
            DefaultTimeout = (int)Math.Ceiling(options.BusyTimeout.TotalSeconds),
        }.ToString());
        try
        {
            OpenChecked(connection, fullPath, migrations, options.BusyTimeout);
            if (options.StartCheckAtOpen)
            {
                // After the opening's own reads, which would otherwise wait on the check's first read of the log.
                integrityCheck.Start();
            }

            return new SqliteJobStore(fullPath, connection, options, timeProvider, integrityCheck);
        }
        catch (Exception error)
        {
            integrityCheck.Dispose();
            connection.Dispose();
            if (error is SqliteException sqlite && IsUnavailable(sqlite))
            {
                throw Unavailable(fullPath, sqlite);
            }

            throw;
        }
    }

    /// <summary>
    /// Creates the store where no file is: builds it whole in a new file beside the path, readable by its
    /// owner only, and links that into place unless a file got there first. So no opener ever sees a
    /// half-made store or an empty file, and of several processes creating one store at once, one wins
    /// and the others open its file (a lost race is not an error).
    /// </summary>
    private static void CreateFile(string fullPath, IReadOnlyList<SqliteMigration> migrations)
    {
        // The log first: a concurrent creator places the file before it makes a log, so a log seen without
        // its file is a deleted store's. A new file would take its pages for its own.
        var orphanLog = fullPath + "-wal";
        if (File.Exists(orphanLog) && !File.Exists(fullPath))
        {
            throw new IOException(
                $"The store '{fullPath}' does not exist, but its log '{orphanLog}' does: the file was deleted or moved away while a process had it open (a scheduler may still run on it), or after a crash. A new store there would read that log as its own. Put the file back, or, to start an empty store, stop what uses the old one and move '{orphanLog}' and '{fullPath}-shm' away.");
        }

        var building = BuildingFileFor(fullPath);
        try
        {
            using (new FileStream(building, FileMode.CreateNew, FileAccess.Write))
            {
            }

            // Before anything is written; SQLite gives its -wal and -shm files the mode of the database file.
            FileModes.Set(building, FileModes.OwnerReadWrite);

            using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = building, Mode = SqliteOpenMode.ReadWrite, Pooling = false }.ToString()))
            {
                connection.Open();
                UseWriteAheadLog(connection, fullPath);
                SqliteSchema.Migrate(connection, migrations);
            }

            // Never replaces a file: another opener that created the store first has its file be the store.
            _ = FilePlacement.TryPlace(building, fullPath);
        }
        catch (UnauthorizedAccessException error)
        {
            throw new UnauthorizedAccessException($"The store '{fullPath}' cannot be created: {error.Message}", error);
        }
        catch (SqliteException error)
        {
            throw new IOException($"The store '{fullPath}' cannot be created: {error.Message}", error);
        }
        finally
        {
            DeleteBuildingFile(building);
        }
    }

    /// <summary>
    /// The full path of a file a caller named (<paramref name="what"/>: a store, a backup), or an
    /// <see cref="ArgumentException"/> for <paramref name="parameter"/> that says what is wrong with it.
    /// </summary>
    internal static string FullPathOf(string path, string parameter, string what)
    {
        if (path is null)
        {
            throw new ArgumentNullException(parameter);
        }

        if (string.IsNullOrWhiteSpace(path))
        {
            throw new ArgumentException($"The {what} path must not be empty.", parameter);
        }

        try
        {
            return System.IO.Path.GetFullPath(path);
        }
        catch (Exception error) when (error is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new ArgumentException($"The {what} path '{path}' is not a valid path: {error.Message}", parameter, error);
        }
    }

    /// <summary>
    /// Refuses a path that is a folder, or whose folder does not exist, naming the <paramref name="what"/>
    /// (a store, a backup) it was to be; returns the folder.
    /// </summary>
    internal static string RequireFolderOf(string fullPath, string what)
    {
        if (Directory.Exists(fullPath))
        {
            throw new IOException($"The {what} path '{fullPath}' is a folder; give the path of a database file in it, such as '{System.IO.Path.Combine(fullPath, "scheduler.db")}'.");
        }

        var folder = System.IO.Path.GetDirectoryName(fullPath);
        if (string.IsNullOrEmpty(folder) || !Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"The folder of the {what} '{fullPath}' does not exist: create '{folder}' first.");
        }

        return folder!;
    }

    /// <summary>
    /// A hidden file beside <paramref name="fullPath"/> in which a new store (or a backup) is built whole
    /// before it gets its name, so no opener ever sees it half-made.
    /// </summary>
    internal static string BuildingFileFor(string fullPath)
        => System.IO.Path.Combine(
            System.IO.Path.GetDirectoryName(fullPath)!,
            "." + System.IO.Path.GetFileName(fullPath) + "." + Guid.NewGuid().ToString("N").Substring(0, 12) + ".new");

    /// <summary>Removes a building file and what SQLite made beside it, whatever happened to it.</summary>
    internal static void DeleteBuildingFile(string building)
    {
        foreach (var leftover in new[] { building, building + "-wal", building + "-shm", building + "-journal" })
        {
            try
            {
                File.Delete(leftover);
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException)
            {
                // Only a hidden file left beside the store; the error that matters is the one already thrown, if any.
            }
        }
    }

    /// <summary>
    /// Has SQLite wait for a lock another connection holds, in steps of a few milliseconds, up to the
    /// busy timeout. Set first thing on every connection: until then Microsoft.Data.Sqlite retries a busy
    /// statement itself, 150 ms at a time, so a read of the schema that met another process rebuilding
    /// the log's index cost a whole 150 ms.
    /// </summary>
    internal static void WaitWhenBusy(SqliteConnection connection, TimeSpan busyTimeout)
    {
        using var command = connection.CreateCommand();
#pragma warning disable CA2100 // A PRAGMA with a number computed from the options; PRAGMA takes no parameters.
        command.CommandText = "PRAGMA busy_timeout = " + ((int)Math.Min(int.MaxValue, Math.Ceiling(busyTimeout.TotalMilliseconds))).ToString(CultureInfo.InvariantCulture);
#pragma warning restore CA2100
        command.ExecuteNonQuery();
    }

    private static void UseWriteAheadLog(SqliteConnection connection, string fullPath)
    {
        using var command = connection.CreateCommand();

        // journal_mode is kept in the file.
        command.CommandText = "PRAGMA journal_mode = WAL";
        var mode = command.ExecuteScalar() as string;
        if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
        {
            throw new IOException($"The store '{fullPath}' cannot use write-ahead logging (journal mode stays '{mode}'); is it on a network or read-only file system?");
        }
    }

    private static void CheckFile(string fullPath, out bool exists)
    {
        RequireFolderOf(fullPath, "store");
        exists = File.Exists(fullPath);
        if (exists && (File.GetAttributes(fullPath) & FileAttributes.ReadOnly) != 0)
        {
            throw new UnauthorizedAccessException($"The store '{fullPath}' is read-only: a job store needs to write to its file (it records every run). Make the file writable or use a copy.");
        }
    }

    private static void OpenChecked(SqliteConnection connection, string fullPath, IReadOnlyList<SqliteMigration> migrations, TimeSpan busyTimeout)
    {
        List<string> tables;
        int? version;
        try
        {
            connection.Open();
            WaitWhenBusy(connection, busyTimeout);
            if (SQLitePCL.raw.sqlite3_db_readonly(connection.Handle, "main") == 1)
            {
                throw new UnauthorizedAccessException($"The store '{fullPath}' can only be opened for reading: a job store needs to write to its file (it records every run). Make the file writable.");
            }

            // Reads only: nothing is written before the file is known to be a store this build understands.
            tables = SqliteSchema.ReadTableNames(connection);
            version = SqliteSchema.ReadVersion(connection);
        }
        catch (SqliteException error) when (error.SqliteErrorCode is SqliteErrorCodes.NotADatabase or SqliteErrorCodes.Corrupt)
        {
            throw new InvalidDataException($"The file '{fullPath}' is not a SQLite database (or it is damaged): {error.Message}", error);
        }
        catch (SqliteException error) when (error.SqliteErrorCode is SqliteErrorCodes.CantOpen or SqliteErrorCodes.ReadOnly)
        {
            throw new UnauthorizedAccessException($"The store '{fullPath}' cannot be opened for writing: {error.Message}", error);
        }

        if (version is null && tables.Count > 0)
        {
            throw new InvalidDataException(
                $"The file '{fullPath}' is a SQLite database but not a Scheduler job store (it has the tables {string.Join(", ", tables)} and no schema version); it is left as it is.");
        }

        var current = migrations.Count;
        if (version > current)
        {
            throw new InvalidDataException(
                $"The store '{fullPath}' has schema version {version.Value.ToString(CultureInfo.InvariantCulture)}, written by a newer Scheduler; this one understands up to version {current.ToString(CultureInfo.InvariantCulture)}. Update Scheduler to open it.");
        }

        UseWriteAheadLog(connection, fullPath);
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = OFF; PRAGMA temp_store = MEMORY; PRAGMA cache_size = -16000;";
            command.ExecuteNonQuery();
            // The background checkpoints (SqliteCheckpointer) do the copying; this bound is where the writer
            // checkpoints itself, so a log they cannot keep up with, or a failed one, stays bounded.
#pragma warning disable CA2100 // PRAGMAs with the store's constants; PRAGMA takes no parameters.
            command.CommandText = string.Format(
                CultureInfo.InvariantCulture,
                "PRAGMA wal_autocheckpoint = {0}; PRAGMA journal_size_limit = {1}",
                SqliteCheckpointer.WalAutoCheckpointPages,
                SqliteCheckpointer.WalSizeLimitBytes);
#pragma warning restore CA2100
            command.ExecuteNonQuery();
        }

        var from = version ?? 0;
        if (from < current)
        {
            try
            {
                SqliteSchema.Migrate(connection, migrations);
            }
            catch (SqliteException error)
            {
                throw new InvalidDataException(
                    string.Format(CultureInfo.InvariantCulture, "The store '{0}' could not be upgraded from schema version {1} to {2}; it is left at the last version reached: {3}", fullPath, from, current, error.Message),
                    error);
            }
        }
    }
}
