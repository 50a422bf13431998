using System.Globalization;
using System.Text.Json;
using Scheduler.Invocations;
using Scheduler.Jobs;

namespace Scheduler.Executors;

/// <summary>
/// Runs command and PowerShell jobs as child processes, at most N at a time. Standard output and
/// error are captured (bounded) into the run's output and error; exit code 0 is success, any other
/// code a failure with the code recorded. A run that is cancelled (timeout, replacement, shutdown
/// without wait) has its whole process tree killed.
/// </summary>
/// <remarks>
/// The child gets the scheduler's environment, the job's variables on top, and
/// <c>SCHEDULER_JOB_ID</c>, <c>SCHEDULER_RUN_ID</c>, <c>SCHEDULER_SCHEDULED_TIME</c> and
/// <c>SCHEDULER_ATTEMPT</c> describing the run. A command job's positional arguments follow the
/// command's own argument list (strings as they are, other values as JSON text).
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "The SemaphoreSlim's wait handle is never asked for, so it holds nothing to release.")]
internal sealed class ProcessJobExecutor : JobExecutor
{
    /// <summary>How much of standard output and of standard error is kept, in characters: as much as a run record holds.</summary>
    public const int MaxCapturedChars = JobRun.MaxTextLength;

    public const string PwshNotFound = "pwsh was not found on the PATH; PowerShell jobs need PowerShell 7 installed.";

    private readonly object sync = new();
    private readonly SemaphoreSlim slots;
    private readonly int maxWorkers;
    private readonly string? searchPath;
    private readonly string? pwshPath;
    private int outstanding;
    private int active;
    private bool stopping = true;
    private TaskCompletionSource<bool>? drained;

    /// <param name="maxWorkers">How many processes run at once.</param>
    /// <param name="searchPath">The PATH in which <c>pwsh</c> is looked up; null for the scheduler's own.</param>
    /// <param name="pwshPath">The <c>pwsh</c> to run PowerShell jobs with; null to look it up in <paramref name="searchPath"/>.</param>
    public ProcessJobExecutor(int maxWorkers, string? searchPath = null, string? pwshPath = null)
    {
        if (maxWorkers < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(maxWorkers), maxWorkers, $"The number of workers must be at least 1, not {maxWorkers}.");
        }

        this.maxWorkers = maxWorkers;
        this.searchPath = searchPath;
        this.pwshPath = pwshPath;
        slots = new SemaphoreSlim(maxWorkers, maxWorkers);
    }

    public override int MaxWorkers => maxWorkers;

    public override int ActiveWorkers => Volatile.Read(ref active);

    public override bool CanRun(InvocationKind kind) => kind is InvocationKind.Command or InvocationKind.PowerShell;

    /// <summary>Refuses what a child process cannot be given: named arguments for a command.</summary>
    /// <exception cref="ArgumentException">A command invocation has named arguments.</exception>
    public static void Validate(Invocation invocation, JobArguments arguments)
    {
        if (invocation is CommandInvocation && arguments.Named.Count > 0)
        {
            throw new ArgumentException(
                $"A command job takes positional arguments only, not named ones ({string.Join(", ", arguments.Named.Keys)}).",
                nameof(arguments));
        }
    }

    internal override bool HasWaitingRuns => Volatile.Read(ref outstanding) > Volatile.Read(ref active);

    internal override void Start()
    {
        lock (sync)
        {
            stopping = false;
            drained = null;
        }
    }

    internal override void Submit(JobExecution execution)
    {
        lock (sync)
        {
            if (!stopping)
            {
                outstanding++;
                _ = Task.Run(() => RunWhenFreeAsync(execution));
                return;
            }
        }

        execution.EndWithoutRunning(JobRunOutcome.Cancelled, "The run was cancelled: its executor is stopped.");
    }

    internal override Task StopAsync()
    {
        lock (sync)
        {
            stopping = true;
            drained ??= new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            if (outstanding == 0)
            {
                drained.TrySetResult(true);
            }

            return drained.Task;
        }
    }

    private async Task RunWhenFreeAsync(JobExecution execution)
    {
        try
        {
            await slots.WaitAsync().ConfigureAwait(false);
            Interlocked.Increment(ref active);
            try
            {
                await RunAsync(execution).ConfigureAwait(false);
            }
            finally
            {
                Interlocked.Decrement(ref active);
                slots.Release();
            }
        }
#pragma warning disable CA1031 // Recording a run's end failed (a scheduler bug); the executor must still drain.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
        finally
        {
            lock (sync)
            {
                outstanding--;
                if (outstanding == 0 && stopping)
                {
                    drained?.TrySetResult(true);
                }
            }
        }
    }

    private async Task RunAsync(JobExecution execution)
    {
        if (!execution.Begin())
        {
            return;
        }

        var context = execution.Context!;
        ChildProcessStart start;
        try
        {
            start = Prepare(context);
        }
        catch (ArgumentException problem)
        {
            execution.EndProcess(output: null, exitCode: null, problem.Message, failed: true);
            return;
        }

        var result = await ChildProcess.RunAsync(start, MaxCapturedChars, context.CancellationToken).ConfigureAwait(false);
        if (result.StartError is { } startError)
        {
            execution.EndProcess(output: null, exitCode: null, startError, failed: true);
            return;
        }

        var failed = result.ExitCode != 0;
        var error = result.Error;
        if (failed && !result.Killed)
        {
            var summary = string.Format(CultureInfo.InvariantCulture, "The process exited with code {0}.", result.ExitCode);
            error = error.Length == 0 ? summary : summary + "\n" + error;
        }

        execution.EndProcess(result.Output, result.ExitCode, error, failed);
    }

    private ChildProcessStart Prepare(JobContext context)
    {
        var job = context.Job;
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["SCHEDULER_JOB_ID"] = job.Id,
            ["SCHEDULER_RUN_ID"] = context.RunId,
            ["SCHEDULER_SCHEDULED_TIME"] = context.ScheduledTime.ToString("O", CultureInfo.InvariantCulture),
            ["SCHEDULER_ATTEMPT"] = context.Attempt.ToString(CultureInfo.InvariantCulture),
        };

        switch (job.Invocation)
        {
            case CommandInvocation command:
                Validate(command, job.Arguments);
                foreach (var variable in command.Environment)
                {
                    environment[variable.Key] = variable.Value;
                }

                var arguments = command.Arguments.Concat(job.Arguments.Positional.Select(ArgumentText)).ToList();
                return new ChildProcessStart(command.Executable, arguments, command.WorkingDirectory, environment);

            case PowerShellInvocation powerShell:
                var pwsh = pwshPath is not null
                    ? File.Exists(pwshPath) ? pwshPath : throw new ArgumentException($"pwsh was not found at '{pwshPath}'; PowerShell jobs need PowerShell 7 there.")
                    : CommandLine.FindOnPath("pwsh", searchPath ?? Environment.GetEnvironmentVariable("PATH")) ?? throw new ArgumentException(PwshNotFound);
                return new ChildProcessStart(pwsh, PowerShellRunner.Arguments, WorkingDirectory: null, environment, PowerShellRunner.StandardInput(powerShell, job.Arguments));

            default:
                throw new ArgumentException($"The process executor cannot run {job.Invocation.Kind} invocations.");
        }
    }

    private static string ArgumentText(JsonElement value)
        => value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();
}
