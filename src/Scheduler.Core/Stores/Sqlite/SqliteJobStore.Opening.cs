using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Scheduler.Stores;

/// <summary>Opening a file: every check that can fail runs before anything is written to it.</summary>
internal sealed partial class SqliteJobStore
{
    /// <summary>Opens (or creates) the store at <paramref name="path"/>; see <see cref="JobStore.CreateSqlite"/> for the errors.</summary>
    public static SqliteJobStore Open(string path, SqliteJobStoreOptions options, TimeProvider? timeProvider)
        => Open(path, options, timeProvider, SqliteSchema.Migrations);

    /// <summary>Opens the store with a given list of migrations (tests pass their own).</summary>
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

        if (string.IsNullOrWhiteSpace(path))
        {
            throw new ArgumentException("The store path must not be empty.", nameof(path));
        }

        string fullPath;
        try
        {
            fullPath = System.IO.Path.GetFullPath(path);
        }
        catch (Exception error) when (error is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new ArgumentException($"The store path '{path}' is not a valid path: {error.Message}", nameof(path), error);
        }

        CheckFile(fullPath, out var exists);
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = fullPath,
            Mode = exists ? SqliteOpenMode.ReadWrite : SqliteOpenMode.ReadWriteCreate,

            // A pooled connection would keep the file open after Dispose (and its lock file claim with it).
            Pooling = false,
            DefaultTimeout = (int)Math.Ceiling(options.BusyTimeout.TotalSeconds),
        }.ToString());
        try
        {
            OpenChecked(connection, fullPath, migrations, options.BusyTimeout);
            return new SqliteJobStore(fullPath, connection, options, timeProvider);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private static void CheckFile(string fullPath, out bool exists)
    {
        if (Directory.Exists(fullPath))
        {
            throw new IOException($"The store path '{fullPath}' is a folder; give the path of a database file in it, such as '{System.IO.Path.Combine(fullPath, "scheduler.db")}'.");
        }

        var folder = System.IO.Path.GetDirectoryName(fullPath);
        if (string.IsNullOrEmpty(folder) || !Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"The folder of the store '{fullPath}' does not exist: create '{folder}' first.");
        }

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

        using (var command = connection.CreateCommand())
        {
            // journal_mode is kept in the file; the others are per connection.
            command.CommandText = "PRAGMA journal_mode = WAL";
            var mode = command.ExecuteScalar() as string;
            if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
            {
                throw new IOException($"The store '{fullPath}' cannot use write-ahead logging (journal mode stays '{mode}'); is it on a network or read-only file system?");
            }

            command.CommandText = "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = OFF; PRAGMA temp_store = MEMORY; PRAGMA cache_size = -16000;";
            command.ExecuteNonQuery();
            command.CommandText = "PRAGMA busy_timeout = " + ((int)Math.Min(int.MaxValue, Math.Ceiling(busyTimeout.TotalMilliseconds))).ToString(CultureInfo.InvariantCulture);
            command.ExecuteNonQuery();

            // The background checkpoints (SqliteCheckpointer) do the copying; this bound is where the writer
            // checkpoints itself, so a log they cannot keep up with, or a failed one, stays bounded.
            command.CommandText = string.Format(
                CultureInfo.InvariantCulture,
                "PRAGMA wal_autocheckpoint = {0}; PRAGMA journal_size_limit = {1}",
                SqliteCheckpointer.WalAutoCheckpointPages,
                SqliteCheckpointer.WalSizeLimitBytes);
            command.ExecuteNonQuery();
        }

        var from = version ?? 0;
        if (from < current)
        {
            try
            {
                SqliteSchema.Migrate(connection, from, migrations);
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
