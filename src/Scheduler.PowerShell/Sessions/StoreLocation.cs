using System.Management.Automation;
using System.Runtime.InteropServices;
using Scheduler.Stores;

namespace Scheduler.PowerShell.Sessions;

/// <summary>Where a job store lives, and how one is opened: the one place that knows the store's kind.</summary>
internal static class StoreLocation
{
    /// <summary>Store paths compare the way the file system compares them.</summary>
    public static StringComparer PathComparer { get; } =
        RuntimeInformation.IsOSPlatform(OSPlatform.Linux) ? StringComparer.Ordinal : StringComparer.OrdinalIgnoreCase;

    /// <summary>
    /// The store that cmdlets use when no -Store is given and no scheduler runs in the session: the same
    /// file <c>schedhost</c> uses by default (<c>SCHEDHOST_STORE</c>, else the per-user file), so jobs
    /// registered here are run by its service.
    /// </summary>
    public static string DefaultPath => Path.GetFullPath(DefaultStorePath.Get());

    /// <summary>A -Store argument as a full file-system path: relative to the session's current location, <c>~</c> expanded.</summary>
    public static string Resolve(string store, PSCmdlet cmdlet)
        => Path.GetFullPath(cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(store));

    /// <summary>
    /// Opens (creating when missing) the SQLite store at a full path. The per-user store's folder is
    /// created as schedhost creates it (readable by its owner only, on Unix); any other folder, the one of
    /// <c>$env:SCHEDHOST_STORE</c> included, must exist (the rule of <see cref="DefaultStorePath"/>).
    /// </summary>
    /// <exception cref="IOException">The folder does not exist, the path is a folder, or the file cannot be opened.</exception>
    /// <exception cref="InvalidDataException">The file is not a job store, or a newer version wrote it.</exception>
    /// <exception cref="UnauthorizedAccessException">The file is read-only.</exception>
    public static JobStore Open(string path)
    {
        DefaultStorePath.PrepareFolder(path);
        return JobStore.CreateSqlite(path);
    }
}
