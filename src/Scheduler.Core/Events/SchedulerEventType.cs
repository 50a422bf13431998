namespace Scheduler.Events;

/// <summary>
/// The kinds of scheduler event. Each value is a bit (its code), so a set of kinds is a mask for
/// <c>JobScheduler.Subscribe</c>.
/// </summary>
[Flags]
public enum SchedulerEventType
{
    /// <summary>No event; as a mask, nothing.</summary>
    None = 0,

    /// <summary>The scheduler started.</summary>
    SchedulerStarted = 1 << 0,

    /// <summary>The scheduler shut down.</summary>
    SchedulerShutdown = 1 << 1,

    /// <summary>The scheduler was paused: it starts no runs until resumed.</summary>
    SchedulerPaused = 1 << 2,

    /// <summary>The scheduler was resumed.</summary>
    SchedulerResumed = 1 << 3,

    /// <summary>An executor was added.</summary>
    ExecutorAdded = 1 << 4,

    /// <summary>An executor was removed.</summary>
    ExecutorRemoved = 1 << 5,

    /// <summary>A job store was added.</summary>
    StoreAdded = 1 << 6,

    /// <summary>A job store was removed.</summary>
    StoreRemoved = 1 << 7,

    /// <summary>Every job of a store (or of all stores) was removed.</summary>
    AllJobsRemoved = 1 << 8,

    /// <summary>A job was added.</summary>
    JobAdded = 1 << 9,

    /// <summary>A job was removed, by request or because its trigger has no further fire times (see the message).</summary>
    JobRemoved = 1 << 10,

    /// <summary>A job's definition, options or trigger were changed.</summary>
    JobModified = 1 << 11,

    /// <summary>A job was paused: it has no next run time until resumed.</summary>
    JobPaused = 1 << 12,

    /// <summary>A job was resumed.</summary>
    JobResumed = 1 << 13,

    /// <summary>A run was handed to an executor (it may wait for a free worker).</summary>
    JobSubmitted = 1 << 14,

    /// <summary>A run started on a worker.</summary>
    JobStarted = 1 << 15,

    /// <summary>A run ended without an error.</summary>
    JobExecuted = 1 << 16,

    /// <summary>A run ended with an error.</summary>
    JobError = 1 << 17,

    /// <summary>A run was not started because it was later than its scheduled time plus the misfire grace time.</summary>
    JobMissed = 1 << 18,

    /// <summary>A run was not started (or was queued) because the job had its maximum number of runs in progress.</summary>
    JobMaxInstances = 1 << 19,

    /// <summary>A run took longer than the job's timeout and was cancelled.</summary>
    JobTimedOut = 1 << 20,

    /// <summary>A failed run will be run again after the retry delay.</summary>
    JobRetried = 1 << 21,

    /// <summary>A run that a stopped scheduler left unfinished was found and recorded as abandoned.</summary>
    JobAbandoned = 1 << 22,

    /// <summary>A store could not load a job's definition; the job is kept and marked broken.</summary>
    JobLoadFailed = 1 << 23,

    /// <summary>A run was cancelled by a replacing run or by a shutdown without wait.</summary>
    JobCancelled = 1 << 24,

    /// <summary>Something failed inside the scheduler without stopping it: a listener threw, a store failed.</summary>
    SchedulerError = 1 << 25,

    /// <summary>Every kind; as a mask, all events.</summary>
    All = (1 << 26) - 1,
}
