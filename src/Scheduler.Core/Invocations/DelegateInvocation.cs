using System.Runtime.CompilerServices;
using Scheduler.Internal;

namespace Scheduler.Invocations;

/// <summary>
/// Runs a .NET delegate. Either a name, looked up when the job runs among the delegates registered
/// with <c>JobScheduler.RegisterDelegate</c> (such a job can be persisted), or a delegate bound
/// in-process (such a job lives only as long as the process).
/// </summary>
/// <remarks>
/// The delegate's parameters of type <c>JobContext</c> and <c>CancellationToken</c> receive the run's
/// context and token; the others are bound from the job's arguments by name or position. A returned
/// <c>Task</c>, <c>Task&lt;T&gt;</c>, <c>ValueTask</c> or <c>ValueTask&lt;T&gt;</c> is awaited.
/// </remarks>
public sealed class DelegateInvocation : Invocation
{
    /// <summary>Runs the delegate registered under <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">The name is empty.</exception>
    public DelegateInvocation(string name)
    {
        if (name is null)
        {
            throw new ArgumentNullException(nameof(name));
        }

        if (string.IsNullOrWhiteSpace(name))
        {
            throw new ArgumentException("The delegate name must not be empty.", nameof(name));
        }

        Name = name;
    }

    /// <summary>Runs <paramref name="target"/> directly; the job cannot be persisted.</summary>
    public DelegateInvocation(Delegate target)
    {
        Target = target ?? throw new ArgumentNullException(nameof(target));
        Name = Describe(target);
    }

    /// <inheritdoc/>
    public override InvocationKind Kind
    {
        [MethodImpl(DispatchPath.Optimized)]
        get => InvocationKind.Delegate;
    }

    /// <summary>The registered name, or a description of the bound delegate's method.</summary>
    public string Name { get; }

    /// <summary>The bound delegate, or null when the delegate is looked up by <see cref="Name"/>.</summary>
    public Delegate? Target { get; }

    /// <summary>The delegate's name (quoted when it is looked up by name).</summary>
    public override string ToString() => Target is null ? $"delegate '{Name}'" : $"delegate {Name}";

    private static string Describe(Delegate target)
    {
        var method = target.Method;
        return method.DeclaringType is { } type ? $"{type.FullName}.{method.Name}" : method.Name;
    }
}
