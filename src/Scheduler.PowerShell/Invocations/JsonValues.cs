using System.Collections;
using System.Globalization;
using System.Management.Automation;
using System.Security;
using System.Text.Json;

namespace Scheduler.PowerShell.Invocations;

/// <summary>
/// Converts the values a job carries (its argument list, parameters and <c>$using:</c> values) between
/// PowerShell and JSON, the form every store keeps them in and every executor (this one, a child
/// <c>pwsh</c>, another machine) can read.
/// </summary>
/// <remarks>
/// <para>Only data crosses: strings, numbers, booleans, null, dates and durations (as ISO 8601 text),
/// enums (as their name), arrays and lists, hashtables and <c>[pscustomobject]</c>s. Anything else is
/// refused with a message naming the value, instead of being stored as an unusable type name: a
/// script block or a live object (a process, a connection) means nothing in another runspace, and a
/// secret must not be written into a store in clear text.</para>
/// <para>Coming back, a JSON object becomes a case-insensitive hashtable (it binds to a
/// <c>[hashtable]</c> parameter, and <c>$x.Name</c> works on it as on an object), an array an
/// <c>object[]</c>, a number an int, a long or a double.</para>
/// </remarks>
internal static class JsonValues
{
    /// <summary>How deeply nested a value may be; deeper data is almost certainly an object graph with cycles.</summary>
    public const int MaxDepth = 32;

    /// <summary>The JSON form of a PowerShell value.</summary>
    /// <param name="value">The value, possibly wrapped in a PSObject.</param>
    /// <param name="what">What the value is, for the error message: <c>the argument 2</c>, <c>$using:path</c>.</param>
    /// <exception cref="ArgumentException">The value (or a value inside it) cannot be stored as data.</exception>
    public static JsonElement ToJson(object? value, string what)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, value, what, depth: 0);
        }

        using var document = JsonDocument.Parse(buffer.ToArray());
        return document.RootElement.Clone();
    }

    /// <summary>The PowerShell value of a JSON element.</summary>
    public static object? FromJson(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var table = new Hashtable(StringComparer.OrdinalIgnoreCase);
                foreach (var property in element.EnumerateObject())
                {
                    table[property.Name] = FromJson(property.Value);
                }

                return table;
            case JsonValueKind.Array:
                return element.EnumerateArray().Select(FromJson).ToArray();
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

    private static void Write(Utf8JsonWriter writer, object? value, string what, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new ArgumentException($"{what} is nested more than {MaxDepth} levels deep: it cannot be stored with the job.");
        }

        if (value is PSObject wrapped && wrapped.BaseObject is not PSCustomObject)
        {
            value = wrapped.BaseObject;
        }

        switch (value)
        {
            case null:
            case DBNull:
                writer.WriteNullValue();
                return;
            case JsonElement stored:
                // A value read back from a store (Set-ScheduledJobEx keeping the old arguments).
                stored.WriteTo(writer);
                return;
            case string text:
                writer.WriteStringValue(text);
                return;
            case char character:
                writer.WriteStringValue(character.ToString());
                return;
            case bool flag:
                writer.WriteBooleanValue(flag);
                return;
            case SwitchParameter switchParameter:
                writer.WriteBooleanValue(switchParameter.IsPresent);
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
            case DateTime dateTime:
                writer.WriteStringValue(dateTime.ToString("O", CultureInfo.InvariantCulture));
                return;
            case DateTimeOffset instant:
                writer.WriteStringValue(instant.ToString("O", CultureInfo.InvariantCulture));
                return;
            case TimeSpan duration:
                writer.WriteStringValue(duration.ToString("c", CultureInfo.InvariantCulture));
                return;
            case Guid or Uri or Version:
                writer.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture));
                return;
            case Enum:
                writer.WriteStringValue(value.ToString());
                return;
            case ScriptBlock:
                throw new ArgumentException($"{what} is a script block, which is bound to the session that created it: pass its text and create it in the job with [scriptblock]::Create().");
            case SecureString or PSCredential:
                throw new ArgumentException($"{what} is a secret ({value.GetType().Name}), which would be written to the job store in clear text: read it inside the job instead (from a vault or a protected file).");
            case IDictionary dictionary:
                writer.WriteStartObject();
                foreach (DictionaryEntry entry in dictionary)
                {
                    var key = Convert.ToString(entry.Key is PSObject keyObject ? keyObject.BaseObject : entry.Key, CultureInfo.InvariantCulture) ?? string.Empty;
                    writer.WritePropertyName(key);
                    Write(writer, entry.Value, $"{what}['{key}']", depth + 1);
                }

                writer.WriteEndObject();
                return;
            case PSObject custom:
                writer.WriteStartObject();
                foreach (var property in custom.Properties)
                {
                    writer.WritePropertyName(property.Name);
                    Write(writer, property.Value, $"{what}.{property.Name}", depth + 1);
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
                throw new ArgumentException(
                    $"{what} is a {value.GetType().FullName}, which cannot be stored with the job: pass data (text, numbers, booleans, dates, arrays, hashtables, [pscustomobject]s), such as one of its properties.");
        }
    }
}
