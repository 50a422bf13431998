using System.Management.Automation;
using System.Runtime.InteropServices;
using Scheduler.Stores;

namespace Scheduler.PowerShell.Sessions;

/// <summary>
/// Where a job store lives, and how it is opened: the one place in the module that knows the store's kind.
/// A PostgreSQL connection string (either form, with an optional schema parameter:
/// <see cref="PostgresStoreLocation"/>) names a PostgreSQL store; anything else is a SQLite file.
/// </summary>
internal sealed class StoreLocation
{
    private readonly PostgresStoreLocation? postgres;

    private StoreLocation(string name, PostgresStoreLocation? postgres)
    {
        Name = name;
        this.postgres = postgres;
    }

    /// <summary>
    /// Store names compare the way the file system compares paths. (A PostgreSQL name is canonical already,
    /// whatever case the user wrote its keywords in.)
    /// </summary>
    public static StringComparer NameComparer { get; } =
        RuntimeInformation.IsOSPlatform(OSPlatform.Linux) ? StringComparer.Ordinal : StringComparer.OrdinalIgnoreCase;

    /// <summary>
    /// The store in output, messages and error records, and the key of the session's schedulers: a full file
    /// path, or the PostgreSQL location without its password (<see cref="PostgresStoreLocation.Display"/>).
    /// A job's <c>Store</c> is this name, so a piped job finds the store it came from.
    /// </summary>
    public string Name { get; }

    public bool IsPostgres => postgres is not null;

    /// <summary>
    /// The store that cmdlets use when no -Store is given and no scheduler runs in the session: the same
    /// store <c>schedhost</c> uses by default (<c>SCHEDHOST_STORE</c>, a file or a connection string, else
    /// the per-user file), so jobs registered here are run by its service.
    /// </summary>
    /// <exception cref="ArgumentException"><c>SCHEDHOST_STORE</c> is an unreadable connection string (the message has no password).</exception>
    public static StoreLocation Default() => FromText(DefaultStorePath.Get(), path => path);

    /// <summary>
    /// A -Store argument: a connection string as it is (resolving it as a path would mangle it), else a
    /// full file-system path, relative to the session's current location, <c>~</c> expanded.
    /// </summary>
    /// <exception cref="ArgumentException">An unreadable connection string (the message has no password).</exception>
    public static StoreLocation Resolve(string store, PSCmdlet cmdlet)
        => FromText(store, path => cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path));

    /// <summary>A store named as text; <paramref name="resolvePath"/> makes a file's path full (against the session's location).</summary>
    public static StoreLocation FromText(string store, Func<string, string> resolvePath)
    {
        if (JobStore.IsPostgresLocation(store))
        {
            var location = PostgresStoreLocation.Parse(store);
            return new StoreLocation(location.Display, location);
        }

        return new StoreLocation(Path.GetFullPath(resolvePath(store)), null);
    }

    /// <summary>
    /// Opens the store, creating it when missing. The per-user file's folder is created as schedhost creates
    /// it (readable by its owner only, on Unix); any other folder, the one of <c>$env:SCHEDHOST_STORE</c>
    /// included, must exist (the rule of <see cref="DefaultStorePath"/>). A PostgreSQL store's schema and
    /// tables are created when missing; this session becomes a node of its cluster once Start-Scheduler runs.
    /// </summary>
    /// <exception cref="IOException">The folder does not exist, the path is a folder, the file cannot be opened; the server cannot be reached or refuses the login.</exception>
    /// <exception cref="InvalidDataException">The file or schema is not a job store, or a newer version wrote it.</exception>
    /// <exception cref="UnauthorizedAccessException">The file is read-only.</exception>
    public JobStore Open()
    {
        if (postgres is not null)
        {
            return postgres.Open(PostgresJobStoreOptions.Default);
        }

        DefaultStorePath.PrepareFolder(Name);
        return JobStore.CreateSqlite(Name);
    }

    public override string ToString() => Name;
}
