using System.Management.Automation;
using Scheduler.Jobs;
using Scheduler.PowerShell.Arguments;

namespace Scheduler.PowerShell.Commands;

/// <summary>
/// The job options Register-ScheduledJobEx and Set-ScheduledJobEx take, declared once: an option the
/// user did not give keeps the value it starts from (the default on register, the job's own on set).
/// </summary>
public abstract class JobOptionsCmdlet : SchedulerCmdlet
{
    private protected JobOptionsCmdlet()
    {
    }

    /// <summary>How late a run may start; later runs are recorded as Missed. $null (the default) for unlimited.</summary>
    [Parameter]
    [DurationTransformation]
    public TimeSpan? MisfireGraceTime { get; set; }

    /// <summary>Which of several runs due at once run: Latest (default), Earliest, All.</summary>
    [Parameter]
    public CoalescePolicy Coalesce { get; set; }

    /// <summary>How many runs of the job may run at once (default 1).</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int MaxInstances { get; set; } = 1;

    /// <summary>What happens to a run when MaxInstances are running: Skip (default), Queue, Replace.</summary>
    [Parameter]
    public OverlapPolicy OverlapPolicy { get; set; }

    /// <summary>Stop a run that takes longer (recorded as TimedOut). $null (the default) for no limit.</summary>
    [Parameter]
    [DurationTransformation]
    public TimeSpan? Timeout { get; set; }

    /// <summary>How often a failed run is retried (default 0).</summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int RetryCount { get; set; }

    /// <summary>The wait before a retry.</summary>
    [Parameter]
    [DurationTransformation]
    public TimeSpan RetryDelay { get; set; }

    /// <summary>Whether a run left unfinished by a stopped scheduler runs again (-Recover:$false to stop).</summary>
    [Parameter]
    public SwitchParameter Recover { get; set; }

    /// <summary>Runspace (in-process, default) or Process (a child pwsh, killed on timeout).</summary>
    [Parameter]
    public ExecutorKind Executor { get; set; }

    /// <summary><paramref name="current"/> with the options given to this command; null after an error.</summary>
    private protected JobOptions? Options(JobOptions current, out ErrorRecord? error) =>
        JobParameters.Options(this, current, new OptionValues(MisfireGraceTime, Coalesce, MaxInstances, OverlapPolicy, Timeout, RetryCount, RetryDelay, Recover), out error);
}
