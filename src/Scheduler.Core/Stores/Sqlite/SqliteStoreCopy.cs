using System.Globalization;
using Microsoft.Data.Sqlite;
using Scheduler.Internal;

namespace Scheduler.Stores;

/// <summary>
/// Backing up a store file while schedulers and other processes use it, and restoring one. A copy of
/// the file itself is not a backup: committed writes may still be in its <c>-wal</c> log, and a
/// checkpoint may rewrite the file while it is copied. The backup is a snapshot read through SQLite
/// (<c>VACUUM INTO</c>), checked and synced before it gets its name; a restore writes the backup's
/// pages into the store through SQLite (its backup API), in one transaction that readers see whole.
/// </summary>
internal static class SqliteStoreCopy
{
    /// <summary>See <see cref="JobStore.BackupSqlite"/>.</summary>
    public static int Backup(string path, string destination, bool overwrite)
    {
        var source = SqliteJobStore.FullPathOf(path, nameof(path), "store");
        var target = SqliteJobStore.FullPathOf(destination, nameof(destination), "backup");
        if (string.Equals(source, target, StringComparison.Ordinal))
        {
            throw new ArgumentException($"The backup '{target}' would replace the store itself; give another file.", nameof(destination));
        }

        SqliteJobStore.RequireFolderOf(source, "store");
        if (!File.Exists(source))
        {
            throw new FileNotFoundException($"The store '{source}' does not exist.", source);
        }

        var folder = SqliteJobStore.RequireFolderOf(target, "backup");
        if (!overwrite && File.Exists(target))
        {
            throw BackupExists(target);
        }

        RefuseBesideLog(target, "backup");

        var building = SqliteJobStore.BuildingFileFor(target);
        try
        {
            using (var connection = OpenToRead(source, "store"))
            {
                RequireStoreSchema(connection, source, "store");

                // An empty file, owner-only before anything is in it; VACUUM INTO accepts an empty file.
                try
                {
                    using (new FileStream(building, FileMode.CreateNew, FileAccess.Write))
                    {
                    }
                }
                catch (Exception error) when (error is IOException or UnauthorizedAccessException)
                {
                    // The hidden file's name would mean nothing to the caller: the backup's is what they gave.
                    throw new IOException($"The backup '{target}' cannot be created in '{folder}': {error.Message}", error);
                }

                FileModes.Set(building, FileModes.OwnerReadWrite);
                try
                {
                    using var command = connection.CreateCommand();
                    command.CommandText = "VACUUM INTO $file";
                    command.Parameters.AddWithValue("$file", building);
                    command.ExecuteNonQuery();
                }
                catch (SqliteException error) when (SqliteJobStore.IsDamage(error))
                {
                    throw new InvalidDataException($"The store '{source}' is damaged ({error.Message.TrimEnd('.')}); no backup was made. Restore it from an earlier backup, or recover what it holds into a new file with the sqlite3 shell's .recover command.", error);
                }
                catch (SqliteException error) when (SqliteJobStore.IsUnavailable(error))
                {
                    throw WriteFailed(target, error);
                }
            }

            int jobs;
            using (var copy = Open(building, SqliteOpenMode.ReadWrite))
            {
                // A store the moment it is restored or opened: the store's journal mode is kept in the file.
                Execute(copy, "PRAGMA journal_mode = WAL");
                ForgetRunningScheduler(copy);
                var problem = SqliteIntegrityCheck.ProblemOf(copy);
                if (problem is not null)
                {
                    throw new InvalidDataException($"The backup of '{source}' did not pass its check ({problem}); no backup was made.");
                }

                jobs = CountJobs(copy);
            }

            SyncFile(building);
            Place(building, target, overwrite);
            return jobs;
        }
        catch (SqliteException error) when (SqliteJobStore.IsUnavailable(error))
        {
            throw WriteFailed(target, error);
        }
        finally
        {
            SqliteJobStore.DeleteBuildingFile(building);
        }
    }

