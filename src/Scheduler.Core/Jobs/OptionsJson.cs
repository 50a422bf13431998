using System.Globalization;
using System.Text.Json;
using System.Xml;
namespace Scheduler.Jobs;

/// <summary>
/// Reads and writes job options as JSON, with errors that name the property and value; the readers of
/// single values also serve the scheduler's options (<c>SchedulerOptions.FromJson</c>).
/// </summary>
internal static class OptionsJson
{
    /// <summary>Reads job options from a JSON object; properties not given keep their value in <paramref name="defaults"/>.</summary>
    public static JobOptions ReadJobOptions(JsonElement element, JobOptions defaults)
    {
        RequireObject(element, "job options");
        var options = defaults;
        foreach (var property in element.EnumerateObject())
        {
            options = Apply(property, options, static (p, o) => Key(p.Name) switch
            {
                "MISFIREGRACETIME" => o with { MisfireGraceTime = ReadOptionalTime(p) },
                "COALESCE" => o with { Coalesce = ReadEnum<CoalescePolicy>(p) },
                "MAXINSTANCES" => o with { MaxInstances = ReadInt(p) },
                "OVERLAP" or "OVERLAPPOLICY" => o with { Overlap = ReadEnum<OverlapPolicy>(p) },
                "TIMEOUT" => o with { Timeout = ReadOptionalTime(p) },
                "RETRYCOUNT" => o with { RetryCount = ReadInt(p) },
                "RETRYDELAY" => o with { RetryDelay = ReadOptionalTime(p) ?? TimeSpan.Zero },
                "RECOVER" => o with { Recover = ReadBool(p) },
                _ => throw Unknown(p, "misfireGraceTime, coalesce, maxInstances, overlap, timeout, retryCount, retryDelay, recover"),
            });
        }

        return options == JobOptions.Default ? JobOptions.Default : options;
    }

    /// <summary>Writes job options as a JSON object, only the values that differ from the defaults.</summary>
    public static void WriteJobOptions(Utf8JsonWriter writer, JobOptions options)
    {
        var defaults = JobOptions.Default;
        writer.WriteStartObject();
        if (options.MisfireGraceTime is { } grace)
        {
            writer.WriteNumber("misfireGraceTime", grace.TotalSeconds);
        }

        if (options.Coalesce != defaults.Coalesce)
        {
            writer.WriteString("coalesce", options.Coalesce.ToString());
        }

        if (options.MaxInstances != defaults.MaxInstances)
        {
            writer.WriteNumber("maxInstances", options.MaxInstances);
        }

        if (options.Overlap != defaults.Overlap)
        {
            writer.WriteString("overlap", options.Overlap.ToString());
        }

        if (options.Timeout is { } timeout)
        {
            writer.WriteNumber("timeout", timeout.TotalSeconds);
        }

        if (options.RetryCount != defaults.RetryCount)
        {
            writer.WriteNumber("retryCount", options.RetryCount);
        }

        if (options.RetryDelay != defaults.RetryDelay)
        {
            writer.WriteNumber("retryDelay", options.RetryDelay.TotalSeconds);
        }

        if (options.Recover)
        {
            writer.WriteBoolean("recover", true);
        }

        writer.WriteEndObject();
    }

    internal static T Apply<T>(JsonProperty property, T options, Func<JsonProperty, T, T> apply)
    {
        try
        {
            return apply(property, options);
        }
        catch (ArgumentException error) when (error is not JsonOptionsException)
        {
            throw new JsonOptionsException($"Invalid '{property.Name}' ({property.Value.GetRawText()}): {error.Message}", error);
        }
    }

    internal static string Key(string name) => name.Replace("_", string.Empty).Replace("-", string.Empty).ToUpperInvariant();

    internal static JsonDocument Parse(string json, string what)
    {
        if (json is null)
        {
            throw new ArgumentNullException(nameof(json));
        }

        try
        {
            return JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException error)
        {
            throw new JsonOptionsException($"The {what} are not valid JSON: {error.Message}", error);
        }
    }

    internal static void RequireObject(JsonElement element, string what)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new JsonOptionsException($"The {what} must be a JSON object, not {element.ValueKind}: {element.GetRawText()}");
        }
    }

    internal static JsonOptionsException Unknown(JsonProperty property, string known)
        => new($"Unknown property '{property.Name}'; expected one of: {known}.");

    internal static string? ReadString(JsonProperty property) => property.Value.ValueKind switch
    {
        JsonValueKind.Null => null,
        JsonValueKind.String => property.Value.GetString(),
        _ => throw new ArgumentException($"'{property.Name}' must be a string."),
    };

    internal static int ReadInt(JsonProperty property)
        => property.Value.ValueKind == JsonValueKind.Number && property.Value.TryGetInt32(out var value)
            ? value
            : throw new ArgumentException($"'{property.Name}' must be a whole number.");

    internal static bool ReadBool(JsonProperty property) => property.Value.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => throw new ArgumentException($"'{property.Name}' must be true or false."),
    };

    internal static T ReadEnum<T>(JsonProperty property)
        where T : struct
    {
        if (property.Value.ValueKind == JsonValueKind.String
            && property.Value.GetString() is { } text
            && !char.IsDigit(text.Trim().FirstOrDefault())
            && Enum.TryParse<T>(text, ignoreCase: true, out var value))
        {
            return value;
        }

        throw new ArgumentException($"'{property.Name}' must be one of: {string.Join(", ", Enum.GetNames(typeof(T)))}.");
    }

    /// <summary>Seconds as a number, or a time span as text ("00:05:00", "PT5M"); null for JSON null.</summary>
    internal static TimeSpan? ReadOptionalTime(JsonProperty property)
    {
        var value = property.Value;
        switch (value.ValueKind)
        {
            case JsonValueKind.Null:
                return null;
            case JsonValueKind.Number when value.TryGetDouble(out var seconds) && !double.IsNaN(seconds) && Math.Abs(seconds) < TimeSpan.MaxValue.TotalSeconds:
                return TimeSpan.FromTicks((long)(seconds * TimeSpan.TicksPerSecond));
            case JsonValueKind.String:
                var text = value.GetString()!.Trim();
                if (TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span))
                {
                    return span;
                }

                if (text.StartsWith("P", StringComparison.OrdinalIgnoreCase) || text.StartsWith("-P", StringComparison.OrdinalIgnoreCase))
                {
                    try
                    {
                        return XmlConvert.ToTimeSpan(text.ToUpperInvariant());
                    }
                    catch (FormatException)
                    {
                    }
                }

                break;
        }

        throw new ArgumentException($"'{property.Name}' must be a number of seconds or a time span such as \"00:05:00\" or \"PT5M\".");
    }
}

/// <summary>An options document that cannot be read; the message names the property and value.</summary>
internal sealed class JsonOptionsException : ArgumentException
{
    public JsonOptionsException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}
