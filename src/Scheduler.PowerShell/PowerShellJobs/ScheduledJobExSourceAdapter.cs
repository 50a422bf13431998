using System.Management.Automation;
using Scheduler.Events;
using Scheduler.Invocations;
using Scheduler.PowerShell.Sessions;
using PSJobState = System.Management.Automation.JobState;

namespace Scheduler.PowerShell.PowerShellJobs;

/// <summary>
/// Makes the runs of scheduled jobs PowerShell jobs, so <c>Get-Job</c>, <c>Wait-Job</c>,
/// <c>Receive-Job</c>, <c>Stop-Job</c> and <c>Remove-Job</c> work on them. PowerShell creates one per
/// session when the module is imported (it registers every public JobSourceAdapter of a binary module).
/// </summary>
/// <remarks>
/// The runs listed are those in the stores this session has used (each job's kept history). A run keeps
/// one job object, and so one job id, for the session; <c>Remove-Job</c> hides it from this session
/// without touching the store's history.
/// </remarks>
public sealed class ScheduledJobExSourceAdapter : JobSourceAdapter
{
    private const SchedulerEventType RunEvents = SchedulerEventType.JobStarted | SchedulerEventType.JobExecuted | SchedulerEventType.JobError
        | SchedulerEventType.JobTimedOut | SchedulerEventType.JobCancelled | SchedulerEventType.JobMissed | SchedulerEventType.JobMaxInstances;

    private readonly object sync = new();
    private readonly Dictionary<string, ScheduledJobExJob> jobs = new(StringComparer.Ordinal);
    private readonly HashSet<string> removed = new(StringComparer.Ordinal);
    private readonly Dictionary<SessionScheduler, IDisposable> watched = [];

    /// <summary>Called by PowerShell's job manager.</summary>
    public ScheduledJobExSourceAdapter()
    {
        Name = ScheduledJobExJob.JobTypeName;
    }

    /// <summary>Every run of the session's stores (except those removed with Remove-Job), oldest first.</summary>
    public override IList<Job2> GetJobs() => Refresh().Cast<Job2>().ToList();

    /// <summary>The runs whose job name matches the wildcard <paramref name="name"/>.</summary>
    public override IList<Job2> GetJobsByName(string name, bool recurse)
    {
        var pattern = WildcardPattern.Get(name, WildcardOptions.IgnoreCase);
        return Refresh().Where(job => pattern.IsMatch(job.Name)).Cast<Job2>().ToList();
    }

    /// <summary>The runs whose command matches the wildcard <paramref name="command"/>.</summary>
    public override IList<Job2> GetJobsByCommand(string command, bool recurse)
    {
        var pattern = WildcardPattern.Get(command, WildcardOptions.IgnoreCase);
        return Refresh().Where(job => pattern.IsMatch(job.Command)).Cast<Job2>().ToList();
    }

    /// <summary>The run with that instance id, or null.</summary>
    public override Job2? GetJobByInstanceId(Guid instanceId, bool recurse)
        => Refresh().FirstOrDefault(job => job.InstanceId == instanceId);

    /// <summary>The run with that session id, or null.</summary>
    public override Job2? GetJobBySessionId(int id, bool recurse)
        => Refresh().FirstOrDefault(job => job.Id == id);

    /// <summary>The runs in that job state.</summary>
    public override IList<Job2> GetJobsByState(PSJobState state, bool recurse)
        => Refresh().Where(job => job.JobStateInfo.State == state).Cast<Job2>().ToList();

    /// <summary>Filters by the job's properties: Name, RunId, ScheduledJobId, Location.</summary>
    public override IList<Job2> GetJobsByFilter(Dictionary<string, object> filter, bool recurse)
    {
        if (filter is null)
        {
            throw new ArgumentNullException(nameof(filter));
        }

        return Refresh()
            .Where(job => filter.All(pair => Matches(job, pair.Key, pair.Value)))
            .Cast<Job2>()
            .ToList();
    }

    /// <summary>Forgets the run in this session; the store keeps its record.</summary>
    public override void RemoveJob(Job2 job)
    {
        if (job is not ScheduledJobExJob run)
        {
            return;
        }

        lock (sync)
        {
            jobs.Remove(run.RunId);
            removed.Add(run.RunId);
        }

        run.Dispose();
    }

