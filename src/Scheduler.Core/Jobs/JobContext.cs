namespace Scheduler.Jobs;

/// <summary>What a running job knows about its run.</summary>
/// <remarks>
/// The scheduler running the job is <c>context.Scheduler</c>, an extension property in
/// <see cref="Scheduling"/> (<c>using Scheduler.Scheduling;</c>): jobs sit below the scheduler, which
/// depends on them, not the other way round.
/// </remarks>
public sealed class JobContext
{
    private readonly IRunCancellation cancellation;

    internal JobContext(object scheduler, Job job, JobRun run, DateTimeOffset startTime, IRunCancellation cancellation)
    {
        Owner = scheduler;
        Job = job;
        Run = run;
        StartTime = startTime;
        this.cancellation = cancellation;
    }

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
    public CancellationToken CancellationToken => cancellation.CancellationToken;

    /// <summary>The scheduler running the job (a <c>JobScheduler</c>).</summary>
    internal object Owner { get; }

    internal JobRun Run { get; }
}

/// <summary>Where a run's cancellation token comes from: the execution that runs it.</summary>
internal interface IRunCancellation
{
    CancellationToken CancellationToken { get; }
}
