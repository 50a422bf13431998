using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Scheduler.Internal;
using Scheduler.Invocations;
using Scheduler.Triggers;

namespace Scheduler.Jobs;

/// <summary>
/// The persistent JSON form of a job definition: what the SQLite store keeps, what
/// <c>schedhost show --json</c> prints and what the module reads. One versioned object:
/// <code>
/// { "version": 1, "id": "backup", "name": "Nightly backup",
///   "trigger": { "version": 1, "type": "cron", "expression": "0 2 * * *", "timezone": "Europe/Berlin" },
///   "invocation": { "kind": "command", "executable": "tar", "arguments": ["-czf", "/b.tgz", "/data"] },
///   "arguments": { "positional": [], "named": {} },
///   "options": { "timeout": 600, "recover": true },
///   "executor": "default", "store": "default" }
/// </code>
/// Invocation kinds: <c>delegate</c> (<c>name</c>), <c>method</c> (<c>method</c>: an import string),
/// <c>command</c> (<c>executable</c>, <c>arguments</c>, <c>workingDirectory</c>, <c>environment</c>) and
/// <c>powershell</c> (one of <c>script</c>, <c>file</c>, <c>command</c>; <c>initializationScript</c>,
/// <c>using</c>). <c>arguments</c> and <c>options</c> are left out when empty or default; options hold
/// only the values that differ from the defaults. The schedule (next run time, paused) is not part of
/// the definition: <see cref="Write"/> adds it, for display only, when asked; reading ignores it.
/// </summary>
/// <remarks>
/// Reading never instantiates a type named in the data: the kinds are a closed set, and a method
/// invocation keeps its import string until the job runs. Every reading error is a
/// <see cref="FormatException"/> naming the field.
/// </remarks>
internal static class JobJson
{
    /// <summary>The format version written; readers accept it and every older one.</summary>
    public const int CurrentVersion = 1;

    private const string KindNames = "delegate, method, command or powershell";

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // Definitions are never embedded in HTML; keep scripts and offsets readable.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static readonly JsonDocumentOptions ReaderOptions = new() { MaxDepth = 64 };

    private static readonly string[] PowerShellSources = ["script", "file", "command"];