    /// <summary>Not supported: the scheduler creates runs (Register-ScheduledJobEx, Start-ScheduledJobEx).</summary>
    public override Job2 NewJob(JobInvocationInfo specification)
        => throw new PSNotSupportedException("Scheduled runs are created by the scheduler: register a job with Register-ScheduledJobEx and run it with Start-ScheduledJobEx.");

    private static bool Matches(ScheduledJobExJob job, string property, object? value)
    {
        var text = Convert.ToString(value is PSObject wrapped ? wrapped.BaseObject : value, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty;
        var actual = property.ToUpperInvariant() switch
        {
            "NAME" => job.Name,
            "RUNID" => job.RunId,
            "SCHEDULEDJOBID" => job.ScheduledJobId,
            "LOCATION" => job.Location,
            _ => null,
        };
        return actual is not null && WildcardPattern.Get(text, WildcardOptions.IgnoreCase).IsMatch(actual);
    }

    private static string CommandOf(Scheduler.Jobs.Job job) => job.Invocation switch
    {
        PowerShellInvocation powerShell => powerShell.Text.Trim(),
        var other => other.ToString() ?? string.Empty,
    };

    /// <summary>Every run of the session's stores as a job, oldest first, brought up to date.</summary>
    private List<ScheduledJobExJob> Refresh()
    {
        var result = new List<ScheduledJobExJob>();
        var schedulers = ModuleState.Current.All;
        Forget(schedulers);
        foreach (var scheduler in schedulers)
        {
            Watch(scheduler);
            foreach (var job in scheduler.Scheduler.GetJobs())
            {
                AddRuns(result, scheduler, job.Id, job.Name, CommandOf(job));
            }

            // A one-off job is gone once it has run, its runs are not: they stay PowerShell jobs, named by
            // the job's id (which PowerShell gives a job from its name), with what they ran unknown now.
            foreach (var id in scheduler.Scheduler.GetEndedJobIds())
            {
                AddRuns(result, scheduler, id, id, string.Empty);
            }
        }

        return result;
    }

    /// <summary>Adds the PowerShell jobs of a scheduled job's runs, oldest first: the ones known already, updated, and new ones.</summary>
    private void AddRuns(List<ScheduledJobExJob> result, SessionScheduler scheduler, string jobId, string name, string command)
    {
        var runs = scheduler.Scheduler.GetJobRuns(jobId, int.MaxValue);
        for (var i = runs.Count - 1; i >= 0; i--)
        {
            var run = runs[i];
            ScheduledJobExJob? known;
            lock (sync)
            {
                if (removed.Contains(run.RunId))
                {
                    continue;
                }

                if (!jobs.TryGetValue(run.RunId, out known) || known.Scheduler != scheduler)
                {
                    known = new ScheduledJobExJob(scheduler, run, name, command);
                    jobs[run.RunId] = known;
                    result.Add(known);
                    continue;
                }
            }

            known.Update(run);
            result.Add(known);
        }
    }

    /// <summary>
    /// Lets go of the schedulers the session no longer has (the module was removed and imported again:
    /// the adapter outlives it, its schedulers do not), and of their runs' jobs.
    /// </summary>
    private void Forget(IReadOnlyList<SessionScheduler> current)
    {
        lock (sync)
        {
            foreach (var gone in watched.Keys.Where(scheduler => !current.Contains(scheduler)).ToList())
            {
                watched[gone].Dispose();
                watched.Remove(gone);
                foreach (var stale in jobs.Where(pair => pair.Value.Scheduler == gone).Select(pair => pair.Key).ToList())
                {
                    jobs.Remove(stale);
                }
            }
        }
    }

    /// <summary>Keeps the jobs of a scheduler's runs current between calls, so Wait-Job sees a run end.</summary>
    private void Watch(SessionScheduler scheduler)
    {
        lock (sync)
        {
            if (!watched.ContainsKey(scheduler))
            {
                watched.Add(scheduler, scheduler.Scheduler.Subscribe(schedulerEvent => OnRunEvent(scheduler, schedulerEvent), RunEvents));
            }
        }
    }

    private void OnRunEvent(SessionScheduler scheduler, SchedulerEvent schedulerEvent)
    {
        ScheduledJobExJob? job;
        lock (sync)
        {
            if (schedulerEvent.RunId is null || !jobs.TryGetValue(schedulerEvent.RunId, out job))
            {
                return;
            }
        }

        if (scheduler.FindRun(job.ScheduledJobId, job.RunId) is { } run)
        {
            job.Update(run);
        }
    }
}
