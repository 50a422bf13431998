using Scheduler.Executors;
using Scheduler.Scheduling;

namespace Scheduler.Jobs;

/// <summary>What a running job knows about its run.</summary>
public sealed class JobContext
{
    private readonly JobExecution execution;

    internal JobContext(JobScheduler scheduler, Job job, JobRun run, DateTimeOffset startTime, JobExecution execution)
    {
        Scheduler = scheduler;
        Job = job;
        Run = run;
        StartTime = startTime;
        this.execution = execution;
    }

    /// <summary>The scheduler running the job.</summary>
    public JobScheduler Scheduler { get; }

    /// <summary>The job, as it was when the run was submitted.</summary>
    public Job Job { get; }

    /// <summary>The id of this run.</summary>
    public string RunId => Run.RunId;

    /// <summary>The time the run was due.</summary>
    public DateTimeOffset ScheduledTime => Run.ScheduledTime;

    /// <summary>When the run started.</summary>
    public DateTimeOffset StartTime { get; }

    /// <summary>1 for the first attempt, 2 for the first retry...</summary>
    public int Attempt => Run.Attempt;

    /// <summary>Cancelled when the run times out, is replaced by a newer run, or the scheduler shuts down without waiting.</summary>
    public CancellationToken CancellationToken => execution.CancellationToken;

    internal JobRun Run { get; }
}
