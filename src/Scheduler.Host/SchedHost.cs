using System.CommandLine;
using System.CommandLine.Parsing;
using Scheduler.Host.Commands;
using Scheduler.Host.Output;

namespace Scheduler.Host;

/// <summary>The command line of schedhost; writers are parameters so tests drive it in-process.</summary>
internal static class SchedHost
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int BadInput = 2;

    public static int Run(string[] args, TextWriter output, TextWriter error) => Run(args, output, error, TimeProvider.System);

    /// <param name="args">The command line.</param>
    /// <param name="output">Where results and the daemon's log go.</param>
    /// <param name="error">Where the one-line error goes.</param>
    /// <param name="time">The clock.</param>
    /// <param name="stopping">Stops the long-running verbs (run, events --follow) like Ctrl+C does.</param>
    public static int Run(string[] args, TextWriter output, TextWriter error, TimeProvider time, CancellationToken stopping = default)
    {
        var context = new HostContext(output, error, time, stopping);
        var root = CreateRoot(context);

        // Response files are off: a cron expression such as "@daily" is a value, not a file to read.
        var parseResult = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (parseResult.Errors.Count > 0 && parseResult.Action is not { ClearsParseErrors: true })
        {
            error.WriteLine("schedhost: " + OneLine(MostSpecific(parseResult.Errors).Message));
            return BadInput;
        }

        try
        {
            return parseResult.Invoke(new InvocationConfiguration
            {
                Output = output,
                Error = error,
                EnableDefaultExceptionHandler = false,

                // run and events --follow handle Ctrl+C and SIGTERM themselves, to stop gracefully.
                ProcessTerminationTimeout = null,
            });
        }
        catch (BadInputException badInput)
        {
            error.WriteLine("schedhost: " + OneLine(badInput.Message));
            return BadInput;
        }
        catch (InvalidDataException damaged)
        {
            // A store found damaged after it opened (by the check before its first write, or by a read
            // that met the damage), refused like a file found unusable when it opened; the message names it.
            error.WriteLine("schedhost: " + OneLine(damaged.Message));
            return BadInput;
        }
        catch (IOException unavailable)
        {
            // A store that became unusable after it opened (a PostgreSQL server gone, a refused
            // connection): not a defect, and the store's message names it without its password.
            error.WriteLine("schedhost: " + OneLine(unavailable.Message));
            return Failure;
        }
        catch (Exception unexpected) when (unexpected is not OutOfMemoryException)
        {
            // A defect, not bad input: say what happened on one line rather than dumping a stack trace.
            error.WriteLine($"schedhost: unexpected {unexpected.GetType().Name}: {OneLine(unexpected.Message)}");
            return Failure;
        }
    }

    /// <summary>The command tree; each verb lives in Commands/ and adds itself here.</summary>
    private static RootCommand CreateRoot(HostContext context)
    {
        var root = new RootCommand("schedhost: the Scheduler host (daemon and admin CLI over the job store).");
        root.Subcommands.Add(RunCommand.Create(context));
        root.Subcommands.Add(AddCommand.Create(context));
        root.Subcommands.Add(ListCommand.Create(context));
        root.Subcommands.Add(ShowCommand.Create(context));
        root.Subcommands.Add(JobCommands.Remove(context));
        root.Subcommands.Add(JobCommands.Pause(context));
        root.Subcommands.Add(JobCommands.Resume(context));
        root.Subcommands.Add(TriggerCommand.Create(context));
        root.Subcommands.Add(RunsCommand.Create(context));
        root.Subcommands.Add(EventsCommand.Create(context));
        root.Subcommands.Add(StatusCommand.Create(context));
        root.Subcommands.Add(BackupCommands.Backup(context));
        root.Subcommands.Add(BackupCommands.Restore(context));
        root.Subcommands.Add(NextCommand.Create(context));
        return root;
    }

    /// <summary>
    /// The error to report when there are several: one that quotes what the user typed ("Unrecognized
    /// command or argument 'sideways'") says more than the missing command it caused.
    /// </summary>
    private static ParseError MostSpecific(IReadOnlyList<ParseError> errors)
        => errors.FirstOrDefault(e => e.Message.Contains('\'')) ?? errors[0];

    /// <summary>A message on one line, escaped for the terminal: it may quote a job's id, name or stored definition.</summary>
    private static string OneLine(string message)
        => TerminalText.Escape(string.Join(" ", message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries).Select(line => line.Trim())));
}
