using Scheduler.Jobs;

namespace Scheduler.PowerShell;

/// <summary>One run of a job, from its store's run history, as <c>Get-ScheduledJobExRun</c> writes it.</summary>
public sealed class ScheduledJobRun
{
    private readonly TimeZoneInfo zone;

    internal ScheduledJobRun(JobRun run, string jobName, TimeZoneInfo zone, string store)
    {
        Record = run;
        JobName = jobName;
        Store = store;
        this.zone = zone;
    }

    /// <summary>The name of the job that ran.</summary>
    public string JobName { get; }

    /// <summary>The id of the job that ran.</summary>
    public string JobId => Record.JobId;

    /// <summary>The run's id, the same for every attempt of it.</summary>
    public string RunId => Record.RunId;

    /// <summary>Running, Succeeded, Failed, Missed, Skipped, TimedOut, Abandoned or Cancelled.</summary>
    public JobRunOutcome Outcome => Record.Outcome;

    /// <summary>When the run was due, with the offset of the job's trigger zone.</summary>
    public DateTimeOffset ScheduledTime => TimeZoneInfo.ConvertTime(Record.ScheduledTime, zone);

    /// <summary>When the run started, with the offset of the job's trigger zone; null when it never started.</summary>
    public DateTimeOffset? StartTime => Record.StartTime is { } start ? TimeZoneInfo.ConvertTime(start, zone) : null;

    /// <summary>When the run ended, with the offset of the job's trigger zone; null while it runs.</summary>
    public DateTimeOffset? EndTime => Record.EndTime is { } end ? TimeZoneInfo.ConvertTime(end, zone) : null;

    /// <summary>How long the run took; null until it ended.</summary>
    public TimeSpan? Duration => Record.Duration;

    /// <summary>1 for the first attempt, 2 for the first retry...</summary>
    public int Attempt => Record.Attempt;

    /// <summary>What the run wrote (output, warnings, information), bounded.</summary>
    public string? Output => Record.Output;

    /// <summary>Why the run failed or did not run: its errors, bounded.</summary>
    public string? Error => Record.Error;

    /// <summary>The exit code of a run in a child process.</summary>
    public int? ExitCode => Record.ExitCode;

    /// <summary>The id of the scheduler that ran it.</summary>
    public string? SchedulerId => Record.SchedulerId;

    /// <summary>The store's file.</summary>
    public string Store { get; }

    internal JobRun Record { get; }

    /// <summary>The job's name, the outcome and the scheduled time.</summary>
    public override string ToString() => $"{JobName} {Outcome} {Display.Time(ScheduledTime)}";
}
