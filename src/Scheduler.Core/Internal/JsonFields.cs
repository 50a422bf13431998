using System.Globalization;
using System.Text.Json;

namespace Scheduler.Internal;

/// <summary>
/// The fields of one object of a versioned JSON document (a job definition, a trigger), read with
/// errors that name the field by its path: every error is a <see cref="FormatException"/> saying
/// "The <i>subject</i> JSON field 'a.b' ...".
/// </summary>
internal sealed class JsonFields
{
    private readonly Dictionary<string, JsonElement> values = new(StringComparer.Ordinal);
    private readonly string path;
    private readonly string subject;

    /// <param name="element">The object; anything else is an error.</param>
    /// <param name="path">Its path in the document, empty for the document itself.</param>
    /// <param name="subject">What the document is, for messages: "job", "trigger".</param>
    public JsonFields(JsonElement element, string path, string subject)
    {
        this.path = path;
        this.subject = subject;
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException(path.Length == 0
                ? $"The {subject} JSON must be an object, not {Describe(element)}."
                : $"The {subject} JSON field '{path}' must be an object, not {Describe(element)}.");
        }

        foreach (var property in element.EnumerateObject())
        {
            if (values.ContainsKey(property.Name))
            {
                throw Invalid(property.Name, "appears twice.");
            }

            values.Add(property.Name, property.Value);
        }
    }

    public IEnumerable<string> Names => values.Keys;

    /// <summary>A value as messages show it.</summary>
    public static string Describe(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Array => element.GetArrayLength() == 0 ? "an empty array" : "an array",
        JsonValueKind.Object => "an object",
        JsonValueKind.String => "the string " + element.GetRawText(),
        _ => element.GetRawText(),
    };

    public string PathOf(string field) => path.Length == 0 ? field : path + "." + field;

    /// <summary>The error "The <i>subject</i> JSON field 'path.field' <paramref name="problem"/>".</summary>
    public FormatException Invalid(string field, string problem, Exception? inner = null)
        => new($"The {subject} JSON field '{PathOf(field)}' {problem}", inner);

    public bool TryGet(string field, out JsonElement value) => values.TryGetValue(field, out value);

    /// <summary>Checks the optional <c>version</c> field: a whole number from 1 up to <paramref name="currentVersion"/>.</summary>
    public void CheckVersion(int currentVersion)
    {
        if (!values.TryGetValue("version", out var version))
        {
            return;
        }

        if (version.ValueKind != JsonValueKind.Number || !version.TryGetInt32(out var number) || number < 1)
        {
            throw Invalid("version", $"has the invalid value {version.GetRawText()}: use a whole number from 1.");
        }

        if (number > currentVersion)
        {
            throw new FormatException(
                $"The {subject} JSON has version {number.ToString(CultureInfo.InvariantCulture)}, which is newer than this Scheduler understands (up to {currentVersion.ToString(CultureInfo.InvariantCulture)}): update Scheduler to read it.");
        }
    }

    public JsonElement Required(string field)
        => values.TryGetValue(field, out var value) && value.ValueKind != JsonValueKind.Null
            ? value
            : throw Invalid(field, "is missing.");

    /// <param name="field">The field.</param>
    /// <param name="hint">Said after "is missing", such as the values to use.</param>
    public string RequiredString(string field, string? hint = null)
        => OptionalString(field) ?? throw Invalid(field, hint is null ? "is missing." : $"is missing: {hint}.");

    public string? OptionalString(string field)
    {
        if (!values.TryGetValue(field, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw Invalid(field, $"must be a string, not {Describe(value)}.");
    }

    /// <summary>An id or name: a string that is not empty or white space.</summary>
    public string RequiredName(string field)
        => OptionalName(field) ?? throw Invalid(field, "is missing.");

    public string? OptionalName(string field)
    {
        var text = OptionalString(field);
        return text is not null && string.IsNullOrWhiteSpace(text)
            ? throw Invalid(field, "must not be empty or white space.")
            : text;
    }

    public IReadOnlyList<string>? OptionalStringArray(string field)
    {
        if (!values.TryGetValue(field, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            throw Invalid(field, $"must be an array of strings, not {Describe(value)}.");
        }

        var items = new List<string>(value.GetArrayLength());
        var index = 0;
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String)
            {
                throw Invalid(field + "[" + index.ToString(CultureInfo.InvariantCulture) + "]", $"must be a string, not {Describe(item)}.");
            }

            items.Add(item.GetString()!);
            index++;
        }

        return items;
    }

    public Dictionary<string, string>? OptionalStringMap(string field)
    {
        if (!values.TryGetValue(field, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            throw Invalid(field, $"must be an object of strings, not {Describe(value)}.");
        }

        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in value.EnumerateObject())
        {
            if (property.Value.ValueKind != JsonValueKind.String)
            {
                throw Invalid(field + "." + property.Name, $"must be a string, not {Describe(property.Value)}.");
            }

            map[property.Name] = property.Value.GetString()!;
        }

        return map;
    }

    public Dictionary<string, JsonElement>? OptionalValueMap(string field)
    {
        if (!values.TryGetValue(field, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            throw Invalid(field, $"must be an object, not {Describe(value)}.");
        }

        var map = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var property in value.EnumerateObject())
        {
            map[property.Name] = property.Value.Clone();
        }

        return map;
    }

    /// <summary>Reads a field's value with a reader that throws ArgumentException, naming the field.</summary>
    public T Convert<T>(string field, JsonElement value, Func<JsonElement, T> convert)
    {
        try
        {
            return convert(value);
        }
        catch (ArgumentException error)
        {
            throw Invalid(field, "is invalid: " + ExceptionText.FirstLine(error), error);
        }
    }

    /// <summary>Parses a field's text with a parser that throws FormatException or ArgumentException, naming the field.</summary>
    public T Convert<T>(string field, string text, Func<string, T> convert)
    {
        try
        {
            return convert(text);
        }
        catch (Exception error) when (error is FormatException or ArgumentException)
        {
            throw Invalid(field, "is invalid: " + ExceptionText.FirstLine(error), error);
        }
    }
}
