namespace Scheduler.Jobs;

/// <summary>Which of several runs that are due at once (after downtime) actually run.</summary>
public enum CoalescePolicy
{
    /// <summary>Run once, for the latest due fire time.</summary>
    Latest = 0,

    /// <summary>Run once, for the earliest due fire time still within the misfire grace time.</summary>
    Earliest = 1,

    /// <summary>Run once for every due fire time, in order.</summary>
    All = 2,
}

/// <summary>What happens to a run when the job already has <see cref="JobOptions.MaxInstances"/> runs in progress.</summary>
public enum OverlapPolicy
{
    /// <summary>The new run is not started; it is recorded as Skipped and reported as <c>JobMaxInstances</c>.</summary>
    Skip = 0,

    /// <summary>The new run waits and starts when a running one ends. At most one run waits; further ones are skipped.</summary>
    Queue = 1,

    /// <summary>The oldest running run is cancelled (through its cancellation token) and the new one starts.</summary>
    Replace = 2,
}

/// <summary>Whether the scheduler will run a job.</summary>
public enum JobState
{
    /// <summary>The job has a next run time.</summary>
    Scheduled = 0,

    /// <summary>The job has no next run time and waits to be resumed.</summary>
    Paused = 1,

    /// <summary>The store could not load the job's definition; it is kept and reported, never run.</summary>
    Broken = 2,
}

/// <summary>How a run ended (or that it has not ended yet).</summary>
public enum JobRunOutcome
{
    /// <summary>Submitted and not ended yet (possibly still waiting for a worker).</summary>
    Running = 0,

    /// <summary>Ended without an error.</summary>
    Succeeded = 1,

    /// <summary>Ended with an error.</summary>
    Failed = 2,

    /// <summary>Not run: it was due, or a worker took it up, later than the scheduled time plus the misfire grace time.</summary>
    Missed = 3,

    /// <summary>Not run: the job already had its maximum number of runs in progress.</summary>
    Skipped = 4,

    /// <summary>Cancelled because it took longer than the job's timeout.</summary>
    TimedOut = 5,

    /// <summary>Left running by a scheduler that stopped without recording its end (a crash).</summary>
    Abandoned = 6,

    /// <summary>Cancelled by a replacing run or by a shutdown without wait.</summary>
    Cancelled = 7,
}
