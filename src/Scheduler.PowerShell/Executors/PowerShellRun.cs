using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using Scheduler.Invocations;
using Scheduler.Executors;
using Scheduler.Jobs;
using Scheduler.PowerShell.Invocations;
using Scheduler.Scheduling;

namespace Scheduler.PowerShell.Executors;

/// <summary>
/// One run of a PowerShell job in a fresh runspace: the initialization script, then the script (re-created
/// from its text), file or command with its arguments, every stream captured. Stopping the run (timeout,
/// replacement, shutdown, Stop-Job) stops the pipeline.
/// </summary>
internal sealed class PowerShellRun
{
    /// <summary>The variable that holds the run's <see cref="JobContext"/> inside the job.</summary>
    public const string ContextVariable = "JobContext";

    private const string LastExitCodeVariable = "LASTEXITCODE";

    private readonly object sync = new();
    private readonly JobContext context;
    private readonly PowerShellInvocation invocation;
    private readonly JobArguments arguments;
    private System.Management.Automation.PowerShell? current;
    private bool stopRequested;

    public PowerShellRun(JobExecution execution)
    {
        Execution = execution;
        context = execution.Context!;
        invocation = (PowerShellInvocation)context.Job.Invocation;
        arguments = context.Job.Arguments;
    }

    /// <summary>The run as the scheduler knows it.</summary>
    public JobExecution Execution { get; }

    public RunCapture Capture { get; } = new();

    /// <summary>The exception that ended the run (a terminating error, a stop), or null.</summary>
    public Exception? Exception { get; private set; }

    /// <summary>Runs the job in <paramref name="runspace"/>; the outcome is in <see cref="Capture"/> and <see cref="Exception"/>.</summary>
    public async Task ExecuteAsync(Runspace runspace)
    {
        using var registration = context.CancellationToken.Register(static state => ((PowerShellRun)state!).Stop(), this);
        try
        {
            Prepare(runspace, out var script, out var usingValues);
            for (var slot = 0; slot < usingValues.Count; slot++)
            {
                runspace.SessionStateProxy.SetVariable(UsingValues.VariablePrefix + slot.ToString(CultureInfo.InvariantCulture), usingValues[slot]);
            }

            if (invocation.InitializationScript is { } initialization)
            {
                // Dot-sourced into the global scope, so its functions and variables are there for the job.
                await InvokeAsync(runspace, shell => shell.AddScript(initialization, useLocalScope: false)).ConfigureAwait(false);
                if (Exception is not null || Capture.ErrorCount > 0)
                {
                    Exception ??= new InvalidOperationException("The initialization script wrote errors; the job did not run.");
                    return;
                }
            }

            // As in a child pwsh: the exit code of the last native command the job ran counts, not what
            // the initialization script ran.
            runspace.SessionStateProxy.SetVariable(LastExitCodeVariable, 0);
            await InvokeAsync(runspace, shell => AddJob(shell, script)).ConfigureAwait(false);
            if (Exception is null && Capture.ErrorCount > 0)
            {
                Exception = Capture.FirstError;
            }

            if (Exception is null && LastExitCode(runspace) is { } code and not 0)
            {
                Exception = new InvalidOperationException(string.Format(CultureInfo.InvariantCulture, "The last native command the job ran exited with code {0}.", code));
                Capture.AddTerminatingError(Exception);
            }
        }
#pragma warning disable CA1031 // Whatever fails (a bad argument, the runspace itself) is the run's outcome.
        catch (Exception error)
#pragma warning restore CA1031
        {
            Exception ??= error;
            Capture.AddTerminatingError(error);
        }
    }

    private static int? LastExitCode(Runspace runspace)
        => runspace.SessionStateProxy.GetVariable(LastExitCodeVariable) switch
        {
            int code => code,
            PSObject { BaseObject: int code } => code,
            _ => null,
        };

