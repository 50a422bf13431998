using Scheduler.Jobs;

namespace Scheduler.Stores;

/// <summary>
/// Keeps jobs and their run history and answers "which jobs are due" and "when is the next one due".
/// Create the built-in stores with the factory methods (<see cref="CreateMemory"/>).
/// </summary>
/// <remarks>
/// <para>A store is used by one scheduler and must be safe to call from several threads: the
/// scheduler's loop, callers adding jobs, and workers recording run ends.</para>
/// <para>Crash safety rests on <see cref="CommitDispatches"/>: advancing a job's next run time and
/// recording the runs it starts happen in one atomic step, so after a crash every started run is
/// either recorded (and found by <see cref="AbandonUnfinishedRuns"/>) or was never started.</para>
/// </remarks>
public abstract class JobStore
{
    // The set of stores is closed (memory, SQLite, later PostgreSQL): they create jobs and runs,
    // whose constructors are internal.
    private protected JobStore()
    {
    }

    /// <summary>The default number of runs kept per job.</summary>
    public const int DefaultRunHistoryLimit = 20;

    /// <summary>Raised when something other than this store's scheduler changed its jobs; the scheduler re-reads its next run time.</summary>
    public event EventHandler? Changed;

    /// <summary>Raised when the store finds a job definition it cannot load; the job is kept and marked broken.</summary>
    public event EventHandler<JobLoadFailedEventArgs>? JobLoadFailed;

    /// <summary>The scheduler the store was added to; a store serves one scheduler.</summary>
    internal object? Owner { get; set; }

    /// <summary>How many jobs the store keeps.</summary>
    public abstract int Count { get; }

    /// <summary>A store that keeps jobs in memory: for tests and for scripts that re-create their jobs at start.</summary>
    /// <param name="runHistoryLimit">How many runs are kept per job (0 keeps none).</param>
    public static JobStore CreateMemory(int runHistoryLimit = DefaultRunHistoryLimit) => new MemoryJobStore(runHistoryLimit);

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
    public abstract Job? Get(string id);

    /// <summary>Every job, ordered by next run time (paused jobs last).</summary>
    public abstract IReadOnlyList<Job> GetAll();

    /// <summary>Up to <paramref name="maxCount"/> jobs whose next run time is at or before <paramref name="now"/>, earliest first.</summary>
    public abstract IReadOnlyList<Job> GetDueJobs(DateTimeOffset now, int maxCount);

    /// <summary>The earliest next run time of any job, or null when no job is scheduled.</summary>
    public abstract DateTimeOffset? GetNextRunTime();

    /// <summary>
    /// Commits what the scheduler decided for due jobs. Each dispatch is atomic: the job's new state
    /// (<see cref="JobDispatch.Updated"/>, or its removal) and the runs it records are stored
    /// together or not at all. A dispatch is rejected, and nothing of it stored, when the stored job is
    /// no longer the one the scheduler read (it was changed or removed meanwhile).
    /// </summary>
    /// <returns>The ids of the jobs whose dispatch was rejected; empty when all were committed.</returns>
    public abstract IReadOnlyCollection<string> CommitDispatches(IReadOnlyList<JobDispatch> dispatches);

    /// <summary>Records a run: adds it, or replaces the record with the same run id (a run that ended).</summary>
    public abstract void SaveRun(JobRun run);

    /// <summary>The latest runs of a job, newest first, at most <paramref name="maxCount"/>.</summary>
    public abstract IReadOnlyList<JobRun> GetRuns(string jobId, int maxCount);

    /// <summary>
    /// Marks the runs that a scheduler which is no longer running left as Running as
    /// <see cref="JobRunOutcome.Abandoned"/> (ended at <paramref name="now"/>) and returns them. Called
    /// when the scheduler <paramref name="schedulerId"/> starts; runs it has in progress itself are not touched.
    /// </summary>
    public abstract IReadOnlyList<JobRun> AbandonUnfinishedRuns(string schedulerId, DateTimeOffset now);

    /// <summary>Tells the scheduler that jobs changed outside it.</summary>
    protected void OnChanged() => Changed?.Invoke(this, EventArgs.Empty);

    /// <summary>Tells the scheduler that a job could not be loaded.</summary>
    protected void OnJobLoadFailed(string jobId, string error, Exception? exception = null)
        => JobLoadFailed?.Invoke(this, new JobLoadFailedEventArgs(jobId, error, exception));
}

/// <summary>What a scheduler decided for one due job, committed atomically by <see cref="JobStore.CommitDispatches"/>.</summary>
public sealed class JobDispatch
{
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

/// <summary>A job a store could not load.</summary>
public sealed class JobLoadFailedEventArgs(string jobId, string error, Exception? exception) : EventArgs
{
    public string JobId { get; } = jobId;

    public string Error { get; } = error;

    public Exception? Exception { get; } = exception;
}
