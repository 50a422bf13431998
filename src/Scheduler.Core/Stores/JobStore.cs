using System.Runtime.CompilerServices;
using Scheduler.Events;
using Scheduler.Internal;
using Scheduler.Jobs;

namespace Scheduler.Stores;

/// <summary>
/// Keeps jobs and their run history and answers "which jobs are due" and "when is the next one due".
/// Create the built-in stores with the factory methods (<see cref="CreateMemory"/>, <see cref="CreateSqlite(string, SqliteJobStoreOptions, TimeProvider)"/>).
/// </summary>
/// <remarks>
/// <para>Two audiences. Users manage jobs through the public members (or, better, through a
/// <see cref="Scheduling.JobScheduler"/>, which validates and announces every change). The scheduler
/// drives the store through the engine protocol — <see cref="GetDueJobs"/>, <see cref="CommitDispatches"/>,
/// <see cref="SaveRun"/>, <see cref="AbandonUnfinishedRuns"/>, <see cref="AttachScheduler"/> and the rest of
/// the <c>protected internal</c> members — which only a store implements and only the scheduler calls:
/// calling it from outside would bypass the scheduler's rules. A new kind of store derives from this
/// class and overrides both; the contract tests (<c>tests/unit/Stores/JobStoreContractTests.cs</c>)
/// are its specification, and docs/stores.md describes the protocol.</para>
/// <para>A store is used by one scheduler and must be safe to call from several threads: the
/// scheduler's loop, callers adding jobs, and workers recording run ends.</para>
/// <para>Crash safety rests on <see cref="CommitDispatches"/>: advancing a job's next run time and
/// recording the runs it starts happen in one atomic step, so after a crash every started run is
/// either recorded (and found by <see cref="AbandonUnfinishedRuns"/>) or was never started.</para>
/// <para>Dispose a store to close its file; a memory store holds nothing to close.</para>
/// </remarks>
public abstract class JobStore : IDisposable
{
    /// <summary>Creates a store; called by the constructors of the kinds of store.</summary>
    protected JobStore()
    {
    }

    /// <summary>The default number of runs kept per job.</summary>
    public const int DefaultRunHistoryLimit = 20;

    /// <summary>Raised when something other than this store's scheduler changed its jobs; the scheduler re-reads its next run time.</summary>
    public event EventHandler? Changed;

    /// <summary>Raised when the store finds a job definition it cannot load; the job is kept and marked broken.</summary>
    public event EventHandler<JobLoadFailedEventArgs>? JobLoadFailed;

    /// <summary>
    /// Raised when the store meets a problem its scheduler should report, such as a cluster node that lost
    /// its lease or a run end it may no longer record; the scheduler publishes it as a SchedulerError event.
    /// </summary>
    public event EventHandler<StoreErrorEventArgs>? ErrorOccurred;

    /// <summary>The scheduler the store was added to; a store serves one scheduler.</summary>
    internal object? Owner { get; set; }

    /// <summary>How many jobs the store keeps.</summary>
    public abstract int Count { get; }

    /// <summary>
    /// Whether the store's file is no longer the file at its path: deleted, moved away or replaced by
    /// another file since the store opened it (a replaced file is told on Linux only). Such a store goes
    /// on working from the file it holds open, which nothing else reaches; dispose it and open the path
    /// again to use the file there. Always false for stores without a file.
    /// </summary>
    public virtual bool IsOrphaned => false;

    /// <summary>A store that keeps jobs in memory: for tests and for scripts that re-create their jobs at start.</summary>
    /// <param name="runHistoryLimit">How many runs are kept per job (0 keeps none).</param>
    public static JobStore CreateMemory(int runHistoryLimit = DefaultRunHistoryLimit) => new MemoryJobStore(runHistoryLimit);

