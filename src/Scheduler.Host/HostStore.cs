using System.CommandLine;
using Scheduler.Internal;
using Scheduler.Stores;

namespace Scheduler.Host;

/// <summary>Where a verb's store is, and whether it is the per-user default (whose folder schedhost creates).</summary>
internal sealed record StoreLocation(string Path, bool IsDefault);

/// <summary>What a verb does with its store.</summary>
internal enum StoreUse
{
    /// <summary>Reads it (list, show, runs, events): never creates nor changes a file.</summary>
    Read,

    /// <summary>Changes jobs in an existing store (remove, pause, resume, trigger).</summary>
    Change,

    /// <summary>Adds jobs or runs them (add, run): creates the store when it is missing.</summary>
    Create,
}

/// <summary>
/// The <c>--store</c> option every verb shares, and opening the SQLite store with errors a user can act
/// on. Without <c>--store</c>: <c>SCHEDHOST_STORE</c>, else the per-user file (the rule the PowerShell
/// module follows too, see <see cref="DefaultStorePath"/>).
/// </summary>
internal static class HostStore
{
    public static Option<string> CreateOption() => new("--store")
    {
        HelpName = "PATH",
        Description = $"The job store file (default: ${DefaultStorePath.EnvironmentVariable}, else the per-user store).",
    };

    public static StoreLocation Resolve(ParseResult result, Option<string> option)
    {
        var given = result.GetValue(option);
        if (given is not null)
        {
            return string.IsNullOrWhiteSpace(given)
                ? throw new BadInputException("--store must not be empty")
                : new StoreLocation(given, IsDefault: false);
        }

        var fromEnvironment = Environment.GetEnvironmentVariable(DefaultStorePath.EnvironmentVariable);
        return string.IsNullOrWhiteSpace(fromEnvironment)
            ? new StoreLocation(DefaultStorePath.Get(), IsDefault: true)
            : new StoreLocation(fromEnvironment!, IsDefault: false);
    }

    /// <summary>
    /// Opens the store for a verb's <paramref name="use"/>: only the verbs that add or run jobs create a
    /// missing store, and only the verbs that write have the whole file checked, at once, so that the check
    /// runs while they prepare their write (which waits for it). A problem with the path or the file is bad input.
    /// </summary>
    public static SqliteJobStore Open(StoreLocation location, StoreUse use)
    {
        var path = location.Path;
        try
        {
            var create = use == StoreUse.Create;
            if (create && location.IsDefault)
            {
                DefaultStorePath.CreateFolder(path);
            }

            return SqliteJobStore.Open(path, SqliteJobStoreOptions.Default, null, SqliteSchema.Migrations, create, checkNow: use != StoreUse.Read);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or InvalidDataException or ArgumentException or NotSupportedException)
        {
            var problem = error switch
            {
                // The per-user store's folder is made with the store: before that, neither exists.
                DirectoryNotFoundException when !location.IsDefault => $"the folder of the store '{path}' does not exist",
                DirectoryNotFoundException or FileNotFoundException => $"the store '{path}' does not exist (schedhost add or run creates it)",
                _ => $"cannot use the store '{path}': {ExceptionText.FirstLine(error)}",
            };
            throw new BadInputException(problem, error);
        }
    }
}
