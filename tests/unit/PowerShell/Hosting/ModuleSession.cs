using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace Scheduler.PowerShell.Tests.Hosting;

/// <summary>
/// A PowerShell 7.6 runspace, hosted in the test process, that has imported the staged module
/// (out/Scheduler/Scheduler.psd1, exactly what a user installs). Shared by the test classes of the
/// <see cref="ModuleCollection"/>, which run one at a time; each call gets a fresh pipeline.
/// </summary>
/// <remarks>
/// <para>
/// The runspace has only Microsoft.PowerShell.Core (Import-Module, ForEach-Object, Where-Object,
/// Get-Command, Get-Job, ...): the Utility and Management modules (Select-Object, Get-Date, Out-String,
/// Start-Sleep) are not part of the hosting package. The module must not need them, and neither may
/// the scripts of a test. Use .NET directly instead: <c>[DateTimeOffset]::UtcNow</c>,
/// <c>[System.IO.Path]::Combine(...)</c>.
/// </para>
/// <para>
/// Pass values into a script through its param block rather than through global variables, so tests
/// stay independent: <c>session.Run("param($t) $t | Get-SchedulerFireTime -Count 3", ("t", trigger))</c>.
/// </para>
/// </remarks>
public sealed class ModuleSession : IDisposable
{
    private readonly Runspace runspace;
    private readonly object gate = new();

    public ModuleSession()
    {
        if (!File.Exists(Repository.StagedManifest))
        {
            throw new InvalidOperationException(
                $"The staged module is missing at {Repository.StagedManifest}: building src/Scheduler.PowerShell creates it.");
        }

        // No test may touch the user's own store: the default store (cmdlets without -Store) is a temporary file.
        // Its folder is made here: only the per-user store's folder is created by the module (and by schedhost).
        DefaultStore = Path.Combine(Path.GetTempPath(), "scheduler-tests", "default-" + Guid.NewGuid().ToString("N"), "scheduler.db");
        Directory.CreateDirectory(Path.GetDirectoryName(DefaultStore)!);
        Environment.SetEnvironmentVariable("SCHEDHOST_STORE", DefaultStore);

        var initialState = InitialSessionState.CreateDefault2();
        if (OperatingSystem.IsWindows())
        {
            initialState.ExecutionPolicy = Microsoft.PowerShell.ExecutionPolicy.Bypass;
        }

        runspace = RunspaceFactory.CreateRunspace(initialState);
        runspace.Open();

        var import = Invoke("Import-Module", ("Name", Repository.StagedManifest), ("PassThru", true), ("ErrorAction", "Stop"));
        import.ShouldSucceed();
        Module = (PSModuleInfo)import.Single().BaseObject;
    }

    /// <summary>The store the cmdlets use without -Store (SCHEDHOST_STORE for the test process).</summary>
    public string DefaultStore { get; }

    /// <summary>The imported module: its exported commands, implementing assembly and folder.</summary>
    public PSModuleInfo Module { get; }

    /// <summary>
    /// Runs a script. Named values bind to the script's <c>param(...)</c> block. Errors, warnings and a
    /// terminating error are collected, never thrown.
    /// </summary>
    public PowerShellResult Run(string script, params (string Name, object? Value)[] parameters)
        => Execute(shell =>
        {
            shell.AddScript(script);
            foreach (var (name, value) in parameters)
            {
                shell.AddParameter(name, value);
            }
        });

    /// <summary>
    /// Runs one command with named parameters, as a caller binding them directly would (a switch is
    /// <c>("Name", true)</c>). A binding failure comes back as the terminating error.
    /// </summary>
    public PowerShellResult Invoke(string command, params (string Name, object? Value)[] parameters)
        => Execute(shell =>
        {
            shell.AddCommand(command);
            foreach (var (name, value) in parameters)
            {
                shell.AddParameter(name, value);
            }
        });

    /// <summary>
    /// Starts a script without waiting for it, for scripts that block (Wait-Scheduler, Get-SchedulerEvent
    /// -Wait): the test watches its streams as they are written and stops it as Ctrl+C would. Nothing else
    /// may run in the session until it has ended (dispose it).
    /// </summary>
    public RunningScript Start(string script, params (string Name, object? Value)[] parameters)
    {
        var shell = System.Management.Automation.PowerShell.Create();
        shell.Runspace = runspace;
        shell.AddScript(script);
        foreach (var (name, value) in parameters)
        {
            shell.AddParameter(name, value);
        }

        return new RunningScript(shell);
    }

    /// <summary>The session's PowerShell event manager (Register-EngineEvent's), for tests of engine events.</summary>
    public PSEventManager Events => runspace.Events;

