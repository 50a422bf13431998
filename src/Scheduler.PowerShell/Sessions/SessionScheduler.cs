using System.Management.Automation;
using System.Runtime.InteropServices;
using Scheduler.Events;
using Scheduler.Executors;
using Scheduler.Jobs;
using Scheduler.PowerShell.Executors;
using Scheduler.Scheduling;
using Scheduler.Stores;
using Job = Scheduler.Jobs.Job;

namespace Scheduler.PowerShell.Sessions;

/// <summary>
/// The scheduler of one job store in one PowerShell session. It exists as soon as a cmdlet uses the
/// store, stopped: adding, changing and reading jobs then goes straight to the store (where a
/// <c>schedhost run</c> service, or this session after Start-Scheduler, runs them).
/// </summary>
internal sealed class SessionScheduler : IDisposable
{
    /// <summary>The executor that runs PowerShell jobs in this process.</summary>
    public const string RunspaceExecutor = ExecutorNames.Runspace;

    /// <summary>The executor that runs jobs in child processes (-Executor Process).</summary>
    public const string ProcessExecutor = ExecutorNames.Process;

    /// <summary>The prefix of the engine events a scheduler raises in its session: <c>Scheduler.JobError</c>.</summary>
    public const string SourceIdentifierPrefix = "Scheduler.";

    private readonly PSEventManager? sessionEvents;
    private readonly IDisposable forwarding;
    private readonly JobStore store;

    private const SchedulerEventType RunEnds = SchedulerEventType.JobExecuted | SchedulerEventType.JobError | SchedulerEventType.JobTimedOut
        | SchedulerEventType.JobCancelled | SchedulerEventType.JobMissed | SchedulerEventType.JobMaxInstances;

    public SessionScheduler(StoreLocation location, JobStore store, PSEventManager? sessionEvents)
    {
        Location = location;
        this.store = store;
        this.sessionEvents = sessionEvents;
        Scheduler = new JobScheduler();
        Scheduler.RemoveJobStore(JobScheduler.DefaultName);
        Scheduler.AddJobStore(JobScheduler.DefaultName, store);
        Runspaces = new RunspacePoolJobExecutor();
        Scheduler.AddExecutor(RunspaceExecutor, Runspaces);
        Scheduler.AddExecutor(ProcessExecutor, JobExecutor.CreateProcess(RunspacePoolJobExecutor.DefaultMaxWorkers, OwnPwsh));
        forwarding = Scheduler.Subscribe(Forward);
        FirstSequence = Scheduler.Events.LastSequence;
    }

    /// <summary>Whether the store is a file that is no longer the one at its path (deleted, moved away or replaced since it was opened).</summary>
    public bool StoreOrphaned => store.IsOrphaned;

    /// <summary>
    /// The pwsh of the PowerShell this session runs in ($PSHOME), so -Executor Process jobs run in the
    /// same version, wherever it is installed; null (look on the PATH) in Windows PowerShell or a host
    /// without one beside the engine.
    /// </summary>
    private static string? OwnPwsh
    {
        get
        {
            var home = Path.GetDirectoryName(typeof(PSObject).Assembly.Location);
            var name = RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? "pwsh.exe" : "pwsh";
            var path = string.IsNullOrEmpty(home) ? null : Path.Combine(home, name);
            return path is not null && File.Exists(path) ? path : null;
        }
    }

    /// <summary>The last event of the setup above (the store and executor swapped in), which nobody asked for.</summary>
    public long FirstSequence { get; }

    /// <summary>Where the store is.</summary>
    public StoreLocation Location { get; }

    /// <summary>The store as output and messages name it: a full file path, or the PostgreSQL location without its password.</summary>
    public string StoreName => Location.Name;

    public JobScheduler Scheduler { get; }

    /// <summary>
    /// The JobNotFound error for a name: a one-off job that has run is gone from the store, and the error
    /// says so (PowerShell gives jobs their name as id) and where its runs are.
    /// </summary>
    public ErrorRecord JobNotFound(string name)
        => Errors.JobNotFound(name, StoreName, ended: Scheduler.GetEndedJobIds().Contains(name, StringComparer.OrdinalIgnoreCase));

