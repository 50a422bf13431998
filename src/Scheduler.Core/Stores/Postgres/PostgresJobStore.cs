using System.Data.Common;
using Npgsql;
using NpgsqlTypes;
using Scheduler.Jobs;

namespace Scheduler.Stores;

/// <summary>
/// Jobs, runs and events in PostgreSQL (see <see cref="JobStore.CreatePostgres"/>), shared by any number
/// of schedulers on any number of machines: the nodes of a cluster. Nothing is cached; every call reads
/// or writes the database through Npgsql's connection pool.
/// </summary>
/// <remarks>
/// <para>Every fire time runs once across the cluster. A node claims the due jobs it reads
/// (<c>FOR UPDATE SKIP LOCKED</c>, a claim stamped by the database's clock), and commits each job's advanced
/// next run time together with the runs it starts in one transaction, compared and set on the job's
/// version: a fire time is committed once, whatever the nodes' clocks say. A node that dies while it holds
/// a claim delays those jobs by at most <see cref="PostgresJobStoreOptions.ClaimDuration"/>.</para>
/// <para>Each node holds a lease (<c>nodes</c>) renewed by its heartbeat, and a fencing token recorded with
/// every run it commits. A node whose lease expired is dead: the first live node to see it marks its
/// running runs Abandoned and removes it. The abandoned runs stay in that node's care until its scheduler
/// has run them again (Recover; the re-run's record ends the care in the same statement) or reported them,
/// and the care of a node that dies first passes to the next live node, so a recovery is never lost and
/// never made twice. The dead node,
/// should it wake up (a paused VM), cannot start those runs (<see cref="MayStart"/>) nor record their end,
/// since both check the token.</para>
/// <para>The partial classes hold the jobs and dispatches, the runs, and the cluster (leases, takeover,
/// notifications, run-now and cancel requests, events).</para>
/// </remarks>
internal sealed partial class PostgresJobStore : JobStore, ISharedJobStore
{
    private const string JobColumns = "id, name, definition, next_run_time, jitter_ticks, state, load_error, version";
    private const string JobOrder = "ORDER BY next_run_time IS NULL, next_run_time, id";

    private readonly NpgsqlDataSource dataSource;
    private readonly PostgresJobStoreOptions options;
    private readonly TimeProvider? fixedClock;
    private readonly string s;
    private readonly string claimSql;
    private readonly string claimPerExecutorSql;
    private readonly object sync = new();
    private readonly Random versionRandom = new();
    private readonly HashSet<string> reportedBroken = new(StringComparer.Ordinal);
    private bool disposed;

    private PostgresJobStore(NpgsqlDataSource dataSource, string display, PostgresJobStoreOptions options, TimeProvider? timeProvider)
    {
        this.dataSource = dataSource;
        Display = display;
        this.options = options;
        fixedClock = timeProvider;
        s = options.Schema;
        claimSql = ClaimSql(perExecutor: false);
        claimPerExecutorSql = ClaimSql(perExecutor: true);

        // Until a scheduler attaches, this instance claims and writes under a name of its own.
        InstanceId = "store-" + Guid.NewGuid().ToString("N").Substring(0, 12);
        Channel = "scheduler_" + s.ToLowerInvariant();
    }

    /// <summary>The connection string without its password.</summary>
    public string Display { get; }

    /// <summary>This store object's own name: the payload of its notifications, so it ignores its own.</summary>
    internal string InstanceId { get; }

    /// <summary>The LISTEN/NOTIFY channel of the schema.</summary>
    internal string Channel { get; }

