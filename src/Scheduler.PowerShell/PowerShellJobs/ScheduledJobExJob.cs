using System.Globalization;
using System.Management.Automation;
using Scheduler.Jobs;
using Scheduler.PowerShell.Executors;
using Scheduler.PowerShell.Sessions;
using PSJobState = System.Management.Automation.JobState;

namespace Scheduler.PowerShell.PowerShellJobs;

/// <summary>
/// One run of a scheduled job as a PowerShell job: <c>Get-Job</c> lists it (named after the scheduled
/// job, type ScheduledJobEx), <c>Wait-Job</c> waits for it, <c>Receive-Job</c> returns what it wrote, and
/// <c>Stop-Job</c> stops it when it runs in this session.
/// </summary>
/// <remarks>
/// A run executed in this session gives Receive-Job the objects and records it wrote (bounded); any
/// other run (from the store's history, or run by schedhost) gives its recorded output as lines of text
/// and its error text as an error record.
/// </remarks>
public sealed class ScheduledJobExJob : Job2
{
    /// <summary>The job type Get-Job shows in PSJobTypeName.</summary>
    public const string JobTypeName = "ScheduledJobEx";

    private readonly object sync = new();
    private readonly SessionScheduler scheduler;
    private string status = nameof(JobRunOutcome.Running);
    private bool filled;

    internal ScheduledJobExJob(SessionScheduler scheduler, JobRun run, string jobName, string command)
        : base(command, jobName)
    {
        this.scheduler = scheduler;
        RunId = run.RunId;
        ScheduledJobId = run.JobId;
        PSJobTypeName = JobTypeName;
        Update(run);
    }

    /// <summary>The run's id in its store.</summary>
    public string RunId { get; }

    /// <summary>The session's scheduler of the run's store (a new one after the module is imported again).</summary>
    internal SessionScheduler Scheduler => scheduler;

    /// <summary>The id of the scheduled job that ran.</summary>
    public string ScheduledJobId { get; }

    /// <summary>The run's outcome, and its error when it did not succeed.</summary>
    public override string StatusMessage
    {
        get
        {
            lock (sync)
            {
                return status;
            }
        }
    }

    /// <summary>Whether any of the run's streams still holds records to receive.</summary>
    public override bool HasMoreData
        => Output.Count > 0 || Error.Count > 0 || Warning.Count > 0 || Information.Count > 0;

    /// <summary>The store that keeps the run.</summary>
    public override string Location => scheduler.StoreName;

    /// <summary>Brings the job up to date with its run record; a run that has ended fills the job's streams once.</summary>
    internal void Update(JobRun run)
    {
        lock (sync)
        {
            status = run.Error is { } error ? $"{run.Outcome}: {error}" : run.Outcome.ToString();
            if (run.StartTime is { } start)
            {
                PSBeginTime = start.LocalDateTime;
            }

            if (run.EndTime is { } end)
            {
                PSEndTime = end.LocalDateTime;
            }

            if (run.Outcome == JobRunOutcome.Running || filled)
            {
                if (run.Outcome == JobRunOutcome.Running && JobStateInfo.State == PSJobState.NotStarted)
                {
                    SetJobState(PSJobState.Running);
                }

                return;
            }

            filled = true;
            Fill(run, scheduler.Runspaces.GetResult(run.RunId));
        }

        SetJobState(StateOf(run.Outcome));
    }

    /// <summary>Not supported: the scheduler starts runs (Start-ScheduledJobEx runs a job now).</summary>
    public override void StartJob() => throw NotSupported("started; the scheduler starts runs (Start-ScheduledJobEx runs a job now)");

    /// <summary>Not supported, as <see cref="StartJob"/>; reported through the completion event.</summary>
    public override void StartJobAsync() => Complete(StartJob, OnStartJobCompleted);

    /// <summary>Stops the run, as <see cref="StopJob(bool, string)"/>.</summary>
    public override void StopJob() => StopJob(force: false, reason: null);

    /// <summary>Stops the run's pipeline when it runs in this session; it ends as Failed ("stopped with Stop-Job").</summary>
    public override void StopJob(bool force, string? reason)
    {
        if (JobStateInfo.State != PSJobState.Running)
        {
            return;
        }

        if (!scheduler.Runspaces.StopRun(RunId))
        {
            throw NotSupported("stopped from this session: it runs elsewhere (another session or schedhost); stop that scheduler, or give the job a -Timeout");
        }
    }

