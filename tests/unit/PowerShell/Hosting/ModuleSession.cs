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

/// <summary>Test classes that share one <see cref="ModuleSession"/> (one import for all of them).</summary>
[CollectionDefinition(Name)]
public sealed class ModuleCollection : ICollectionFixture<ModuleSession>
{
    public const string Name = "Scheduler module";
}
