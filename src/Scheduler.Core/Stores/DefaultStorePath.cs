using System.Runtime.InteropServices;
using Scheduler.Internal;

namespace Scheduler.Stores;

/// <summary>
/// Where the embedded SQLite store lives when no path is given: the <c>SCHEDHOST_STORE</c>
/// environment variable, else a per-user file. <c>schedhost</c> and the PowerShell module both use
/// this rule, so a job registered from PowerShell is run by the <c>schedhost run</c> service.
/// </summary>
internal static class DefaultStorePath
{
    /// <summary>The environment variable that names the store file.</summary>
    public const string EnvironmentVariable = "SCHEDHOST_STORE";

    public const string FileName = "scheduler.db";

    /// <summary>The default store file for this process: <c>SCHEDHOST_STORE</c> when set, else <see cref="PerUser"/>.</summary>
    public static string Get() => Get(Environment.GetEnvironmentVariable, CurrentPlatform(), Environment.GetFolderPath(Environment.SpecialFolder.UserProfile));

    /// <inheritdoc cref="Get()"/>
    /// <param name="environment">Reads an environment variable (tests pass their own).</param>
    /// <param name="platform">The operating system whose per-user convention applies.</param>
    /// <param name="home">The user's home folder.</param>
    public static string Get(Func<string, string?> environment, StorePlatform platform, string home)
    {
        var explicitPath = environment(EnvironmentVariable);
        return string.IsNullOrWhiteSpace(explicitPath) ? PerUser(environment, platform, home) : explicitPath!;
    }

    /// <summary>
    /// The per-user store file: <c>$XDG_DATA_HOME/scheduler/scheduler.db</c> (default
    /// <c>~/.local/share</c>) on Linux and other Unixes, <c>%LOCALAPPDATA%\Scheduler\scheduler.db</c> on
    /// Windows, <c>~/Library/Application Support/Scheduler/scheduler.db</c> on macOS.
    /// </summary>
    public static string PerUser(Func<string, string?> environment, StorePlatform platform, string home)
    {
        switch (platform)
        {
            case StorePlatform.Windows:
                var localAppData = environment("LOCALAPPDATA");
                var windowsBase = string.IsNullOrWhiteSpace(localAppData) ? Path.Combine(home, "AppData", "Local") : localAppData!;
                return Path.Combine(windowsBase, "Scheduler", FileName);
            case StorePlatform.MacOS:
                return Path.Combine(home, "Library", "Application Support", "Scheduler", FileName);
            default:
                // XDG: a relative XDG_DATA_HOME is invalid and must be ignored.
                var dataHome = environment("XDG_DATA_HOME");
                var unixBase = string.IsNullOrWhiteSpace(dataHome) || !Path.IsPathRooted(dataHome) ? Path.Combine(home, ".local", "share") : dataHome!;
                return Path.Combine(unixBase, "scheduler", FileName);
        }
    }

    /// <summary>
    /// Creates the folder of a store when it is missing, readable by its owner only (0700 on Unix): the
    /// per-user store's folder, which schedhost and the PowerShell module create. Folders above it are
    /// created as usual; an existing folder is left as it is.
    /// </summary>
    public static void CreateFolder(string storePath)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(storePath));
        if (string.IsNullOrEmpty(folder) || Directory.Exists(folder))
        {
            return;
        }

        if (Path.GetDirectoryName(folder) is { } parent)
        {
            Directory.CreateDirectory(parent);
        }

        FileModes.CreateFolder(folder!, FileModes.OwnerOnlyFolder);
    }

    private static StorePlatform CurrentPlatform()
        => RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? StorePlatform.Windows
            : RuntimeInformation.IsOSPlatform(OSPlatform.OSX) ? StorePlatform.MacOS
            : StorePlatform.Unix;
}

/// <summary>The operating-system conventions for per-user data.</summary>
internal enum StorePlatform
{
    Unix = 0,
    Windows = 1,
    MacOS = 2,
}