    public override int Count
    {
        get
        {
            using var lease = Connect();
            using var command = Command(lease.Connection, $"""SELECT count(*) FROM "{s}".jobs""");
            return Convert.ToInt32(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    /// <summary>The clock: the one given at opening, else the running scheduler's, else the system's.</summary>
    private TimeProvider Clock => fixedClock ?? attachment?.Clock ?? TimeProvider.System;

    /// <summary>The name this store claims and records runs under: the attached scheduler's id, else its own.</summary>
    private string ClaimOwner => attachment?.SchedulerId ?? InstanceId;

    /// <summary>Opens a store; see <see cref="JobStore.CreatePostgres"/>.</summary>
    public static PostgresJobStore Open(string location, PostgresJobStoreOptions options, TimeProvider? timeProvider)
    {
        var builder = PostgresLocation.Parse(location);
        var display = PostgresLocation.Display(builder);

        // A scheduler's store needs no more than a handful of connections per node; the defaults of 100
        // would let a large cluster exhaust the server.
        if (!builder.ContainsKey("Maximum Pool Size") || builder.MaxPoolSize == 100)
        {
            builder.MaxPoolSize = 20;
        }

        var dataSource = NpgsqlDataSource.Create(builder);
        try
        {
            using (var connection = dataSource.OpenConnection())
            {
                PostgresSchema.Migrate(connection, options.Schema, options.CreateIfMissing, display);
            }

            return new PostgresJobStore(dataSource, display, options, timeProvider);
        }
        catch (PostgresException error)
        {
            dataSource.Dispose();
            throw Unavailable(display, error);
        }
        catch (NpgsqlException error)
        {
            dataSource.Dispose();
            throw Unavailable(display, error);
        }
        catch
        {
            dataSource.Dispose();
            throw;
        }
    }

    public override string ToString() => $"PostgreSQL job store '{Display}' (schema {s})";

    // ---------------------------------------------------------------- jobs

    public override void Add(Job job, bool replaceExisting)
    {
        var definition = StoredJob.Serialize(job);

        // A duplicate is found without failing the statement: a failed statement would abort a batch's transaction.
        var sql = replaceExisting
            ? $"""
              INSERT INTO "{s}".jobs (id, name, definition, executor, next_run_time, jitter_ticks, state, load_error, version)
              VALUES (@id, @name, @definition, @executor, @next, @jitter, @state, NULL, @version)
              ON CONFLICT (id) DO UPDATE SET name = excluded.name, definition = excluded.definition, executor = excluded.executor, next_run_time = excluded.next_run_time,
                  jitter_ticks = excluded.jitter_ticks, state = excluded.state, load_error = NULL, version = excluded.version,
                  claimed_by = NULL, claim_until = NULL
              """
            : $"""
              INSERT INTO "{s}".jobs (id, name, definition, executor, next_run_time, jitter_ticks, state, load_error, version)
              VALUES (@id, @name, @definition, @executor, @next, @jitter, @state, NULL, @version)
              ON CONFLICT (id) DO NOTHING
              """;
        WriteJob(job, connection =>
        {
            using var command = Command(connection, sql);
            BindJob(command, job, definition, NewVersion());
            if (command.ExecuteNonQuery() == 0)
            {
                // Thrown inside the write, so a change of its own is not committed nor announced.
                throw new InvalidOperationException($"A job with the id '{job.Id}' already exists; remove it first or replace it.");
            }
        });
    }

    public override void Update(Job job)
    {
        var definition = StoredJob.Serialize(job);
        var updated = 0;
        WriteJob(job, connection =>
        {
            using var command = Command(
                connection,
                $"""
                UPDATE "{s}".jobs SET name = @name, definition = @definition, executor = @executor, next_run_time = @next, jitter_ticks = @jitter, state = @state,
                    load_error = NULL, version = @version, claimed_by = NULL, claim_until = NULL
                WHERE id = @id
                """);
            BindJob(command, job, definition, NewVersion());
            updated = command.ExecuteNonQuery();
        });
        if (updated == 0)
        {
            throw new KeyNotFoundException($"There is no job with the id '{job.Id}'.");
        }
    }

    public override bool Remove(string id)
    {
        if (id is null)
        {
            throw new ArgumentNullException(nameof(id));
        }

        // Ends still to be written would bring the runs back.
        FlushEnds();
        var removed = false;
        WriteChange(connection =>
        {
            using var command = Command(
                connection,
                $"""
                WITH removed AS (DELETE FROM "{s}".jobs WHERE id = @id RETURNING id),
                     runs AS (DELETE FROM "{s}".runs WHERE job_id = @id),
                     requests AS (DELETE FROM "{s}".run_requests WHERE job_id = @id)
                SELECT count(*) FROM removed
                """);
            command.Parameters.AddWithValue("id", id);
            removed = Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) > 0;
        });
        return removed;
    }

    public override void RemoveAll()
    {
        FlushEnds();
        WriteChange(connection =>
        {
            using var command = Command(
                connection,
                $"""DELETE FROM "{s}".jobs; DELETE FROM "{s}".runs; DELETE FROM "{s}".ended_jobs; DELETE FROM "{s}".run_requests; DELETE FROM "{s}".cancel_requests;""");
            command.ExecuteNonQuery();
        });
    }

    public override Job? Get(string id)
    {
        if (id is null)
        {
            throw new ArgumentNullException(nameof(id));
        }

        var loads = new List<(Job Job, Exception Failure)>();
        Job? job = null;
        using (var lease = Connect())
        using (var command = Command(lease.Connection, $"""SELECT {JobColumns} FROM "{s}".jobs WHERE id = @id"""))
        {
            command.Parameters.AddWithValue("id", id);
            using var reader = command.ExecuteReader();
            if (reader.Read())
            {
                job = ReadJob(reader, loads);
            }
        }

        RecordLoads(loads);
        return job;
    }

    public override IReadOnlyList<Job> GetAll() => ReadJobs($"""SELECT {JobColumns} FROM "{s}".jobs {JobOrder}""", nameMatches: null);

    /// <remarks>The names are matched as the rows arrive, before any definition is parsed: only matching jobs are loaded.</remarks>
    protected internal override IReadOnlyList<Job> GetByName(Func<string, bool> nameMatches)
        => ReadJobs($"""SELECT {JobColumns} FROM "{s}".jobs {JobOrder}""", nameMatches ?? throw new ArgumentNullException(nameof(nameMatches)));

    public override DateTimeOffset? GetNextRunTime()
    {
        // A due job another node has claimed counts from when its claim runs out: should that node
        // die before it commits, this one takes the job over then.
        using var lease = Connect();
        using var command = Command(
            lease.Connection,
            $"""
            SELECT min(CASE WHEN claimed_by IS NOT NULL AND claimed_by <> @me AND claim_until > next_run_time THEN claim_until ELSE next_run_time END)
            FROM "{s}".jobs WHERE next_run_time IS NOT NULL AND load_error IS NULL
            """);
        command.Parameters.AddWithValue("me", ClaimOwner);
        return command.ExecuteScalar() is long ticks ? FromDatabaseClock(StoredRows.FromTicks(ticks)) : null;
    }

    protected internal override IReadOnlyList<Job> GetDueJobs(DateTimeOffset now, int maxCount)
        => Claim(now, maxCount, freeWorkers: null);

    internal override IReadOnlyList<Job> ClaimDueJobs(DateTimeOffset now, int maxCount, IReadOnlyList<KeyValuePair<string, int>> freeWorkers)
        => Claim(now, maxCount, freeWorkers ?? throw new ArgumentNullException(nameof(freeWorkers)));

    /// <summary>
    /// Claims up to <paramref name="maxCount"/> due jobs, earliest first; with <paramref name="freeWorkers"/>,
    /// of each executor named there no more than its free workers (the others' jobs as any).
    /// </summary>
    private List<Job> Claim(DateTimeOffset now, int maxCount, IReadOnlyList<KeyValuePair<string, int>>? freeWorkers)
    {
        if (maxCount < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(maxCount), maxCount, $"The maximum count must not be negative, not {maxCount}.");
        }

        if (maxCount == 0)
        {
            return [];
        }

        var dueTicks = DueClock(now).UtcTicks;
        FlushBatch(reportLoss: false, () => BatchHoldsDue(dueTicks));
        var loads = new List<(Job Job, Exception Failure)>();
        var due = new List<Job>(Math.Min(maxCount, 256));
        using (var connection = Open())
        using (var command = Command(connection, freeWorkers is null ? claimSql : claimPerExecutorSql))
        {
            command.Parameters.AddWithValue("me", ClaimOwner);
            command.Parameters.AddWithValue("claim", options.ClaimDuration.Ticks);
            command.Parameters.AddWithValue("now", dueTicks);
            command.Parameters.AddWithValue("max", maxCount);
            if (freeWorkers is not null)
            {
                var open = freeWorkers.Where(static e => e.Value > 0).ToList();
                command.Parameters.AddWithValue("known", freeWorkers.Select(static e => e.Key).ToArray());
                command.Parameters.AddWithValue("open", open.Select(static e => e.Key).ToArray());
                command.Parameters.AddWithValue("free", open.Select(static e => e.Value).ToArray());
            }

            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var job = ReadJob(reader, loads);
                if (job.State != JobState.Broken)
                {
                    due.Add(job);
                }
            }
        }

        RecordLoads(loads);

        // RETURNING keeps no order.
        due.Sort(static (a, b) => Nullable.Compare(a.NextRunTime, b.NextRunTime));
        return due;
    }

