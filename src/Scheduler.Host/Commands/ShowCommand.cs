using System.CommandLine;
using System.Globalization;
using Scheduler.Host.Output;
using Scheduler.Invocations;
using Scheduler.Jobs;

namespace Scheduler.Host.Commands;

/// <summary><c>schedhost show ID</c>: one job in full, with its latest run.</summary>
internal static class ShowCommand
{
    public static Command Create(HostContext context)
    {
        var store = HostStore.CreateOption();
        var json = new Option<bool>("--json") { Description = "Print the job's JSON definition with its schedule (nextRunTime, state)." };
        var id = new Argument<string>("ID") { Description = "The job's id." };
        var command = new Command("show", "Show a job: its trigger, what it runs, its options and its latest run.") { id, store, json };
        command.SetAction(result =>
        {
            using var session = StoreSession.Open(result, store, context, StoreUse.Read);
            var job = session.RequireJob(result.GetValue(id)!);
            if (result.GetValue(json))
            {
                context.Output.WriteLine(job.ToJson(includeSchedule: true));
                return SchedHost.Success;
            }

            var lastRuns = session.Scheduler.GetJobRuns(job.Id, 1);
            var lastRun = lastRuns.Count > 0 ? lastRuns[0] : null;
            foreach (var (label, value) in Fields(job, lastRun))
            {
                context.Output.WriteLine($"{label + ":",-15}{TerminalText.Escape(value)}");
            }

            return SchedHost.Success;
        });
        return command;
    }

    private static IEnumerable<(string Label, string Value)> Fields(Job job, JobRun? lastRun)
    {
        yield return ("Id", job.Id);
        yield return ("Name", job.Name);
        yield return ("State", job.State.ToString());
        if (job.LoadError is not null)
        {
            yield return ("Load error", job.LoadError);
        }

        yield return ("Next run", Describe.NextRun(job));
        yield return ("Trigger", Describe.Trigger(job.Trigger));
        yield return ("Runs", Describe.Invocation(job.Invocation));
        if (job.Invocation is CommandInvocation command)
        {
            if (command.WorkingDirectory is not null)
            {
                yield return ("Directory", command.WorkingDirectory);
            }

            foreach (var variable in command.Environment)
            {
                yield return ("Environment", $"{variable.Key}={variable.Value}");
            }
        }

        if (!job.Arguments.IsEmpty)
        {
            yield return ("Arguments", job.Arguments.ToJson());
        }

        var options = job.Options;
        yield return ("Executor", job.Executor);
        yield return ("Misfire grace", options.MisfireGraceTime is { } grace ? Describe.Duration(grace) : "unlimited");
        yield return ("Coalesce", options.Coalesce.ToString());
        yield return ("Max instances", options.MaxInstances.ToString(CultureInfo.InvariantCulture));
        yield return ("Overlap", options.Overlap.ToString());
        yield return ("Timeout", options.Timeout is { } timeout ? Describe.Duration(timeout) : "none");
        yield return ("Retries", options.RetryCount == 0 ? "none" : $"{options.RetryCount} ({Describe.Duration(options.RetryDelay)} apart)");
        yield return ("Recover", options.Recover ? "yes (re-run when abandoned)" : "no");
        yield return ("Last run", lastRun is null ? "never" : Describe.RunSummary(lastRun));
    }
}