    public RunspacePoolJobExecutor Runspaces { get; private set; }

    public bool IsRunning => Scheduler.State != SchedulerState.Stopped;

    /// <summary>When the scheduler was last started in this session.</summary>
    public DateTimeOffset? StartTime { get; private set; }

    /// <summary>Starts the scheduler in the background, with <paramref name="maxWorkers"/> PowerShell runs at once.</summary>
    /// <exception cref="InvalidOperationException">It is already running.</exception>
    public void Start(bool paused, int? maxWorkers)
    {
        if (maxWorkers is { } workers && workers != Runspaces.MaxWorkers && !IsRunning)
        {
            Scheduler.RemoveExecutor(RunspaceExecutor);
            Runspaces = new RunspacePoolJobExecutor(workers);
            Scheduler.AddExecutor(RunspaceExecutor, Runspaces);
            Scheduler.RemoveExecutor(ProcessExecutor);
            Scheduler.AddExecutor(ProcessExecutor, JobExecutor.CreateProcess(workers, OwnPwsh));
        }

        var before = Scheduler.Events.LastSequence;
        Scheduler.Start(paused);

        // The time of the scheduler's own SchedulerStarted event, so Get-Scheduler and Get-SchedulerEvent
        // agree; Start returns later, once the store's unfinished runs are recovered.
        StartTime = Scheduler.Events.Read(before).FirstOrDefault(e => e.Type == SchedulerEventType.SchedulerStarted)?.Timestamp ?? Scheduler.Now;
    }

    /// <summary>
    /// The jobs whose name matches any of the patterns (wildcards, case-insensitive), in the store's
    /// order; every job when there are none.
    /// </summary>
    public IReadOnlyList<Job> FindJobs(IReadOnlyCollection<string>? patterns)
    {
        if (patterns is null || patterns.Count == 0)
        {
            return Scheduler.GetJobs();
        }

        // By name, so a file store parses only the definitions of the jobs asked for.
        var matchers = patterns.Select(pattern => WildcardPattern.Get(pattern, WildcardOptions.IgnoreCase)).ToList();
        return Scheduler.FindJobsByName(name => matchers.Any(matcher => matcher.IsMatch(name)));
    }

    /// <summary>The job with exactly that name (case-insensitive), or null.</summary>
    public Job? FindJob(string name)
    {
        // Jobs registered from PowerShell have their name as id; others (schedhost, .NET) may not.
        if (Scheduler.GetJob(name) is { } byId && string.Equals(byId.Name, name, StringComparison.OrdinalIgnoreCase))
        {
            return byId;
        }

        var named = Scheduler.FindJobsByName(candidate => string.Equals(candidate, name, StringComparison.OrdinalIgnoreCase));
        return named.Count > 0 ? named[0] : null;
    }

