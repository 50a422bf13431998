namespace Scheduler.Jobs;

/// <summary>
/// How a run ended, as a value: the run as it was submitted plus what its end adds. A run's end is
/// recorded in the history and raised as an event; a store that keeps runs in memory records it
/// without a <see cref="JobRun"/> of its own (<see cref="ToRun"/> makes one for the others).
/// </summary>
internal readonly struct EndedRun(JobRun run, DateTimeOffset? startTime, DateTimeOffset? endTime, JobRunOutcome outcome, string? output, string? error, int? exitCode)
{
    /// <summary>The run as it was submitted (Running).</summary>
    public JobRun Run { get; } = run;

    public RunKey Key => Run.Key;

    public string JobId => Run.JobId;

    public DateTimeOffset ScheduledTime => Run.ScheduledTime;

    public int Attempt => Run.Attempt;

    public string? SchedulerId => Run.SchedulerId;

    public DateTimeOffset? StartTime { get; } = startTime;

    public DateTimeOffset? EndTime { get; } = endTime;

    public JobRunOutcome Outcome { get; } = outcome;

    public string? Output { get; } = output;

    public string? Error { get; } = error;

    public int? ExitCode { get; } = exitCode;

    public TimeSpan? Duration => StartTime is { } start && EndTime is { } end ? end - start : null;

    /// <summary>The run's record as it ended.</summary>
    public JobRun ToRun() => Run with
    {
        StartTime = StartTime,
        EndTime = EndTime,
        Outcome = Outcome,
        Output = Output,
        Error = Error,
        ExitCode = ExitCode,
    };
}
