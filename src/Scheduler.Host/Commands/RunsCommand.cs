using System.CommandLine;
using Scheduler.Host.Output;
using Scheduler.Jobs;

namespace Scheduler.Host.Commands;

/// <summary><c>schedhost runs [ID]</c>: the latest runs of one job, or of every job, newest first.</summary>
internal static class RunsCommand
{
    private const int DefaultCount = 20;

    public static Command Create(HostContext context)
    {
        var store = HostStore.CreateOption();
        var json = new Option<bool>("--json")
        {
            Description = "Print a JSON array of runs (jobId, runId, scheduledTime, startTime, endTime, outcome, exitCode, output, error, attempt, schedulerId).",
        };
        var last = new Option<int>("--last")
        {
            HelpName = "N",
            Description = "How many runs to show (newest first).",
            DefaultValueFactory = _ => DefaultCount,
        };
        var id = new Argument<string?>("ID") { Description = "The job's id (default: every job).", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("runs", "Show the run history (of one job, or of every job including recently ended one-off jobs): when each run was due and started, how it ended, its exit code and output.") { id, store, last, json };
        command.SetAction(result =>
        {
            var count = result.GetValue(last);
            if (count < 1)
            {
                throw new BadInputException($"--last must be at least 1, not '{count}'");
            }

            using var session = StoreSession.Open(result, store, context, StoreUse.Read);
            IReadOnlyList<JobRun> runs;
            if (result.GetValue(id) is { } jobId)
            {
                runs = session.Scheduler.GetJobRuns(jobId, count);
                if (runs.Count == 0)
                {
                    session.RequireJob(jobId);
                }
            }
            else
            {
                runs = JobIds(session)
                    .SelectMany(job => session.Scheduler.GetJobRuns(job, count))
                    .OrderByDescending(run => run.StartTime ?? run.ScheduledTime)
                    .Take(count)
                    .ToList();
            }

            if (result.GetValue(json))
            {
                context.Output.WriteLine(JsonOutput.Write(writer =>
                {
                    writer.WriteStartArray();
                    foreach (var run in runs)
                    {
                        JsonOutput.WriteRun(writer, run);
                    }

                    writer.WriteEndArray();
                }));
                return SchedHost.Success;
            }

            if (runs.Count == 0)
            {
                context.Output.WriteLine("No runs yet.");
                return SchedHost.Success;
            }

            // On a cluster, which node ran a run is part of the answer; a SQLite file has one scheduler.
            var headers = new List<string> { "JOB", "SCHEDULED", "STARTED", "DURATION", "OUTCOME", "EXIT" };
            if (session.IsPostgres)
            {
                headers.Add("SCHEDULER");
            }

            headers.Add("OUTPUT / ERROR");
            var table = new TextTable([.. headers]);
            foreach (var run in runs)
            {
                var text = run.Outcome == JobRunOutcome.Succeeded ? run.Output : run.Error ?? run.Output;
                var cells = new List<string>
                {
                    run.JobId,
                    Describe.Time(run.ScheduledTime),
                    Describe.Time(run.StartTime),
                    run.Duration is { } duration ? Describe.Seconds(duration) : "-",
                    run.Outcome.ToString(),
                    run.ExitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-",
                };
                if (session.IsPostgres)
                {
                    cells.Add(run.SchedulerId ?? "-");
                }

                cells.Add(Describe.FirstLine(text));
                table.Add([.. cells]);
            }

            table.WriteTo(context.Output);
            return SchedHost.Success;
        });
        return command;
    }

    /// <summary>The jobs in the store, and those that have ended (one-off jobs are removed once they ran, their runs stay).</summary>
    private static HashSet<string> JobIds(StoreSession session)
    {
        var ids = new HashSet<string>(session.Scheduler.GetJobs().Select(job => job.Id), StringComparer.Ordinal);
        ids.UnionWith(session.Scheduler.GetEndedJobIds());
        return ids;
    }
}
