using System.Management.Automation;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Scheduler.PowerShell;

/// <summary>
/// Runs when the cmdlets are imported, after the loader (Scheduler.PowerShell.Loader, the manifest's
/// nested module) made the engine loadable: loads the engine and, on PowerShell 7, lets scripts name its
/// types.
/// </summary>
public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    private static bool IsWindowsPowerShell => RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.Ordinal);

    /// <summary>Called by PowerShell when the module is imported.</summary>
    public void OnImport()
    {
        var engine = LoadEngine();
        if (!IsWindowsPowerShell)
        {
            EngineTypeNames.Register(engine);
        }
    }

    /// <summary>
    /// Called by PowerShell when the module is removed from a session: that session's scheduler stops
    /// (running jobs finish in the background) and its stores are closed, since no cmdlet could reach
    /// them any more.
    /// </summary>
    public void OnRemove(PSModuleInfo psModuleInfo)
    {
        Sessions.ModuleState.Release();
    }

    /// <summary>
    /// Scripts name engine types (<c>[Scheduler.Triggers.Trigger]</c> in a param block) before any cmdlet
    /// has run; PowerShell resolves type names only in assemblies already loaded.
    /// </summary>
    private static Assembly LoadEngine() => typeof(Triggers.Trigger).Assembly;
}
