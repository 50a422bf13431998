using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace Scheduler.PowerShell.Executors;

/// <summary>
/// Hands out fresh, opened runspaces, one per run, and keeps one opened ahead so a run due now does
/// not wait for a runspace to open.
/// </summary>
/// <remarks>
/// A runspace is never reused. Reusing one (a RunspacePool, or <c>ResetRunspaceState</c>) would carry
/// over what a run left behind: functions and aliases, global variables set with <c>$global:</c>, the
/// current location, modules in the state the run left them. A fresh runspace per run is the only
/// clean state; opening one ahead takes its cost off the run's start.
/// </remarks>
internal sealed class RunspaceSupply
{
    private readonly object sync = new();
    private readonly InitialSessionState sessionState;
    private Task<Runspace>? spare;
    private bool active;

    public RunspaceSupply()
    {
        // The default session of pwsh: core commands, modules loaded on first use. Shared by every
        // runspace it opens, as a RunspacePool shares one.
        sessionState = InitialSessionState.CreateDefault2();

        // And this module's cmdlets: a job that backs up or changes the store uses them. Loaded on first
        // use they would be only where the module is on $env:PSModulePath, and the session may have
        // imported it by path (Import-Module ./out/Scheduler/Scheduler.psd1). As entries of the session
        // state they cost nothing until called; an import per runspace would parse the module each run.
        AddModuleCmdlets(sessionState);
    }

    private static void AddModuleCmdlets(InitialSessionState state)
    {
        var assembly = typeof(RunspaceSupply).Assembly;
        var helpFile = System.IO.Path.GetFileName(assembly.Location) + "-Help.xml";
        foreach (var type in assembly.GetExportedTypes())
        {
            if (typeof(Cmdlet).IsAssignableFrom(type) && type.GetCustomAttributes(typeof(CmdletAttribute), inherit: false).FirstOrDefault() is CmdletAttribute cmdlet)
            {
                state.Commands.Add(new SessionStateCmdletEntry(cmdlet.VerbName + "-" + cmdlet.NounName, type, helpFile));
            }
        }
    }

    /// <summary>Starts keeping a runspace opened ahead.</summary>
    public void Start()
    {
        lock (sync)
        {
            active = true;
            spare ??= OpenAsync();
        }
    }

    /// <summary>A fresh opened runspace; the caller disposes it after the run.</summary>
    public Task<Runspace> TakeAsync()
    {
        lock (sync)
        {
            var taken = spare ?? OpenAsync();
            spare = active ? OpenAsync() : null;
            return taken;
        }
    }

    /// <summary>Stops keeping a runspace ahead and closes the one kept.</summary>
    public void Stop()
    {
        Task<Runspace>? toClose;
        lock (sync)
        {
            active = false;
            toClose = spare;
            spare = null;
        }

        toClose?.ContinueWith(static opened => Release(opened.Result), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
    }

    /// <summary>Closes a runspace after its run, off the caller's path.</summary>
    public static void Release(Runspace runspace)
        => _ = Task.Run(runspace.Dispose);

    private Task<Runspace> OpenAsync() => Task.Run(() =>
    {
        var runspace = RunspaceFactory.CreateRunspace(sessionState);

        // The initialization script and the job share one pipeline thread.
        runspace.ThreadOptions = PSThreadOptions.ReuseThread;
        runspace.Open();
        return runspace;
    });
}