    /// <summary>
    /// A store that keeps jobs, run history and recent events in a SQLite file: the embedded default,
    /// which survives restarts and which other processes (<c>schedhost</c>, another PowerShell
    /// session) may read and change while a scheduler runs on it.
    /// </summary>
    /// <remarks>
    /// <para>The file is created when missing (its folder must exist), whole, so any number of processes
    /// may create it at once; on Unix only its owner may read it (job definitions are clear text). Opening reads no job
    /// definitions: due jobs are read by an index when they are due, so opening a file with many
    /// jobs is fast. Jobs are stored as JSON (see <c>docs/stores.md</c>); a job whose definition can
    /// no longer be read is kept, reported and returned as <see cref="JobState.Broken"/>, never run or deleted.</para>
    /// <para>One scheduler at a time may run on a file: a second one fails to start with an error
    /// naming the process that runs it. Opening the file to add, change or read jobs is always allowed,
    /// and the running scheduler notices such changes within <see cref="SqliteJobStoreOptions.ChangeCheckInterval"/>.</para>
    /// <para>Jobs that run a delegate bound in-process cannot be stored: register the delegate by name.
    /// A read-only file is refused: a store records every run.</para>
    /// <para>The whole file is checked (<c>PRAGMA quick_check</c>, in the background from the opening on)
    /// before the first write; a damaged file is never written to, and damage met by any operation
    /// throws <see cref="InvalidDataException"/>.</para>
    /// </remarks>
    /// <param name="path">The database file; relative paths are resolved against the current directory.</param>
    /// <param name="options">Run history, event history and change detection; null for the defaults.</param>
    /// <param name="timeProvider">The clock for retention and change checks; null for the clock of the scheduler running on the store (the system clock before one does).</param>
    /// <exception cref="DirectoryNotFoundException">The file's folder does not exist.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist and <see cref="SqliteJobStoreOptions.CreateIfMissing"/> is false.</exception>
    /// <exception cref="InvalidDataException">The file is empty, is not a SQLite database, is not a job store, or was written by a newer version (its schema is newer).</exception>
    /// <exception cref="UnauthorizedAccessException">The file is read-only or cannot be opened for writing.</exception>
    /// <exception cref="IOException">The path is a folder, or the file cannot be opened.</exception>
    public static JobStore CreateSqlite(string path, SqliteJobStoreOptions? options = null, TimeProvider? timeProvider = null)
        => SqliteJobStore.Open(path, options ?? SqliteJobStoreOptions.Default, timeProvider);

    /// <summary>
    /// Backs up the SQLite store at <paramref name="path"/> to a new file, while schedulers and other
    /// processes go on using the store: a consistent snapshot of everything committed (the log's
    /// content included), compacted, checked (<c>PRAGMA quick_check</c>) and synced to disk before it
    /// gets its name, so <paramref name="destination"/> holds either a whole backup or nothing new.
    /// </summary>
    /// <remarks>
    /// Copying the file itself is not a backup: commits may still be in its <c>-wal</c> log, and a
    /// checkpoint may rewrite the file while it is copied. The backup is itself a store: open it, or put
    /// it back with <see cref="RestoreSqlite"/>. On Unix only its owner may read it, like the store.
    /// </remarks>
    /// <param name="path">The store's database file.</param>
    /// <param name="destination">The backup file to create; its folder must exist.</param>
    /// <param name="overwrite">Whether an existing backup file is replaced (in one rename, never left half-written).</param>
    /// <returns>How many jobs the backup holds.</returns>
    /// <exception cref="ArgumentException">A path is empty or invalid, or both name the same file.</exception>
    /// <exception cref="FileNotFoundException">The store does not exist.</exception>
    /// <exception cref="DirectoryNotFoundException">The destination's folder does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a job store, is from a newer version, or is damaged where the backup reads it.</exception>
    /// <exception cref="IOException">The destination exists (without <paramref name="overwrite"/>), has a log beside it, or cannot be written (a full disk).</exception>
    public static int BackupSqlite(string path, string destination, bool overwrite = false)
        => SqliteStoreCopy.Backup(path, destination, overwrite);

