using System.Management.Automation;

namespace Scheduler.PowerShell.Tests.Hosting;

/// <summary>What a script or command wrote: output, errors (with their FullyQualifiedErrorId), warnings.</summary>
public sealed class PowerShellResult(
    IReadOnlyList<PSObject> output,
    IReadOnlyList<ErrorRecord> nonTerminatingErrors,
    ErrorRecord? terminatingError,
    IReadOnlyList<WarningRecord> warnings,
    IReadOnlyList<VerboseRecord> verbose)
{
    public IReadOnlyList<PSObject> Output { get; } = output;

    /// <summary>Every error: the non-terminating ones in order, then the terminating one, if any.</summary>
    public IReadOnlyList<ErrorRecord> Errors { get; } = terminatingError is null ? nonTerminatingErrors : [.. nonTerminatingErrors, terminatingError];

    /// <summary>The error that stopped the pipeline (with <see cref="ModuleSession.Invoke"/>, a binding failure), if any.</summary>
    public ErrorRecord? TerminatingError { get; } = terminatingError;

    public IReadOnlyList<WarningRecord> Warnings { get; } = warnings;

    public IReadOnlyList<VerboseRecord> Verbose { get; } = verbose;

    /// <summary>The output without PowerShell's wrappers.</summary>
    public IReadOnlyList<object> Objects => Output.Select(item => item.BaseObject).ToList();

    /// <summary>Fails the test with every error message unless nothing went wrong; returns this for chaining.</summary>
    public PowerShellResult ShouldSucceed()
    {
        Assert.True(Errors.Count == 0, "Expected no errors, got:\n" + string.Join("\n", Errors.Select(Describe)));
        return this;
    }

    /// <summary>The only output object.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720:Identifier contains type name", Justification = "Named after LINQ's Single, which it mirrors.")]
    public PSObject Single()
    {
        ShouldSucceed();
        return Assert.Single(Output);
    }

    /// <summary>
    /// Asserts that exactly one error was written and that its id is <paramref name="errorId"/>
    /// (the part of FullyQualifiedErrorId before the command name); returns it.
    /// </summary>
    public ErrorRecord SingleError(string errorId)
    {
        var error = Assert.Single(Errors);
        Assert.True(IdOf(error) == errorId, $"Expected error id '{errorId}', got: {Describe(error)}");
        return error;
    }

    /// <summary>The error id without the command name: <c>InvalidCronExpression</c> of <c>InvalidCronExpression,Scheduler...Command</c>.</summary>
    public static string IdOf(ErrorRecord error) => error.FullyQualifiedErrorId.Split(',')[0];

    /// <summary>
    /// The module's own error id inside a parameter-binding failure: PowerShell reports a failed argument
    /// transformation as ParameterArgumentTransformationError and keeps the module's exception inside.
    /// </summary>
    public static string? InnerIdOf(ErrorRecord error)
        => (error.Exception.InnerException as IContainsErrorRecord)?.ErrorRecord.FullyQualifiedErrorId;

    public static string Describe(ErrorRecord error) => $"[{error.FullyQualifiedErrorId}] {error}";
}

public static class PSObjectExtensions
{
    /// <summary>A property of an output object, by name (tests do not reference the module's types).</summary>
    public static T Property<T>(this PSObject item, string name)
    {
        var property = item.Properties[name] ?? throw new InvalidOperationException($"{item.BaseObject.GetType().FullName} has no property '{name}'.");
        return (T)property.Value;
    }

    public static string TypeName(this PSObject item) => item.BaseObject.GetType().FullName!;
}
