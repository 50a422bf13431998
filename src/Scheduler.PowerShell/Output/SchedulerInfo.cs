using Scheduler.Scheduling;

namespace Scheduler.PowerShell;

/// <summary>The scheduler of a store in this session, as <c>Get-Scheduler</c> writes it.</summary>
public sealed class SchedulerInfo
{
    internal SchedulerInfo(string id, SchedulerState state, string store, int maxWorkers, int activeRuns, int jobCount, DateTimeOffset? nextRunTime, DateTimeOffset? startTime, IReadOnlyList<string> runningElsewhere)
    {
        RunningElsewhere = runningElsewhere;
        Id = id;
        State = state;
        Store = store;
        MaxWorkers = maxWorkers;
        ActiveRuns = activeRuns;
        JobCount = jobCount;
        NextRunTime = nextRunTime;
        StartTime = startTime;
    }

    /// <summary>The scheduler's id, recorded with each run it makes.</summary>
    public string Id { get; }

    /// <summary>Stopped, Running or Paused.</summary>
    public SchedulerState State { get; }

    /// <summary>The store's file.</summary>
    public string Store { get; }

    /// <summary>How many PowerShell runs it runs at once.</summary>
    public int MaxWorkers { get; }

    /// <summary>How many PowerShell runs are in progress.</summary>
    public int ActiveRuns { get; }

    /// <summary>How many jobs the store keeps.</summary>
    public int JobCount { get; }

    /// <summary>The earliest next run time of the store's jobs.</summary>
    public DateTimeOffset? NextRunTime { get; }

    /// <summary>When it was started in this session; null when it never was.</summary>
    public DateTimeOffset? StartTime { get; }

    /// <summary>
    /// The schedulers running on the store in other processes (<c>schedhost run</c>, another session), as
    /// <c>'ID' (pid N on host H since T)</c>: they run its jobs while this session's is stopped. Empty
    /// while this session's runs.
    /// </summary>
    public IReadOnlyList<string> RunningElsewhere { get; }

    /// <summary>The state and the store.</summary>
    public override string ToString() => $"{State} on {Store}";
}