    /// <summary>Stops the run, as <see cref="StopJob(bool, string)"/>; reported through the completion event.</summary>
    public override void StopJobAsync() => Complete(StopJob, OnStopJobCompleted);

    /// <summary>Stops the run, as <see cref="StopJob(bool, string)"/>; reported through the completion event.</summary>
    public override void StopJobAsync(bool force, string? reason) => Complete(() => StopJob(force, reason), OnStopJobCompleted);

    /// <summary>Not supported: Suspend-ScheduledJobEx pauses the scheduled job.</summary>
    public override void SuspendJob() => throw NotSupported("suspended; Suspend-ScheduledJobEx pauses the scheduled job");

    /// <summary>Not supported, as <see cref="SuspendJob()"/>; reported through the completion event.</summary>
    public override void SuspendJobAsync() => Complete(SuspendJob, OnSuspendJobCompleted);

    /// <summary>Not supported, as <see cref="SuspendJob()"/>.</summary>
    public override void SuspendJob(bool force, string? reason) => SuspendJob();

    /// <summary>Not supported, as <see cref="SuspendJob()"/>; reported through the completion event.</summary>
    public override void SuspendJobAsync(bool force, string? reason) => SuspendJobAsync();

    /// <summary>Not supported: Resume-ScheduledJobEx resumes the scheduled job.</summary>
    public override void ResumeJob() => throw NotSupported("resumed; Resume-ScheduledJobEx resumes the scheduled job");

    /// <summary>Not supported, as <see cref="ResumeJob"/>; reported through the completion event.</summary>
    public override void ResumeJobAsync() => Complete(ResumeJob, OnResumeJobCompleted);

    /// <summary>Not supported: a run never blocks.</summary>
    public override void UnblockJob() => throw NotSupported("unblocked");

    /// <summary>Not supported, as <see cref="UnblockJob"/>; reported through the completion event.</summary>
    public override void UnblockJobAsync() => Complete(UnblockJob, OnUnblockJobCompleted);

    /// <summary>
    /// The *Async forms run the action at once and report through the completion event the job cmdlets
    /// wait for (Stop-Job waits for StopJobCompleted), with the failure, if any.
    /// </summary>
    private static void Complete(Action action, Action<System.ComponentModel.AsyncCompletedEventArgs> completed)
    {
        Exception? failure = null;
        try
        {
            action();
        }
        catch (PSNotSupportedException error)
        {
            failure = error;
        }

        completed(new System.ComponentModel.AsyncCompletedEventArgs(failure, cancelled: false, userState: null));
    }

    private static PSJobState StateOf(JobRunOutcome outcome) => outcome switch
    {
        JobRunOutcome.Succeeded => PSJobState.Completed,
        JobRunOutcome.Failed or JobRunOutcome.TimedOut or JobRunOutcome.Abandoned => PSJobState.Failed,
        JobRunOutcome.Running => PSJobState.Running,

        // Missed, Skipped, Cancelled: the run did not run to its end.
        _ => PSJobState.Stopped,
    };

    private void Fill(JobRun run, RunResult? records)
    {
        if (records is not null)
        {
            foreach (var item in records.Output)
            {
                Output.Add(item);
            }

            foreach (var record in records.Errors)
            {
                Error.Add(record);
            }

            foreach (var record in records.Warnings)
            {
                Warning.Add(record);
            }

            foreach (var record in records.Information)
            {
                Information.Add(record);
            }

            // Timeouts and cancellations are the scheduler's doing, not an error record of the script.
            if (run.Outcome is JobRunOutcome.TimedOut or JobRunOutcome.Cancelled && run.Error is { } stopped)
            {
                Error.Add(RunError(run.Outcome, stopped));
            }

            return;
        }

        if (run.Output is { } text)
        {
            foreach (var line in text.Split('\n'))
            {
                Output.Add(PSObject.AsPSObject(line));
            }
        }

        if (run.Error is { } error)
        {
            Error.Add(RunError(run.Outcome, error));
        }
    }

    private ErrorRecord RunError(JobRunOutcome outcome, string error)
        => new(
            new InvalidOperationException(error),
            "ScheduledRun" + outcome.ToString(),
            outcome == JobRunOutcome.TimedOut ? ErrorCategory.OperationTimeout : ErrorCategory.NotSpecified,
            Name);

    private PSNotSupportedException NotSupported(string what)
        => new(string.Format(CultureInfo.InvariantCulture, "The run {0} of the scheduled job '{1}' cannot be {2}.", RunId, Name, what));
}