    /// <summary>
    /// Replaces what the SQLite store at <paramref name="path"/> holds with a backup's content (jobs,
    /// run history, events), in one transaction that other processes see whole; a missing store is
    /// created. The backup is checked first and is only read.
    /// </summary>
    /// <remarks>
    /// No scheduler may run on the store meanwhile (it would go on from what it holds in memory): the
    /// restore takes the claim a running scheduler holds, so none starts until it is done. A store
    /// damaged inside can be restored; a file that is not a store is refused and left as it is. Runs
    /// the backup shows as running are ended as Abandoned when the next scheduler starts on the store.
    /// </remarks>
    /// <param name="backup">The backup file (made by <see cref="BackupSqlite"/>, or any copy of a store).</param>
    /// <param name="path">The store's database file.</param>
    /// <returns>How many jobs the store holds afterwards.</returns>
    /// <exception cref="ArgumentException">A path is empty or invalid, or both name the same file.</exception>
    /// <exception cref="FileNotFoundException">The backup does not exist.</exception>
    /// <exception cref="InvalidDataException">The backup is not a job store, is from a newer version, or is damaged; or the store's file is not a job store.</exception>
    /// <exception cref="InvalidOperationException">A scheduler runs on the store.</exception>
    /// <exception cref="IOException">The store cannot be written (a full disk, a lock held too long).</exception>
    public static int RestoreSqlite(string backup, string path)
        => SqliteStoreCopy.Restore(backup, path);

    /// <summary>
    /// A store in PostgreSQL that any number of schedulers share — several <c>schedhost</c> services,
    /// several instances of an application — each on its own machine or not: the nodes of a cluster. Every
    /// fire time runs once across them; a node that dies has its due work taken over at once and its
    /// running runs marked Abandoned (and re-run for jobs with Recover) when its lease expires.
    /// </summary>
    /// <remarks>
    /// <para>The tables live in their own schema (<see cref="PostgresJobStoreOptions.Schema"/>), created and
    /// migrated on opening; a schema written by a newer version is refused. The user needs to create tables
    /// in it, or the schema must exist already. See docs/stores.md for the guarantees and what a crash can leave.</para>
    /// <para>The password never appears in messages, events or errors.</para>
    /// </remarks>
    /// <param name="connectionString">
    /// <c>postgres://user:password@host:5432/database</c> (parameters such as <c>?sslmode=require</c> allowed) or
    /// Npgsql's <c>Host=...;Database=...;Username=...;Password=...</c>.
    /// </param>
    /// <param name="options">Schema, history and cluster timings; null for the defaults.</param>
    /// <param name="timeProvider">The clock for leases and polling; null for the clock of the scheduler running on the store.</param>
    /// <exception cref="ArgumentException">The text is not a connection string.</exception>
    /// <exception cref="IOException">The server cannot be reached, or refuses the login or the schema.</exception>
    /// <exception cref="InvalidDataException">The schema was written by a newer version of Scheduler.</exception>
    public static JobStore CreatePostgres(string connectionString, PostgresJobStoreOptions? options = null, TimeProvider? timeProvider = null)
        => PostgresJobStore.Open(connectionString ?? throw new ArgumentNullException(nameof(connectionString)), options ?? PostgresJobStoreOptions.Default, timeProvider);

    /// <summary>Whether a store location names a PostgreSQL database (a <c>postgres://</c> URI or <c>Host=...</c> connection string) rather than a SQLite file.</summary>
    public static bool IsPostgresLocation(string location) => PostgresLocation.IsPostgres(location);

    /// <summary>Opens (or creates) a SQLite job store with the default options and clock; see the overload with options.</summary>
    /// <remarks>Callers that never name a clock bind here, not to the <see cref="TimeProvider"/> type (the PowerShell module).</remarks>
    /// <param name="path">The database file; relative paths are resolved against the current directory.</param>
    public static JobStore CreateSqlite(string path)
        => SqliteJobStore.Open(path, SqliteJobStoreOptions.Default, timeProvider: null);

