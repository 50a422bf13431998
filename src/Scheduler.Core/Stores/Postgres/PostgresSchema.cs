using Npgsql;

namespace Scheduler.Stores;

/// <summary>
/// The tables of a PostgreSQL store, in a schema of their own, and their forward migrations. Times are
/// UTC ticks (as in the SQLite store) except where the database's own clock decides (leases, claims:
/// <c>now_ticks()</c>), so a node's clock never decides who is alive.
/// </summary>
internal static class PostgresSchema
{
    /// <summary>The version this build writes and reads.</summary>
    public const int CurrentVersion = 2;

    /// <summary>
    /// Creates the schema or brings it up to <see cref="CurrentVersion"/>, under a transaction-level advisory
    /// lock, so any number of nodes may open a new database at once.
    /// </summary>
    /// <exception cref="InvalidDataException">The schema was written by a newer version.</exception>
    public static void Migrate(NpgsqlConnection connection, string schema, bool createIfMissing, string display)
    {
        using var transaction = connection.BeginTransaction();
        Execute(connection, transaction, $"SELECT pg_advisory_xact_lock(hashtext('scheduler.migrate.{schema}'))");
        var version = ReadVersion(connection, transaction, schema);
        if (version > CurrentVersion)
        {
            throw new InvalidDataException(
                $"The store '{display}' (schema '{schema}') has schema version {version}, newer than this version of Scheduler reads ({CurrentVersion}): upgrade Scheduler.");
        }

        if (version == CurrentVersion)
        {
            transaction.Commit();
            return;
        }

        if (version < 0 && !createIfMissing)
        {
            throw new FileNotFoundException($"The store '{display}' has no Scheduler tables in schema '{schema}' (and creating them was not asked for).");
        }

        if (version < 1)
        {
            Execute(connection, transaction, Version1(schema));
        }

        if (version < 2)
        {
            Version2(connection, transaction, schema);
        }

        Execute(connection, transaction, $"""DELETE FROM "{schema}".schema_version; INSERT INTO "{schema}".schema_version (version) VALUES ({CurrentVersion})""");
        transaction.Commit();
    }

    /// <summary>The version recorded in the schema; -1 when the schema or its version table does not exist.</summary>
    private static int ReadVersion(NpgsqlConnection connection, NpgsqlTransaction transaction, string schema)
    {
        using var exists = new NpgsqlCommand("SELECT to_regclass(@table) IS NOT NULL", connection, transaction);
        exists.Parameters.AddWithValue("table", $"\"{schema}\".schema_version");
        if (!(bool)exists.ExecuteScalar()!)
        {
            return -1;
        }

        using var read = Command(connection, $"""SELECT max(version) FROM "{schema}".schema_version""", transaction);
        return read.ExecuteScalar() is int version ? version : 0;
    }

