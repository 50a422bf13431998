using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace Scheduler.PowerShell.Loader;

/// <summary>
/// PowerShell 7: the module's own assembly load context. The engine (Scheduler.Core) and everything it
/// depends on (SQLite, System.Text.Json and its closure, TimeZoneConverter) load here from the
/// module's <c>dependencies</c> folder, whatever versions of those assemblies PowerShell itself or
/// another module already loaded into the default context.
/// </summary>
/// <remarks>
/// <para>This is the pattern PowerShell's documentation gives for module dependency conflicts. The
/// cmdlets stay in the default context, where PowerShell loads them; the only assembly they reference
/// besides PowerShell's is the engine, which the default context cannot find (it is not next to the
/// cmdlets) and so asks <see cref="AssemblyLoadContext.Resolving"/> for; the answer is this context's
/// copy. The cmdlets therefore must not use a dependency's types themselves: they would bind to the
/// default context's copy, and the two would never be the same type (a test checks the cmdlet
/// assembly's references).</para>
/// <para>Windows PowerShell 5.1 (.NET Framework) has no load contexts; <see cref="ModuleLoader"/>
/// serves the same folder through <c>AppDomain.AssemblyResolve</c> there. This type is only touched on
/// .NET, so the .NET Framework never has to load it.</para>
/// </remarks>
internal sealed class DependencyLoadContext : AssemblyLoadContext
{
    /// <summary>The assembly the cmdlets reference, which the default context is given from this one.</summary>
    public const string EngineAssemblyName = "Scheduler.Core";

    private const string SqliteLibraryName = "e_sqlite3";

    private static readonly object Gate = new();
    private static DependencyLoadContext? instance;

    private readonly string folder;

    private DependencyLoadContext(string folder)
    {
        this.folder = folder;
    }

    /// <summary>The context, once <see cref="Attach"/> has created it; null before, and on .NET Framework.</summary>
    public static DependencyLoadContext? Instance => instance;

    /// <summary>
    /// Creates the context for the folder and lets the default context resolve the engine from it. Kept
    /// for the life of the process, across Remove-Module and Import-Module: loaded assemblies cannot be
    /// unloaded, and a second context would load a second, incompatible engine.
    /// </summary>
    public static void Attach(string folder)
    {
        lock (Gate)
        {
            if (instance is not null)
            {
                return;
            }

            instance = new DependencyLoadContext(folder);
            Default.Resolving += ResolveEngine;
        }
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Everything in the folder is this context's own; anything else (the framework, netstandard,
    /// PowerShell itself) is shared with the default context, which a null answer falls back to.
    /// </remarks>
    protected override Assembly? Load(AssemblyName assemblyName)
    {
        var path = Path.Combine(folder, assemblyName.Name + ".dll");
        return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
    }

    /// <inheritdoc/>
    /// <remarks>
    /// SQLitePCLRaw calls into <c>e_sqlite3</c>; the copy for this platform lies in
    /// <c>dependencies/&lt;runtime id&gt;/</c>, where no default probing looks.
    /// </remarks>
    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        var name = Path.GetFileNameWithoutExtension(unmanagedDllName);
        if (name.StartsWith("lib", StringComparison.Ordinal))
        {
            name = name.Substring(3);
        }

        if (!string.Equals(name, SqliteLibraryName, StringComparison.Ordinal))
        {
            return IntPtr.Zero;
        }

        foreach (var path in NativeCandidates(SqliteLibraryName))
        {
            if (File.Exists(path))
            {
                return LoadUnmanagedDllFromPath(path);
            }
        }

        return IntPtr.Zero;
    }

    private static Assembly? ResolveEngine(AssemblyLoadContext context, AssemblyName assemblyName)
        => string.Equals(assemblyName.Name, EngineAssemblyName, StringComparison.Ordinal) && instance is { } dependencies
            ? dependencies.LoadFromAssemblyName(assemblyName)
            : null;

    /// <summary>The files that may hold a native library on this platform, most specific first.</summary>
    private IEnumerable<string> NativeCandidates(string name)
    {
        string[] files = RuntimeInformation.IsOSPlatform(OSPlatform.Windows)
            ? [name + ".dll"]
            : RuntimeInformation.IsOSPlatform(OSPlatform.OSX)
                ? ["lib" + name + ".dylib", name + ".dylib"]
                : ["lib" + name + ".so", name + ".so"];
        foreach (var runtimeIdentifier in RuntimeIdentifiers())
        {
            foreach (var file in files)
            {
                yield return Path.Combine(folder, runtimeIdentifier, file);
            }
        }
    }

    /// <summary>
    /// The runtime ids whose native builds run here: the runtime's own id first (it tells musl from
    /// glibc on Linux), then the portable one for the operating system and process architecture.
    /// </summary>
    private static IEnumerable<string> RuntimeIdentifiers()
    {
        // RuntimeInformation.RuntimeIdentifier exists from .NET 5 on; this assembly compiles against netstandard2.0.
        if (typeof(RuntimeInformation).GetProperty("RuntimeIdentifier")?.GetValue(null) is string own && own.Length > 0)
        {
            yield return own;
        }

        var architecture = RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
        var system = RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? "win"
            : RuntimeInformation.IsOSPlatform(OSPlatform.OSX) ? "osx"
            : "linux";
        yield return system + "-" + architecture;
    }
}
