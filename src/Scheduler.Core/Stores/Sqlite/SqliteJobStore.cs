using System.Globalization;
using System.Runtime.ExceptionServices;
using Microsoft.Data.Sqlite;
using Scheduler.Internal;
using Scheduler.Jobs;

namespace Scheduler.Stores;

/// <summary>
/// Jobs, runs and events in a SQLite file (see <see cref="JobStore.CreateSqlite(string, SqliteJobStoreOptions, TimeProvider)"/>). One connection,
/// guarded by a lock, with its statements prepared once. Nothing is cached: due jobs are read through
/// the <c>jobs_due</c> index when they are due, so another process's changes are seen at the next read
/// and opening a large store reads no definitions.
/// </summary>
/// <remarks>
/// <para>The file uses WAL with <c>synchronous=NORMAL</c>: a commit appends to the log without waiting
/// for the disk, and the log is synced at checkpoints, which copy it into the file on a second
/// connection in the background (<see cref="SqliteCheckpointer"/>) so a commit does not wait for them,
/// and within <see cref="SqliteCheckpointer.SyncDelay"/> of a commit however quiet the store is.
/// The file stays consistent after a process or machine crash; a machine crash (not a process crash)
/// may lose the commits of that last moment, which for a scheduler means a run recorded as Running is found Running (and abandoned) or a fire time is run
/// again — the same as a crash a moment earlier. FULL would sync every commit and cost about a
/// millisecond per job added or dispatch batch on ordinary disks.</para>
/// <para>The partial classes hold the opening checks, the jobs, the runs, and what a running
/// scheduler adds (its claim on the file, change detection, run requests, events).</para>
/// </remarks>
internal sealed partial class SqliteJobStore : JobStore, ISharedJobStore
{
    private const string JobColumns = "id, name, definition, next_run_time, jitter_ticks, state, load_error, version";
    private const string JobOrder = "ORDER BY next_run_time IS NULL, next_run_time, id";

    // The SQL function through which a name lookup asks .NET which names match (see GetByName).
    private const string NameMatchesFunction = "job_name_matches";


    private readonly object sync = new();

    // Tells whether the file open here is still the one at the path (under the lock).
    private readonly OpenFileCheck fileCheck;
    private readonly SqliteConnection connection;
    private readonly SqliteJobStoreOptions options;
    private readonly TimeProvider? fixedClock;
    private readonly Random versionRandom = new();
    private readonly HashSet<string> reportedBroken = new(StringComparer.Ordinal);
    private readonly SqliteCheckpointer checkpointer;
    private readonly SqliteIntegrityCheck integrityCheck;

    private readonly SqliteStatement begin;
    private readonly SqliteStatement commit;
    private readonly SqliteStatement savepoint;
    private readonly SqliteStatement releaseSavepoint;
    private readonly SqliteStatement rollbackToSavepoint;
    private readonly SqliteStatement insertJob;
    private readonly SqliteStatement upsertJob;
    private readonly SqliteStatement updateJob;
    private readonly SqliteStatement updateJobIfVersion;
    private readonly SqliteStatement updateScheduleIfVersion;
    private readonly SqliteStatement deleteJobIfVersion;
    private readonly SqliteStatement deleteJob;
    private readonly SqliteStatement deleteRunsOfJob;
    private readonly SqliteStatement insertEndedJob;
    private readonly SqliteStatement selectJob;
    private readonly SqliteStatement selectAllJobs;
    private readonly SqliteStatement selectJobsByName;
    private readonly SqliteStatement selectDueJobs;
    private readonly SqliteStatement selectNextRunTime;
    private readonly SqliteStatement countJobs;
    private readonly SqliteStatement markBroken;
    private readonly SqliteStatement clearBroken;
    private readonly SqliteStatement selectBroken;

    private bool disposed;

    // The file passed the integrity check: writes may go ahead.
    private bool verified;

    // What was found wrong with the file (by the check, or by a statement that met it): no write goes ahead.
    private string? damage;

    // The predicate of the name lookup in progress (under the lock), called by NameMatchesFunction,
    // and what it threw: SQLite would turn it into a SqliteException, the caller expects it as it was.
    private Func<string, bool>? nameMatches;
    private ExceptionDispatchInfo? nameMatchFailure;