    private static string Version1(string s) => $"""
        CREATE SCHEMA IF NOT EXISTS "{s}";
        CREATE TABLE "{s}".schema_version (version integer NOT NULL);

        CREATE FUNCTION "{s}".now_ticks() RETURNS bigint LANGUAGE sql VOLATILE AS
            $$ SELECT (extract(epoch FROM clock_timestamp()) * 10000000)::bigint + 621355968000000000 $$;

        CREATE TABLE "{s}".jobs (
            id text PRIMARY KEY,
            name text NOT NULL,
            definition text NOT NULL,
            next_run_time bigint,
            jitter_ticks bigint NOT NULL DEFAULT 0,
            state integer NOT NULL DEFAULT 0,
            load_error text,
            version bigint NOT NULL,
            claimed_by text,
            claim_until bigint);
        CREATE INDEX jobs_due ON "{s}".jobs (next_run_time) WHERE next_run_time IS NOT NULL AND load_error IS NULL;
        CREATE INDEX jobs_broken ON "{s}".jobs (id) WHERE load_error IS NOT NULL;

        CREATE TABLE "{s}".runs (
            seq bigserial PRIMARY KEY,
            run_id text NOT NULL,
            job_id text NOT NULL,
            scheduled_time bigint NOT NULL,
            start_time bigint,
            end_time bigint,
            outcome integer NOT NULL,
            attempt integer NOT NULL,
            exit_code integer,
            output text,
            error text,
            scheduler_id text,
            fence bigint NOT NULL DEFAULT 0,
            recovering_by text,
            recovering_fence bigint);
        CREATE UNIQUE INDEX runs_run_id ON "{s}".runs (run_id);
        CREATE INDEX runs_recovering ON "{s}".runs (recovering_by) WHERE recovering_by IS NOT NULL;
        CREATE INDEX runs_job ON "{s}".runs (job_id, seq);
        CREATE INDEX runs_running ON "{s}".runs (scheduler_id, job_id) WHERE outcome = 0;

        CREATE TABLE "{s}".ended_jobs (seq bigserial PRIMARY KEY, job_id text NOT NULL, ended_time bigint NOT NULL);

        CREATE SEQUENCE "{s}".fences;
        CREATE TABLE "{s}".nodes (
            scheduler_id text PRIMARY KEY,
            fence bigint NOT NULL,
            host text NOT NULL,
            process_id integer NOT NULL,
            since bigint NOT NULL,
            lease_until bigint NOT NULL,
            clock_skew bigint NOT NULL DEFAULT 0);

        CREATE TABLE "{s}".run_requests (id bigserial PRIMARY KEY, job_id text NOT NULL, requested_time bigint NOT NULL);
        CREATE TABLE "{s}".cancel_requests (run_id text PRIMARY KEY, scheduler_id text NOT NULL, requested_time bigint NOT NULL);
        CREATE INDEX cancel_requests_node ON "{s}".cancel_requests (scheduler_id);

        CREATE TABLE "{s}".events (
            id bigserial PRIMARY KEY,
            sequence bigint NOT NULL,
            type bigint NOT NULL,
            timestamp bigint NOT NULL,
            scheduler_id text,
            job_id text,
            job_name text,
            store_name text,
            executor_name text,
            run_id text,
            scheduled_time bigint,
            start_time bigint,
            duration bigint,
            attempt integer NOT NULL,
            outcome bigint,
            error text,
            message text);

        CREATE TABLE "{s}".changes (one integer PRIMARY KEY CHECK (one = 1), counter bigint NOT NULL);
        INSERT INTO "{s}".changes (one, counter) VALUES (1, 0);
        """;

    /// <summary>
    /// Version 2: each job's executor in a column of its own, so a node claims due jobs only for the
    /// executors that have free workers (and leaves the rest to the other nodes) without reading definitions.
    /// </summary>
    private static void Version2(NpgsqlConnection connection, NpgsqlTransaction transaction, string s)
    {
        Execute(connection, transaction, $$"""
            ALTER TABLE "{{s}}".jobs ADD COLUMN executor text NOT NULL DEFAULT 'default';
            CREATE INDEX jobs_due_by_executor ON "{{s}}".jobs (executor, next_run_time) WHERE next_run_time IS NOT NULL AND load_error IS NULL;
            """);

        // The executor of the jobs already stored comes from their definitions. A damaged definition (a
        // broken job, kept for its owner to see) fails the cast: the rows are then taken one at a time and
        // such a job keeps the default, as it cannot run anyway.
        var fromDefinition = $$"""coalesce(definition::jsonb ->> 'executor', 'default')""";
        transaction.Save("executors");
        try
        {
            Execute(connection, transaction, $$"""UPDATE "{{s}}".jobs SET executor = {{fromDefinition}} WHERE definition LIKE '%"executor"%'""");
            transaction.Release("executors");
        }
        catch (PostgresException)
        {
            transaction.Rollback("executors");
            Execute(connection, transaction, $$"""
                DO $$
                DECLARE job record;
                BEGIN
                    FOR job IN SELECT id FROM "{{s}}".jobs WHERE definition LIKE '%"executor"%' LOOP
                        BEGIN
                            UPDATE "{{s}}".jobs SET executor = {{fromDefinition}} WHERE id = job.id;
                        EXCEPTION WHEN others THEN NULL;
                        END;
                    END LOOP;
                END $$
                """);
        }
    }

    /// <summary>A command of the store's own SQL, into which only the checked schema name is spliced; values are parameters.</summary>
    internal static NpgsqlCommand Command(NpgsqlConnection connection, string sql, NpgsqlTransaction? transaction = null)
    {
#pragma warning disable CA2100 // The store's own SQL; the schema name is checked to be a plain identifier.
        return new NpgsqlCommand(sql, connection, transaction);
#pragma warning restore CA2100
    }

    private static void Execute(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql)
    {
        using var command = Command(connection, sql, transaction);
        command.ExecuteNonQuery();
    }
}
