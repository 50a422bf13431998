using System.Management.Automation;

namespace Scheduler.PowerShell.Arguments;

/// <summary>
/// Thrown by the module's argument transformations. PowerShell reports any failed transformation as
/// <c>ParameterArgumentTransformationError</c> and keeps this exception as the inner one; its
/// <see cref="ErrorRecord"/> carries the module's own error id (<see cref="ErrorIds"/>) for scripts
/// that look one level down, and its message, which names the offending value, becomes part of the
/// message the user sees.
/// </summary>
internal sealed class ArgumentValueException : ArgumentTransformationMetadataException
{
    private readonly ErrorRecord errorRecord;

    public ArgumentValueException(string errorId, string message, object? value, Exception? cause = null)
        : base(message, cause)
    {
        errorRecord = new ErrorRecord(this, errorId, ErrorCategory.InvalidArgument, value);
    }

    public override ErrorRecord ErrorRecord => errorRecord;
}

/// <summary>Helpers shared by the argument transformations.</summary>
internal static class ArgumentValues
{
    /// <summary>
    /// The value a parameter was given, without the PSObject wrapper the pipeline may add. Blank text is
    /// no value: an empty cell of <c>Import-Csv</c> leaves an optional parameter unset instead of failing.
    /// </summary>
    public static object? Unwrap(object? value)
    {
        var unwrapped = value is PSObject wrapped ? wrapped.BaseObject : value;
        return unwrapped is string text && string.IsNullOrWhiteSpace(text) ? null : unwrapped;
    }

    public static bool IsNumber(object? value)
        => value is byte or sbyte or short or ushort or int or uint or long or ulong or float or double or decimal;
}