    // Batches open: the transaction is held until the last ends.
    private int batchDepth;

    // Whether the open transaction holds writes not committed yet, and whether a batch lost some.
    private bool writesUncommitted;
    private bool lostBatchWrites;

    private SqliteJobStore(string path, SqliteConnection connection, SqliteJobStoreOptions options, TimeProvider? timeProvider, SqliteIntegrityCheck integrityCheck)
    {
        Path = path;
        this.connection = connection;
        this.options = options;
        fixedClock = timeProvider;
        checkpointer = new SqliteCheckpointer(path, options.BusyTimeout);
        fileCheck = new OpenFileCheck(path);
        this.integrityCheck = integrityCheck;

        begin = Prepare("BEGIN IMMEDIATE");
        commit = Prepare("COMMIT");
        savepoint = Prepare("SAVEPOINT store_write");
        releaseSavepoint = Prepare("RELEASE store_write");
        rollbackToSavepoint = Prepare("ROLLBACK TO store_write");
        insertJob = Prepare(
            "INSERT INTO jobs (id, name, definition, next_run_time, jitter_ticks, state, load_error, version) VALUES ($id, $name, $definition, $next, $jitter, $state, NULL, $version)",
            "$id", "$name", "$definition", "$next", "$jitter", "$state", "$version");
        upsertJob = Prepare(
            """
            INSERT INTO jobs (id, name, definition, next_run_time, jitter_ticks, state, load_error, version) VALUES ($id, $name, $definition, $next, $jitter, $state, NULL, $version)
            ON CONFLICT (id) DO UPDATE SET name = excluded.name, definition = excluded.definition, next_run_time = excluded.next_run_time,
                jitter_ticks = excluded.jitter_ticks, state = excluded.state, load_error = NULL, version = excluded.version
            """,
            "$id", "$name", "$definition", "$next", "$jitter", "$state", "$version");
        updateJob = Prepare(
            "UPDATE jobs SET name = $name, definition = $definition, next_run_time = $next, jitter_ticks = $jitter, state = $state, load_error = NULL, version = $version WHERE id = $id",
            "$id", "$name", "$definition", "$next", "$jitter", "$state", "$version");
        updateJobIfVersion = Prepare(
            "UPDATE jobs SET name = $name, definition = $definition, next_run_time = $next, jitter_ticks = $jitter, state = $state, load_error = NULL, version = $version WHERE id = $id AND version = $expected",
            "$id", "$name", "$definition", "$next", "$jitter", "$state", "$version", "$expected");
        updateScheduleIfVersion = Prepare(
            "UPDATE jobs SET next_run_time = $next, jitter_ticks = $jitter, state = $state, version = $version WHERE id = $id AND version = $expected",
            "$id", "$next", "$jitter", "$state", "$version", "$expected");
        deleteJobIfVersion = Prepare("DELETE FROM jobs WHERE id = $id AND version = $expected", "$id", "$expected");
        deleteJob = Prepare("DELETE FROM jobs WHERE id = $id", "$id");
        deleteRunsOfJob = Prepare("DELETE FROM runs WHERE job_id = $id", "$id");
        insertEndedJob = Prepare("INSERT INTO ended_jobs (job_id, ended_time) VALUES ($id, $time)", "$id", "$time");
        selectJob = Prepare($"SELECT {JobColumns} FROM jobs WHERE id = $id", "$id");
        selectAllJobs = Prepare($"SELECT {JobColumns} FROM jobs {JobOrder}");
        connection.CreateFunction(NameMatchesFunction, (string name) => NameMatches(name));
        selectJobsByName = Prepare($"SELECT {JobColumns} FROM jobs WHERE {NameMatchesFunction}(name) {JobOrder}");
        selectDueJobs = Prepare(
            $"SELECT {JobColumns} FROM jobs WHERE next_run_time <= $now AND load_error IS NULL ORDER BY next_run_time LIMIT $max",
            "$now", "$max");
        selectNextRunTime = Prepare("SELECT next_run_time FROM jobs WHERE next_run_time IS NOT NULL AND load_error IS NULL ORDER BY next_run_time LIMIT 1");
        countJobs = Prepare("SELECT count(*) FROM jobs");
        markBroken = Prepare("UPDATE jobs SET load_error = $error WHERE id = $id AND version = $version AND load_error IS NULL", "$id", "$version", "$error");
        clearBroken = Prepare("UPDATE jobs SET load_error = NULL WHERE id = $id AND version = $version", "$id", "$version");
        selectBroken = Prepare($"SELECT {JobColumns} FROM jobs WHERE load_error IS NOT NULL");
        PrepareRunStatements(out insertRun, out updateRunBySeq, out updateRunById, out selectRuns, out pruneRunsByCount, out pruneRunsByAge, out selectRunning, out abandonRun);
        PrepareSchedulerStatements();
    }

