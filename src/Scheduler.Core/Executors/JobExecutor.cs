using Scheduler.Invocations;

namespace Scheduler.Executors;

/// <summary>
/// Runs due jobs and reports how they ended. Create the built-in executors with the factory methods:
/// <see cref="CreateThreadPool"/> for .NET code, <see cref="CreateProcess(int?)"/> for commands and PowerShell in child
/// processes, <see cref="CreateInline"/> for tests.
/// </summary>
/// <remarks>
/// An executor belongs to one scheduler. It only runs what it is handed, with the cancellation
/// token the scheduler gives each run (cancelled on timeout, on replacement, and on shutdown without
/// wait); deciding what runs, and when, is the scheduler's job.
/// </remarks>
public abstract class JobExecutor
{
    private protected JobExecutor()
    {
    }

    /// <summary>How many runs the executor runs at once.</summary>
    public abstract int MaxWorkers { get; }

    /// <summary>
    /// An executor that runs .NET invocations on at most <paramref name="maxWorkers"/> thread-pool
    /// workers draining one queue.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxWorkers"/> is less than 1.</exception>
    public static JobExecutor CreateThreadPool(int maxWorkers = ThreadPoolJobExecutor.DefaultMaxWorkers) => new ThreadPoolJobExecutor(maxWorkers);

    /// <summary>
    /// An executor that runs command and PowerShell invocations as child processes, at most
    /// <paramref name="maxWorkers"/> at once (default: the number of processors). Output and error
    /// are captured (bounded); exit code 0 is success; a timeout kills the whole process tree.
    /// PowerShell runs in <c>pwsh -NoProfile -NonInteractive</c>, found on the PATH.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxWorkers"/> is less than 1.</exception>
    public static JobExecutor CreateProcess(int? maxWorkers = null) => new ProcessJobExecutor(maxWorkers ?? Environment.ProcessorCount);

    /// <summary>
    /// A process executor (see <see cref="CreateProcess(int?)"/>) whose PowerShell jobs run in the given
    /// <c>pwsh</c> executable, such as the PowerShell a module runs in, instead of the first on the PATH.
    /// </summary>
    /// <param name="maxWorkers">How many processes run at once; null for the number of processors.</param>
    /// <param name="pwshPath">The full path of <c>pwsh</c>; null to look it up on the PATH when a job runs.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxWorkers"/> is less than 1.</exception>
    public static JobExecutor CreateProcess(int? maxWorkers, string? pwshPath)
        => new ProcessJobExecutor(maxWorkers ?? Environment.ProcessorCount, searchPath: null, pwshPath);

    /// <summary>
    /// An executor that runs .NET invocations synchronously on the scheduler's own loop, one at a
    /// time: for deterministic tests. A running job blocks the scheduler.
    /// </summary>
    public static JobExecutor CreateInline() => new InlineJobExecutor();

    /// <summary>Whether the executor can run invocations of that kind.</summary>
    public abstract bool CanRun(InvocationKind kind);

    /// <summary>The scheduler the executor was added to; an executor serves one scheduler.</summary>
    internal object? Owner { get; set; }

    /// <summary>How many workers are running now.</summary>
    public abstract int ActiveWorkers { get; }

    /// <summary>Whether runs handed over wait for a worker: one that frees up has its next run at hand.</summary>
    internal virtual bool HasWaitingRuns => false;

    /// <summary>Prepares to take runs (again, after a stop).</summary>
    internal abstract void Start();

    /// <summary>Runs the execution (now or when a worker is free): <see cref="JobExecution.Begin"/>, invoke, <see cref="JobExecution.End(object, Exception)"/>.</summary>
    internal abstract void Submit(JobExecution execution);

    /// <summary>Stops taking runs; completes when every run handed over has ended and every worker has exited.</summary>
    internal abstract Task StopAsync();
}
