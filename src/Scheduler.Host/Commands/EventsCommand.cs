using System.CommandLine;
using Scheduler.Events;
using Scheduler.Host.Output;

namespace Scheduler.Host.Commands;

/// <summary>
/// <c>schedhost events</c>: the events the daemon recorded in the store, one line each (the daemon's
/// log format); <c>--follow</c> keeps printing new ones until Ctrl+C or SIGTERM.
/// </summary>
internal static class EventsCommand
{
    private const int DefaultCount = 50;
    private const int PageSize = 1000;

    public static Command Create(HostContext context)
    {
        var store = HostStore.CreateOption();
        var json = new Option<bool>("--json")
        {
            Description = "Print JSON: an array of events, or with --follow one event object per line.",
        };
        var follow = new Option<bool>("--follow") { Description = "Keep printing new events as the daemon records them (Ctrl+C stops)." };
        var last = new Option<int>("--last")
        {
            HelpName = "N",
            Description = "How many of the latest events to print first.",
            DefaultValueFactory = _ => DefaultCount,
        };
        var command = new Command("events", "Show the events the daemon recorded: runs started and ended, jobs added, errors.") { store, follow, last, json };
        command.SetAction(async (result, _) =>
        {
            var count = result.GetValue(last);
            if (count < 0)
            {
                throw new BadInputException($"--last must not be negative, not '{count}'");
            }

            using var session = StoreSession.Open(result, store, context, StoreUse.Read);
            var shared = session.Shared;
            var asJson = result.GetValue(json);
            var streaming = result.GetValue(follow);
            var after = Math.Max(0, shared.LastEventId - count);
            var latest = new List<SchedulerEvent>();
            IReadOnlyList<SchedulerEvent> page;
            while ((page = shared.ReadEvents(after, PageSize)).Count > 0)
            {
                latest.AddRange(page);
                after = page[^1].Sequence;
            }

            if (asJson && !streaming)
            {
                context.Output.WriteLine(JsonOutput.Write(writer =>
                {
                    writer.WriteStartArray();
                    foreach (var e in latest)
                    {
                        JsonOutput.WriteEvent(writer, e);
                    }

                    writer.WriteEndArray();
                }));
                return SchedHost.Success;
            }

            foreach (var e in latest)
            {
                Print(context.Output, e, asJson);
            }

            if (!streaming)
            {
                return SchedHost.Success;
            }

            using var stop = StopSignals.Register(context.Stopping);
            try
            {
                while (true)
                {
                    foreach (var e in await shared.WaitForEventsAsync(after, PageSize, stop.Token).ConfigureAwait(false))
                    {
                        Print(context.Output, e, asJson);
                        after = e.Sequence;
                    }
                }
            }
            catch (OperationCanceledException)
            {
                return SchedHost.Success;
            }
        });
        return command;
    }

    private static void Print(TextWriter output, SchedulerEvent e, bool asJson)
    {
        output.WriteLine(asJson ? JsonOutput.Write(writer => JsonOutput.WriteEvent(writer, e)) : EventLine.Format(e));
        output.Flush();
    }
}