    /// <summary>The claim of due jobs: of any executor, or per executor (<see cref="Claim"/>).</summary>
    private string ClaimSql(bool perExecutor)
    {
        var claimable = $"""next_run_time <= @now AND load_error IS NULL AND (claimed_by IS NULL OR claimed_by = @me OR claim_until < "{s}".now_ticks())""";

        // Per executor, the candidates are gathered apart: a locking clause may not meet a UNION.
        var (gathered, candidates) = !perExecutor
            ? (string.Empty, $"""SELECT id FROM "{s}".jobs WHERE {claimable} ORDER BY next_run_time LIMIT @max FOR UPDATE SKIP LOCKED""")
            : ($"""
              WITH known AS (
                  SELECT d.id, d.next_run_time FROM unnest(@open, @free) AS e(executor, free)
                  CROSS JOIN LATERAL (
                      SELECT id, next_run_time FROM "{s}".jobs WHERE executor = e.executor AND {claimable}
                      ORDER BY next_run_time LIMIT least(e.free, @max) FOR UPDATE SKIP LOCKED) d),
              unknown AS (
                  SELECT id, next_run_time FROM "{s}".jobs WHERE executor <> ALL(@known) AND {claimable}
                  ORDER BY next_run_time LIMIT @max FOR UPDATE SKIP LOCKED)
              """,
              "SELECT id FROM (SELECT * FROM known UNION ALL SELECT * FROM unknown) candidates ORDER BY next_run_time LIMIT @max");
        return $"""
            {gathered}
            UPDATE "{s}".jobs j SET claimed_by = @me, claim_until = "{s}".now_ticks() + @claim
            FROM ({candidates}) due
            WHERE j.id = due.id
            RETURNING j.id, j.name, j.definition, j.next_run_time, j.jitter_ticks, j.state, j.load_error, j.version
            """;
    }

