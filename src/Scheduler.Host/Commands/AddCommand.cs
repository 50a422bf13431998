using System.CommandLine;
using Scheduler.Host.Output;
using Scheduler.Internal;
using Scheduler.Invocations;
using Scheduler.Jobs;

namespace Scheduler.Host.Commands;

/// <summary>
/// <c>schedhost add</c>: adds a command or PowerShell job to the store, to be run by the process
/// executor of <c>schedhost run</c>. Everything is checked before the store is opened, and the job is
/// added in one step, so a rejected <c>add</c> leaves the store as it was.
/// </summary>
internal static class AddCommand
{
    public static Command Create(HostContext context)
    {
        var store = HostStore.CreateOption();
        var json = new Option<bool>("--json") { Description = "Print the added job as JSON (as list --json shows it)." };
        var id = new Option<string>("--id") { Required = true, HelpName = "ID", Description = "The job's id (unique in the store)." };
        var name = new Option<string>("--name") { HelpName = "NAME", Description = "A display name (default: the id)." };
        var trigger = new TriggerOptions();
        var jobOptions = new JobOptionFlags();
        var workingDirectory = new Option<string>("--working-directory")
        {
            HelpName = "DIR",
            Description = "The command's working directory (default: the daemon's).",
        };
        var environment = new Option<string[]>("--env")
        {
            HelpName = "NAME=VALUE",
            Description = "An environment variable for the command (repeatable).",
        };
        var pwshCommand = new Option<string>("--pwsh-command")
        {
            HelpName = "TEXT",
            Description = "Run PowerShell script text in pwsh (arguments after -- are its $args / positional parameters).",
        };
        var pwshFile = new Option<string>("--pwsh-file")
        {
            HelpName = "PATH",
            Description = "Run a PowerShell script file in pwsh (arguments after -- are its positional arguments).",
        };
        var parameters = new Option<string[]>("--param")
        {
            HelpName = "NAME=VALUE",
            Description = "A named parameter (string value) for the PowerShell script (repeatable).",
        };
        var commandLine = new Argument<string[]>("COMMAND")
        {
            Arity = ArgumentArity.ZeroOrMore,
            Description = "After --: the executable and its arguments, passed as a list (no shell).",
        };

        var command = new Command("add", "Add a job that runs a command or PowerShell in a child process.") { id, name, store, json };
        trigger.AddTo(command, withJitter: true);
        jobOptions.AddTo(command);
        command.Options.Add(workingDirectory);
        command.Options.Add(environment);
        command.Options.Add(pwshCommand);
        command.Options.Add(pwshFile);
        command.Options.Add(parameters);
        command.Arguments.Add(commandLine);

        command.SetAction(result =>
        {
            var jobId = result.GetValue(id)!;
            if (string.IsNullOrWhiteSpace(jobId))
            {
                throw new BadInputException("--id must not be empty");
            }

            var jobName = result.GetValue(name);
            if (jobName is not null && string.IsNullOrWhiteSpace(jobName))
            {
                throw new BadInputException("--name must not be empty");
            }

            var what = BuildInvocation(
                result.GetValue(commandLine) ?? [],
                result.GetValue(pwshCommand),
                result.GetValue(pwshFile),
                result.GetValue(workingDirectory),
                result.GetValue(environment) ?? [],
                result.GetValue(parameters) ?? []);
            var when = trigger.Build(result);
            var options = jobOptions.Build(result);

            using var session = StoreSession.Open(result, store, context, StoreUse.Create);
            Job job;
            try
            {
                job = session.Scheduler.AddJob(
                    when,
                    what.Invocation,
                    jobId,
                    jobName,
                    what.Arguments,
                    options,
                    HostScheduler.ProcessExecutor,
                    paused: jobOptions.Paused(result),
                    replaceExisting: jobOptions.Replace(result));
            }
            catch (InvalidOperationException exists)
            {
                throw new BadInputException($"a job with the id '{jobId}' already exists in the store '{session.StoreName}'; use --replace to overwrite it", exists);
            }
            catch (ArgumentException invalid)
            {
                throw new BadInputException(ExceptionText.FirstLine(invalid), invalid);
            }

            context.Output.WriteLine(result.GetValue(json)
                ? JsonOutput.Write(writer => JsonOutput.WriteJob(writer, job))
                : TerminalText.Escape(job.NextRunTime is null
                    ? $"Added job '{job.Id}' (paused)."
                    : $"Added job '{job.Id}'; next run {Describe.NextRun(job)}."));
            return SchedHost.Success;
        });
        return command;
    }

