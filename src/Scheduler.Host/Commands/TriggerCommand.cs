using System.CommandLine;
using Scheduler.Host.Output;

namespace Scheduler.Host.Commands;

/// <summary>
/// <c>schedhost trigger ID</c>: asks the schedulers running on the store (<c>schedhost run</c>, in any
/// process; on PostgreSQL every node of the cluster) to run the job now, in addition to its schedule. The
/// one that takes the request first runs it, within about a second.
/// </summary>
internal static class TriggerCommand
{
    public static Command Create(HostContext context)
    {
        var store = HostStore.CreateOption();
        var json = new Option<bool>("--json")
        {
            Description = "Print {\"jobId\", \"schedulerId\", \"processId\", \"host\", \"schedulers\"} of the request (the first three null when several schedulers run).",
        };
        var id = new Argument<string>("ID") { Description = "The job's id." };
        var command = new Command("trigger", "Ask the running daemon (any node of a cluster) to run a job now (its schedule is unchanged).") { id, store, json };
        command.SetAction(result =>
        {
            using var session = StoreSession.Open(result, store, context, StoreUse.Change);
            var job = session.RequireJob(result.GetValue(id)!);

            // A request is only taken by a running scheduler: without one it would wait, and surprise later.
            var running = session.Shared.GetRunningSchedulers();
            if (running.Count == 0)
            {
                context.Error.WriteLine(TerminalText.Escape($"schedhost: no scheduler is running on the store '{session.StoreName}'; start one with 'schedhost run'"));
                return SchedHost.Failure;
            }

            session.Shared.RequestRun(job.Id);
            var only = running.Count == 1 ? running[0] : null;
            if (result.GetValue(json))
            {
                context.Output.WriteLine(JsonOutput.Write(writer =>
                {
                    writer.WriteStartObject();
                    writer.WriteString("jobId", job.Id);
                    writer.WriteString("schedulerId", only?.SchedulerId);
                    if (only is null)
                    {
                        writer.WriteNull("processId");
                    }
                    else
                    {
                        writer.WriteNumber("processId", only.ProcessId);
                    }

                    writer.WriteString("host", only?.Host);
                    writer.WritePropertyName("schedulers");
                    writer.WriteStartArray();
                    foreach (var scheduler in running)
                    {
                        JsonOutput.WriteRunningScheduler(writer, scheduler);
                    }

                    writer.WriteEndArray();
                    writer.WriteEndObject();
                }));
            }
            else
            {
                context.Output.WriteLine(TerminalText.Escape(only is not null
                    ? $"Asked the scheduler '{only.SchedulerId}' (process {only.ProcessId} on {only.Host}) to run '{job.Id}' now."
                    : $"Asked the {running.Count} schedulers running on the store to run '{job.Id}' now; the first to take the request runs it."));
            }

            return SchedHost.Success;
        });
        return command;
    }
}
