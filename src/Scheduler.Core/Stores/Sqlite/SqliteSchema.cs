using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Scheduler.Stores;

/// <summary>
/// The tables of a SQLite job store and the forward migrations between their versions. The version
/// is the single row of <c>schema_version</c>; each migration moves a file from one version to the
/// next inside one transaction, so a failed migration leaves the file as it was.
/// </summary>
/// <remarks>
/// Times are UTC ticks (sortable integers). <c>jobs.version</c> is a random tag that changes on every
/// write of the row: a dispatch whose job was read with another tag is rejected (the job changed
/// meanwhile), and unlike a counter it cannot repeat when a job is removed and added again.
/// </remarks>
internal static class SqliteSchema
{
    /// <summary>Version 1: jobs, runs, ended jobs, run requests, events and the running scheduler.</summary>
    public static readonly SqliteMigration Version1 = new(1, """
        CREATE TABLE schema_version (version INTEGER NOT NULL);
        INSERT INTO schema_version (version) VALUES (0);

        CREATE TABLE jobs (
            id TEXT NOT NULL PRIMARY KEY,
            name TEXT NOT NULL,
            definition TEXT NOT NULL,
            next_run_time INTEGER,
            jitter_ticks INTEGER NOT NULL DEFAULT 0,
            state INTEGER NOT NULL DEFAULT 0,
            load_error TEXT,
            version INTEGER NOT NULL) WITHOUT ROWID;
        CREATE INDEX jobs_due ON jobs (next_run_time) WHERE next_run_time IS NOT NULL AND load_error IS NULL;
        CREATE INDEX jobs_broken ON jobs (id) WHERE load_error IS NOT NULL;

        CREATE TABLE runs (
            seq INTEGER PRIMARY KEY,
            run_id TEXT NOT NULL,
            job_id TEXT NOT NULL,
            scheduled_time INTEGER NOT NULL,
            start_time INTEGER,
            end_time INTEGER,
            outcome INTEGER NOT NULL,
            attempt INTEGER NOT NULL,
            exit_code INTEGER,
            output TEXT,
            error TEXT,
            scheduler_id TEXT);
        CREATE INDEX runs_job ON runs (job_id, seq);
        CREATE INDEX runs_running ON runs (scheduler_id) WHERE outcome = 0;

        CREATE TABLE ended_jobs (
            seq INTEGER PRIMARY KEY,
            job_id TEXT NOT NULL,
            ended_time INTEGER NOT NULL);

        CREATE TABLE run_requests (
            id INTEGER PRIMARY KEY,
            job_id TEXT NOT NULL,
            requested_time INTEGER NOT NULL);

        CREATE TABLE events (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            sequence INTEGER NOT NULL,
            type INTEGER NOT NULL,
            timestamp INTEGER NOT NULL,
            scheduler_id TEXT,
            job_id TEXT,
            job_name TEXT,
            store_name TEXT,
            executor_name TEXT,
            run_id TEXT,
            scheduled_time INTEGER,
            start_time INTEGER,
            duration INTEGER,
            attempt INTEGER NOT NULL,
            outcome INTEGER,
            error TEXT,
            message TEXT);

        CREATE TABLE running_scheduler (
            one INTEGER PRIMARY KEY CHECK (one = 1),
            scheduler_id TEXT NOT NULL,
            process_id INTEGER NOT NULL,
            host TEXT NOT NULL,
            since INTEGER NOT NULL);
        """);

    /// <summary>Every migration, in order: the one at index i moves version i to i + 1.</summary>
    public static IReadOnlyList<SqliteMigration> Migrations { get; } = [Version1];

    /// <summary>The version this build writes.</summary>
    public static int CurrentVersion => Migrations.Count;

    /// <summary>The version of an existing store, or null when the file has no <c>schema_version</c> table.</summary>
    public static int? ReadVersion(SqliteConnection connection, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'";
        if (Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture) == 0)
        {
            return null;
        }

        command.CommandText = "SELECT max(version) FROM schema_version";
        var value = command.ExecuteScalar();
        return value is null or DBNull ? 0 : Convert.ToInt32(value, CultureInfo.InvariantCulture);
    }

    /// <summary>The names of the tables in the file (an empty file has none).</summary>
    public static List<string> ReadTableNames(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name";
        using var reader = command.ExecuteReader();
        var names = new List<string>();
        while (reader.Read())
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }

    /// <summary>
    /// Brings a store to the last version of <paramref name="migrations"/>, one transaction per step; the
    /// version row is written in the step's transaction.
    /// </summary>
    /// <remarks>
    /// Each step takes the write lock (<c>BEGIN IMMEDIATE</c>) before it reads the version: several
    /// processes opening an older store at once then migrate it once, one step after the other, and the
    /// ones that wait find the step done.
    /// </remarks>
    public static void Migrate(SqliteConnection connection, IReadOnlyList<SqliteMigration> migrations)
    {
        while (true)
        {
            using var transaction = connection.BeginTransaction(deferred: false);
            var version = ReadVersion(connection, transaction) ?? 0;
            if (version >= migrations.Count)
            {
                return;
            }

            var migration = migrations[version];
            using (var command = connection.CreateCommand())
            {
                command.Transaction = transaction;
#pragma warning disable CA2100 // The migration's SQL is a constant of this file.
                command.CommandText = migration.Sql;
#pragma warning restore CA2100
                command.ExecuteNonQuery();
                command.CommandText = "UPDATE schema_version SET version = $version";
                command.Parameters.AddWithValue("$version", migration.ToVersion);
                command.ExecuteNonQuery();
            }

            transaction.Commit();
        }
    }
}

/// <summary>One forward step of the schema: the SQL that moves a store to <see cref="ToVersion"/>.</summary>
internal sealed class SqliteMigration(int toVersion, string sql)
{
    public int ToVersion { get; } = toVersion;

    public string Sql { get; } = sql;
}
