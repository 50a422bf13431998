using System.CommandLine;
using System.Globalization;
using Scheduler.Host.Output;
using Scheduler.Stores;

namespace Scheduler.Host.Commands;

/// <summary>
/// <c>schedhost backup</c> and <c>schedhost restore</c>: a consistent copy of a SQLite store while a
/// daemon runs on it, and putting one back (<see cref="JobStore.BackupSqlite"/>, <see cref="JobStore.RestoreSqlite"/>).
/// A PostgreSQL store is backed up with the server's own tools.
/// </summary>
internal static class BackupCommands
{
    public static Command Backup(HostContext context)
    {
        var store = HostStore.CreateOption();
        var force = new Option<bool>("--force") { Description = "Replace the backup file if it exists (in one rename: it never holds half a backup)." };
        var json = new Option<bool>("--json") { Description = "Print {\"store\", \"backup\", \"jobs\"}." };
        var destination = new Argument<string>("FILE") { Description = "The backup file to write; its folder must exist." };
        var command = new Command("backup", "Back up a SQLite store to a file, while a daemon runs on it: a checked snapshot of everything committed.") { destination, store, force, json };
        command.SetAction(result =>
        {
            var path = RequireSqlite(HostStore.Resolve(result, store), "backup");
            var backup = result.GetValue(destination)!;
            if (!result.GetValue(force) && File.Exists(backup))
            {
                throw new BadInputException($"the backup '{backup}' already exists; give another file, or --force to replace it");
            }

            var jobs = Run(() => JobStore.BackupSqlite(path, backup, result.GetValue(force)));
            Report(context, result.GetValue(json), path, backup, jobs, $"Backed up {Jobs(jobs)} from '{path}' to '{backup}'.");
            return SchedHost.Success;
        });
        return command;
    }

    public static Command Restore(HostContext context)
    {
        var store = HostStore.CreateOption();
        var json = new Option<bool>("--json") { Description = "Print {\"store\", \"backup\", \"jobs\"}." };
        var source = new Argument<string>("FILE") { Description = "The backup to restore (made by schedhost backup)." };
        var command = new Command("restore", "Replace what a SQLite store holds with a backup's content; no daemon may run on the store meanwhile.") { source, store, json };
        command.SetAction(result =>
        {
            var path = RequireSqlite(HostStore.Resolve(result, store), "restore");
            var backup = result.GetValue(source)!;
            int jobs;
            try
            {
                // Restoring onto a new machine: the per-user store's folder is made as a store's first add makes it.
                jobs = Run(() =>
                {
                    DefaultStorePath.PrepareFolder(path);
                    return JobStore.RestoreSqlite(backup, path);
                });
            }
            catch (InvalidOperationException running)
            {
                // As a second daemon is refused: the store is busy, not named wrongly.
                context.Error.WriteLine("schedhost: " + TerminalText.Escape(running.Message));
                return SchedHost.Failure;
            }

            Report(context, result.GetValue(json), path, backup, jobs, $"Restored {Jobs(jobs)} from '{backup}' into '{path}'.");
            return SchedHost.Success;
        });
        return command;
    }

    private static string RequireSqlite(string location, string verb)
        => JobStore.IsPostgresLocation(location)
            ? throw new BadInputException($"{verb} works on SQLite stores; back up and restore a PostgreSQL store with the server's tools (pg_dump --schema, pg_restore)")
            : location;

    /// <summary>What the user can fix (a path, a file that is not a store) is bad input; a full disk or a failing one is not.</summary>
    private static int Run(Func<int> copy)
    {
        try
        {
            return copy();
        }
        catch (Exception error) when (error is ArgumentException or FileNotFoundException or DirectoryNotFoundException or InvalidDataException or UnauthorizedAccessException)
        {
            throw new BadInputException(error.Message, error);
        }
    }

    private static void Report(HostContext context, bool json, string store, string backup, int jobs, string message)
    {
        if (!json)
        {
            context.Output.WriteLine(TerminalText.Escape(message));
            return;
        }

        context.Output.WriteLine(JsonOutput.Write(writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("store", Path.GetFullPath(store));
            writer.WriteString("backup", Path.GetFullPath(backup));
            writer.WriteNumber("jobs", jobs);
            writer.WriteEndObject();
        }));
    }

    private static string Jobs(int count) => count == 1 ? "1 job" : count.ToString(CultureInfo.InvariantCulture) + " jobs";
}
