using System.CommandLine;
using Scheduler.Internal;
using Scheduler.Stores;

namespace Scheduler.Host;

/// <summary>Where a verb's store is, and whether it is the per-user default (whose folder schedhost creates).</summary>
internal sealed record StoreLocation(string Path, bool IsDefault);

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
    /// Opens the store, creating it when missing if <paramref name="create"/> (the verbs that only read or
    /// change existing jobs never create a file); a problem with the path or the file is bad input.
    /// </summary>
    public static JobStore Open(StoreLocation location, bool create)
    {
        var path = location.Path;
        try
        {
            if (create && location.IsDefault)
            {
                DefaultStorePath.CreateFolder(path);
            }

            return SqliteJobStore.Open(path, SqliteJobStoreOptions.Default, null, SqliteSchema.Migrations, create);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or InvalidDataException or ArgumentException or NotSupportedException)
        {
            var problem = error switch
            {
                DirectoryNotFoundException => $"the folder of the store '{path}' does not exist",
                FileNotFoundException => $"the store '{path}' does not exist (schedhost add or run creates it)",
                _ => $"cannot use the store '{path}': {ExceptionText.FirstLine(error)}",
            };
            throw new BadInputException(problem, error);
        }
    }
}
