using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Text;

namespace Scheduler.PowerShell.Invocations;

/// <summary>
/// <c>$using:</c> in a scheduled script block: the values are read in the registering session and stored
/// with the job as data; when the job runs, each <c>$using:name</c> in the script's text is replaced by a
/// variable that holds the stored value.
/// </summary>
/// <remarks>
/// PowerShell's own mechanism (the one Start-ThreadJob and Invoke-Command use) passes values keyed by
/// an internal encoding of each expression's text, which differs between versions and cannot be stored.
/// Rewriting the text needs nothing but the parser, and the stored script stays the user's own text.
/// </remarks>
internal static class UsingValues
{
    /// <summary>The prefix of the variables that hold the values when the job runs.</summary>
    public const string VariablePrefix = "__SchedulerUsing_";

    /// <summary>
    /// The values of the script block's <c>$using:</c> variables, read in the caller's session (the scope
    /// the cmdlet was called from), by variable name as written.
    /// </summary>
    /// <exception cref="ArgumentException">A variable is not set, or its value cannot be stored as data.</exception>
    public static IReadOnlyDictionary<string, object?> Capture(ScriptBlock script, SessionState session)
    {
        var values = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
        foreach (var variableExpression in Find(script.Ast))
        {
            var path = variableExpression.VariablePath;
            var name = path.UserPath;
            if (values.ContainsKey(name))
            {
                continue;
            }

            object? value;
            if (path.IsDriveQualified)
            {
                value = session.PSVariable.GetValue(name);
            }
            else
            {
                var variable = session.PSVariable.Get(name)
                    ?? throw new ArgumentException($"The variable '$using:{name}' is not set in this session: set ${name} before registering the job, or pass the value with -ArgumentList.");
                value = variable.Value;
            }

            values.Add(name, DataValues.ToData(value, $"The value of $using:{name}"));
        }

        return values;
    }

    /// <summary>
    /// The script's text with each <c>$using:name</c> replaced by <c>${__SchedulerUsing_N}</c>, and the
    /// values those variables take: the stored value for each name, by position N.
    /// </summary>
    /// <exception cref="ArgumentException">The script uses a <c>$using:</c> variable that was not captured.</exception>
    public static (string Script, IReadOnlyList<object?> Values) Rewrite(string script, IReadOnlyDictionary<string, object?> stored)
    {
        var ast = Parser.ParseInput(script, out _, out _);
        var variables = Find(ast).OrderByDescending(found => found.Extent.StartOffset).ToList();
        if (variables.Count == 0)
        {
            return (script, []);
        }

        var lookup = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
        foreach (var pair in stored)
        {
            lookup[pair.Key] = pair.Value;
        }

        var slots = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var values = new List<object?>();
        var text = new StringBuilder(script);
        foreach (var variable in variables)
        {
            var name = variable.VariablePath.UserPath;
            if (!slots.TryGetValue(name, out var slot))
            {
                if (!lookup.TryGetValue(name, out var value))
                {
                    throw new ArgumentException($"The script uses '$using:{name}', whose value was not captured when the job was registered: register the job again.");
                }

                slot = values.Count;
                slots.Add(name, slot);
                values.Add(DataValues.FromData(value));
            }

            // Only the variable is replaced: in $using:x.Length or $using:list[0] the member access and
            // the index apply to the restored value. ${name} reads the same inside a string and in code.
            var replacement = "${" + VariablePrefix + slot.ToString(CultureInfo.InvariantCulture) + "}";
            text.Remove(variable.Extent.StartOffset, variable.Extent.EndOffset - variable.Extent.StartOffset);
            text.Insert(variable.Extent.StartOffset, replacement);
        }

        return (text.ToString(), values);
    }

    /// <summary>The variable of each <c>$using:</c> expression (<c>$using:x</c> of <c>$using:x.Length</c>).</summary>
    private static IEnumerable<VariableExpressionAst> Find(Ast ast)
        => ast.FindAll(node => node is UsingExpressionAst, searchNestedScriptBlocks: true)
            .Select(node => UsingExpressionAst.ExtractUsingVariable((UsingExpressionAst)node))
            .Where(variable => variable is not null);
}