    /// <summary>See <see cref="JobStore.RestoreSqlite"/>.</summary>
    public static int Restore(string backup, string path)
    {
        var source = SqliteJobStore.FullPathOf(backup, nameof(backup), "backup");
        var target = SqliteJobStore.FullPathOf(path, nameof(path), "store");
        if (string.Equals(source, target, StringComparison.Ordinal))
        {
            throw new ArgumentException($"The backup '{source}' is the store itself; give the backup to restore from.", nameof(backup));
        }

        if (!File.Exists(source))
        {
            throw Directory.Exists(source)
                ? new IOException($"The backup '{source}' is a folder, not a backup file.")
                : new FileNotFoundException($"The backup '{source}' does not exist.", source);
        }

        using var from = OpenToRead(source, "backup");
        RequireStoreSchema(from, source, "backup");
        var problem = SqliteIntegrityCheck.ProblemOf(from);
        if (problem is not null)
        {
            throw new InvalidDataException($"The backup '{source}' is damaged ({problem}); the store is left as it is.");
        }

        // A missing store is created first, with every check a new store gets (a deleted store's log left at the path).
        if (!File.Exists(target))
        {
            SqliteJobStore.Open(target, SqliteJobStoreOptions.Default with { CreateIfMissing = true, StartCheckAtOpen = false }, timeProvider: null).Dispose();
        }

        using (var claim = SqliteJobStore.TryClaim(target))
        {
            if (claim is null)
            {
                throw new InvalidOperationException($"A scheduler runs on the store '{target}' ({RunningSchedulerOf(target)}); stop it before restoring the store: it would go on from what it holds in memory.");
            }

            try
            {
                using var to = Open(target, SqliteOpenMode.ReadWrite);
                RequireRestorable(to, target);

                // The restore's commits are synced before it returns, whatever a checkpoint does later.
                Execute(to, "PRAGMA synchronous = FULL");
                from.BackupDatabase(to);

                // For a backup made otherwise (a copy of a crashed daemon's file), while the claim says none runs.
                ForgetRunningScheduler(to);
            }
            catch (SqliteException error) when (error.SqliteErrorCode == SqliteErrorCodes.NotADatabase)
            {
                throw new InvalidDataException($"The store '{target}' is not a SQLite database ({error.Message.TrimEnd('.')}), so it cannot be restored in place; move it away and restore again (a missing store is created).", error);
            }
            catch (SqliteException error) when (SqliteJobStore.IsUnavailable(error) || SqliteJobStore.IsDamage(error))
            {
                throw new IOException($"The store '{target}' could not be restored; it is left as it was ({error.Message.TrimEnd('.')}).", error);
            }
        }

        // Opened as a store: a backup from an older version is upgraded now, and the count is the store's.
        using var restored = SqliteJobStore.Open(target, SqliteJobStoreOptions.Default with { CreateIfMissing = false, StartCheckAtOpen = false }, timeProvider: null);
        return restored.Count;
    }

    /// <summary>A log beside a file is the file's (SQLite reads it as such): a new file under that name would take its pages.</summary>
    private static void RefuseBesideLog(string target, string what)
    {
        var log = target + "-wal";
        if (File.Exists(log))
        {
            throw new IOException($"The {what} '{target}' has a log '{log}' beside it: a process has that file open, or one crashed with it open. A new file there would read that log as its own; give another file, or move '{log}' and '{target}-shm' away.");
        }
    }

    /// <summary>The store or backup a copy reads; one that cannot be read is named (not the file the copy writes).</summary>
    private static SqliteConnection OpenToRead(string file, string what)
    {
        try
        {
            return Open(file, SqliteOpenMode.ReadOnly);
        }
        catch (SqliteException error) when (SqliteJobStore.IsUnavailable(error))
        {
            throw new IOException($"The {what} '{file}' cannot be read ({error.Message.TrimEnd('.')}).", error);
        }
    }