    /// <summary>What Tab offers at the end of <paramref name="input"/>, as completion texts.</summary>
    public IReadOnlyList<string> Complete(string input)
    {
        lock (gate)
        {
            using var shell = System.Management.Automation.PowerShell.Create();
            shell.Runspace = runspace;
            var completion = CommandCompletion.CompleteInput(input, input.Length, options: null, shell);
            return completion.CompletionMatches.Select(match => match.CompletionText).ToList();
        }
    }

    public void Dispose() => runspace.Dispose();

    private PowerShellResult Execute(Action<System.Management.Automation.PowerShell> build)
    {
        lock (gate)
        {
            using var shell = System.Management.Automation.PowerShell.Create();
            shell.Runspace = runspace;
            build(shell);
            Collection<PSObject> output;
            ErrorRecord? terminating = null;
            try
            {
                output = shell.Invoke();
            }
            catch (RuntimeException error)
            {
                output = [];
                // The thrown exception's own record points back at it through a ParentContainsErrorRecordException;
                // rebuild it around the real exception, as $_ in a catch block would show it.
                terminating = new ErrorRecord(error.ErrorRecord, error);
            }

            return new PowerShellResult(output, [.. shell.Streams.Error], terminating, [.. shell.Streams.Warning], [.. shell.Streams.Verbose]);
        }
    }
}

/// <summary>A script started with <see cref="ModuleSession.Start"/>: its streams as they are written, and a way to stop it.</summary>
public sealed class RunningScript : IDisposable
{
    private readonly System.Management.Automation.PowerShell shell;
    private readonly PSDataCollection<PSObject> output = [];
    private readonly IAsyncResult pending;
    private readonly object gate = new();
    private readonly List<PSObject> written = [];
    private readonly List<string> verbose = [];
    private TaskCompletionSource<bool> changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public RunningScript(System.Management.Automation.PowerShell shell)
    {
        this.shell = shell;
        output.DataAdded += (_, e) => Signal(() => written.Add(output[e.Index]));
        shell.Streams.Verbose.DataAdded += (_, e) => Signal(() => verbose.Add(shell.Streams.Verbose[e.Index].Message));
        pending = shell.BeginInvoke<PSObject, PSObject>(null, output);
        Completion = Task.Factory.FromAsync(pending, result =>
        {
            try
            {
                shell.EndInvoke(result);
            }
            catch (PipelineStoppedException)
            {
            }
        });
        Completion.ContinueWith(_ => Signal(() => { }), TaskScheduler.Default);
    }

    /// <summary>Completes when the script has ended (a stop included).</summary>
    public Task Completion { get; }

    public IReadOnlyList<PSObject> Output
    {
        get
        {
            lock (gate)
            {
                return [.. written];
            }
        }
    }

    public IReadOnlyList<ErrorRecord> Errors => [.. shell.Streams.Error];

    /// <summary>Waits until <paramref name="condition"/> holds for what the script wrote (checked after each write), failing the test after <paramref name="timeout"/>.</summary>
    public async Task WaitUntilAsync(Func<IReadOnlyList<PSObject>, IReadOnlyList<string>, bool> condition, TimeSpan timeout, string what)
    {
        using var limit = new CancellationTokenSource(timeout);
        while (true)
        {
            Task next;
            lock (gate)
            {
                if (condition(written, verbose))
                {
                    return;
                }

                next = changed.Task;
            }

            if (Completion.IsCompleted)
            {
                lock (gate)
                {
                    Assert.True(condition(written, verbose), $"The script ended before {what}. Errors: {string.Join("; ", Errors.Select(PowerShellResult.Describe))}");
                    return;
                }
            }

            var done = await Task.WhenAny(next, Task.Delay(Timeout.Infinite, limit.Token)).ConfigureAwait(false);
            Assert.True(done == next, $"Timed out after {timeout} waiting for {what}.");
        }
    }

    /// <summary>Stops the script as Ctrl+C would and waits for it to end.</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        await Task.Factory.FromAsync(shell.BeginStop(null, null), shell.EndStop).WaitAsync(timeout).ConfigureAwait(false);
        await Completion.WaitAsync(timeout).ConfigureAwait(false);
    }

    public void Dispose()
    {
        if (!Completion.IsCompleted)
        {
            shell.Stop();
        }

        shell.Dispose();
        output.Dispose();
    }

    private void Signal(Action update)
    {
        TaskCompletionSource<bool> toWake;
        lock (gate)
        {
            update();
            toWake = changed;
            changed = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        toWake.TrySetResult(true);
    }
}

/// <summary>Test classes that share one <see cref="ModuleSession"/> (one import for all of them).</summary>
[CollectionDefinition(Name)]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711:Identifiers should not have incorrect suffix", Justification = "An xunit test collection, named as xunit names them.")]
public sealed class ModuleCollection : ICollectionFixture<ModuleSession>
{
    public const string Name = "Scheduler module";
}