    /// <summary>The full path of the database file.</summary>
    public string Path { get; }

    /// <summary>The background checkpoints (for tests).</summary>
    internal SqliteCheckpointer Checkpointer => checkpointer;

    /// <summary>The check of the whole file that the first write waits for (for tests and measurements).</summary>
    internal SqliteIntegrityCheck IntegrityCheck => integrityCheck;

    public override int Count
    {
        get
        {
            lock (sync)
            {
                ThrowIfDisposed();
                return Convert.ToInt32(countJobs.Scalar(), CultureInfo.InvariantCulture);
            }
        }
    }

    /// <summary>The clock: the one given at opening, else the running scheduler's, else the system's.</summary>
    private TimeProvider Clock => fixedClock ?? attachment?.Clock ?? TimeProvider.System;

    public override string ToString() => $"SQLite job store '{Path}'";

    // ---------------------------------------------------------------- jobs

    public override void Add(Job job, bool replaceExisting)
    {
        var definition = Serialize(job);
        lock (sync)
        {
            ThrowIfDisposed();
            var statement = replaceExisting ? upsertJob : insertJob;
            BindJob(statement, job, definition, NewVersion());
            try
            {
                Write(statement.Execute, atomic: false);
            }
            catch (SqliteException error) when (error.SqliteErrorCode == SqliteErrorCodes.Constraint)
            {
                throw new InvalidOperationException($"A job with the id '{job.Id}' already exists; remove it first or replace it.", error);
            }
        }
    }

    public override void Update(Job job)
    {
        var definition = Serialize(job);
        lock (sync)
        {
            ThrowIfDisposed();
            BindJob(updateJob, job, definition, NewVersion());
            if (Write(updateJob.Execute, atomic: false) == 0)
            {
                throw new KeyNotFoundException($"There is no job with the id '{job.Id}'.");
            }
        }
    }

    public override bool Remove(string id)
    {
        if (id is null)
        {
            throw new ArgumentNullException(nameof(id));
        }

        lock (sync)
        {
            ThrowIfDisposed();
            return Write(() =>
            {
                var removed = deleteJob.Set(0, id).Execute() > 0;
                deleteRunsOfJob.Set(0, id).Execute();
                return removed;
            });
        }
    }

    public override void RemoveAll()
    {
        lock (sync)
        {
            ThrowIfDisposed();
            Write(() =>
            {
                Execute("DELETE FROM jobs; DELETE FROM runs; DELETE FROM ended_jobs; DELETE FROM run_requests;");
                return true;
            });
            runsSinceRetention.Clear();
        }
    }

    public override Job? Get(string id)
    {
        if (id is null)
        {
            throw new ArgumentNullException(nameof(id));
        }

        var loads = new Loads();
        Job? job;
        lock (sync)
        {
            ThrowIfDisposed();
            using (var reader = selectJob.Set(0, id).Query())
            {
                job = Next(reader) ? ReadJob(reader, loads) : null;
            }

            RecordLoadsLocked(loads);
        }

        RaiseLoadEvents(loads);
        return job;
    }

    /// <summary>
    /// The job's definition as stored (its JSON text), or null when there is no such job: what
    /// <c>show</c> prints for a broken job, whose definition cannot be loaded into a <see cref="Job"/>.
    /// </summary>
    internal string? GetStoredDefinition(string id)
    {
        if (id is null)
        {
            throw new ArgumentNullException(nameof(id));
        }

        lock (sync)
        {
            ThrowIfDisposed();
            using var reader = selectJob.Set(0, id).Query();
            return Next(reader) ? reader.GetString(2) : null;
        }
    }

