using System.Collections;
using System.Globalization;
using System.Management.Automation;
using System.Security;

namespace Scheduler.PowerShell.Invocations;

/// <summary>
/// Converts the values a job carries (its argument list, parameters and <c>$using:</c> values) between
/// PowerShell and the engine's plain data, which every store keeps as JSON and every executor (this
/// one, a child <c>pwsh</c>, another machine) can read.
/// </summary>
/// <remarks>
/// <para>Only data crosses: strings, numbers, booleans, null, dates and durations (as ISO 8601 text),
/// enums (as their name), arrays and lists, hashtables and <c>[pscustomobject]</c>s. Anything else is
/// refused with a message naming the value, instead of being stored as an unusable type name: a
/// script block or a live object (a process, a connection) means nothing in another runspace, and a
/// secret must not be written into a store in clear text.</para>
/// <para>The module never handles JSON itself: System.Text.Json lives in the engine's load context
/// (see <c>DependencyLoadContext</c> in Scheduler.PowerShell.Loader), so only plain .NET values cross.</para>
/// <para>Coming back, a JSON object becomes a case-insensitive hashtable (it binds to a
/// <c>[hashtable]</c> parameter, and <c>$x.Name</c> works on it as on an object), an array an
/// <c>object[]</c>, a number an int, a long or a double.</para>
/// </remarks>
internal static class DataValues
{
    /// <summary>How deeply nested a value may be; deeper data is almost certainly an object graph with cycles.</summary>
    public const int MaxDepth = 32;

    /// <summary>The plain data of a PowerShell value.</summary>
    /// <param name="value">The value, possibly wrapped in a PSObject.</param>
    /// <param name="what">What the value is, for the error message: <c>the argument 2</c>, <c>$using:path</c>.</param>
    /// <exception cref="ArgumentException">The value (or a value inside it) cannot be stored as data.</exception>
    public static object? ToData(object? value, string what) => Convert(value, what, depth: 0);

    /// <summary>
    /// The PowerShell value of plain data read back from a job: a map becomes a case-insensitive
    /// hashtable, a sequence an <c>object[]</c>.
    /// </summary>
    public static object? FromData(object? data)
    {
        switch (data)
        {
            case null or string:
                return data;
            case IEnumerable<KeyValuePair<string, object?>> members:
                var table = new Hashtable(StringComparer.OrdinalIgnoreCase);
                foreach (var member in members)
                {
                    table[member.Key] = FromData(member.Value);
                }

                return table;
            case IEnumerable items:
                return items.Cast<object?>().Select(FromData).ToArray();
            default:
                return data;
        }
    }

    private static object? Convert(object? value, string what, int depth)
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
                return null;
            case string or bool or long or ulong or decimal:
                return value;
            case char character:
                return character.ToString();
            case SwitchParameter switchParameter:
                return switchParameter.IsPresent;
            case byte or sbyte or short or ushort or int or uint:
                return System.Convert.ToInt64(value, CultureInfo.InvariantCulture);
            case float or double:
                var real = System.Convert.ToDouble(value, CultureInfo.InvariantCulture);
                if (double.IsNaN(real) || double.IsInfinity(real))
                {
                    throw new ArgumentException($"{what} is {real.ToString(CultureInfo.InvariantCulture)}, which JSON cannot hold: it cannot be stored with the job.");
                }

                return real;
            case DateTime dateTime:
                return dateTime.ToString("O", CultureInfo.InvariantCulture);
            case DateTimeOffset instant:
                return instant.ToString("O", CultureInfo.InvariantCulture);
            case TimeSpan duration:
                return duration.ToString("c", CultureInfo.InvariantCulture);
            case Guid or Uri or Version:
                return System.Convert.ToString(value, CultureInfo.InvariantCulture);
            case Enum:
                return value.ToString();
            case ScriptBlock:
                throw new ArgumentException($"{what} is a script block, which is bound to the session that created it: pass its text and create it in the job with [scriptblock]::Create().");
            case SecureString or PSCredential:
                throw new ArgumentException($"{what} is a secret ({value.GetType().Name}), which would be written to the job store in clear text: read it inside the job instead (from a vault or a protected file).");
            case IEnumerable<KeyValuePair<string, object?>> members:
                // Data read back from a store (Set-ScheduledJobEx keeping the old arguments).
                var copied = new List<KeyValuePair<string, object?>>();
                foreach (var member in members)
                {
                    copied.Add(new(member.Key, Convert(member.Value, $"{what}['{member.Key}']", depth + 1)));
                }

                return copied;
            case IDictionary dictionary:
                var entries = new List<KeyValuePair<string, object?>>(dictionary.Count);
                foreach (DictionaryEntry entry in dictionary)
                {
                    var key = System.Convert.ToString(entry.Key is PSObject keyObject ? keyObject.BaseObject : entry.Key, CultureInfo.InvariantCulture) ?? string.Empty;
                    entries.Add(new(key, Convert(entry.Value, $"{what}['{key}']", depth + 1)));
                }

                return entries;
            case PSObject custom:
                var properties = new List<KeyValuePair<string, object?>>();
                foreach (var property in custom.Properties)
                {
                    properties.Add(new(property.Name, Convert(property.Value, $"{what}.{property.Name}", depth + 1)));
                }

                return properties;
            case IEnumerable items:
                var list = new List<object?>();
                var index = 0;
                foreach (var item in items)
                {
                    list.Add(Convert(item, $"{what}[{index}]", depth + 1));
                    index++;
                }

                return list;
            default:
                throw new ArgumentException(
                    $"{what} is a {value.GetType().FullName}, which cannot be stored with the job: pass data (text, numbers, booleans, dates, arrays, hashtables, [pscustomobject]s), such as one of its properties.");
        }
    }
}