    /// <summary>Adds a job.</summary>
    /// <exception cref="InvalidOperationException">A job with the same id exists and <paramref name="replaceExisting"/> is false.</exception>
    public abstract void Add(Job job, bool replaceExisting);

    /// <summary>Replaces the job with the same id.</summary>
    /// <exception cref="KeyNotFoundException">There is no job with that id.</exception>
    public abstract void Update(Job job);

    /// <summary>Removes a job and its run history; false when there was no such job.</summary>
    public abstract bool Remove(string id);

    /// <summary>Removes every job and all run history.</summary>
    public abstract void RemoveAll();

    /// <summary>The job with that id, or null.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1716:Identifiers should not match keywords", Justification = "Shipped public API; Get is a keyword only in Visual Basic, where it still binds.")]
    public abstract Job? Get(string id);

    /// <summary>Every job, ordered by next run time (paused jobs last).</summary>
    public abstract IReadOnlyList<Job> GetAll();

    /// <summary>
    /// The jobs whose name satisfies <paramref name="nameMatches"/>, in the order of <see cref="GetAll"/>
    /// (next run time, then id). A store that pays to load a job (a file store parses its definition)
    /// loads only the matching ones: looking up a few jobs by name in a large store costs what they cost.
    /// </summary>
    protected internal virtual IReadOnlyList<Job> GetByName(Func<string, bool> nameMatches)
    {
        if (nameMatches is null)
        {
            throw new ArgumentNullException(nameof(nameMatches));
        }

        return WithMatchingName(GetAll(), nameMatches);
    }

    /// <summary>The jobs whose name matches, in their order: the default of <see cref="GetByName"/>, for stores that filter loaded jobs.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1002:Do not expose generic lists", Justification = "Shipped public API: a fresh list a derived store may add to before returning it.")]
    protected static List<Job> WithMatchingName(IEnumerable<Job> jobs, Func<string, bool> nameMatches)
    {
        var matching = new List<Job>();
        foreach (var job in jobs)
        {
            if (nameMatches(job.Name))
            {
                matching.Add(job);
            }
        }

        return matching;
    }

    /// <summary>Up to <paramref name="maxCount"/> jobs whose next run time is at or before <paramref name="now"/>, earliest first.</summary>
    protected internal abstract IReadOnlyList<Job> GetDueJobs(DateTimeOffset now, int maxCount);

    /// <summary>
    /// Due jobs for a scheduler that shares the store with others (<see cref="SharedBySchedulers"/>): up to
    /// <paramref name="maxCount"/>, earliest first, and of each executor in <paramref name="freeWorkers"/> no
    /// more than its free workers, so the jobs a node cannot start now are left to the others. Jobs of
    /// executors not named there are taken as any (the scheduler fails them: it has no such executor).
    /// </summary>
    internal virtual IReadOnlyList<Job> ClaimDueJobs(DateTimeOffset now, int maxCount, IReadOnlyList<KeyValuePair<string, int>> freeWorkers)
        => GetDueJobs(now, maxCount);

    /// <summary>The earliest next run time of any job, or null when no job is scheduled.</summary>
    public abstract DateTimeOffset? GetNextRunTime();

    /// <summary>
    /// Commits what the scheduler decided for due jobs. Each dispatch is atomic: the job's new state
    /// (<see cref="JobDispatch.Updated"/>, or its removal) and the runs it records are stored
    /// together or not at all. A dispatch is rejected, and nothing of it stored, when the stored job is
    /// no longer the one the scheduler read (it was changed or removed meanwhile).
    /// </summary>
    /// <returns>The ids of the jobs whose dispatch was rejected; empty when all were committed.</returns>
    protected internal abstract IReadOnlyCollection<string> CommitDispatches(IReadOnlyList<JobDispatch> dispatches);

    /// <summary>Records a run: adds it, or replaces the record with the same run id (a run that ended).</summary>
    protected internal abstract void SaveRun(JobRun run);

