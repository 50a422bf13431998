using System.CommandLine;
using Scheduler.Host.Output;

namespace Scheduler.Host.Commands;

/// <summary><c>schedhost list</c>: the jobs in the store, by next run time (paused and broken ones last).</summary>
internal static class ListCommand
{
    public static Command Create(HostContext context)
    {
        var store = HostStore.CreateOption();
        var json = new Option<bool>("--json") { Description = "Print a JSON array of jobs (id, name, state, nextRunTime, trigger, runs, executor)." };
        var command = new Command("list", "List the jobs in the store.") { store, json };
        command.SetAction(result =>
        {
            using var session = StoreSession.Open(result, store, context, StoreUse.Read);
            var jobs = session.Scheduler.GetJobs();
            if (result.GetValue(json))
            {
                context.Output.WriteLine(JsonOutput.Write(writer =>
                {
                    writer.WriteStartArray();
                    foreach (var job in jobs)
                    {
                        JsonOutput.WriteJob(writer, job);
                    }

                    writer.WriteEndArray();
                }));
                return SchedHost.Success;
            }

            if (jobs.Count == 0)
            {
                context.Output.WriteLine($"No jobs in {session.StoreName}.");
                return SchedHost.Success;
            }

            var table = new TextTable("ID", "NAME", "STATE", "NEXT RUN", "TRIGGER", "RUNS");
            foreach (var job in jobs)
            {
                table.Add(job.Id, job.Name, job.State.ToString(), Describe.NextRun(job), Describe.Trigger(job.Trigger), Describe.FirstLine(Describe.Invocation(job.Invocation)));
            }

            table.WriteTo(context.Output);
            return SchedHost.Success;
        });
        return command;
    }
}
