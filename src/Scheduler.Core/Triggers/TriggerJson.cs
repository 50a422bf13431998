using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Scheduler.Internal;

namespace Scheduler.Triggers;

/// <summary>
/// The persistent JSON form of triggers (stores, APIs, <c>--trigger-json</c>); docs/triggers.md is its
/// specification. Only the closed set of trigger kinds is read, so loading data never instantiates a
/// type named in it. Every reading error is a <see cref="FormatException"/> naming the field and value.
/// </summary>
internal static class TriggerJson
{
    /// <summary>The format version written on the outermost object; readers accept it and every older one.</summary>
    public const int CurrentVersion = 1;

    private const string KindNames = "cron, interval, date, calendarInterval, all or any";

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // Stored triggers are never embedded in HTML; keep '+' in offsets readable instead of \u002B.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static readonly JsonDocumentOptions ReaderOptions = new() { MaxDepth = 64 };

    public static string Write(Trigger trigger)
    {
        if (trigger is null)
        {
            throw new ArgumentNullException(nameof(trigger));
        }

        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, WriterOptions))
        {
            WriteTrigger(writer, trigger, outermost: true);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    public static Trigger Read(string json)
    {
        if (json is null)
        {
            throw new ArgumentNullException(nameof(json));
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, ReaderOptions);
        }
        catch (JsonException error)
        {
            throw new FormatException($"The trigger JSON is not valid JSON: {error.Message}", error);
        }

        using (document)
        {
            return ReadTrigger(document.RootElement, path: "", outermost: true);
        }
    }

    /// <summary>Writes the trigger as a versioned object inside a larger document (a job definition).</summary>
    internal static void WriteTo(Utf8JsonWriter writer, Trigger trigger) => WriteTrigger(writer, trigger, outermost: true);

    /// <summary>Reads a trigger object inside a larger document; errors name fields as <c>path.field</c>.</summary>
    internal static Trigger ReadFrom(JsonElement element, string path) => ReadTrigger(element, path, outermost: true);

    private static void WriteTrigger(Utf8JsonWriter writer, Trigger trigger, bool outermost)
    {
        writer.WriteStartObject();
        if (outermost)
        {
            writer.WriteNumber("version", CurrentVersion);
        }

        switch (trigger)
        {
            case CronTrigger cron:
                writer.WriteString("type", "cron");
                writer.WriteString("expression", cron.Expression);
                break;
            case IntervalTrigger interval:
                writer.WriteString("type", "interval");
                writer.WriteString("every", TriggerText.FormatDuration(interval.Every));
                break;
            case DateTrigger date:
                writer.WriteString("type", "date");
                writer.WriteString("at", TriggerText.FormatFireTime(date.At, date.TimeZone));
                break;
            case CalendarIntervalTrigger calendar:
                writer.WriteString("type", "calendarInterval");
                writer.WriteString("period", TriggerText.FormatPeriod(calendar.Period));
                if (calendar.TimeOfDay is { } timeOfDay)
                {
                    writer.WriteString("timeOfDay", TriggerText.FormatTimeOfDay(timeOfDay));
                }

                break;
            case AllTrigger all:
                writer.WriteString("type", "all");
                WriteChildren(writer, all.Triggers);
                break;
            case AnyTrigger any:
                writer.WriteString("type", "any");
                WriteChildren(writer, any.Triggers);
                break;
            default:
                throw new NotSupportedException($"The trigger type {trigger.GetType().Name} has no JSON form.");
        }

        writer.WriteString("timezone", TimeZones.PortableId(trigger.TimeZone));
        if (trigger.Start is { } start)
        {
            writer.WriteString("start", TriggerText.FormatFireTime(start, trigger.TimeZone));
        }

        if (trigger.End is { } end)
        {
            writer.WriteString("end", TriggerText.FormatFireTime(end, trigger.TimeZone));
        }

        if (trigger.Jitter is { } jitter)
        {
            writer.WriteString("jitter", TriggerText.FormatDuration(jitter));
        }

        writer.WriteEndObject();
    }

    private static void WriteChildren(Utf8JsonWriter writer, IReadOnlyList<Trigger> triggers)
    {
        writer.WriteStartArray("triggers");
        foreach (var child in triggers)
        {
            WriteTrigger(writer, child, outermost: false);
        }

        writer.WriteEndArray();
    }

    private static Trigger ReadTrigger(JsonElement element, string path, bool outermost)
    {
        var fields = new JsonFields(element, path, "trigger");
        if (outermost)
        {
            fields.CheckVersion(CurrentVersion);
        }

        var type = fields.RequiredString("type", "use " + KindNames);
        string[] allowed = type switch
        {
            "cron" => ["expression"],
            "interval" => ["every"],
            "date" => ["at"],
            "calendarInterval" => ["period", "timeOfDay"],
            "all" or "any" => ["triggers"],
            _ => throw new FormatException($"The trigger JSON field '{fields.PathOf("type")}' has the unknown value '{type}': use {KindNames}."),
        };
        RejectUnknown(fields, allowed, outermost, type);

        var zone = fields.OptionalString("timezone") is { } zoneId
            ? fields.Convert("timezone", zoneId, TimeZones.Resolve)
            : TimeZoneInfo.Local;
        var startText = fields.OptionalString("start");
        var endText = fields.OptionalString("end");
        var jitterText = fields.OptionalString("jitter");
        DateTimeOffset? start = startText is null ? null : fields.Convert("start", startText, text => TriggerText.ParseDateTime(text, zone));
        DateTimeOffset? end = endText is null ? null : fields.Convert("end", endText, text => TriggerText.ParseDateTime(text, zone));
        TimeSpan? jitter = jitterText is null ? null : fields.Convert("jitter", jitterText, TriggerText.ParseDuration);
        if (start is { } s && end is { } e && e < s)
        {
            throw fields.Invalid("end", $"is invalid: the end {endText} is before the start {startText}.");
        }

        if (jitter < TimeSpan.Zero)
        {
            throw fields.Invalid("jitter", $"is invalid: the jitter '{jitterText}' is negative.");
        }

        return Construct(fields, path, () => type switch
        {
            "cron" => fields.Convert("expression", fields.RequiredString("expression"), text => TriggerText.ParseCron(text, zone, start, end, jitter)),
            "interval" => new IntervalTrigger(
                fields.Convert("every", fields.RequiredString("every"), TriggerText.ParsePositiveDuration),
                start,
                end,
                zone,
                jitter),
            "date" => ReadDate(fields, zone, jitter),
            "calendarInterval" => new CalendarIntervalTrigger(
                fields.Convert("period", fields.RequiredString("period"), TriggerText.ParsePeriod),
                fields.OptionalString("timeOfDay") is { } timeText ? fields.Convert("timeOfDay", timeText, TriggerText.ParseTimeOfDay)
                    : startText is null ? null : TriggerText.WrittenTimeOfDayInGap(startText, zone),
                start,
                end,
                zone,
                jitter),
            "all" => new AllTrigger(ReadChildren(fields), start, end, zone, jitter),
            _ => new AnyTrigger(ReadChildren(fields), start, end, zone, jitter),
        });
    }

    private static DateTrigger ReadDate(JsonFields fields, TimeZoneInfo zone, TimeSpan? jitter)
    {
        if (fields.TryGet("start", out _) || fields.TryGet("end", out _))
        {
            throw new FormatException($"The trigger JSON field '{fields.PathOf(fields.TryGet("start", out _) ? "start" : "end")}' does not apply to a date trigger, which fires once at 'at'.");
        }

        var at = fields.Convert("at", fields.RequiredString("at"), text => TriggerText.ParseDateTime(text, zone));
        return new DateTrigger(at, zone, jitter);
    }

    private static List<Trigger> ReadChildren(JsonFields fields)
    {
        if (!fields.TryGet("triggers", out var array))
        {
            throw fields.Invalid("triggers", "is missing: an all- or any-trigger needs a list of triggers.");
        }

        if (array.ValueKind != JsonValueKind.Array || array.GetArrayLength() == 0)
        {
            throw fields.Invalid("triggers", $"must be a non-empty array of triggers, not {JsonFields.Describe(array)}.");
        }

        var children = new List<Trigger>();
        var index = 0;
        foreach (var child in array.EnumerateArray())
        {
            children.Add(ReadTrigger(child, fields.PathOf("triggers") + "[" + index.ToString(CultureInfo.InvariantCulture) + "]", outermost: false));
            index++;
        }

        return children;
    }

    private static void RejectUnknown(JsonFields fields, string[] kindFields, bool outermost, string type)
    {
        foreach (var name in fields.Names)
        {
            var known = name is "type" or "timezone" or "start" or "end" or "jitter"
                || (outermost && name == "version")
                || Array.IndexOf(kindFields, name) >= 0;
            if (!known)
            {
                // A misspelt field must not silently change a schedule, so unknown fields are errors.
                throw fields.Invalid(
                    name,
                    $"is not part of a {type} trigger: it takes {string.Join(", ", kindFields)}, timezone, start, end and jitter{(outermost ? " (and version)" : string.Empty)}.");
            }
        }
    }

    /// <summary>Runs a trigger constructor, naming the field its argument error is about.</summary>
    private static Trigger Construct(JsonFields fields, string path, Func<Trigger> construct)
    {
        try
        {
            return construct();
        }
        catch (ArgumentException error) when (error.ParamName is { Length: > 0 } parameter)
        {
            var field = parameter is "every" or "period" or "timeOfDay" or "start" or "end" or "jitter" ? parameter : null;
            throw field is null
                ? new FormatException($"The trigger JSON{(path.Length == 0 ? string.Empty : $" at '{path}'")} is invalid: {ExceptionText.FirstLine(error)}", error)
                : fields.Invalid(field, "is invalid: " + ExceptionText.FirstLine(error), error);
        }
    }
}
