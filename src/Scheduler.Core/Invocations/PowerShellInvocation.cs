namespace Scheduler.Invocations;

/// <summary>What a <see cref="PowerShellInvocation"/> runs.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1008:Enums should have zero value", Justification = "Every PowerShell invocation has a source; the values are stored codes from 1, so a default value is never a valid source.")]
public enum PowerShellSource
{
    /// <summary>The text of a script block.</summary>
    Script = 1,

    /// <summary>A script file, by path.</summary>
    File = 2,

    /// <summary>A command by name (<c>Module\Verb-Noun</c>), called with named parameters.</summary>
    Command = 3,
}

/// <summary>
/// Runs PowerShell: a script block (kept as its text and re-created in the runspace that runs it), a
/// script file, or a command by name. The job's positional arguments are the argument list and its
/// named arguments the parameters; <c>$using:</c> values captured at registration travel with it.
/// The runspace-pool executor runs it in-process, the process executor in a child <c>pwsh</c>.
/// </summary>
public sealed class PowerShellInvocation : Invocation
{
    private static readonly IReadOnlyDictionary<string, System.Text.Json.JsonElement> NoUsingValues =
        new Dictionary<string, System.Text.Json.JsonElement>(0);

    private PowerShellInvocation(
        PowerShellSource source,
        string text,
        string? initializationScript,
        IReadOnlyDictionary<string, System.Text.Json.JsonElement>? usingValues)
    {
        if (text is null)
        {
            throw new ArgumentNullException(nameof(text));
        }

        if (string.IsNullOrWhiteSpace(text))
        {
            throw new ArgumentException($"The PowerShell {Describe(source)} must not be empty.", nameof(text));
        }

        Source = source;
        Text = text;
        InitializationScript = string.IsNullOrWhiteSpace(initializationScript) ? null : initializationScript;
        UsingValues = usingValues ?? NoUsingValues;
    }

    /// <inheritdoc/>
    public override InvocationKind Kind => InvocationKind.PowerShell;

    /// <summary>Whether <see cref="Text"/> is script text, a file path or a command name.</summary>
    public PowerShellSource Source { get; }

    /// <summary>The script text, the script file's path, or the command name.</summary>
    public string Text { get; }

    /// <summary>A script run in the same runspace before the job (e.g. to import modules), or null.</summary>
    public string? InitializationScript { get; }

    /// <summary>The values of <c>$using:</c> variables, captured when the job was registered, by variable name.</summary>
    public IReadOnlyDictionary<string, System.Text.Json.JsonElement> UsingValues { get; }

    /// <summary>
    /// The values of <c>$using:</c> variables as plain data (see <see cref="Jobs.JobArguments.PositionalData"/>),
    /// by variable name; made anew on each read.
    /// </summary>
    public IReadOnlyDictionary<string, object?> UsingData
    {
        get
        {
            var values = new Dictionary<string, object?>(UsingValues.Count, StringComparer.OrdinalIgnoreCase);
            foreach (var pair in UsingValues)
            {
                values.Add(pair.Key, JobData.ToData(pair.Value));
            }

            return values;
        }
    }

    /// <summary>Runs the text of a script block.</summary>
    public static PowerShellInvocation FromScript(
        string script,
        string? initializationScript = null,
        IReadOnlyDictionary<string, System.Text.Json.JsonElement>? usingValues = null)
        => new(PowerShellSource.Script, script, initializationScript, usingValues);

    /// <summary>Runs the text of a script block, with <c>$using:</c> values given as plain data.</summary>
    /// <param name="script">The script block's text.</param>
    /// <param name="initializationScript">A script run before it in the same runspace, or null.</param>
    /// <param name="usingData">
    /// Each <c>$using:</c> variable's value by name: text, numbers, booleans, null, sequences and
    /// string-keyed maps of those.
    /// </param>
    /// <exception cref="ArgumentException">A name is given twice, or a value is not plain data.</exception>
    public static PowerShellInvocation FromScript(string script, string? initializationScript, IEnumerable<KeyValuePair<string, object?>> usingData)
    {
        var values = new Dictionary<string, System.Text.Json.JsonElement>(StringComparer.OrdinalIgnoreCase);
        foreach (var pair in usingData ?? throw new ArgumentNullException(nameof(usingData)))
        {
            if (values.ContainsKey(pair.Key))
            {
                throw new ArgumentException($"The value of $using:{pair.Key} is given twice.", nameof(usingData));
            }

            values.Add(pair.Key, JobData.ToJson(pair.Value, $"$using:{pair.Key}"));
        }

        return new(PowerShellSource.Script, script, initializationScript, values);
    }

    /// <summary>The same invocation with another initialization script (null for none).</summary>
    public PowerShellInvocation WithInitializationScript(string? initializationScript)
        => new(Source, Text, initializationScript, UsingValues);

    /// <summary>Runs a script file.</summary>
    public static PowerShellInvocation FromFile(string path, string? initializationScript = null)
        => new(PowerShellSource.File, path, initializationScript, usingValues: null);

    /// <summary>Runs a command by name, such as <c>Microsoft.PowerShell.Management\Get-Process</c>.</summary>
    public static PowerShellInvocation FromCommand(string commandName, string? initializationScript = null)
        => new(PowerShellSource.Command, commandName, initializationScript, usingValues: null);

    /// <summary>The script block's text, the script file or the command, by <see cref="Source"/>.</summary>
    public override string ToString() => Source switch
    {
        PowerShellSource.File => $"pwsh file '{Text}'",
        PowerShellSource.Command => $"pwsh command {Text}",
        _ => $"pwsh {{{(Text.Length > 60 ? Text.Substring(0, 57) + "..." : Text).Trim()}}}",
    };

    private static string Describe(PowerShellSource source) => source switch
    {
        PowerShellSource.File => "script file path",
        PowerShellSource.Command => "command name",
        _ => "script",
    };
}