    protected internal override IReadOnlyCollection<string> CommitDispatches(IReadOnlyList<JobDispatch> dispatches)
    {
        if (dispatches is null)
        {
            throw new ArgumentNullException(nameof(dispatches));
        }

        if (dispatches.Count == 0)
        {
            return [];
        }

        // Every node takes the rows in the same order (by id), so two commits that meet on a job (a claim
        // that ran out while its holder was slow) wait for each other instead of deadlocking.
        var ordered = dispatches.OrderBy(d => d.Job.Id, StringComparer.Ordinal).ToList();

        // A job this process's open batch changed is locked by the batch: commit it first (and the
        // version check below then rejects the stale dispatch, as for any change made meanwhile).
        FlushBatch(reportLoss: false, () => BatchWroteAny(dispatches));
        var rejected = new List<string>();
        using var connection = Open();
        using var transaction = connection.BeginTransaction();

        // Fencing: a node that lost its lease (declared dead meanwhile) commits nothing.
        var fence = FenceInTransaction(connection, transaction);
        if (fence is null)
        {
            transaction.Rollback();
            return dispatches.Select(d => d.Job.Id).ToList();
        }

        using var batch = new NpgsqlBatch(connection, transaction);
        var now = Clock.GetUtcNow().UtcTicks;
        foreach (var dispatch in ordered)
        {
            var job = dispatch.Job;
            if (dispatch.Updated is not { } updated)
            {
                var delete = Batch(batch, $"""DELETE FROM "{s}".jobs WHERE id = @id AND version = @expected""");
                delete.Parameters.AddWithValue("id", job.Id);
                delete.Parameters.AddWithValue("expected", job.StoreVersion);
            }
            else
            {
                var update = Batch(
                    batch,
                    $"""
                    UPDATE "{s}".jobs SET name = @name, definition = coalesce(@definition, definition), executor = @executor, next_run_time = @next, jitter_ticks = @jitter,
                        state = @state, version = @version, claimed_by = NULL, claim_until = NULL
                    WHERE id = @id AND version = @expected
                    """);
                update.Parameters.AddWithValue("id", job.Id);
                update.Parameters.AddWithValue("name", updated.Name);
                update.Parameters.AddWithValue("executor", updated.Executor);
                update.Parameters.Add(new NpgsqlParameter("definition", NpgsqlDbType.Text) { Value = OnlyScheduleChanged(job, updated) ? DBNull.Value : StoredJob.Serialize(updated) });
                update.Parameters.Add(new NpgsqlParameter("next", NpgsqlDbType.Bigint) { Value = TicksOrNull(updated.NextRunTime) });
                update.Parameters.AddWithValue("jitter", updated.JitterTicks);
                update.Parameters.AddWithValue("state", (int)updated.State);
                update.Parameters.AddWithValue("version", NewVersion());
                update.Parameters.AddWithValue("expected", job.StoreVersion);
            }
        }

        ExecuteBatch(batch);
        var ended = new List<string>();
        var committed = new List<JobRun>();
        for (var i = 0; i < ordered.Count; i++)
        {
            if (batch.BatchCommands[i].RecordsAffected == 0)
            {
                rejected.Add(ordered[i].Job.Id);
                continue;
            }

            if (ordered[i].Updated is null)
            {
                ended.Add(ordered[i].Job.Id);
            }

            committed.AddRange(ordered[i].Runs);
        }

        // One statement for all rows of a kind: a statement per row costs the server a parse and a plan
        // each, most of a dispatch's work there.
        using var runs = new NpgsqlBatch(connection, transaction);
        if (ended.Count > 0)
        {
            var insertEnded = Batch(runs, $"""INSERT INTO "{s}".ended_jobs (job_id, ended_time) SELECT unnest(@ids), @time""");
            insertEnded.Parameters.AddWithValue("ids", ended.ToArray());
            insertEnded.Parameters.AddWithValue("time", now);
        }

        if (committed.Count > 0)
        {
            AddInsertRuns(runs, committed, fence.Value);
        }

        if (runs.BatchCommands.Count > 0)
        {
            ExecuteBatch(runs);
        }

        transaction.Commit();
        RememberFence(committed, fence.Value);
        return rejected;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            lock (sync)
            {
                if (disposed)
                {
                    return;
                }

                disposed = true;
            }

            try
            {
                EndBatchesOnDispose();
            }
            finally
            {
                DetachScheduler();
                dataSource.Dispose();
            }
        }

