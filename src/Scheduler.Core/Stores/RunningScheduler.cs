namespace Scheduler.Stores;

/// <summary>The scheduler that runs on a shared store, as it recorded itself when it started (<see cref="ISharedJobStore.GetRunningScheduler"/>).</summary>
/// <param name="SchedulerId">The scheduler's id (<see cref="Scheduling.JobScheduler.Id"/>).</param>
/// <param name="ProcessId">The id of its process.</param>
/// <param name="Host">The name of the machine it runs on.</param>
/// <param name="Since">When it started on the store.</param>
public sealed record RunningScheduler(string SchedulerId, int ProcessId, string Host, DateTimeOffset Since)
{
    /// <summary>
    /// How far the database's clock is ahead of the scheduler's (negative: behind), as the scheduler last
    /// measured it; null where the store has no clock of its own (a SQLite file).
    /// </summary>
    public TimeSpan? ClockSkew { get; init; }
}