    /// <summary>The latest runs of a job, newest first, at most <paramref name="maxCount"/>.</summary>
    public abstract IReadOnlyList<JobRun> GetRuns(string jobId, int maxCount);

    /// <summary>
    /// The ids of jobs that ended (their trigger had no further fire times, so the store no longer has
    /// them) and whose runs it still keeps, the most recently ended first, at most
    /// <paramref name="maxCount"/>: their runs are read with <see cref="GetRuns"/>. A job added again
    /// under the same id since is not among them, and a removed job's runs go with it. A store that
    /// keeps no runs of ended jobs returns none.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxCount"/> is negative.</exception>
    public IReadOnlyList<string> GetEndedJobIds(int maxCount)
    {
        if (maxCount < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(maxCount), maxCount, $"The maximum count must not be negative, not {maxCount}.");
        }

        return maxCount == 0 ? [] : GetEndedJobIdsCore(maxCount);
    }

    /// <summary>What <see cref="GetEndedJobIds"/> returns, for a <paramref name="maxCount"/> of at least 1.</summary>
    protected virtual IReadOnlyList<string> GetEndedJobIdsCore(int maxCount) => [];

    /// <summary>
    /// Marks the runs that a scheduler which is no longer running left as Running as
    /// <see cref="JobRunOutcome.Abandoned"/> (ended at <paramref name="now"/>) and returns them. Called
    /// when the scheduler <paramref name="schedulerId"/> starts; runs it has in progress itself are not touched.
    /// </summary>
    protected internal abstract IReadOnlyList<JobRun> AbandonUnfinishedRuns(string schedulerId, DateTimeOffset now);

    /// <summary>Closes what the store holds open (a file); the store cannot be used afterwards.</summary>
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the store's resources.</summary>
    protected virtual void Dispose(bool disposing)
    {
    }

    /// <summary>
    /// A scheduler starts running on the store (or the store is added to a running one). A persistent
    /// store takes its exclusive claim here, watches for outside changes and starts recording the
    /// scheduler's events from <paramref name="events"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">Another scheduler runs on the store.</exception>
    protected internal virtual void AttachScheduler(string schedulerId, TimeProvider timeProvider, EventLog events)
    {
    }

    /// <summary>The scheduler stopped running on the store (or removed it): the claim is released.</summary>
    protected internal virtual void DetachScheduler()
    {
    }

    /// <summary>Groups the writes that follow into one transaction until the returned scope ends; null when the store has nothing to group.</summary>
    protected internal virtual IDisposable? BeginBatch() => null;

    /// <summary>The ids of the jobs other processes asked to run now, removed from the store as they are taken.</summary>
    protected internal virtual IReadOnlyList<string> TakeRunRequests() => [];

    // ---------------------------------------------------------------- the protocol of stores several schedulers share

    /// <summary>
    /// Whether other schedulers take due jobs from this store too (the nodes of a cluster): a scheduler
    /// then takes no more due jobs than its executors can start, and leaves the rest to the others.
    /// </summary>
    protected internal virtual bool SharedBySchedulers
    {
        [MethodImpl(DispatchPath.Optimized)]
        get => false;
    }

    /// <summary>
    /// How many runs of each of these jobs are in progress in other schedulers sharing the store (the
    /// nodes of a cluster), so max-instances and the overlap policy hold across all of them; null for a
    /// store one scheduler uses alone. Called with the due jobs of each batch, under the scheduler's lock.
    /// </summary>
    protected internal virtual IReadOnlyDictionary<string, int>? CountRunningElsewhere(IReadOnlyList<Job> jobs, string schedulerId) => null;

    /// <summary>
    /// Asks the scheduler that runs the oldest run of the job in progress elsewhere to cancel it (overlap
    /// policy Replace across a cluster); false when there is none.
    /// </summary>
    protected internal virtual bool CancelElsewhere(string jobId, string schedulerId) => false;

    /// <summary>The ids of this scheduler's runs that other schedulers asked it to cancel, removed as they are taken.</summary>
    protected internal virtual IReadOnlyList<string> TakeCancelRequests() => [];

    /// <summary>
    /// Runs that schedulers sharing the store left unfinished when they died, found since the last call and
    /// now marked <see cref="JobRunOutcome.Abandoned"/>: this scheduler reports them and re-runs those of
    /// jobs that ask for recovery. Each such run is returned to one scheduler only.
    /// </summary>
    protected internal virtual IReadOnlyList<JobRun> TakeAbandonedRuns() => [];

    /// <summary>
    /// The scheduler has reported these abandoned runs (from <see cref="TakeAbandonedRuns"/> or
    /// <see cref="AbandonUnfinishedRuns"/>) and recorded the runs it starts again for them. A shared store
    /// keeps each abandoned run in the care of the scheduler it was handed to until then, so a scheduler
    /// that dies in between passes the recovery on instead of losing it.
    /// </summary>
    protected internal virtual void AbandonedRunsHandled(IReadOnlyList<JobRun> runs)
    {
    }

    /// <summary>
    /// Whether this scheduler may still start a run it committed: false once the store knows it has lost
    /// its claim to the run (another scheduler took over its runs after it seemed dead), and the run is
    /// then dropped. Called on the worker, just before the run starts.
    /// </summary>
    [MethodImpl(DispatchPath.Optimized)]
    protected internal virtual bool MayStart(JobRun run) => true;

    /// <summary>Tells the scheduler that jobs changed outside it.</summary>
    protected void OnChanged() => Changed?.Invoke(this, EventArgs.Empty);

    /// <summary>Tells the scheduler that a job could not be loaded.</summary>
    protected void OnJobLoadFailed(string jobId, string error, Exception? exception = null)
        => JobLoadFailed?.Invoke(this, new JobLoadFailedEventArgs(jobId, error, exception));

    /// <summary>Tells the scheduler of a problem to report.</summary>
    protected void OnErrorOccurred(string message, Exception? exception = null)
        => ErrorOccurred?.Invoke(this, new StoreErrorEventArgs(message, exception));
}