    public override IReadOnlyList<Job> GetAll()
    {
        var loads = new Loads();
        var jobs = new List<Job>();
        lock (sync)
        {
            ThrowIfDisposed();
            using (var reader = selectAllJobs.Query())
            {
                while (Next(reader))
                {
                    jobs.Add(ReadJob(reader, loads));
                }
            }

            RecordLoadsLocked(loads);
        }

        RaiseLoadEvents(loads);
        return jobs;
    }

    /// <remarks>
    /// One statement, so the answer is one snapshot of the file: SQLite hands each row's name to the
    /// predicate and reads, sorts and returns only the matching rows, whose definitions alone are
    /// parsed. A broken job that does not match is not read, so it is neither returned nor reported.
    /// </remarks>
    protected internal override IReadOnlyList<Job> GetByName(Func<string, bool> nameMatches)
    {
        if (nameMatches is null)
        {
            throw new ArgumentNullException(nameof(nameMatches));
        }

        var loads = new Loads();
        var jobs = new List<Job>();
        lock (sync)
        {
            ThrowIfDisposed();
            this.nameMatches = nameMatches;
            try
            {
                using var reader = selectJobsByName.Query();
                while (Next(reader))
                {
                    jobs.Add(ReadJob(reader, loads));
                }
            }
            catch (SqliteException) when (nameMatchFailure is { } failure)
            {
                failure.Throw();
                throw;
            }
            finally
            {
                this.nameMatches = null;
                nameMatchFailure = null;
            }

            RecordLoadsLocked(loads);
        }

        RaiseLoadEvents(loads);
        return jobs;
    }

    private bool NameMatches(string name)
    {
        try
        {
            return nameMatches is { } matches && matches(name);
        }
        catch (Exception error)
        {
            nameMatchFailure ??= ExceptionDispatchInfo.Capture(error);
            throw;
        }
    }

    protected internal override IReadOnlyList<Job> GetDueJobs(DateTimeOffset now, int maxCount)
    {
        if (maxCount < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(maxCount), maxCount, $"The maximum count must not be negative, not {maxCount}.");
        }

        if (maxCount == 0)
        {
            return [];
        }

        var loads = new Loads();
        var due = new List<Job>(Math.Min(maxCount, 256));
        lock (sync)
        {
            ThrowIfDisposed();
            using (var reader = selectDueJobs.Set(0, now.UtcTicks).Set(1, maxCount).Query())
            {
                while (Next(reader))
                {
                    var job = ReadJob(reader, loads);
                    if (job.State != JobState.Broken)
                    {
                        due.Add(job);
                    }
                }
            }

            RecordLoadsLocked(loads);
        }