    /// <summary>Never creates: the file is there (built, or checked a moment ago); one that vanished is an error.</summary>
    private static SqliteConnection Open(string file, SqliteOpenMode mode)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file, Mode = mode, Pooling = false }.ToString());
        try
        {
            connection.Open();
            SqliteJobStore.WaitWhenBusy(connection, SqliteJobStoreOptions.Default.BusyTimeout);
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private static void RequireStoreSchema(SqliteConnection connection, string file, string what)
    {
        int? version;
        try
        {
            version = SqliteSchema.ReadVersion(connection);
        }
        catch (SqliteException error) when (SqliteJobStore.IsDamage(error))
        {
            throw new InvalidDataException($"The {what} '{file}' is not a SQLite database (or it is damaged): {error.Message}", error);
        }

        if (version is null)
        {
            throw new InvalidDataException($"The {what} '{file}' is not a Scheduler job store (it has no schema version).");
        }

        if (version > SqliteSchema.CurrentVersion)
        {
            throw new InvalidDataException(
                string.Format(CultureInfo.InvariantCulture, "The {0} '{1}' has schema version {2}, written by a newer Scheduler; this one understands up to version {3}. Update Scheduler to use it.", what, file, version, SqliteSchema.CurrentVersion));
        }
    }

    /// <summary>
    /// Refuses to replace a file that is not a store: another program's database, or an empty file.
    /// A store damaged inside is what a restore is for, so damage met here does not stop it.
    /// </summary>
    private static void RequireRestorable(SqliteConnection connection, string target)
    {
        if (new FileInfo(target).Length == 0)
        {
            throw new InvalidDataException($"The file '{target}' is empty: it is not a job store, and it is left as it is. Remove it to restore the backup there.");
        }

        try
        {
            var tables = SqliteSchema.ReadTableNames(connection);
            if (tables.Count > 0 && SqliteSchema.ReadVersion(connection) is null)
            {
                throw new InvalidDataException($"The file '{target}' is a SQLite database but not a Scheduler job store (it has the tables {string.Join(", ", tables)} and no schema version); it is left as it is.");
            }
        }
        catch (SqliteException error) when (SqliteJobStore.IsDamage(error))
        {
            // Damaged, or not a database at all: the restore itself tells the two apart.
        }
    }

    /// <summary>
    /// Clears the record of the scheduler that ran on the store when the backup was taken, and the run
    /// requests made of it: no scheduler runs on a backup nor on a store just restored (the claim says
    /// so), and a record kept would have status and trigger take a scheduler of another time, or of
    /// another machine, for a running one.
    /// </summary>
    private static void ForgetRunningScheduler(SqliteConnection connection)
        => Execute(connection, "BEGIN IMMEDIATE; DELETE FROM running_scheduler; DELETE FROM run_requests; COMMIT");

    private static int CountJobs(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM jobs";
        return Convert.ToInt32(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
#pragma warning disable CA2100 // This class's own constant PRAGMAs.
        command.CommandText = sql;
#pragma warning restore CA2100
        command.ExecuteNonQuery();
    }

    private static void SyncFile(string file)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.ReadWrite);
        stream.Flush(flushToDisk: true);
    }

    /// <summary>
    /// Gives the finished backup its name: without <paramref name="overwrite"/> only if no file has it
    /// (another process's file that appeared meanwhile is kept); with it, in one rename that replaces the
    /// old backup, so the name always holds a whole backup.
    /// </summary>
    private static void Place(string building, string target, bool overwrite)
    {
        RefuseBesideLog(target, "backup");
        if (!overwrite)
        {
            if (!FilePlacement.TryPlace(building, target))
            {
                throw BackupExists(target);
            }

            return;
        }

        if (File.Exists(target))
        {
            File.Replace(building, target, destinationBackupFileName: null);
        }
        else
        {
            File.Move(building, target);
        }
    }

    private static IOException WriteFailed(string target, SqliteException error)
        => new($"The backup '{target}' could not be written ({error.Message.TrimEnd('.')}); no backup was made.", error);

    private static string RunningSchedulerOf(string target)
    {
        try
        {
            using var connection = Open(target, SqliteOpenMode.ReadOnly);
            using var command = connection.CreateCommand();
            command.CommandText = SqliteJobStore.SelectRunningScheduler;
            using var reader = command.ExecuteReader();
            if (reader.Read())
            {
                return SqliteJobStore.Describe(SqliteJobStore.ReadRunningScheduler(reader));
            }
        }
        catch (SqliteException)
        {
            // Only the detail of the message; the claim is what says a scheduler runs.
        }

        return "another process holds its claim";
    }

    // The caller's flag is named by each surface (schedhost --force, the module's -Force): this one is the API's.
    private static IOException BackupExists(string target)
        => new($"The backup '{target}' already exists; give another file, or back up with overwrite to replace it.");
}
