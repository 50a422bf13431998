namespace Scheduler.Jobs;

/// <summary>What a running job knows about its run.</summary>
/// <remarks>
/// The scheduler running the job is <c>context.Scheduler</c>, an extension property in
/// <see cref="Scheduling"/> (<c>using Scheduler.Scheduling;</c>): jobs sit below the scheduler, which
/// depends on them, not the other way round.
/// </remarks>
public sealed class JobContext
{
    // The run this context describes, read through: every run makes a context, and one that copied
    // the run's facts would be several times the size of this one.
    private readonly IRunContext run;

    internal JobContext(IRunContext run)
    {
        this.run = run;
    }

    /// <summary>The job, as it was when the run was submitted.</summary>
    public Job Job => run.Job;

    /// <summary>The id of this run.</summary>
    public string RunId => Run.RunId;

    /// <summary>The time the run was due.</summary>
    public DateTimeOffset ScheduledTime => Run.ScheduledTime;

    /// <summary>When the run started.</summary>
    public DateTimeOffset StartTime => run.StartTime;

    /// <summary>1 for the first attempt, 2 for the first retry...</summary>
    public int Attempt => Run.Attempt;

    /// <summary>Cancelled when the run times out, is replaced by a newer run, or the scheduler shuts down without waiting.</summary>
    public CancellationToken CancellationToken => run.CancellationToken;

    /// <summary>The scheduler running the job (a <c>JobScheduler</c>).</summary>
    internal object Owner => run.Owner;

    internal JobRun Run => run.Run;
}

/// <summary>What a <see cref="JobContext"/> reads: the execution that runs the job.</summary>
internal interface IRunContext
{
    /// <summary>The scheduler running the job.</summary>
    object Owner { get; }

    Job Job { get; }

    JobRun Run { get; }

    /// <summary>When the run started; read only once it has.</summary>
    DateTimeOffset StartTime { get; }

    CancellationToken CancellationToken { get; }
}
