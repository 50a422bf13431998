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
    /// The per-user store that cmdlets use when no -Store is given and no scheduler runs in the session:
    /// the same file <c>schedhost</c> uses by default, so jobs registered here are run by its service.
    /// </summary>
    public static string DefaultPath
    {
        get
        {
            var overridden = Environment.GetEnvironmentVariable("SCHEDULER_STORE");
            if (!string.IsNullOrWhiteSpace(overridden))
            {
                return Path.GetFullPath(overridden);
            }

            var data = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify);
            return Path.Combine(data, "Scheduler", "scheduler.db");
        }
    }

    /// <summary>A -Store argument as a full file-system path: relative to the session's current location, <c>~</c> expanded.</summary>
    public static string Resolve(string store, PSCmdlet cmdlet)
        => Path.GetFullPath(cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(store));

    /// <summary>Opens the store at a full path.</summary>
    public static JobStore Open(string path) => JobStore.CreateMemory();
}
