using Scheduler.Executors;
using Scheduler.Scheduling;
using Scheduler.Stores;

namespace Scheduler.Host;

/// <summary>
/// The scheduler every verb works through, so a job added or changed by <c>schedhost</c> follows the
/// same rules as one added from .NET or PowerShell: the SQLite store as the store named "default",
/// the thread-pool executor ("default") for .NET jobs, and the process executor ("process") that runs
/// the command and PowerShell jobs <c>schedhost add</c> creates (and, as "runspace", the PowerShell
/// module's jobs).
/// </summary>
internal static class HostScheduler
{
    public const string ProcessExecutor = "process";

    /// <summary>The executor PowerShell-module jobs name by default; schedhost has no PowerShell engine of its own.</summary>
    public const string RunspaceExecutor = "runspace";

    /// <param name="store">The store; the caller disposes it after the scheduler.</param>
    /// <param name="maxWorkers">Runs at once per executor; null for the defaults (10 .NET jobs, one process per core).</param>
    /// <param name="time">The clock.</param>
    public static JobScheduler Create(JobStore store, int? maxWorkers, TimeProvider time)
    {
        var options = maxWorkers is { } workers ? SchedulerOptions.Default with { MaxWorkers = workers } : SchedulerOptions.Default;
        var scheduler = new JobScheduler(options, time);
        scheduler.RemoveJobStore(JobScheduler.DefaultName);
        scheduler.AddJobStore(JobScheduler.DefaultName, store);
        scheduler.AddExecutor(ProcessExecutor, JobExecutor.CreateProcess(maxWorkers));

        // Jobs registered with Register-ScheduledJobEx run in a runspace pool inside PowerShell; under
        // the service they run in a child pwsh instead, so the same store works from both.
        scheduler.AddExecutor(RunspaceExecutor, JobExecutor.CreateProcess(maxWorkers));
        return scheduler;
    }
}
