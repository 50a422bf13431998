using System.Reflection;
using Scheduler.Invocations;
using Scheduler.Jobs;

namespace Scheduler.Executors;

/// <summary>The public static overloads an import string names, and the choice among them for given arguments.</summary>
internal sealed class MethodGroup
{
    private readonly MethodShape[] candidates;

    private MethodGroup(string importString, MethodShape[] candidates)
    {
        ImportString = importString;
        this.candidates = candidates;
    }

    public string ImportString { get; }

    /// <summary>The methods the invocation names, resolved once and kept with the invocation.</summary>
    /// <exception cref="ArgumentException">The type or method cannot be found, or the method is not public and static.</exception>
    public static MethodGroup For(MethodInvocation invocation)
        => invocation.Resolution as MethodGroup ?? (MethodGroup)(invocation.Resolution = Resolve(invocation));

    public static MethodGroup Resolve(MethodInvocation invocation)
    {
        var type = FindType(invocation);
        if (!type.IsVisible)
        {
            throw new ArgumentException($"The type '{type.FullName}' of '{invocation.ImportString}' is not public.", nameof(invocation));
        }

        if (type.ContainsGenericParameters)
        {
            throw new ArgumentException($"The type '{type.FullName}' of '{invocation.ImportString}' is an open generic type.", nameof(invocation));
        }

        const BindingFlags Everything = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.FlattenHierarchy;
        var named = type.GetMethods(Everything).Where(m => string.Equals(m.Name, invocation.MethodName, StringComparison.Ordinal)).ToArray();
        if (named.Length == 0)
        {
            throw new ArgumentException($"The type '{type.FullName}' has no method named '{invocation.MethodName}' (from '{invocation.ImportString}').", nameof(invocation));
        }

        var usable = named.Where(m => m.IsPublic && m.IsStatic && !m.ContainsGenericParameters).ToArray();
        if (usable.Length == 0)
        {
            var method = named[0];
            var why = !method.IsPublic ? "is not public"
                : !method.IsStatic ? "is not static (only public static methods can be scheduled)"
                : "is generic (generic methods cannot be scheduled)";
            throw new ArgumentException($"The method '{type.FullName}.{invocation.MethodName}' {why}.", nameof(invocation));
        }

        return new MethodGroup(invocation.ImportString, usable.Select(MethodShape.ForMethod).ToArray());
    }

    /// <summary>The one overload the arguments fit.</summary>
    /// <exception cref="ArgumentException">No overload fits, or several do.</exception>
    public BoundCall Bind(JobArguments arguments, bool checkConversions)
    {
        if (candidates.Length == 1)
        {
            return BindSingle(candidates[0], arguments, checkConversions);
        }

        var fitting = new List<BoundCall>();
        var reasons = new List<string>();
        foreach (var candidate in candidates)
        {
            // Overloads are told apart by whether the values convert, so that is checked every time.
            if (candidate.TryBind(arguments, out var call, out var error) && candidate.TryConvertAll(call!, out error))
            {
                fitting.Add(call!);
            }
            else
            {
                reasons.Add(error!);
            }
        }

        return fitting.Count switch
        {
            1 => fitting[0],
            0 => throw new ArgumentException($"No overload of '{ImportString}' accepts the arguments {arguments}: {string.Join(" ", reasons)}", nameof(arguments)),
            _ => throw new ArgumentException(
                $"The arguments {arguments} fit several overloads of '{ImportString}': {string.Join("; ", fitting.Select(c => c.Shape.Signature))}. Pass the arguments by name or with distinct types.",
                nameof(arguments)),
        };
    }

    private static BoundCall BindSingle(MethodShape shape, JobArguments arguments, bool checkConversions)
    {
        if (!shape.TryBind(arguments, out var call, out var error) || (checkConversions && !shape.TryConvertAll(call!, out error)))
        {
            throw new ArgumentException(error, nameof(arguments));
        }

        return call!;
    }

    private static Type FindType(MethodInvocation invocation)
    {
        if (invocation.AssemblyName is { } assemblyName)
        {
            Type? type;
            try
            {
                type = Type.GetType($"{invocation.TypeName}, {assemblyName}", throwOnError: false);
            }
            catch (Exception error) when (error is IOException or BadImageFormatException or ArgumentException)
            {
                throw new ArgumentException($"The assembly '{assemblyName}' of '{invocation.ImportString}' cannot be loaded: {error.Message}", nameof(invocation), error);
            }

            return type ?? throw new ArgumentException(
                $"The type '{invocation.TypeName}' was not found in the assembly '{assemblyName}' (from '{invocation.ImportString}').",
                nameof(invocation));
        }

        foreach (var assembly in AppDomain.CurrentDomain.GetAssemblies())
        {
            if (assembly.GetType(invocation.TypeName, throwOnError: false) is { } found)
            {
                return found;
            }
        }

        throw new ArgumentException(
            $"The type '{invocation.TypeName}' was not found in the loaded assemblies; name its assembly: '{invocation.TypeName}::{invocation.MethodName}, AssemblyName'.",
            nameof(invocation));
    }
}
