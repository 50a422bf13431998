using System.Management.Automation;

namespace Scheduler.PowerShell;

/// <summary>
/// The stable error ids of the module. Scripts match on them (<c>$_.FullyQualifiedErrorId -like 'InvalidCronExpression,*'</c>),
/// so an id, once shipped, never changes meaning.
/// </summary>
internal static class ErrorIds
{
    public const string InvalidCronExpression = nameof(InvalidCronExpression);
    public const string UnknownTimeZone = nameof(UnknownTimeZone);
    public const string InvalidDuration = nameof(InvalidDuration);
    public const string InvalidDateTime = nameof(InvalidDateTime);
    public const string InvalidPeriod = nameof(InvalidPeriod);
    public const string InvalidTimeOfDay = nameof(InvalidTimeOfDay);

    /// <summary>A trigger whose parts are each valid but do not fit together (an end before the start, a period longer than the calendar).</summary>
    public const string InvalidTrigger = nameof(InvalidTrigger);

    /// <summary>The children of an all-trigger never fire at the same instant.</summary>
    public const string TriggersNeverAgree = nameof(TriggersNeverAgree);
}

internal static class Errors
{
    public static ErrorRecord InvalidArgument(string errorId, string message, object? target, Exception? cause = null)
        => new(new ArgumentException(message, cause), errorId, ErrorCategory.InvalidArgument, target);
}
