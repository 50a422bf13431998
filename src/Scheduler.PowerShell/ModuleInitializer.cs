using System.Management.Automation;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Scheduler.PowerShell;

/// <summary>
/// Runs when the module is imported: prepares Windows PowerShell 5.1 for the module's dependencies
/// (PowerShell 7 resolves managed dependencies and native libraries from the module folder itself, see
/// the staging notes in Scheduler.PowerShell.csproj), then loads the engine assembly.
/// </summary>
/// <remarks>
/// Not exercised by the tests: they host PowerShell 7.6; Windows PowerShell cannot run here.
/// </remarks>
public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    private static readonly object Gate = new();
    private static bool prepared;

    private static string ModuleFolder => Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location)!;

    /// <summary>Called by PowerShell when the module is imported.</summary>
    public void OnImport()
    {
        if (RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.Ordinal))
        {
            PrepareWindowsPowerShell();
        }

        LoadEngine();
    }

    /// <summary>
    /// Called by PowerShell when the module is removed from a session: that session's scheduler stops
    /// (running jobs finish in the background) and its stores are closed, since no cmdlet could reach
    /// them any more.
    /// </summary>
    public void OnRemove(PSModuleInfo psModuleInfo) => Sessions.ModuleState.Release();

    /// <summary>
    /// Scripts name engine types (<c>[Scheduler.Triggers.Trigger]</c> in a param block) before any cmdlet
    /// has run; PowerShell resolves type names only in assemblies already loaded.
    /// </summary>
    private static void LoadEngine() => _ = typeof(Triggers.Trigger).Assembly;

    private static void PrepareWindowsPowerShell()
    {
        // Kept for the life of the process, not removed with the module: loaded assemblies cannot be
        // unloaded, and objects already handed out may still need their dependencies.
        lock (Gate)
        {
            if (prepared)
            {
                return;
            }

            AppDomain.CurrentDomain.AssemblyResolve += ResolveFromModuleFolder;
            PreloadSqlite();
            prepared = true;
        }
    }

    /// <summary>
    /// .NET Framework binds strong names exactly, and PowerShell has no binding redirects for modules:
    /// SQLitePCLRaw asks for System.Memory 4.0.1.1 while the module ships 4.0.2.0 (the version
    /// System.Text.Json needs). An assembly of the module folder answers any request for its name,
    /// public key and an equal or lower version.
    /// </summary>
    private static Assembly? ResolveFromModuleFolder(object? sender, ResolveEventArgs args)
    {
        var requested = new AssemblyName(args.Name);
        var path = Path.Combine(ModuleFolder, requested.Name + ".dll");
        if (!File.Exists(path))
        {
            return null;
        }

        var available = AssemblyName.GetAssemblyName(path);
        var sameKey = (requested.GetPublicKeyToken() ?? []).SequenceEqual(available.GetPublicKeyToken() ?? []);
        var newEnough = requested.Version is null || (available.Version is { } version && version >= requested.Version);
        return sameKey && newEnough ? Assembly.LoadFrom(path) : null;
    }

    /// <summary>
    /// The netstandard2.0 SQLitePCLRaw provider P/Invokes "e_sqlite3", which Windows searches for next to
    /// powershell.exe and on PATH, never in the module folder. Once a module named e_sqlite3.dll is
    /// loaded, LoadLibrary answers that bare name with it, so loading the right one by full path here is
    /// enough. A failure is left for the first use of SQLite to report, with the provider's message.
    /// </summary>
    private static void PreloadSqlite()
    {
        var runtimeIdentifier = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => "win-x64",
            Architecture.X86 => "win-x86",
            Architecture.Arm64 => "win-arm64",
            _ => null,
        };
        var path = runtimeIdentifier is null ? null : Path.Combine(ModuleFolder, runtimeIdentifier, "e_sqlite3.dll");
        if (path is not null && File.Exists(path))
        {
            _ = NativeMethods.LoadLibraryExW(path, IntPtr.Zero, NativeMethods.LoadWithAlteredSearchPath);
        }
    }

    private static class NativeMethods
    {
        public const uint LoadWithAlteredSearchPath = 0x00000008;

        [DllImport("kernel32.dll", CharSet = CharSet.Unicode, ExactSpelling = true, SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.System32)]
        public static extern IntPtr LoadLibraryExW(string fileName, IntPtr reserved, uint flags);
    }
}
