using System.Management.Automation;
using Scheduler.Jobs;
using Scheduler.PowerShell.Sessions;
using Job = Scheduler.Jobs.Job;
using JobState = Scheduler.Jobs.JobState;


namespace Scheduler.PowerShell.Commands;

/// <summary>
/// What the scheduler and job cmdlets share: the session's schedulers, finding jobs by name or by a
/// piped job object, and turning engine failures into error records with the module's ids.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "The CancellationTokenSource has no timer and no wait handle, so it holds nothing to release; a disposable cmdlet would change when PowerShell lets it go.")]
public abstract class SchedulerCmdlet : PSCmdlet
{
    private readonly CancellationTokenSource stopping = new();

    private protected SchedulerCmdlet()
    {
    }

    /// <summary>Cancelled when the pipeline is stopped (Ctrl+C): blocking waits end with it.</summary>
    private protected CancellationToken StopToken => stopping.Token;

    private protected static ModuleState State => ModuleState.Current;

    /// <summary>Ctrl+C ends the cmdlet's waits.</summary>
    protected override void StopProcessing() => stopping.Cancel();

    /// <summary>The session's scheduler of a store (see <see cref="ModuleState.For"/>); a store that cannot be opened stops the cmdlet.</summary>
    private protected SessionScheduler SchedulerFor(string? store)
    {
        try
        {
            return State.For(store, this);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or InvalidDataException or ArgumentException or NotSupportedException)
        {
            ThrowTerminatingError(new ErrorRecord(
                new IOException($"The job store '{store ?? StoreLocation.DefaultPath}' cannot be opened: {error.Message}", error),
                ErrorIds.StoreUnavailable,
                ErrorCategory.OpenError,
                store));
            throw;
        }
    }

    /// <summary>
    /// The jobs a cmdlet acts on: each name (exact, case-insensitive) in the store, or each piped job in
    /// its own store, as they are stored now. A name or job that is not there is reported as JobNotFound.
    /// </summary>
    private protected IEnumerable<(SessionScheduler Scheduler, Job Job)> Targets(string[]? names, ScheduledJob[]? inputs, string? store)
    {
        if (inputs is not null)
        {
            foreach (var input in inputs)
            {
                var scheduler = SchedulerFor(input.Store);
                if (scheduler.Scheduler.GetJob(input.Id) is { } current)
                {
                    yield return (scheduler, current);
                }
                else
                {
                    WriteError(Errors.JobNotFound(input.Name, scheduler.StorePath));
                }
            }

            yield break;
        }

        var target = SchedulerFor(store);
        foreach (var name in names ?? [])
        {
            if (target.FindJob(name) is { } job)
            {
                yield return (target, job);
            }
            else
            {
                WriteError(Errors.JobNotFound(name, target.StorePath));
            }
        }
    }

    /// <summary>The scheduler running in this session, or null after reporting SchedulerNotRunning.</summary>
    private protected SessionScheduler? RunningScheduler(string what)
    {
        if (State.Running is { } running)
        {
            return running;
        }

        WriteError(Errors.SchedulerNotRunning(what));
        return null;
    }

    /// <summary>
    /// Runs a job now: on the scheduler running in this session, or else by asking the scheduler that runs
    /// on the store in another process (schedhost run, another session), which starts it within a second.
    /// Reports why it cannot (no scheduler runs, the job is broken).
    /// </summary>
    private protected RunNowResult RunJobNow(SessionScheduler scheduler, Job job)
    {
        if (!scheduler.IsRunning)
        {
            if (scheduler.RunningElsewhere is { } other)
            {
                try
                {
                    var after = scheduler.RequestRun(job.Id);
                    WriteVerbose($"Asked the scheduler '{other.SchedulerId}' (process {other.ProcessId} on {other.Host}) to run the job '{job.Name}' now.");
                    return new RunNowResult(null, after);
                }
                catch (KeyNotFoundException)
                {
                    WriteError(Errors.JobNotFound(job.Name, scheduler.StorePath));
                    return default;
                }
            }

            WriteError(Errors.InvalidOperation(
                ErrorIds.SchedulerNotRunning,
                new InvalidOperationException($"No scheduler runs on the store '{scheduler.StorePath}', in this session or another process: start one with Start-Scheduler (or schedhost run) to run the job '{job.Name}' now."),
                job.Name));
            return default;
        }

        try
        {
            return new RunNowResult(scheduler.Scheduler.RunJobNow(job.Id), null);
        }
        catch (KeyNotFoundException)
        {
            WriteError(Errors.JobNotFound(job.Name, scheduler.StorePath));
        }
        catch (InvalidOperationException error)
        {
            WriteError(Errors.InvalidOperation(job.State == JobState.Broken ? ErrorIds.JobBroken : ErrorIds.SchedulerNotRunning, error, job.Name));
        }

        return default;
    }

    /// <summary>Waits for a task on the pipeline thread; false when Ctrl+C ended the wait first.</summary>
    private protected bool WaitFor(Task task)
    {
        try
        {
            task.Wait(StopToken);
        }
        catch (OperationCanceledException) when (StopToken.IsCancellationRequested)
        {
            return false;
        }
        catch (AggregateException)
        {
            // The task failed: GetResult below throws its own exception rather than the wrapper.
        }

        task.GetAwaiter().GetResult();
        return true;
    }

    private protected static SchedulerInfo Describe(SessionScheduler scheduler)
    {
        var engine = scheduler.Scheduler;

        // Asked of the stores, not counted from the jobs: a large file store would parse every definition.
        var (count, next) = engine.GetJobCountAndNextRunTime();

        return new SchedulerInfo(
            engine.Id,
            engine.State,
            scheduler.StorePath,
            scheduler.Runspaces.MaxWorkers,
            scheduler.Runspaces.ActiveWorkers,
            count,
            next?.ToLocalTime(),
            scheduler.StartTime?.ToLocalTime());
    }
}

/// <summary>What running a job now did: the run started here, or the store event id after which another process's run follows.</summary>
internal readonly record struct RunNowResult(JobRun? Run, long? RequestedAfter);
