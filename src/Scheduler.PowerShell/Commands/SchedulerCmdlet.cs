using System.Globalization;
using System.Management.Automation;
using Scheduler.Internal;
using Scheduler.Jobs;
using Scheduler.PowerShell.Sessions;
using Scheduler.Stores;
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

    /// <summary>
    /// The session's scheduler of a store: the one <paramref name="store"/> names (a file path or a
    /// PostgreSQL connection string), else the running scheduler's, else the default store (see
    /// <see cref="ModuleState.For(StoreLocation?)"/>); a store that cannot be opened stops the cmdlet.
    /// </summary>
    private protected SessionScheduler SchedulerFor(string? store)
    {
        StoreLocation? location = null;
        try
        {
            location = LocationOf(store);
            return State.For(location, this);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or InvalidDataException or ArgumentException or NotSupportedException)
        {
            // Never the text as given: a connection string may hold a password (an unreadable one is quoted,
            // without it, by the error itself).
            var name = location?.Name ?? (store is null || JobStore.IsPostgresLocation(store) ? null : store);
            var message = name is null ? $"The job store cannot be opened: {ExceptionText.FirstLine(error)}" : $"The job store '{name}' cannot be opened: {ExceptionText.FirstLine(error)}";
            ThrowTerminatingError(new ErrorRecord(new IOException(message, error), ErrorIds.StoreUnavailable, ErrorCategory.OpenError, name));
            throw;
        }
    }

    /// <summary>The store a -Store argument names, else the running scheduler's, else the default store.</summary>
    /// <exception cref="ArgumentException">An unreadable connection string (the message has no password).</exception>
    private StoreLocation LocationOf(string? store)
        => store is null ? State.Running?.Location ?? StoreLocation.Default() : StoreLocation.Resolve(store, this);

    /// <summary>
    /// The file of a SQLite store, for the cmdlets that copy one (Backup- and Restore-SchedulerStore): the
    /// one <paramref name="store"/> names, else the running scheduler's, else the default store. A
    /// PostgreSQL store, or an unreadable location, stops the cmdlet with <paramref name="errorId"/>.
    /// </summary>
    private protected StoreLocation SqliteStoreFor(string? store, string errorId)
    {
        StoreLocation location;
        try
        {
            location = LocationOf(store);
        }
        catch (ArgumentException unreadable)
        {
            ThrowTerminatingError(Errors.StoreCopyFailed(errorId, unreadable, null));
            throw;
        }

        if (location.IsPostgres)
        {
            var refused = new NotSupportedException($"The store '{location.Name}' is in PostgreSQL: back it up and restore it with the server's tools (pg_dump --schema, pg_restore). Backup-SchedulerStore and Restore-SchedulerStore copy SQLite stores.");
            ThrowTerminatingError(new ErrorRecord(refused, errorId, ErrorCategory.InvalidOperation, location.Name));
        }

        return location;
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
                    WriteError(scheduler.JobNotFound(input.Name));
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
                WriteError(target.JobNotFound(name));
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
            var others = scheduler.RunningElsewhere;
            if (others.Count > 0)
            {
                try
                {
                    var after = scheduler.RequestRun(job.Id);
                    WriteVerbose(others.Count == 1
                        ? $"Asked the scheduler '{others[0].SchedulerId}' (process {others[0].ProcessId} on {others[0].Host}) to run the job '{job.Name}' now."
                        : $"Asked the {others.Count} schedulers running on the store '{scheduler.StoreName}' to run the job '{job.Name}' now; the first to take the request runs it.");
                    return new RunNowResult(null, after);
                }
                catch (KeyNotFoundException)
                {
                    WriteError(scheduler.JobNotFound(job.Name));
                    return default;
                }
            }

            WriteError(NoSchedulerToRunNow(scheduler, job.Name, afterwards: string.Empty));
            return default;
        }

        try
        {
            return new RunNowResult(scheduler.Scheduler.RunJobNow(job.Id), null);
        }
        catch (KeyNotFoundException)
        {
            WriteError(scheduler.JobNotFound(job.Name));
        }
        catch (InvalidOperationException error)
        {
            WriteError(Errors.InvalidOperation(job.State == JobState.Broken ? ErrorIds.JobBroken : ErrorIds.SchedulerNotRunning, error, job.Name));
        }

        return default;
    }

    /// <summary>Whether a scheduler runs on the store, in this session or another process, to run a job now.</summary>
    private protected static bool CanRunNow(SessionScheduler scheduler) => scheduler.IsRunning || scheduler.RunningElsewhere.Count > 0;

    /// <summary>The error of a job to run now with no scheduler on its store; <paramref name="afterwards"/> ends the message.</summary>
    private protected static ErrorRecord NoSchedulerToRunNow(SessionScheduler scheduler, string jobName, string afterwards)
        => Errors.InvalidOperation(
            ErrorIds.SchedulerNotRunning,
            new InvalidOperationException($"No scheduler runs on the store '{scheduler.StoreName}', in this session or another process: start one with Start-Scheduler (or schedhost run) to run the job '{jobName}' now.{afterwards}"),
            jobName);

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
            scheduler.StoreName,
            scheduler.Runspaces.MaxWorkers,
            scheduler.Runspaces.ActiveWorkers,
            count,
            next?.ToLocalTime(),
            scheduler.StartTime?.ToLocalTime(),
            scheduler.RunningElsewhere.Select(other => string.Format(
                CultureInfo.InvariantCulture,
                "'{0}' (pid {1} on host {2} since {3:yyyy-MM-dd HH:mm:ss}Z)",
                other.SchedulerId,
                other.ProcessId,
                other.Host,
                other.Since.UtcDateTime)).ToList());
    }
}

/// <summary>What running a job now did: the run started here, or the store event id after which another process's run follows.</summary>
internal readonly record struct RunNowResult(JobRun? Run, long? RequestedAfter);
