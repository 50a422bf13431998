using System.CommandLine;
using Scheduler.Internal;
using Scheduler.Stores;

namespace Scheduler.Host;

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
/// on. Without <c>--store</c>: <c>SCHEDHOST_STORE</c>, else the per-user file; where the store is and which
/// folder is created for it is the rule the PowerShell module follows too (<see cref="DefaultStorePath"/>).
/// </summary>
internal static class HostStore
{
    public static Option<string> CreateOption() => new("--store")
    {
        HelpName = "PATH",
        Description = $"The job store file (default: ${DefaultStorePath.EnvironmentVariable}, else the per-user store).",
    };

    /// <summary>The store a verb uses: <c>--store</c>, else the store of <see cref="DefaultStorePath.Get"/>.</summary>
    public static string Resolve(ParseResult result, Option<string> option)
    {
        var given = result.GetValue(option);
        if (given is not null)
        {
            return string.IsNullOrWhiteSpace(given) ? throw new BadInputException("--store must not be empty") : given;
        }

        return DefaultStorePath.Get();
    }

    /// <summary>
    /// Opens the store for a verb's <paramref name="use"/>: only the verbs that add or run jobs create a
    /// missing store (and, by the rule of <see cref="DefaultStorePath"/>, the per-user store's folder), and
    /// only the verbs that write have the whole file checked, at once, so that the check runs while they
    /// prepare their write (which waits for it). A problem with the path or the file is bad input.
    /// </summary>
    public static JobStore Open(string path, StoreUse use)
    {
        var perUser = false;
        try
        {
            perUser = DefaultStorePath.IsPerUser(path);
            var create = use == StoreUse.Create;
            if (create)
            {
                DefaultStorePath.PrepareFolder(path);
            }

            return JobStore.CreateSqlite(path, SqliteJobStoreOptions.Default with { CreateIfMissing = create, StartCheckAtOpen = use != StoreUse.Read });
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or InvalidDataException or ArgumentException or NotSupportedException)
        {
            var problem = error switch
            {
                // The per-user store's folder is made with the store: before that, neither exists.
                DirectoryNotFoundException when !perUser => $"the folder of the store '{path}' does not exist",
                DirectoryNotFoundException or FileNotFoundException => $"the store '{path}' does not exist (schedhost add or run creates it)",
                _ => $"cannot use the store '{path}': {ExceptionText.FirstLine(error)}",
            };
            throw new BadInputException(problem, error);
        }
    }
}