    /// <summary>
    /// Waits until the run has ended and returns its record; null when <paramref name="cancellationToken"/>
    /// ends the wait first. Events after <paramref name="afterSequence"/> (read before the run was
    /// started) tell when.
    /// </summary>
    public async Task<JobRun?> WaitForRunAsync(string jobId, string runId, long afterSequence, CancellationToken cancellationToken)
    {
        var sequence = afterSequence;
        while (true)
        {
            if (FindRun(jobId, runId) is { Outcome: not JobRunOutcome.Running } ended)
            {
                return ended;
            }

            IReadOnlyList<SchedulerEvent> events;
            try
            {
                events = await Scheduler.Events.WaitForEventsAsync(sequence, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return null;
            }

            foreach (var schedulerEvent in events)
            {
                sequence = schedulerEvent.Sequence;
                if ((schedulerEvent.Type & RunEnds) != 0 && schedulerEvent.RunId == runId)
                {
                    return FindRun(jobId, runId) ?? throw new InvalidOperationException($"The run '{runId}' ended but its record is gone from the store.");
                }
            }
        }
    }

    /// <summary>
    /// The schedulers running on the store in other processes (<c>schedhost run</c>, another session; every
    /// node of a PostgreSQL cluster), none when this session's runs (it runs jobs asked of it itself).
    /// </summary>
    public IReadOnlyList<RunningScheduler> RunningElsewhere => IsRunning || store is not ISharedJobStore shared ? [] : shared.GetRunningSchedulers();

    /// <summary>
    /// Asks the schedulers running on the store in other processes to run a job now (the first to take the
    /// request does, within about a second); returns the store's last event id before the request, to follow the run with.
    /// </summary>
    /// <exception cref="KeyNotFoundException">The job is gone.</exception>
    public long RequestRun(string jobId)
    {
        var shared = Shared;
        var last = shared.LastEventId;
        shared.RequestRun(jobId);
        return last;
    }

    /// <summary>
    /// Follows the store's events (written by the scheduler of another process) until the next run of the
    /// job after <paramref name="afterEventId"/> has ended; null when <paramref name="cancellationToken"/>
    /// ends the wait first.
    /// </summary>
    public async Task<JobRun?> WaitForRequestedRunAsync(string jobId, long afterEventId, CancellationToken cancellationToken)
    {
        var shared = Shared;
        var after = afterEventId;
        string? runId = null;
        while (true)
        {
            IReadOnlyList<SchedulerEvent> events;
            try
            {
                events = await shared.WaitForEventsAsync(after, 1000, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return null;
            }

            foreach (var schedulerEvent in events)
            {
                after = schedulerEvent.Sequence;
                if (schedulerEvent.JobId != jobId || schedulerEvent.RunId is null)
                {
                    continue;
                }

                runId ??= schedulerEvent.RunId;
                if (schedulerEvent.RunId == runId && (schedulerEvent.Type & RunEnds) != 0)
                {
                    return FindRun(jobId, runId);
                }
            }
        }
    }

    /// <summary>
    /// Where Get-SchedulerEvent reads: the live log of this session's scheduler while it runs, else the
    /// events the store keeps (written by whichever scheduler ran on it, in any process).
    /// </summary>
    public SchedulerEventSource Events()
        => IsRunning || store is not ISharedJobStore shared
            ? SchedulerEventSource.FromLog(Scheduler.Events, FirstSequence)
            : SchedulerEventSource.FromStore(shared);

    /// <summary>The store's side shared with other processes; only a store another process can run (a file, a database) has one.</summary>
    private ISharedJobStore Shared
        => store as ISharedJobStore ?? throw new InvalidOperationException($"The store '{StoreName}' is not shared with other processes.");

    /// <summary>A run of a job by id, from the store's history, or null.</summary>
    public JobRun? FindRun(string jobId, string runId)
        => Scheduler.GetJobRuns(jobId).FirstOrDefault(run => run.RunId == runId);

    public void Dispose()
    {
        forwarding.Dispose();
        if (IsRunning)
        {
            // Removing the module (or closing the session) ends the scheduler: nothing could stop it later.
            // Running jobs finish in the background; nothing new starts.
            _ = Scheduler.ShutdownAsync(wait: true).ContinueWith(_ => store.Dispose(), TaskScheduler.Default);
        }
        else
        {
            store.Dispose();
        }
    }

    /// <summary>
    /// Raises each event as a PowerShell engine event (<c>Scheduler.JobError</c>...) in the session, for
    /// Register-EngineEvent. Only events someone subscribed to are raised: PowerShell queues an engine
    /// event nobody handles until Get-Event reads it, which would grow without end.
    /// </summary>
    private void Forward(SchedulerEvent schedulerEvent)
    {
        if (sessionEvents is null || schedulerEvent.Sequence <= FirstSequence)
        {
            return;
        }

        var sourceIdentifier = SourceIdentifierPrefix + schedulerEvent.Type;
        var subscribed = false;
        foreach (var subscriber in sessionEvents.Subscribers)
        {
            if (string.Equals(subscriber.SourceIdentifier, sourceIdentifier, StringComparison.OrdinalIgnoreCase))
            {
                subscribed = true;
                break;
            }
        }

        if (subscribed)
        {
            sessionEvents.GenerateEvent(sourceIdentifier, null, [schedulerEvent], PSObject.AsPSObject(schedulerEvent));
        }
    }
}
