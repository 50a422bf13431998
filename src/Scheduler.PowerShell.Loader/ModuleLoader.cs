using System.Management.Automation;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Scheduler.PowerShell.Loader;

/// <summary>
/// The module's first nested module (see Scheduler.psd1): makes the engine and its dependencies, which
/// lie in the module's <c>dependencies</c> folder, loadable before PowerShell imports the cmdlets. A load
/// context of their own on PowerShell 7 (<see cref="DependencyLoadContext"/>), an assembly resolver on
/// Windows PowerShell 5.1.
/// </summary>
/// <remarks>
/// <para>It must run first, and in an assembly of its own: PowerShell lists the cmdlet assembly's types
/// before it calls that assembly's initializer, and listing a cmdlet whose parameter is an engine enum
/// loads the engine.</para>
/// <para>The Windows PowerShell path is not exercised by the tests: they run PowerShell 7.6; Windows
/// PowerShell cannot run here.</para>
/// </remarks>
public sealed class ModuleLoader : IModuleAssemblyInitializer
{
    /// <summary>The folder, beside this assembly, that holds the engine and its dependencies.</summary>
    public const string DependencyFolderName = "dependencies";

    private static readonly object Gate = new();
    private static bool prepared;

    private static string DependencyFolder => Path.Combine(Path.GetDirectoryName(typeof(ModuleLoader).Assembly.Location)!, DependencyFolderName);

    /// <summary>Called by PowerShell when the module is imported, before the cmdlets.</summary>
    public void OnImport()
    {
        if (RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.Ordinal))
        {
            PrepareWindowsPowerShell();
        }
        else
        {
            AttachLoadContext();
        }
    }

    // Its own method, so the JIT meets the load-context type only on .NET.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void AttachLoadContext() => DependencyLoadContext.Attach(DependencyFolder);

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

            AppDomain.CurrentDomain.AssemblyResolve += ResolveFromDependencies;
            PreloadSqlite();
            prepared = true;
        }
    }

    /// <summary>
    /// .NET Framework binds strong names exactly, and PowerShell has no binding redirects for modules:
    /// SQLitePCLRaw asks for System.Memory 4.0.1.1 while the module ships 4.0.2.0 (the version
    /// System.Text.Json needs). An assembly of the dependencies folder answers any request for its name,
    /// public key and an equal or lower version.
    /// </summary>
    private static Assembly? ResolveFromDependencies(object? sender, ResolveEventArgs args)
    {
        var requested = new AssemblyName(args.Name);
        var path = Path.Combine(DependencyFolder, requested.Name + ".dll");
        if (!File.Exists(path))
        {
            return null;
        }

        var available = AssemblyName.GetAssemblyName(path);
        var sameKey = Enumerable.SequenceEqual(requested.GetPublicKeyToken() ?? [], available.GetPublicKeyToken() ?? []);
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
        var path = runtimeIdentifier is null ? null : Path.Combine(DependencyFolder, runtimeIdentifier, "e_sqlite3.dll");
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
