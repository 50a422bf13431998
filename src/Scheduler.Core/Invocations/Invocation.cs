namespace Scheduler.Invocations;

/// <summary>The kinds of invocation; an executor says which kinds it runs.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1008:Enums should have zero value", Justification = "Every invocation has a kind; the values are stored codes from 1, so a default value is never a valid kind.")]
public enum InvocationKind
{
    /// <summary>A .NET delegate, registered with the scheduler by name or bound in-process.</summary>
    Delegate = 1,

    /// <summary>A public static .NET method named by an import string.</summary>
    Method = 2,

    /// <summary>An executable run as a child process.</summary>
    Command = 3,

    /// <summary>A PowerShell script block, script file or command.</summary>
    PowerShell = 4,
}

/// <summary>
/// What a job runs. The set of kinds is closed (<see cref="DelegateInvocation"/>,
/// <see cref="MethodInvocation"/>, <see cref="CommandInvocation"/>, <see cref="PowerShellInvocation"/>) because invocations are persisted
/// as data, and loading a store must never instantiate a type named in that data.
/// </summary>
public abstract class Invocation
{
    private protected Invocation()
    {
    }

    /// <summary>The kind of invocation, which decides the executors that can run it.</summary>
    public abstract InvocationKind Kind { get; }
}
