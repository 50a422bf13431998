using System.CommandLine;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Scheduler.Triggers;

namespace Scheduler.Host.Commands;

/// <summary><c>schedhost next [ID]</c>: previews the next fire times of a stored job, or of a trigger given on the command line.</summary>
internal static class NextCommand
{
    private const int DefaultCount = 10;

    public static Command Create(HostContext context)
    {
        var output = context.Output;
        var triggerOptions = new TriggerOptions();
        var id = new Argument<string?>("ID") { Description = "A job in the store whose fire times to list, instead of a trigger given by the options.", Arity = ArgumentArity.ZeroOrOne };
        var store = HostStore.CreateOption();
        var after = new Option<string>("--after")
        {
            HelpName = "DATETIME",
            Description = "List fire times at or after this date-time (default: now).",
        };
        var count = new Option<int>("--count")
        {
            HelpName = "N",
            Description = "How many fire times to list.",
            DefaultValueFactory = _ => DefaultCount,
        };
        var json = new Option<bool>("--json")
        {
            Description = "Print a JSON array of the fire times.",
        };

        var command = new Command("next", "List the next fire times of a job in the store, or of a trigger given by the options (jitter is not applied).") { id, store };
        // With --jitter too, so that the trigger flags of an add command line preview as they are (the
        // fire times are listed without it, as the verb says).
        triggerOptions.AddTo(command, withJitter: true);
        command.Options.Add(after);
        command.Options.Add(count);
        command.Options.Add(json);

        // A stored job's trigger as the daemon uses it: its time zone, start and end are part of it.
        Trigger StoredTrigger(ParseResult result, string jobId)
        {
            if (triggerOptions.FirstGiven(result) is { } given)
            {
                throw new BadInputException($"give a job id or a trigger, not both: '{jobId}' and {given}");
            }

            using var session = StoreSession.Open(result, store, context, StoreUse.Read);
            return session.RequireJob(jobId).Trigger;
        }

        command.SetAction(result =>
        {
            var jobId = result.GetValue(id);
            var trigger = jobId is null ? triggerOptions.Build(result) : StoredTrigger(result, jobId);
            var howMany = result.GetValue(count);
            if (howMany < 1)
            {
                throw new BadInputException($"--count must be at least 1, not '{howMany}'");
            }

            var afterText = result.GetValue(after);
            var from = afterText is null ? context.Time.GetUtcNow() : TriggerOptions.ParseDateTime(after, afterText, trigger.TimeZone);
            // The fire times found before a trigger fails are listed, then the failure (as Get-SchedulerFireTime does).
            var fireTimes = new List<string>();
            InvalidOperationException? failure = null;
            try
            {
                foreach (var fireTime in trigger.GetFireTimes(from, howMany))
                {
                    fireTimes.Add(TriggerText.FormatFireTime(fireTime, trigger.TimeZone));
                }
            }
            catch (InvalidOperationException error)
            {
                failure = error;
            }

            if (failure is not null && fireTimes.Count == 0)
            {
                throw new BadInputException(failure.Message, failure);
            }

            if (result.GetValue(json))
            {
                output.WriteLine(ToJsonArray(fireTimes));
            }
            else
            {
                foreach (var fireTime in fireTimes)
                {
                    output.WriteLine(fireTime);
                }
            }

            if (failure is not null)
            {
                throw new BadInputException(failure.Message, failure);
            }

            return SchedHost.Success;
        });
        return command;
    }

    private static string ToJsonArray(List<string> values)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartArray();
            foreach (var value in values)
            {
                writer.WriteStringValue(value);
            }

            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
