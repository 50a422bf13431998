using System.Collections.ObjectModel;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text;
using Scheduler.Internal;

using Scheduler.Invocations;

namespace Scheduler.Jobs;

/// <summary>
/// The arguments a job's invocation is called with: positional values and named values, held as
/// JSON so they persist in any store and are converted to the parameter types only when the job runs.
/// </summary>
public sealed class JobArguments
{
    private static readonly IReadOnlyDictionary<string, JsonElement> NoNamed =
        new ReadOnlyDictionary<string, JsonElement>(new Dictionary<string, JsonElement>(0));

    private readonly JsonElement[] positional;

    private JobArguments(JsonElement[] positional, IReadOnlyDictionary<string, JsonElement> named)
    {
        this.positional = positional;
        Named = named;
    }

    /// <summary>No arguments; shared by every job without arguments.</summary>
    public static JobArguments None { get; } = new([], NoNamed);

    /// <summary>Values bound to parameters in order.</summary>
    public IReadOnlyList<JsonElement> Positional => positional;

    /// <summary>Values bound to parameters by name (case-insensitive).</summary>
    public IReadOnlyDictionary<string, JsonElement> Named { get; }

    /// <summary>
    /// The positional values as plain data: text, numbers (<see cref="int"/>, <see cref="long"/>,
    /// <see cref="double"/>), booleans, null, <c>object?[]</c> and case-insensitive
    /// <see cref="IReadOnlyDictionary{TKey, TValue}"/> maps; made anew on each read.
    /// </summary>
    public IReadOnlyList<object?> PositionalData => Array.ConvertAll(positional, JobData.ToData);

    /// <summary>The named values as plain data (see <see cref="PositionalData"/>), case-insensitive by name; made anew on each read.</summary>
    public IReadOnlyDictionary<string, object?> NamedData
    {
        get
        {
            var values = new Dictionary<string, object?>(Named.Count, StringComparer.OrdinalIgnoreCase);
            foreach (var pair in Named)
            {
                values.Add(pair.Key, JobData.ToData(pair.Value));
            }

            return values;
        }
    }

    /// <summary>True when there are neither positional nor named values.</summary>
    public bool IsEmpty
    {
        [MethodImpl(DispatchPath.Optimized)]
        get => positional.Length == 0 && Named.Count == 0;
    }

    /// <summary>Arguments bound by position.</summary>
    /// <exception cref="ArgumentException">A value cannot be represented as JSON.</exception>
    public static JobArguments FromValues(params object?[] positional)
        => Create(positional, named: null);

    /// <summary>Arguments bound by name.</summary>
    /// <exception cref="ArgumentException">A name is empty or given twice, or a value cannot be represented as JSON.</exception>
    public static JobArguments FromNamed(IEnumerable<KeyValuePair<string, object?>> named)
        => Create(positional: null, named ?? throw new ArgumentNullException(nameof(named)));

    /// <summary>Arguments bound by position and by name.</summary>
    /// <exception cref="ArgumentException">A name is empty or given twice, or a value cannot be represented as JSON.</exception>
    public static JobArguments Create(IEnumerable<object?>? positional, IEnumerable<KeyValuePair<string, object?>>? named)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray(PositionalProperty);
            var index = 0;
            foreach (var value in positional ?? [])
            {
                WriteValue(writer, value, $"positional argument {index}");
                index++;
            }

            writer.WriteEndArray();
            writer.WriteStartObject(NamedProperty);
            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var pair in named ?? [])
            {
                if (string.IsNullOrWhiteSpace(pair.Key))
                {
                    throw new ArgumentException("An argument name must not be empty.", nameof(named));
                }

                if (!seen.Add(pair.Key))
                {
                    throw new ArgumentException($"The argument '{pair.Key}' is given twice.", nameof(named));
                }

                writer.WritePropertyName(pair.Key);
                WriteValue(writer, pair.Value, $"argument '{pair.Key}'");
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return Parse(Encoding.UTF8.GetString(buffer.ToArray()));
    }

    /// <summary>
    /// Reads arguments from their JSON form, <c>{"positional": [...], "named": {...}}</c> (both
    /// properties optional), as written by <see cref="ToJson"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The text is not JSON of that shape.</exception>
    public static JobArguments Parse(string json)
    {
        if (json is null)
        {
            throw new ArgumentNullException(nameof(json));
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException error)
        {
            throw new ArgumentException($"The arguments are not valid JSON: {error.Message}", nameof(json), error);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new ArgumentException($"The arguments must be a JSON object with 'positional' and 'named', not a {root.ValueKind}.", nameof(json));
            }

            var positional = Array.Empty<JsonElement>();
            Dictionary<string, JsonElement>? named = null;
            foreach (var property in root.EnumerateObject())
            {
                if (string.Equals(property.Name, PositionalProperty, StringComparison.OrdinalIgnoreCase))
                {
                    if (property.Value.ValueKind != JsonValueKind.Array)
                    {
                        throw new ArgumentException($"'positional' must be a JSON array, not a {property.Value.ValueKind}.", nameof(json));
                    }

                    positional = property.Value.EnumerateArray().Select(static e => e.Clone()).ToArray();
                }
                else if (string.Equals(property.Name, NamedProperty, StringComparison.OrdinalIgnoreCase))
                {
                    if (property.Value.ValueKind != JsonValueKind.Object)
                    {
                        throw new ArgumentException($"'named' must be a JSON object, not a {property.Value.ValueKind}.", nameof(json));
                    }

                    named = new Dictionary<string, JsonElement>(StringComparer.OrdinalIgnoreCase);
                    foreach (var argument in property.Value.EnumerateObject())
                    {
                        if (named.ContainsKey(argument.Name))
                        {
                            throw new ArgumentException($"The argument '{argument.Name}' is given twice.", nameof(json));
                        }

                        named.Add(argument.Name, argument.Value.Clone());
                    }
                }
                else
                {
                    throw new ArgumentException($"Unknown property '{property.Name}' in the arguments: expected 'positional' and 'named'.", nameof(json));
                }
            }

            if (positional.Length == 0 && (named is null || named.Count == 0))
            {
                return None;
            }

            return new JobArguments(positional, named is null || named.Count == 0 ? NoNamed : new ReadOnlyDictionary<string, JsonElement>(named));
        }
    }

    /// <summary>The JSON form read by <see cref="Parse"/>.</summary>
    public string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray(PositionalProperty);
            foreach (var value in positional)
            {
                value.WriteTo(writer);
            }

            writer.WriteEndArray();
            writer.WriteStartObject(NamedProperty);
            foreach (var pair in Named)
            {
                writer.WritePropertyName(pair.Key);
                pair.Value.WriteTo(writer);
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>The arguments as JSON (<see cref="ToJson"/>).</summary>
    public override string ToString() => ToJson();

    private const string PositionalProperty = "positional";
    private const string NamedProperty = "named";

    private static void WriteValue(Utf8JsonWriter writer, object? value, string what) => JobData.Write(writer, value, what);
}