    /// <summary>Stops the pipeline (thread-safe, returns at once); the run ends when the pipeline has stopped.</summary>
    public void Stop()
    {
        System.Management.Automation.PowerShell? shell;
        lock (sync)
        {
            if (stopRequested)
            {
                return;
            }

            stopRequested = true;
            shell = current;
        }

        shell?.BeginStop(null, null);
    }

    private void Prepare(Runspace runspace, out string? script, out IReadOnlyList<object?> usingValues)
    {
        runspace.SessionStateProxy.SetVariable(ContextVariable, ScriptContext(context));
        script = null;
        usingValues = [];
        if (invocation.Source == PowerShellSource.Script)
        {
            (script, usingValues) = UsingValues.Rewrite(invocation.Text, invocation.UsingData);
        }
    }

    private void AddJob(System.Management.Automation.PowerShell shell, string? script)
    {
        switch (invocation.Source)
        {
            case PowerShellSource.Script:
                shell.AddScript(script!, useLocalScope: true);
                break;
            default:
                // A script file or a command, found the way PowerShell finds commands.
                shell.AddCommand(invocation.Text);
                break;
        }

        foreach (var value in arguments.PositionalData)
        {
            shell.AddArgument(DataValues.FromData(value));
        }

        foreach (var pair in arguments.NamedData)
        {
            shell.AddParameter(pair.Key, DataValues.FromData(pair.Value));
        }
    }

    private async Task InvokeAsync(Runspace runspace, Action<System.Management.Automation.PowerShell> build)
    {
        using var shell = System.Management.Automation.PowerShell.Create();
        shell.Runspace = runspace;
        build(shell);

        using var output = new PSDataCollection<PSObject>();
        output.DataAdded += (_, _) =>
        {
            foreach (var item in output.ReadAll())
            {
                Capture.AddOutput(item);
            }
        };
        shell.Streams.Error.DataAdded += (_, _) =>
        {
            foreach (var record in shell.Streams.Error.ReadAll())
            {
                Capture.AddError(record);
            }
        };
        shell.Streams.Warning.DataAdded += (_, _) =>
        {
            foreach (var record in shell.Streams.Warning.ReadAll())
            {
                Capture.AddWarning(record);
            }
        };
        shell.Streams.Information.DataAdded += (_, _) =>
        {
            foreach (var record in shell.Streams.Information.ReadAll())
            {
                Capture.AddInformation(record);
            }
        };

        lock (sync)
        {
            if (stopRequested)
            {
                // Stopped before this pipeline started (Stop-Job right after the run began): said as when it stops a pipeline.
                Exception ??= new PipelineStoppedException();
                return;
            }
        }

        try
        {
            var pending = shell.BeginInvoke<PSObject, PSObject>(input: null, output);
            bool stopNow;
            lock (sync)
            {
                current = shell;
                stopNow = stopRequested;
            }

            // A stop requested while the pipeline was starting found nothing to stop.
            if (stopNow)
            {
                shell.BeginStop(null, null);
            }

            await Task.Factory.FromAsync(pending, shell.EndInvoke).ConfigureAwait(false);
        }
        catch (PipelineStoppedException stopped)
        {
            // Why it stopped (a timeout, Stop-Job, a shutdown) the scheduler says, from the run's cancellation.
            Exception = stopped;
        }
        catch (Exception error) when (error is RuntimeException or InvalidOperationException)
        {
            Exception = error;
            Capture.AddTerminatingError(error);
        }
        finally
        {
            lock (sync)
            {
                current = null;
            }
        }
    }


    /// <summary>
    /// The context as a script sees it: with its <c>Scheduler</c>, which .NET code reads through an
    /// extension property PowerShell does not see (jobs sit below the scheduler in the engine).
    /// </summary>
    private static PSObject ScriptContext(JobContext context)
    {
        var wrapped = new PSObject(context);
        wrapped.Properties.Add(new PSNoteProperty("Scheduler", context.Scheduler));
        return wrapped;
    }
}