    private static (Invocation Invocation, JobArguments Arguments) BuildInvocation(
        string[] commandLine, string? pwshCommand, string? pwshFile, string? workingDirectory, string[] environment, string[] parameters)
    {
        var given = new List<string>();
        if (pwshCommand is not null)
        {
            given.Add("--pwsh-command");
        }

        if (pwshFile is not null)
        {
            given.Add("--pwsh-file");
        }

        if (given.Count == 0 && commandLine.Length == 0)
        {
            throw new BadInputException("give what to run: -- COMMAND [ARG...], --pwsh-command TEXT or --pwsh-file PATH");
        }

        if (given.Count > 1)
        {
            throw new BadInputException("give only one of --pwsh-command and --pwsh-file");
        }

        if (given.Count == 0)
        {
            if (parameters.Length > 0)
            {
                throw new BadInputException($"--param '{parameters[0]}' applies only to --pwsh-command and --pwsh-file");
            }

            var variables = environment.Select(pair => SplitPair("--env", pair)).ToList();
            if (string.IsNullOrWhiteSpace(commandLine[0]))
            {
                throw new BadInputException("the command to run must not be empty");
            }

            if (workingDirectory is not null && !Directory.Exists(workingDirectory))
            {
                throw new BadInputException($"--working-directory '{workingDirectory}' does not exist");
            }

            return (new CommandInvocation(commandLine[0], commandLine.Skip(1), workingDirectory is null ? null : Path.GetFullPath(workingDirectory), variables), JobArguments.None);
        }

        if (workingDirectory is not null)
        {
            throw new BadInputException($"--working-directory '{workingDirectory}' applies only to a command after --");
        }

        if (environment.Length > 0)
        {
            throw new BadInputException($"--env '{environment[0]}' applies only to a command after --");
        }

        var named = parameters.Select(pair => SplitPair("--param", pair)).Select(p => new KeyValuePair<string, object?>(p.Key, p.Value)).ToList();
        if (named.GroupBy(p => p.Key, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            throw new BadInputException($"--param '{twice.Key}' is given twice");
        }

        Invocation invocation;
        if (pwshCommand is not null)
        {
            invocation = string.IsNullOrWhiteSpace(pwshCommand)
                ? throw new BadInputException("--pwsh-command must not be empty")
                : PowerShellInvocation.FromScript(pwshCommand);
        }
        else
        {
            if (string.IsNullOrWhiteSpace(pwshFile))
            {
                throw new BadInputException("--pwsh-file must not be empty");
            }

            // The daemon runs the file later, from its own working directory: keep the full path.
            var fullPath = Path.GetFullPath(pwshFile!);
            invocation = File.Exists(fullPath)
                ? PowerShellInvocation.FromFile(fullPath)
                : throw new BadInputException($"--pwsh-file '{pwshFile}' does not exist");
        }

        var positional = commandLine.Select(a => (object?)a).ToList();
        return (invocation, positional.Count == 0 && named.Count == 0 ? JobArguments.None : JobArguments.Create(positional, named));
    }

    private static KeyValuePair<string, string> SplitPair(string flag, string pair)
    {
        var equals = pair.IndexOf('=');
        if (equals <= 0)
        {
            throw new BadInputException($"{flag} '{pair}' must be NAME=VALUE");
        }

        return new KeyValuePair<string, string>(pair.Substring(0, equals), pair.Substring(equals + 1));
    }
}