        RaiseLoadEvents(loads);
        return due;
    }

    public override DateTimeOffset? GetNextRunTime()
    {
        lock (sync)
        {
            ThrowIfDisposed();
            return selectNextRunTime.Scalar() is long ticks ? FromTicks(ticks) : null;
        }
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

        // Serialized before the transaction: a dispatch that changes more than the schedule is rare.
        var definitions = new string?[dispatches.Count];
        for (var i = 0; i < dispatches.Count; i++)
        {
            if (dispatches[i].Updated is { } updated && !OnlyScheduleChanged(dispatches[i].Job, updated))
            {
                definitions[i] = Serialize(updated);
            }
        }

        List<string>? rejected = null;
        lock (sync)
        {
            ThrowIfDisposed();
            var now = Clock.GetUtcNow().UtcTicks;
            Write(() =>
            {
                for (var i = 0; i < dispatches.Count; i++)
                {
                    var dispatch = dispatches[i];
                    var job = dispatch.Job;
                    int changed;
                    if (dispatch.Updated is not { } updated)
                    {
                        changed = deleteJobIfVersion.Set(0, job.Id).Set(1, job.StoreVersion).Execute();
                        if (changed > 0)
                        {
                            insertEndedJob.Set(0, job.Id).Set(1, now).Execute();
                        }
                    }
                    else if (definitions[i] is { } definition)
                    {
                        BindJob(updateJobIfVersion, updated, definition, NewVersion());
                        changed = updateJobIfVersion.Set(7, job.StoreVersion).Execute();
                    }
                    else
                    {
                        changed = updateScheduleIfVersion
                            .Set(0, job.Id)
                            .Set(1, updated.NextRunTime?.UtcTicks)
                            .Set(2, updated.JitterTicks)
                            .Set(3, (long)updated.State)
                            .Set(4, NewVersion())
                            .Set(5, job.StoreVersion)
                            .Execute();
                    }

                    if (changed == 0)
                    {
                        (rejected ??= []).Add(job.Id);
                        continue;
                    }

                    var runs = dispatch.Runs;
                    for (var r = 0; r < runs.Count; r++)
                    {
                        SaveRunLocked(runs[r], isNew: true);
                    }
                }

                return true;
            }, durable: true);
        }

        return (IReadOnlyCollection<string>?)rejected ?? [];
    }

    // ---------------------------------------------------------------- reading and writing job rows

    private static bool OnlyScheduleChanged(Job read, Job updated)
        => ReferenceEquals(read.Trigger, updated.Trigger)
            && ReferenceEquals(read.Invocation, updated.Invocation)
            && ReferenceEquals(read.Arguments, updated.Arguments)
            && ReferenceEquals(read.Options, updated.Options)
            && string.Equals(read.Name, updated.Name, StringComparison.Ordinal)
            && string.Equals(read.Executor, updated.Executor, StringComparison.Ordinal)
            && string.Equals(read.Store, updated.Store, StringComparison.Ordinal);

    private static string Serialize(Job job) => StoredJob.Serialize(job);

    private static void BindJob(SqliteStatement statement, Job job, string definition, long version)
    {
        statement
            .Set(0, job.Id)
            .Set(1, job.Name)
            .Set(2, definition)
            .Set(3, job.NextRunTime?.UtcTicks)
            .Set(4, job.JitterTicks)
            .Set(5, (long)job.State)
            .Set(6, version);
    }

    /// <summary>A job from a row of <see cref="JobColumns"/>; a definition that cannot be loaded gives a broken job.</summary>
    private static Job ReadJob(SqliteDataReader reader, Loads loads)
    {
        var id = reader.GetString(0);
        var name = reader.GetString(1);
        var definition = reader.GetString(2);
        long? next = reader.IsDBNull(3) ? null : reader.GetInt64(3);
        var jitter = reader.GetInt64(4);
        var state = (JobState)reader.GetInt32(5);
        var storedError = reader.IsDBNull(6) ? null : reader.GetString(6);
        var version = reader.GetInt64(7);

        var job = StoredJob.Restore(id, name, definition, next is { } ticks ? FromTicks(ticks) : null, jitter, state, version, out var loadFailure);
        if (loadFailure is not null)
        {
            loads.Failed.Add(new LoadFailure(id, version, job.LoadError!, loadFailure, storedError is null));
        }
        else if (storedError is not null)
        {
            // Marked broken by a build that could not read it; this one can.
            loads.Healed.Add((id, version));
        }

        return job;
    }

    /// <summary>Marks newly found broken jobs (so they are never due again) and clears the mark of healed ones.</summary>
    private void RecordLoadsLocked(Loads loads)
    {
        if (loads.IsEmpty)
        {
            return;
        }

        Write(() =>
        {
            foreach (var failure in loads.Failed)
            {
                if (failure.IsNew)
                {
                    markBroken.Set(0, failure.JobId).Set(1, failure.Version).Set(2, failure.Message).Execute();
                }
            }

            foreach (var (id, version) in loads.Healed)
            {
                clearBroken.Set(0, id).Set(1, version).Execute();
            }

            return true;
        });

        foreach (var failure in loads.Failed)
        {
            failure.Report = reportedBroken.Add(failure.JobId);
        }

        foreach (var (id, _) in loads.Healed)
        {
            reportedBroken.Remove(id);
        }
    }

    private void RaiseLoadEvents(Loads loads)
    {
        if (loads.IsEmpty)
        {
            return;
        }

        foreach (var failure in loads.Failed)
        {
            if (failure.Report)
            {
                OnJobLoadFailed(failure.JobId, failure.Message, failure.Exception);
            }
        }

        if (loads.Healed.Count > 0)
        {
            // A healed job is due again: the scheduler must read the store's next run time anew.
            OnChanged();
        }
    }

    // ---------------------------------------------------------------- helpers

    private static DateTimeOffset FromTicks(long ticks) => StoredRows.FromTicks(ticks);

    private SqliteStatement Prepare(string sql, params string[] parameters) => new(connection, sql, StoreErrorLocked, parameters);

    /// <summary>A random, non-zero tag (0 is the version of a job never read from a store).</summary>
    private long NewVersion()
    {
        var high = (long)versionRandom.Next() << 32;
        return (high | (uint)versionRandom.Next()) | 1;
    }

    private void Execute(string sql)
    {
        using var command = connection.CreateCommand();
#pragma warning disable CA2100 // Constant SQL of the store.
        command.CommandText = sql;
#pragma warning restore CA2100
        try
        {
            command.ExecuteNonQuery();
        }
        catch (SqliteException error) when (IsStoreError(error))
        {
            throw StoreErrorLocked(error);
        }
    }

    /// <summary>Whether the connection has a transaction open (deferred run ends or a batch).</summary>
    private bool TransactionOpen => SQLitePCL.raw.sqlite3_get_autocommit(connection.Handle) == 0;

    /// <summary>
    /// Runs <paramref name="body"/> as one atomic write and commits it, together with any run ends
    /// written before it, unless a batch holds the transaction open. With <paramref name="atomic"/>,
    /// a body that throws leaves nothing of itself behind (a savepoint); a single statement is atomic by itself.
    /// </summary>
    /// <param name="body">The writes; its result is returned.</param>
    /// <param name="atomic">Wrap the body in a savepoint.</param>
    /// <param name="durable">Commit even inside a batch: what follows depends on the write being in the file (a dispatch, a run about to start).</param>
    private T Write<T>(Func<T> body, bool atomic = true, bool durable = false)
    {
        if (!TransactionOpen)
        {
            BeginLocked();
        }

        T result;
        try
        {
            // Before the body's savepoint: a body that fails takes no run end with it.
            SavePendingEndsLocked();
            if (atomic)
            {
                savepoint.Execute();
            }

            try
            {
                result = body();
            }
            catch
            {
                if (atomic && TransactionOpen)
                {
                    rollbackToSavepoint.Execute();
                    releaseSavepoint.Execute();
                }

                throw;
            }

            if (atomic)
            {
                releaseSavepoint.Execute();
            }
        }
        catch
        {
            // A full disk or an I/O error can make SQLite roll the whole transaction back by itself.
            if (!TransactionOpen)
            {
                TransactionLostLocked();
            }

            FlushLocked(durable);
            throw;
        }

        writesUncommitted = true;
        FlushLocked(durable);
        return result;
    }

    /// <summary>
    /// The open transaction is gone, rolled back (by SQLite on a full disk or an I/O error, or after a
    /// commit that failed): the run ends it held go back to memory for the next write, and a batch it
    /// held writes of learns, as it ends, that they are lost.
    /// </summary>
    private void TransactionLostLocked()
    {
        pendingEnds.InsertRange(0, uncommittedEnds);
        uncommittedEnds.Clear();
        if (batchDepth > 0 && writesUncommitted)
        {
            lostBatchWrites = true;
        }

        writesUncommitted = false;
    }

    /// <summary>
    /// Starts the write transaction. The first waits for the integrity check of the whole file
    /// (<see cref="SqliteIntegrityCheck"/>), and a file found damaged is never written to again.
    /// </summary>
    private void BeginLocked()
    {
        if (damage is not null)
        {
            throw Damaged(Path, damage, null);
        }

        if (!verified)
        {
            if (integrityCheck.Problem() is { } problem)
            {
                damage = problem;
                throw Damaged(Path, problem, null);
            }

            verified = true;
        }

        begin.Execute();
    }

    /// <summary>Whether SQLite found the file damaged, or not a database at all, where it read.</summary>
    internal static bool IsDamage(SqliteException error)
        => error.SqliteErrorCode is SqliteErrorCodes.Corrupt or SqliteErrorCodes.NotADatabase;

    /// <summary>Whether the file is out of reach for now: a full disk, an I/O error, a lock held too long, a file system gone read-only.</summary>
    internal static bool IsUnavailable(SqliteException error)
        => error.SqliteErrorCode is SqliteErrorCodes.Busy or SqliteErrorCodes.Locked or SqliteErrorCodes.ReadOnly
            or SqliteErrorCodes.IoError or SqliteErrorCodes.Full or SqliteErrorCodes.CantOpen;

    /// <summary>Whether the error becomes the store's own (<see cref="StoreErrorLocked"/>) rather than SQLite's.</summary>
    internal static bool IsStoreError(SqliteException error) => IsDamage(error) || IsUnavailable(error);

    /// <summary>
    /// The store's error for a file out of reach: an <see cref="IOException"/> that names the store and
    /// what is wrong, as a PostgreSQL store's is when its server is away (schedhost exits 1 with it).
    /// </summary>
    internal static IOException Unavailable(string path, SqliteException error)
    {
        var detail = error.Message.TrimEnd('.');
        return new IOException(
            error.SqliteErrorCode switch
            {
                SqliteErrorCodes.Full => $"The store '{path}' could not be written: its disk is full ({detail}). Nothing of the failed write is kept; what was stored before is.",
                SqliteErrorCodes.IoError => $"The store '{path}' could not be read or written: a disk I/O error ({detail}); its disk may be full, failing or gone.",
                SqliteErrorCodes.ReadOnly => $"The store '{path}' could not be written: its file or file system became read-only ({detail}).",
                SqliteErrorCodes.CantOpen => $"The store '{path}' is out of reach: its file or folder was moved, removed or cannot be opened ({detail}).",
                _ => $"The store '{path}' is locked: another process kept it locked for writing longer than the store's busy timeout ({detail}).",
            },
            error);
    }

    /// <summary>The store's own error for one SQLite raised (<see cref="IsStoreError"/>).</summary>
    private Exception StoreErrorLocked(SqliteException error)
        => IsDamage(error) ? DamageFoundLocked(error) : Unavailable(Path, error);

    /// <summary>The store's error for a damaged file (docs/stores.md, "Opening a file").</summary>
    internal static InvalidDataException Damaged(string path, string detail, Exception? inner)
        => new($"The store '{path}' is damaged ({detail.TrimEnd('.')}); nothing more is written to it. Restore it from a backup, or recover what it holds into a new file with the sqlite3 shell's .recover command.", inner);

    /// <summary>
    /// A statement met damage in the file (a reader, or a page damaged after the check): what the open
    /// transaction wrote is dropped and nothing more is written. Returns the error to throw.
    /// </summary>
    private InvalidDataException DamageFoundLocked(SqliteException error)
    {
        damage ??= error.Message;
        RollBackLocked();
        return Damaged(Path, error.Message, error);
    }

    /// <summary>Drops the open transaction, if SQLite has not already.</summary>
    private void RollBackLocked()
    {
        if (!TransactionOpen)
        {
            return;
        }

        try
        {
            using var rollback = connection.CreateCommand();
            rollback.CommandText = "ROLLBACK";
            rollback.ExecuteNonQuery();
        }
        catch (SqliteException)
        {
            // Rolled back by SQLite meanwhile, or the connection is failing: either way nothing of it is kept.
        }
    }

    /// <summary>The next row of a reader; damage met on the way is the store's error, like in any statement.</summary>
    private bool Next(SqliteDataReader reader)
    {
        try
        {
            return reader.Read();
        }
        catch (SqliteException error) when (IsStoreError(error))
        {
            throw StoreErrorLocked(error);
        }
    }

    /// <summary>
    /// Commits what is written so far, unless a batch holds the transaction open (and <paramref name="force"/>
    /// is false). A commit that fails (a full disk, an I/O error) leaves nothing of the transaction to be
    /// committed later with someone else's write: the caller was told it failed.
    /// </summary>
    private void FlushLocked(bool force = false)
    {
        if ((batchDepth == 0 || force) && TransactionOpen)
        {
            try
            {
                commit.Execute();
            }
            catch (Exception error) when (error is SqliteException or IOException)
            {
                RollBackLocked();
                TransactionLostLocked();
                throw;
            }

            uncommittedEnds.Clear();
            writesUncommitted = false;
            checkpointer.OnCommit(Clock);
        }
    }

    /// <summary>
    /// Groups the writes that follow (from any thread) into one transaction, committed when the last
    /// open batch ends: adding many jobs in a batch costs one commit instead of one per job. A dispatch
    /// or a run start commits at once even inside a batch. Keep batches short: other processes see
    /// nothing of a batch until it ends, and a crash loses it whole.
    /// </summary>
    protected internal override IDisposable BeginBatch()
    {
        lock (sync)
        {
            ThrowIfDisposed();
            if (!TransactionOpen)
            {
                BeginLocked();
            }

            batchDepth++;
        }

        return new Batch(this);
    }

    private void EndBatch()
    {
        lock (sync)
        {
            if (disposed || batchDepth == 0)
            {
                return;
            }

            batchDepth--;
            FlushLocked();
            if (batchDepth == 0 && lostBatchWrites)
            {
                lostBatchWrites = false;
                throw new IOException($"The store '{Path}' lost writes of this batch: a write in it failed (a full disk or an I/O error) and SQLite rolled back what the batch had written since its last commit. Jobs added in the batch may be missing; add them again (with replaceExisting).");
            }
        }
    }

    private void ThrowIfDisposed()
    {
        if (disposed)
        {
            throw new ObjectDisposedException(ToString());
        }
    }

    /// <summary>
    /// Moves what the log holds into the file this store has open, which is no longer at its path, and
    /// empties the log. SQLite does not checkpoint a moved file as its last connection closes, so the log
    /// would stay at the path with this file's pages in it, and a file put at the path would read them as
    /// its own (a damaged store, or another store's jobs). A file moved elsewhere keeps its last commits.
    /// </summary>
    private void CheckpointOrphanedLocked()
    {
        try
        {
            using var checkpoint = connection.CreateCommand();
            checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
            checkpoint.ExecuteNonQuery();
        }
        catch (SqliteException)
        {
            // Best effort: the store closes all the same, and opening the path again checks what is there.
        }
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (!disposing)
        {
            return;
        }

        lock (sync)
        {
            if (disposed)
            {
                return;
            }

            try
            {
                DetachLocked();
                batchDepth = 0;
                WritePendingEndsLocked();
                FlushLocked();
            }
            catch (InvalidDataException) when (damage is not null)
            {
                // A damaged file takes no more writes: what was not written stays so, and the file is closed as it is.
            }

            disposed = true;
            DisposeStatements();
            if (damage is null)
            {
                checkpointer.SyncCommits();
                if (fileCheck.State() != OpenFileState.InPlace)
                {
                    CheckpointOrphanedLocked();
                }
            }

            // First, so the store's connection is the file's last: closing it checkpoints and removes the log.
            checkpointer.Dispose();
            integrityCheck.Dispose();
            connection.Dispose();
        }
    }

    private sealed class Batch(SqliteJobStore store) : IDisposable
    {
        private int ended;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref ended, 1) == 0)
            {
                store.EndBatch();
            }
        }
    }

    /// <summary>The jobs one read found unloadable, or loadable again.</summary>
    private sealed class Loads
    {
        public List<LoadFailure> Failed { get; } = [];

        public List<(string Id, long Version)> Healed { get; } = [];

        public bool IsEmpty => Failed.Count == 0 && Healed.Count == 0;
    }

    private sealed class LoadFailure(string jobId, long version, string message, Exception exception, bool isNew)
    {
        public string JobId { get; } = jobId;

        public long Version { get; } = version;

        public string Message { get; } = message;

        public Exception Exception { get; } = exception;

        /// <summary>Not yet marked broken in the file.</summary>
        public bool IsNew { get; } = isNew;

        /// <summary>Not yet reported by this store.</summary>
        public bool Report { get; set; }
    }
}

/// <summary>The SQLite result codes the store tells apart.</summary>
internal static class SqliteErrorCodes
{
    public const int Busy = 5;
    public const int Locked = 6;
    public const int ReadOnly = 8;
    public const int IoError = 10;
    public const int Corrupt = 11;
    public const int Full = 13;
    public const int CantOpen = 14;
    public const int Constraint = 19;
    public const int NotADatabase = 26;
}
