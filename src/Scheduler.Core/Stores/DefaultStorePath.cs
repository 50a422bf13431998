using System.Runtime.InteropServices;
using Scheduler.Internal;

namespace Scheduler.Stores;

/// <summary>
/// Where the SQLite store lives when no path is given, and which folder is created for it: the rule
/// that <c>schedhost</c> and the PowerShell module share, so that a job registered from PowerShell is
/// run by the <c>schedhost run</c> service, and a .NET application can use the same file.
/// </summary>
/// <remarks>
/// <para>The store is the one named by the <c>SCHEDHOST_STORE</c> environment variable (a file, or a
/// PostgreSQL connection string: <see cref="JobStore.IsPostgresLocation"/>, <see cref="PostgresStoreLocation"/>),
/// else the per-user store (<see cref="GetPerUser"/>).</para>
/// <para>Only the per-user store's folder is created (by <see cref="PrepareFolder(string)"/>), readable by its
/// owner only: it is this library's own folder in the user's data folder. Any other store, whether named
/// by <c>SCHEDHOST_STORE</c> or given as a path, must be in an existing folder, so a mistyped path is
/// reported instead of creating folders somewhere unexpected.</para>
/// </remarks>
public static class DefaultStorePath
{
    /// <summary>The environment variable that names the store (a file or a PostgreSQL connection string): <c>SCHEDHOST_STORE</c>.</summary>
    public const string EnvironmentVariable = "SCHEDHOST_STORE";

    internal const string FileName = "scheduler.db";

    /// <summary>
    /// The store to use when none is given: the value of <c>SCHEDHOST_STORE</c> when it is set (as it is:
    /// a possibly relative path, or a connection string), else the per-user store file (<see cref="GetPerUser"/>).
    /// </summary>
    public static string Get() => Get(Environment.GetEnvironmentVariable, CurrentPlatform(), Home());

    /// <inheritdoc cref="Get()"/>
    /// <param name="environment">Reads an environment variable (tests pass their own).</param>
    /// <param name="platform">The operating system whose per-user convention applies.</param>
    /// <param name="home">The user's home folder.</param>
    internal static string Get(Func<string, string?> environment, StorePlatform platform, string home)
    {
        var explicitPath = environment(EnvironmentVariable);
        return string.IsNullOrWhiteSpace(explicitPath) ? PerUser(environment, platform, home) : explicitPath!;
    }

    /// <summary>
    /// The per-user store file: <c>$XDG_DATA_HOME/scheduler/scheduler.db</c> (default
    /// <c>~/.local/share</c>) on Linux and other Unixes, <c>%LOCALAPPDATA%\Scheduler\scheduler.db</c> on
    /// Windows, <c>~/Library/Application Support/Scheduler/scheduler.db</c> on macOS.
    /// </summary>
    public static string GetPerUser() => PerUser(Environment.GetEnvironmentVariable, CurrentPlatform(), Home());

    /// <inheritdoc cref="GetPerUser()"/>
    /// <param name="environment">Reads an environment variable (tests pass their own).</param>
    /// <param name="platform">The operating system whose per-user convention applies.</param>
    /// <param name="home">The user's home folder.</param>
    internal static string PerUser(Func<string, string?> environment, StorePlatform platform, string home)
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

    /// <summary>Whether <paramref name="storePath"/> is the per-user store (<see cref="GetPerUser"/>), the one store whose folder is created.</summary>
    /// <param name="storePath">A store file; relative paths are resolved against the current directory.</param>
    /// <exception cref="ArgumentNullException"><paramref name="storePath"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="storePath"/> is not a valid path.</exception>
    public static bool IsPerUser(string storePath) => IsPerUser(storePath, GetPerUser());

    /// <inheritdoc cref="IsPerUser(string)"/>
    /// <param name="storePath">A store file.</param>
    /// <param name="perUser">The per-user store file.</param>
    internal static bool IsPerUser(string storePath, string perUser)
    {
        if (storePath is null)
        {
            throw new ArgumentNullException(nameof(storePath));
        }

        // Paths compare as the file system compares them: case matters on Linux only.
        var comparison = RuntimeInformation.IsOSPlatform(OSPlatform.Linux) ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;
        return string.Equals(Path.GetFullPath(storePath), Path.GetFullPath(perUser), comparison);
    }

    /// <summary>
    /// Prepares the folder of a store that is about to be opened or created, by the rule of this class:
    /// the per-user store's folder is created when it is missing, readable by its owner only (0700 on
    /// Unix, whatever the umask; the folders above it as usual); the folder of any other store is left
    /// as it is and must exist (opening the store then reports <see cref="DirectoryNotFoundException"/>).
    /// An existing folder is never changed.
    /// </summary>
    /// <param name="storePath">The store file.</param>
    /// <exception cref="ArgumentNullException"><paramref name="storePath"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="storePath"/> is not a valid path.</exception>
    /// <exception cref="IOException">The folder cannot be created.</exception>
    /// <exception cref="UnauthorizedAccessException">The folder cannot be created here.</exception>
    public static void PrepareFolder(string storePath) => PrepareFolder(storePath, GetPerUser());

    /// <inheritdoc cref="PrepareFolder(string)"/>
    /// <param name="storePath">The store file.</param>
    /// <param name="perUser">The per-user store file.</param>
    internal static void PrepareFolder(string storePath, string perUser)
    {
        if (!IsPerUser(storePath, perUser))
        {
            return;
        }

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

    private static string Home() => Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);

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
