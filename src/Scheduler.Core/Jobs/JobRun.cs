using System.Runtime.CompilerServices;
using Scheduler.Internal;

namespace Scheduler.Jobs;

/// <summary>
/// One run of a job, as recorded in its store's run history: when it was scheduled and started, how
/// it ended, its output and error. Retries are separate runs with a higher <see cref="Attempt"/>.
/// </summary>
public sealed record JobRun
{
    /// <summary>A run record as a store reads it back; the scheduler makes new runs itself.</summary>
    /// <param name="runId">The run's id as recorded.</param>
    /// <param name="jobId">The id of the job that ran.</param>
    /// <param name="scheduledTime">The time the run was due.</param>
    /// <param name="outcome">How it ended, or Running.</param>
    /// <param name="attempt">1 for the first attempt, 2 for the first retry...</param>
    /// <param name="schedulerId">The scheduler that ran it.</param>
    public JobRun(string runId, string jobId, DateTimeOffset scheduledTime, JobRunOutcome outcome, int attempt, string? schedulerId)
        : this(RunKey.From(runId ?? throw new ArgumentNullException(nameof(runId))), jobId, scheduledTime, outcome, attempt, schedulerId)
    {
    }

    internal JobRun(RunKey key, string jobId, DateTimeOffset scheduledTime, JobRunOutcome outcome, int attempt, string? schedulerId)
    {
        Key = key;
        JobId = jobId;
        ScheduledTime = scheduledTime;
        Outcome = outcome;
        Attempt = attempt;
        SchedulerId = schedulerId;
    }

    /// <summary>The run's unique id.</summary>
    public string RunId => Key.Text!;

    /// <summary>The id of the job that ran.</summary>
    public string JobId { get; internal init; }

    /// <summary>The time the run was due (the trigger's fire time, with jitter).</summary>
    public DateTimeOffset ScheduledTime { get; internal init; }

    /// <summary>When the run actually started, or null when it did not (yet).</summary>
    public DateTimeOffset? StartTime { get => Values.StartTime; init => Values = Values.WithStartTime(value); }

    /// <summary>When the run ended (or was decided not to run), or null while it is running.</summary>
    public DateTimeOffset? EndTime { get => Values.EndTime; init => Values = Values.WithEndTime(value); }

    /// <summary>How the run ended, or <see cref="JobRunOutcome.Running"/>.</summary>
    public JobRunOutcome Outcome { get; internal init; }

    /// <summary>1 for the first attempt, 2 for the first retry...</summary>
    public int Attempt { get; internal init; }

    /// <summary>The run's return value or output as text, truncated to a bounded length.</summary>
    public string? Output { get; init; }

    /// <summary>Why the run failed or did not run.</summary>
    public string? Error { get; init; }

    /// <summary>The exit code of a process run; null for other runs.</summary>
    public int? ExitCode { get => Values.ExitCode; init => Values = Values.WithExitCode(value); }

    /// <summary>The id of the scheduler that ran (or decided about) the run.</summary>
    public string? SchedulerId { get; internal init; }

    /// <summary>How long the run took, once it has started and ended.</summary>
    public TimeSpan? Duration
    {
        [MethodImpl(DispatchPath.Optimized)]
        get => StartTime is { } start && EndTime is { } end ? end - start : null;
    }

    /// <summary>The run's id as the engine keeps it.</summary>
    internal RunKey Key { get; }

    /// <summary>The start and end times and the exit code, packed (see <see cref="OptionalRunValues"/>).</summary>
    internal OptionalRunValues Values { get; init; }

    /// <summary>The longest <see cref="Output"/> and <see cref="Error"/> kept, in characters.</summary>
    public const int MaxTextLength = 4096;

    [MethodImpl(DispatchPath.Optimized)]
    internal static string? Bounded(string? text)
        => text is null || text.Length <= MaxTextLength ? text : string.Concat(text.Substring(0, MaxTextLength - 1), "…");
}