    /// <summary>The job's definition as JSON; with <paramref name="includeSchedule"/>, also its next run time, state and load error (for display).</summary>
    /// <exception cref="ArgumentException">The job runs a delegate bound in-process, which has no persistent form.</exception>
    public static string Write(Job job, bool includeSchedule = false)
    {
        if (job is null)
        {
            throw new ArgumentNullException(nameof(job));
        }

        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, WriterOptions))
        {
            WriteTo(writer, job, includeSchedule);
        }

        return Encoding.UTF8.GetString(stream.GetBuffer(), 0, (int)stream.Length);
    }

    /// <inheritdoc cref="Write"/>
    public static void WriteTo(Utf8JsonWriter writer, Job job, bool includeSchedule = false)
    {
        if (writer is null)
        {
            throw new ArgumentNullException(nameof(writer));
        }

        if (job is null)
        {
            throw new ArgumentNullException(nameof(job));
        }

        CheckPersistable(job);
        writer.WriteStartObject();
        writer.WriteNumber("version", CurrentVersion);
        writer.WriteString("id", job.Id);
        writer.WriteString("name", job.Name);
        writer.WritePropertyName("trigger");
        TriggerJson.WriteTo(writer, job.Trigger);
        writer.WritePropertyName("invocation");
        WriteInvocation(writer, job.Invocation);
        if (!job.Arguments.IsEmpty)
        {
            writer.WritePropertyName("arguments");
            WriteArguments(writer, job.Arguments);
        }

        if (job.Options != JobOptions.Default)
        {
            writer.WritePropertyName("options");
            OptionsJson.WriteJobOptions(writer, job.Options);
        }

        writer.WriteString("executor", job.Executor);
        writer.WriteString("store", job.Store);
        if (includeSchedule)
        {
            if (job.NextRunTime is { } next)
            {
                writer.WriteString("nextRunTime", next.ToString("O", CultureInfo.InvariantCulture));
            }
            else
            {
                writer.WriteNull("nextRunTime");
            }

            writer.WriteString("state", job.State.ToString());
            if (job.LoadError is { } loadError)
            {
                writer.WriteString("loadError", loadError);
            }
        }

        writer.WriteEndObject();
    }

    /// <summary>Throws when the job cannot be written: it runs a delegate bound in-process.</summary>
    /// <exception cref="ArgumentException">The job runs a bound delegate.</exception>
    public static void CheckPersistable(Job job)
    {
        if (job.Invocation is DelegateInvocation { Target: not null } bound)
        {
            throw new ArgumentException(
                $"The job '{job.Id}' runs an in-process delegate ({bound.Name}) and cannot be stored in a SQLite store; register the delegate by name with RegisterDelegate and add the job with a DelegateInvocation of that name.",
                nameof(job));
        }
    }

    /// <summary>
    /// Reads a job definition. The job has no next run time; its state is <see cref="JobState.Scheduled"/>
    /// (the store that keeps it sets its schedule).
    /// </summary>
    /// <exception cref="FormatException">The text is not a job definition this version understands; the message names the field.</exception>
    public static Job Read(string json)
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
            throw new FormatException($"The job JSON is not valid JSON: {error.Message}", error);
        }

        using (document)
        {
            return Read(document.RootElement);
        }
    }

    /// <inheritdoc cref="Read(string)"/>
    public static Job Read(JsonElement element)
    {
        var fields = new JsonFields(element, path: string.Empty, subject: "job");
        fields.CheckVersion(CurrentVersion);
        RejectUnknown(fields,
            "version, id, name, trigger, invocation, arguments, options, executor, store",
            "version", "id", "name", "trigger", "invocation", "arguments", "options", "executor", "store", "nextRunTime", "state", "loadError");

        var id = fields.RequiredName("id");
        var name = fields.OptionalName("name") ?? id;
        var trigger = TriggerJson.ReadFrom(fields.Required("trigger"), "trigger");
        var invocation = ReadInvocation(fields.Required("invocation"));
        var arguments = fields.TryGet("arguments", out var argumentsElement) && argumentsElement.ValueKind != JsonValueKind.Null
            ? fields.Convert("arguments", argumentsElement, static e => JobArguments.Parse(e.GetRawText()))
            : JobArguments.None;
        var options = fields.TryGet("options", out var optionsElement) && optionsElement.ValueKind != JsonValueKind.Null
            ? fields.Convert("options", optionsElement, static e => OptionsJson.ReadJobOptions(e, JobOptions.Default))
            : JobOptions.Default;
        var executor = fields.OptionalName("executor") ?? Job.DefaultComponentName;
        var store = fields.OptionalName("store") ?? Job.DefaultComponentName;
        return new Job(id, name, trigger, invocation, arguments, options, executor, store);
    }

    private static void WriteInvocation(Utf8JsonWriter writer, Invocation invocation)
    {
        writer.WriteStartObject();
        switch (invocation)
        {
            case DelegateInvocation call:
                writer.WriteString("kind", "delegate");
                writer.WriteString("name", call.Name);
                break;
            case MethodInvocation method:
                writer.WriteString("kind", "method");
                writer.WriteString("method", method.ImportString);
                break;
            case CommandInvocation command:
                writer.WriteString("kind", "command");
                writer.WriteString("executable", command.Executable);
                if (command.Arguments.Count > 0)
                {
                    writer.WriteStartArray("arguments");
                    foreach (var argument in command.Arguments)
                    {
                        writer.WriteStringValue(argument);
                    }

                    writer.WriteEndArray();
                }

                if (command.WorkingDirectory is { } directory)
                {
                    writer.WriteString("workingDirectory", directory);
                }

                if (command.Environment.Count > 0)
                {
                    writer.WriteStartObject("environment");
                    foreach (var pair in command.Environment.OrderBy(p => p.Key, StringComparer.Ordinal))
                    {
                        writer.WriteString(pair.Key, pair.Value);
                    }

                    writer.WriteEndObject();
                }

                break;
            case PowerShellInvocation powerShell:
                writer.WriteString("kind", "powershell");
                writer.WriteString(SourceField(powerShell.Source), powerShell.Text);
                if (powerShell.InitializationScript is { } initialization)
                {
                    writer.WriteString("initializationScript", initialization);
                }

                if (powerShell.UsingValues.Count > 0)
                {
                    writer.WriteStartObject("using");
                    foreach (var pair in powerShell.UsingValues.OrderBy(p => p.Key, StringComparer.Ordinal))
                    {
                        writer.WritePropertyName(pair.Key);
                        pair.Value.WriteTo(writer);
                    }

                    writer.WriteEndObject();
                }

                break;
            default:
                throw new NotSupportedException($"The invocation type {invocation.GetType().Name} has no JSON form.");
        }

        writer.WriteEndObject();
    }

    private static void WriteArguments(Utf8JsonWriter writer, JobArguments arguments)
    {
        writer.WriteStartObject();
        writer.WriteStartArray("positional");
        foreach (var value in arguments.Positional)
        {
            value.WriteTo(writer);
        }

        writer.WriteEndArray();
        writer.WriteStartObject("named");
        foreach (var pair in arguments.Named)
        {
            writer.WritePropertyName(pair.Key);
            pair.Value.WriteTo(writer);
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static Invocation ReadInvocation(JsonElement element)
    {
        var fields = new JsonFields(element, "invocation", "job");
        var kind = fields.RequiredString("kind", "use " + KindNames);
        switch (kind)
        {
            case "delegate":
                RejectUnknown(fields, "kind, name", "kind", "name");
                return Construct(fields, "name", () => new DelegateInvocation(fields.RequiredString("name")));
            case "method":
                RejectUnknown(fields, "kind, method", "kind", "method");
                return Construct(fields, "method", () => new MethodInvocation(fields.RequiredString("method")));
            case "command":
                RejectUnknown(fields, "kind, executable, arguments, workingDirectory, environment", "kind", "executable", "arguments", "workingDirectory", "environment");
                var executable = fields.RequiredString("executable");
                var arguments = fields.OptionalStringArray("arguments");
                var directory = fields.OptionalString("workingDirectory");
                var environment = fields.OptionalStringMap("environment");
                return Construct(fields, "environment", () => new CommandInvocation(executable, arguments, directory, environment), whenOther: "executable");
            case "powershell":
                RejectUnknown(fields, "kind, script, file, command, initializationScript, using", "kind", "script", "file", "command", "initializationScript", "using");
                var sources = PowerShellSources.Where(f => fields.TryGet(f, out _)).ToArray();
                if (sources.Length != 1)
                {
                    throw new FormatException(sources.Length == 0
                        ? "The job JSON field 'invocation' of kind powershell needs one of 'script', 'file' or 'command'."
                        : $"The job JSON field 'invocation' of kind powershell takes only one of 'script', 'file' or 'command', not {string.Join(" and ", sources.Select(s => "'" + s + "'"))}.");
                }

                var source = sources[0];
                var text = fields.RequiredString(source);
                var initialization = fields.OptionalString("initializationScript");
                var usingValues = fields.OptionalValueMap("using");
                if (usingValues is not null && source != "script")
                {
                    throw new FormatException($"The job JSON field 'invocation.using' applies only to a script, not a {source}.");
                }

                return Construct(fields, source, () => source switch
                {
                    "script" => PowerShellInvocation.FromScript(text, initialization, usingValues),
                    "file" => PowerShellInvocation.FromFile(text, initialization),
                    _ => PowerShellInvocation.FromCommand(text, initialization),
                });
            default:
                throw new FormatException($"The job JSON field 'invocation.kind' has the unknown value '{kind}': use {KindNames}.");
        }
    }

    private static string SourceField(PowerShellSource source) => source switch
    {
        PowerShellSource.File => "file",
        PowerShellSource.Command => "command",
        _ => "script",
    };

    private static void RejectUnknown(JsonFields fields, string expected, params string[] known)
    {
        foreach (var name in fields.Names)
        {
            if (Array.IndexOf(known, name) < 0)
            {
                // A misspelt field must not silently change what a job does, so unknown fields are errors.
                throw fields.Invalid(name, $"is unknown: expected {expected}.");
            }
        }
    }

    /// <summary>Runs a constructor, naming the field its argument error is about.</summary>
    private static T Construct<T>(JsonFields fields, string field, Func<T> construct, string? whenOther = null)
    {
        try
        {
            return construct();
        }
        catch (ArgumentException error)
        {
            var named = whenOther is not null && error.ParamName != field ? whenOther : field;
            throw fields.Invalid(named, "is invalid: " + ExceptionText.FirstLine(error), error);
        }
    }
}
