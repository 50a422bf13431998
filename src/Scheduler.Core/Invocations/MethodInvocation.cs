namespace Scheduler.Invocations;

/// <summary>
/// Runs a public static .NET method named by an import string,
/// <c>Namespace.Type::Method, Assembly</c> (the assembly part is optional for loaded assemblies).
/// </summary>
/// <remarks>
/// Arguments are bound from the job's arguments by name or position and converted to the parameter
/// types with System.Text.Json; parameters of type <c>JobContext</c> and <c>CancellationToken</c>
/// receive the run's context and token. A returned task is awaited. Only the named method's own
/// parameter types are ever created from data.
/// </remarks>
public sealed class MethodInvocation : Invocation
{
    private volatile object? resolution;

    /// <summary>Runs the method named by <paramref name="importString"/>.</summary>
    /// <exception cref="ArgumentException">The import string is not of the form <c>Namespace.Type::Method[, Assembly]</c>.</exception>
    public MethodInvocation(string importString)
    {
        if (importString is null)
        {
            throw new ArgumentNullException(nameof(importString));
        }

        var separator = importString.IndexOf("::", StringComparison.Ordinal);
        if (separator <= 0)
        {
            throw new ArgumentException(
                $"The import string '{importString}' must have the form 'Namespace.Type::Method, Assembly'.",
                nameof(importString));
        }

        var typeName = importString.Substring(0, separator).Trim();
        var rest = importString.Substring(separator + 2);
        var comma = rest.IndexOf(',');
        var methodName = (comma < 0 ? rest : rest.Substring(0, comma)).Trim();
        var assemblyName = comma < 0 ? null : rest.Substring(comma + 1).Trim();
        if (typeName.Length == 0 || methodName.Length == 0 || (assemblyName is not null && assemblyName.Length == 0))
        {
            throw new ArgumentException(
                $"The import string '{importString}' must have the form 'Namespace.Type::Method, Assembly'.",
                nameof(importString));
        }

        ImportString = importString.Trim();
        TypeName = typeName;
        MethodName = methodName;
        AssemblyName = assemblyName;
    }

    /// <inheritdoc/>
    public override InvocationKind Kind => InvocationKind.Method;

    /// <summary>The import string as given.</summary>
    public string ImportString { get; }

    /// <summary>The full name of the type declaring the method.</summary>
    public string TypeName { get; }

    /// <summary>The name of the method.</summary>
    public string MethodName { get; }

    /// <summary>The assembly to load the type from, or null to look among the loaded assemblies.</summary>
    public string? AssemblyName { get; }

    /// <summary>The import string.</summary>
    public override string ToString() => ImportString;

    /// <summary>
    /// What the executors resolved the import string to (the public static methods it names), kept
    /// with the invocation so it is resolved once; null until then.
    /// </summary>
    internal object? Resolution
    {
        get => resolution;
        set => resolution = value;
    }
}
