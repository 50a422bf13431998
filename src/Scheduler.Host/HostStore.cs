using System.CommandLine;
using Scheduler.Internal;
using Scheduler.Stores;

namespace Scheduler.Host;

/// <summary>What a verb does with its store.</summary>
internal enum StoreUse
{
    /// <summary>Reads it (list, show, runs, events, status): never creates a file nor a PostgreSQL schema, never changes one.</summary>
    Read,

    /// <summary>Changes jobs in an existing store (remove, pause, resume, trigger).</summary>
    Change,

    /// <summary>Adds jobs or runs them (add, run): creates the store when it is missing.</summary>
    Create,
}

/// <summary>A verb's opened store and the name messages give it: the file's path, or the PostgreSQL location without its password.</summary>
internal sealed record OpenedStore(JobStore Store, string Name, bool IsPostgres);

/// <summary>
/// The <c>--store</c> option every verb shares, and the one place that decides which kind of store a
/// location names and opens it, with errors a user can act on. A PostgreSQL connection string (either
/// form, with an optional schema parameter: <see cref="PostgresStoreLocation"/>) names a PostgreSQL
/// store; anything else is a SQLite file. Without <c>--store</c>: <c>SCHEDHOST_STORE</c>, else the
/// per-user file; where the store is and which folder is created for it is the rule the PowerShell
/// module follows too (<see cref="DefaultStorePath"/>).
/// </summary>
internal static class HostStore
{
    public static Option<string> CreateOption() => new("--store")
    {
        HelpName = "STORE",
        Description = $"The job store: a SQLite file, or a PostgreSQL connection string (postgres://user@host/db?schema=NAME or Host=...;Database=...;Schema=NAME) (default: ${DefaultStorePath.EnvironmentVariable}, else the per-user file).",
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
    /// missing store (a SQLite file and, by the rule of <see cref="DefaultStorePath"/>, the per-user store's
    /// folder; a PostgreSQL schema and its tables). Only the verbs that write have a SQLite file checked, at
    /// once, so that the check runs while they prepare their write (which waits for it). A problem with the
    /// location, the file or the server is bad input, and no message shows a password.
    /// </summary>
    public static OpenedStore Open(string location, StoreUse use)
        => JobStore.IsPostgresLocation(location) ? OpenPostgres(location, use) : OpenSqlite(location, use);

    private static OpenedStore OpenPostgres(string text, StoreUse use)
    {
        PostgresStoreLocation location;
        try
        {
            location = PostgresStoreLocation.Parse(text);
        }
        catch (ArgumentException unreadable)
        {
            throw new BadInputException($"cannot use the store: {ExceptionText.FirstLine(unreadable)}", unreadable);
        }

        try
        {
            return new OpenedStore(location.Open(PostgresJobStoreOptions.Default with { CreateIfMissing = use == StoreUse.Create }), location.Display, IsPostgres: true);
        }
        catch (FileNotFoundException missing)
        {
            throw new BadInputException($"the store '{location}' does not exist (schedhost add or run creates it)", missing);
        }
        catch (Exception error) when (error is IOException or InvalidDataException)
        {
            // An unreachable server, a refused login, a schema from a newer version: the store's message
            // names it, without the password.
            throw new BadInputException(ExceptionText.FirstLine(error), error);
        }
        catch (Exception error) when (error is ArgumentException or NotSupportedException or UnauthorizedAccessException)
        {
            throw new BadInputException($"cannot use the store '{location}': {ExceptionText.FirstLine(error)}", error);
        }
    }

    private static OpenedStore OpenSqlite(string path, StoreUse use)
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

            var options = SqliteJobStoreOptions.Default with { CreateIfMissing = create, StartCheckAtOpen = use != StoreUse.Read };
#pragma warning disable CA2000 // The opened store owns it from here, and the verb disposes that.
            return new OpenedStore(JobStore.CreateSqlite(path, options), path, IsPostgres: false);
#pragma warning restore CA2000
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or InvalidDataException or ArgumentException or NotSupportedException)
        {
            var problem = error switch
            {
                // The per-user store's folder is made with the store: before that, neither exists.
                DirectoryNotFoundException when !perUser => $"the folder of the store '{path}' does not exist",
                DirectoryNotFoundException or FileNotFoundException => $"the store '{path}' does not exist (schedhost add or run creates it)",
                // The engine's messages about a file name it (in full): said once, not "the store 'X': The store 'X' ...".
                _ when ExceptionText.FirstLine(error).Contains($"'{Path.GetFullPath(path)}'", StringComparison.Ordinal) => ExceptionText.FirstLine(error),
                _ => $"cannot use the store '{path}': {ExceptionText.FirstLine(error)}",
            };
            throw new BadInputException(problem, error);
        }
    }
}
