using System.Collections;
using System.Globalization;
using System.Text.Json;

namespace Scheduler.Invocations;

/// <summary>
/// The values a job carries (arguments, <c>$using:</c> values) as plain .NET data: text, numbers,
/// booleans, null, arrays and string-keyed maps. Stores keep them as JSON; this is their other form.
/// </summary>
/// <remarks>
/// Front-ends that must not share the engine's JSON types use this form. The PowerShell module is one:
/// its cmdlets live outside the load context that holds the engine and System.Text.Json, so a
/// <see cref="JsonElement"/> could not cross between them.
/// </remarks>
internal static class JobData
{
    /// <summary>How deeply nested a value may be; deeper data is almost certainly an object graph with cycles.</summary>
    public const int MaxDepth = 32;

    /// <summary>
    /// The plain value of a JSON element: an object becomes a case-insensitive
    /// <see cref="IReadOnlyDictionary{TKey, TValue}"/> in the element's order, an array an <c>object?[]</c>,
    /// a number an <see cref="int"/>, a <see cref="long"/> or a <see cref="double"/>.
    /// </summary>
    public static object? ToData(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var map = new OrderedMap();
                foreach (var property in element.EnumerateObject())
                {
                    map.Set(property.Name, ToData(property.Value));
                }

                return map;
            case JsonValueKind.Array:
                var items = new object?[element.GetArrayLength()];
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    items[index++] = ToData(item);
                }

                return items;
            case JsonValueKind.String:
                return element.GetString();
            case JsonValueKind.Number:
                if (element.TryGetInt32(out var small))
                {
                    return small;
                }

                if (element.TryGetInt64(out var large))
                {
                    return large;
                }

                return element.GetDouble();
            case JsonValueKind.True:
                return true;
            case JsonValueKind.False:
                return false;
            default:
                return null;
        }
    }

    /// <summary>The JSON form of a plain value.</summary>
    /// <param name="value">
    /// Text, a number, a boolean, null, a string-keyed map or a sequence of those; another object is
    /// written as System.Text.Json serializes it.
    /// </param>
    /// <param name="what">What the value is, for the error message: <c>$using:path</c>.</param>
    /// <exception cref="ArgumentException">The value (or a value inside it) cannot be written as JSON.</exception>
    public static JsonElement ToJson(object? value, string what)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, value, what);
        }

        using var document = JsonDocument.Parse(buffer.ToArray());
        return document.RootElement.Clone();
    }

    /// <summary>Writes the JSON form of a plain value (see <see cref="ToJson"/>).</summary>
    /// <exception cref="ArgumentException">The value (or a value inside it) cannot be written as JSON.</exception>
    public static void Write(Utf8JsonWriter writer, object? value, string what)
    {
        try
        {
            Write(writer, value, what, depth: 0);
        }
        catch (Exception error) when (error is JsonException or NotSupportedException or InvalidOperationException)
        {
            throw new ArgumentException($"The {what} ({value?.GetType().Name ?? "null"}) cannot be represented as JSON: {error.Message}", what, error);
        }
    }

    private static void Write(Utf8JsonWriter writer, object? value, string what, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new ArgumentException($"{what} is nested more than {MaxDepth} levels deep: it cannot be stored with the job.");
        }

        switch (value)
        {
            case null:
                writer.WriteNullValue();
                return;
            case JsonElement element:
                element.WriteTo(writer);
                return;
            case string text:
                writer.WriteStringValue(text);
                return;
            case bool flag:
                writer.WriteBooleanValue(flag);
                return;
            case byte or sbyte or short or ushort or int or uint or long:
                writer.WriteNumberValue(Convert.ToInt64(value, CultureInfo.InvariantCulture));
                return;
            case ulong unsigned:
                writer.WriteNumberValue(unsigned);
                return;
            case decimal number:
                writer.WriteNumberValue(number);
                return;
            case float or double:
                var real = Convert.ToDouble(value, CultureInfo.InvariantCulture);
                if (double.IsNaN(real) || double.IsInfinity(real))
                {
                    throw new ArgumentException($"{what} is {real.ToString(CultureInfo.InvariantCulture)}, which JSON cannot hold: it cannot be stored with the job.");
                }

                writer.WriteNumberValue(real);
                return;
            case IEnumerable<KeyValuePair<string, object?>> pairs:
                writer.WriteStartObject();
                foreach (var pair in pairs)
                {
                    writer.WritePropertyName(pair.Key);
                    Write(writer, pair.Value, $"{what}['{pair.Key}']", depth + 1);
                }

                writer.WriteEndObject();
                return;
            case IDictionary dictionary:
                writer.WriteStartObject();
                foreach (DictionaryEntry entry in dictionary)
                {
                    var key = Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? string.Empty;
                    writer.WritePropertyName(key);
                    Write(writer, entry.Value, $"{what}['{key}']", depth + 1);
                }

                writer.WriteEndObject();
                return;
            case IEnumerable items:
                writer.WriteStartArray();
                var index = 0;
                foreach (var item in items)
                {
                    Write(writer, item, $"{what}[{index}]", depth + 1);
                    index++;
                }

                writer.WriteEndArray();
                return;
            default:
                // Anything else (a .NET object handed to JobArguments) is written as System.Text.Json
                // serializes it; it comes back as plain data all the same.
                JsonSerializer.Serialize(writer, value, value.GetType());
                return;
        }
    }

    /// <summary>A JSON object's members: looked up without regard to case, enumerated in the object's order.</summary>
    private sealed class OrderedMap : IReadOnlyDictionary<string, object?>
    {
        private readonly List<KeyValuePair<string, object?>> members = [];
        private readonly Dictionary<string, int> positions = new(StringComparer.OrdinalIgnoreCase);

        public int Count => members.Count;

        public IEnumerable<string> Keys => members.Select(member => member.Key);

        public IEnumerable<object?> Values => members.Select(member => member.Value);

        public object? this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"There is no member '{key}'.");

        public void Set(string key, object? value)
        {
            // JSON allows a name twice; the last one wins, as System.Text.Json and PowerShell read it.
            if (positions.TryGetValue(key, out var position))
            {
                members[position] = new(key, value);
            }
            else
            {
                positions.Add(key, members.Count);
                members.Add(new(key, value));
            }
        }

        public bool ContainsKey(string key) => positions.ContainsKey(key);

        public bool TryGetValue(string key, out object? value)
        {
            if (positions.TryGetValue(key, out var position))
            {
                value = members[position].Value;
                return true;
            }

            value = null;
            return false;
        }

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => members.GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
