using System.CommandLine;
using System.Globalization;
using Scheduler.Host.Output;

namespace Scheduler.Host.Commands;

/// <summary>
/// <c>schedhost status</c>: the store, its jobs, and every scheduler running on it — at most one on a
/// SQLite file, every live node of a cluster on PostgreSQL, with how far its clock is from the database's.
/// </summary>
internal static class StatusCommand
{
    public static Command Create(HostContext context)
    {
        var store = HostStore.CreateOption();
        var json = new Option<bool>("--json")
        {
            Description = "Print {\"store\", \"kind\", \"jobs\", \"nextRunTime\", \"schedulers\": [{\"schedulerId\", \"host\", \"processId\", \"since\", \"clockSkewSeconds\"}]}.",
        };
        var command = new Command("status", "Show the store and every scheduler running on it (each node of a PostgreSQL cluster).") { store, json };
        command.SetAction(result =>
        {
            using var session = StoreSession.Open(result, store, context, StoreUse.Read);
            var kind = session.IsPostgres ? "postgresql" : "sqlite";
            var running = session.Shared.GetRunningSchedulers();
            var (count, next) = session.Scheduler.GetJobCountAndNextRunTime();
            if (result.GetValue(json))
            {
                context.Output.WriteLine(JsonOutput.Write(writer =>
                {
                    writer.WriteStartObject();
                    writer.WriteString("store", session.StoreName);
                    writer.WriteString("kind", kind);
                    writer.WriteNumber("jobs", count);
                    JsonOutput.WriteTime(writer, "nextRunTime", next);
                    writer.WritePropertyName("schedulers");
                    writer.WriteStartArray();
                    foreach (var scheduler in running)
                    {
                        JsonOutput.WriteRunningScheduler(writer, scheduler);
                    }

                    writer.WriteEndArray();
                    writer.WriteEndObject();
                }));
                return SchedHost.Success;
            }

            context.Output.WriteLine(TerminalText.Escape($"Store:       {session.StoreName} ({(kind == "sqlite" ? "SQLite" : "PostgreSQL")})"));
            context.Output.WriteLine($"Jobs:        {count.ToString(CultureInfo.InvariantCulture)}{(next is null ? string.Empty : $", next run {Describe.Time(next)}")}");
            context.Output.WriteLine($"Schedulers:  {(running.Count == 0 ? "none running (start one with 'schedhost run')" : $"{running.Count.ToString(CultureInfo.InvariantCulture)} running")}");
            if (running.Count == 0)
            {
                return SchedHost.Success;
            }

            // A SQLite file has no clock of its own to measure against: no column for it.
            var measured = running.Any(scheduler => scheduler.ClockSkew is not null);
            var table = measured
                ? new TextTable("SCHEDULER", "HOST", "PID", "SINCE", "CLOCK SKEW")
                : new TextTable("SCHEDULER", "HOST", "PID", "SINCE");
            foreach (var scheduler in running)
            {
                var cells = new List<string> { scheduler.SchedulerId, scheduler.Host, scheduler.ProcessId.ToString(CultureInfo.InvariantCulture), Describe.Time(scheduler.Since) };
                if (measured)
                {
                    cells.Add(scheduler.ClockSkew is { } skew ? (skew < TimeSpan.Zero ? "-" : "+") + Describe.Seconds(skew.Duration()) : "-");
                }

                table.Add([.. cells]);
            }

            context.Output.WriteLine();
            table.WriteTo(context.Output);
            return SchedHost.Success;
        });
        return command;
    }
}