/// <summary>What a scheduler decided for one due job, committed atomically by <see cref="JobStore.CommitDispatches"/>.</summary>
public sealed class JobDispatch
{
    /// <summary>Creates a dispatch: the job as read, the job as updated (null: removed) and the runs to record.</summary>
    [MethodImpl(DispatchPath.Optimized)]
    public JobDispatch(Job job, Job? updated, IReadOnlyList<JobRun> runs)
    {
        Job = job ?? throw new ArgumentNullException(nameof(job));
        Updated = updated;
        Runs = runs ?? throw new ArgumentNullException(nameof(runs));
    }

    /// <summary>The job as the scheduler read it.</summary>
    public Job Job { get; }

    /// <summary>The job with its next run time advanced, or null when its trigger is finished and the job is removed.</summary>
    public Job? Updated { get; }

    /// <summary>The runs this dispatch records: Running ones being started, and Missed or Skipped ones already decided.</summary>
    public IReadOnlyList<JobRun> Runs { get; }
}

/// <summary>A problem a store reports through its scheduler.</summary>
public sealed class StoreErrorEventArgs(string message, Exception? exception) : EventArgs
{
    /// <summary>What happened, for the operator.</summary>
    public string Message { get; } = message;

    /// <summary>The exception behind it, if any.</summary>
    public Exception? Exception { get; } = exception;
}

/// <summary>A job a store could not load.</summary>
public sealed class JobLoadFailedEventArgs(string jobId, string error, Exception? exception) : EventArgs
{
    /// <summary>The id of the job that could not be loaded.</summary>
    public string JobId { get; } = jobId;

    /// <summary>Why it could not be loaded.</summary>
    public string Error { get; } = error;

    /// <summary>The exception that reading its definition threw, if any.</summary>
    public Exception? Exception { get; } = exception;
}
