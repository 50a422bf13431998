using System.CommandLine;
using Scheduler.Host.Output;

namespace Scheduler.Host.Commands;

/// <summary>
/// <c>schedhost trigger ID</c>: asks the scheduler running on the store (<c>schedhost run</c>, in any
/// process) to run the job now, in addition to its schedule. It notices within a second.
/// </summary>
internal static class TriggerCommand
{
    public static Command Create(HostContext context)
    {
        var store = HostStore.CreateOption();
        var json = new Option<bool>("--json") { Description = "Print {\"jobId\", \"schedulerId\", \"processId\", \"host\"} of the request." };
        var id = new Argument<string>("ID") { Description = "The job's id." };
        var command = new Command("trigger", "Ask the running daemon to run a job now (its schedule is unchanged).") { id, store, json };
        command.SetAction(result =>
        {
            using var session = StoreSession.Open(result, store, context, StoreUse.Change);
            var job = session.RequireJob(result.GetValue(id)!);

            // A request is only taken by a running scheduler: without one it would wait, and surprise later.
            var running = session.Shared.GetRunningScheduler();
            if (running is null)
            {
                context.Error.WriteLine($"schedhost: no scheduler is running on the store '{session.StorePath}'; start one with 'schedhost run'");
                return SchedHost.Failure;
            }

            session.Shared.RequestRun(job.Id);
            if (result.GetValue(json))
            {
                context.Output.WriteLine(JsonOutput.Write(writer =>
                {
                    writer.WriteStartObject();
                    writer.WriteString("jobId", job.Id);
                    writer.WriteString("schedulerId", running.SchedulerId);
                    writer.WriteNumber("processId", running.ProcessId);
                    writer.WriteString("host", running.Host);
                    writer.WriteEndObject();
                }));
            }
            else
            {
                context.Output.WriteLine(TerminalText.Escape($"Asked the scheduler '{running.SchedulerId}' (process {running.ProcessId} on {running.Host}) to run '{job.Id}' now."));
            }

            return SchedHost.Success;
        });
        return command;
    }
}