        base.Dispose(disposing);
    }

    // ---------------------------------------------------------------- reading and writing job rows

    private static bool OnlyScheduleChanged(Job read, Job updated)
        => ReferenceEquals(read.Trigger, updated.Trigger)
            && ReferenceEquals(read.Invocation, updated.Invocation)
            && ReferenceEquals(read.Arguments, updated.Arguments)
            && ReferenceEquals(read.Options, updated.Options)
            && string.Equals(read.Executor, updated.Executor, StringComparison.Ordinal)
            && string.Equals(read.Store, updated.Store, StringComparison.Ordinal);

    private static void BindJob(NpgsqlCommand command, Job job, string definition, long version)
    {
        command.Parameters.AddWithValue("id", job.Id);
        command.Parameters.AddWithValue("name", job.Name);
        command.Parameters.AddWithValue("definition", definition);
        command.Parameters.AddWithValue("executor", job.Executor);
        command.Parameters.Add(new NpgsqlParameter("next", NpgsqlDbType.Bigint) { Value = TicksOrNull(job.NextRunTime) });
        command.Parameters.AddWithValue("jitter", job.JitterTicks);
        command.Parameters.AddWithValue("state", (int)job.State);
        command.Parameters.AddWithValue("version", version);
    }

    private List<Job> ReadJobs(string sql, Func<string, bool>? nameMatches)
    {
        var loads = new List<(Job Job, Exception Failure)>();
        var jobs = new List<Job>();
        using (var lease = Connect())
        using (var command = Command(lease.Connection, sql))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                if (nameMatches is null || nameMatches(reader.GetString(1)))
                {
                    jobs.Add(ReadJob(reader, loads));
                }
            }
        }

        RecordLoads(loads);
        return jobs;
    }

    /// <summary>A job from a row of <see cref="JobColumns"/>; one that cannot be loaded is broken, and added to <paramref name="loads"/>.</summary>
    private static Job ReadJob(DbDataReader reader, List<(Job Job, Exception Failure)> loads)
    {
        var job = StoredJob.Restore(
            reader.GetString(0),
            reader.GetString(1),
            reader.GetString(2),
            reader.IsDBNull(3) ? null : StoredRows.FromTicks(reader.GetInt64(3)),
            reader.GetInt64(4),
            (JobState)reader.GetInt32(5),
            reader.GetInt64(7),
            out var loadFailure);
        if (loadFailure is not null && reader.IsDBNull(6))
        {
            loads.Add((job, loadFailure));
        }

        return job;
    }

    /// <summary>Marks newly found broken jobs, so they are never due again, and reports each once per store object.</summary>
    private void RecordLoads(List<(Job Job, Exception Failure)> loads)
    {
        if (loads.Count == 0)
        {
            return;
        }

        using (var lease = Connect())
        {
            foreach (var (job, _) in loads)
            {
                using var command = Command(lease.Connection, $"""UPDATE "{s}".jobs SET load_error = @error WHERE id = @id AND version = @version AND load_error IS NULL""");
                command.Parameters.AddWithValue("error", job.LoadError!);
                command.Parameters.AddWithValue("id", job.Id);
                command.Parameters.AddWithValue("version", job.StoreVersion);
                command.ExecuteNonQuery();
            }
        }

        foreach (var (job, failure) in loads)
        {
            bool first;
            lock (sync)
            {
                first = reportedBroken.Add(job.Id);
            }

            if (first)
            {
                OnJobLoadFailed(job.Id, job.LoadError!, failure);
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    /// <summary>A pooled connection; every failure to reach the server is the store's clear error.</summary>
    private NpgsqlConnection Open()
    {
        ThrowIfDisposed();
        try
        {
            return dataSource.OpenConnection();
        }
        catch (NpgsqlException error)
        {
            throw Unavailable(Display, error);
        }
    }

    private static NpgsqlCommand Command(NpgsqlConnection connection, string sql, NpgsqlTransaction? transaction = null)
        => PostgresSchema.Command(connection, sql, transaction);

    private static object TicksOrNull(DateTimeOffset? time) => time is { } some ? some.UtcTicks : DBNull.Value;

    private static NpgsqlBatchCommand Batch(NpgsqlBatch batch, string sql)
    {
#pragma warning disable CA2100 // The store's own SQL; the schema name is checked to be a plain identifier.
        var command = new NpgsqlBatchCommand(sql);
#pragma warning restore CA2100
        batch.BatchCommands.Add(command);
        return command;
    }

    private static void ExecuteBatch(NpgsqlBatch batch)
    {
        using var reader = batch.ExecuteReader();
        while (reader.NextResult())
        {
        }
    }

    /// <summary>
    /// One write that others must notice (a job added, changed or removed; a request): the change
    /// counter goes up and the nodes are notified, in the same transaction.
    /// </summary>
    private void WriteChange(Action<NpgsqlConnection> write)
    {
        // After what an open batch wrote before it: a removal must not be undone by the batch's commit,
        // nor wait on a row the batch holds.
        FlushBatch(reportLoss: true);
        using var connection = Open();
        using var transaction = connection.BeginTransaction();
        write(connection);
        AnnounceChange(connection, transaction);
        transaction.Commit();
    }

    /// <summary>Counts a change and tells the other nodes, in the transaction that makes it (sent at its commit).</summary>
    private void AnnounceChange(NpgsqlConnection connection, NpgsqlTransaction transaction)
    {
        using var notify = Command(
            connection,
            $"""UPDATE "{s}".changes SET counter = counter + 1 WHERE one = 1; SELECT pg_notify(@channel, @payload)""",
            transaction);
        notify.Parameters.AddWithValue("channel", Channel);
        notify.Parameters.AddWithValue("payload", InstanceId);
        notify.ExecuteNonQuery();
    }

    /// <summary>A random, non-zero tag (0 is the version of a job never read from a store).</summary>
    private long NewVersion()
    {
        lock (versionRandom)
        {
            var high = (long)versionRandom.Next() << 32;
            return (high | (uint)versionRandom.Next()) | 1;
        }
    }

    private void ThrowIfDisposed()
    {
        if (disposed)
        {
            throw new ObjectDisposedException(ToString());
        }
    }

    /// <summary>The store's error when the server cannot be reached or refuses the login (never with the password).</summary>
    internal static IOException Unavailable(string display, Exception error)
        => new($"The PostgreSQL store '{display}' cannot be used: {PostgresLocation.Redact(error.Message)}", error);
}
