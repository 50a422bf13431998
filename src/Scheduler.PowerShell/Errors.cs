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

    /// <summary>No job has the name in the store.</summary>
    public const string JobNotFound = nameof(JobNotFound);

    /// <summary>A job with the name exists in the store and -Force was not given.</summary>
    public const string DuplicateJobName = nameof(DuplicateJobName);

    /// <summary>Registering needs one of -Trigger, -Cron, -Interval, -At, -CalendarInterval.</summary>
    public const string TriggerRequired = nameof(TriggerRequired);

    /// <summary>More than one trigger, or trigger parts (-TimeZone...) with a ready-made -Trigger.</summary>
    public const string ConflictingTriggers = nameof(ConflictingTriggers);

    /// <summary>The trigger has no fire time from now on: the job would never run.</summary>
    public const string TriggerNeverFires = nameof(TriggerNeverFires);

    /// <summary>An argument, parameter or <c>$using:</c> value cannot be stored with the job (or a <c>$using:</c> variable is not set).</summary>
    public const string InvalidJobValue = nameof(InvalidJobValue);

    /// <summary>A job option is out of range (a negative grace time, a zero timeout).</summary>
    public const string InvalidJobOption = nameof(InvalidJobOption);

    /// <summary>The engine refused the job for another reason (the message says which).</summary>
    public const string InvalidJob = nameof(InvalidJob);

    /// <summary>-FilePath names no file.</summary>
    public const string ScriptFileNotFound = nameof(ScriptFileNotFound);

    /// <summary>The job store cannot be opened (missing folder, not a job store, read-only).</summary>
    public const string StoreUnavailable = nameof(StoreUnavailable);

    /// <summary>The command needs a scheduler running in this session (Start-Scheduler).</summary>
    public const string SchedulerNotRunning = nameof(SchedulerNotRunning);

    /// <summary>A scheduler already runs in this session, or on the store in another process.</summary>
    public const string SchedulerAlreadyRunning = nameof(SchedulerAlreadyRunning);

    /// <summary>The store cannot read the job's definition, so it cannot run or resume.</summary>
    public const string JobBroken = nameof(JobBroken);

    /// <summary>A store could not be backed up (missing, damaged, not a file store, a destination that exists or cannot be written).</summary>
    public const string StoreBackupFailed = nameof(StoreBackupFailed);

    /// <summary>A store could not be restored (a backup that is missing or unsound, a scheduler running on the store, a file that is not a store).</summary>
    public const string StoreRestoreFailed = nameof(StoreRestoreFailed);
}

internal static class Errors
{
    public static ErrorRecord InvalidArgument(string errorId, string message, object? target, Exception? cause = null)
        => new(new ArgumentException(message, cause), errorId, ErrorCategory.InvalidArgument, target);

    public static ErrorRecord JobNotFound(string name, string store, bool ended = false)
        => new(
            new ItemNotFoundException(ended
                ? $"The job '{name}' has ended (its trigger has no further fire times) and is no longer in the store '{store}'; Get-ScheduledJobExRun -Name '{name}' shows its runs."
                : $"There is no job named '{name}' in the store '{store}'."),
            ErrorIds.JobNotFound,
            ErrorCategory.ObjectNotFound,
            name);

    public static ErrorRecord DuplicateJobName(string name, string store)
        => new(
            new InvalidOperationException($"A job named '{name}' already exists in the store '{store}': use -Force to replace it, or Set-ScheduledJobEx to change it."),
            ErrorIds.DuplicateJobName,
            ErrorCategory.ResourceExists,
            name);

    public static ErrorRecord SchedulerNotRunning(string what)
        => new(
            new InvalidOperationException($"No scheduler runs in this session: start one with Start-Scheduler before {what}."),
            ErrorIds.SchedulerNotRunning,
            ErrorCategory.InvalidOperation,
            targetObject: null);

    public static ErrorRecord InvalidOperation(string errorId, Exception error, object? target)
        => new(error, errorId, ErrorCategory.InvalidOperation, target);

    /// <summary>A failed backup or restore, in the category of what went wrong.</summary>
    public static ErrorRecord StoreCopyFailed(string errorId, Exception error, object? target)
        => new(
            error,
            errorId,
            error switch
            {
                FileNotFoundException or DirectoryNotFoundException => ErrorCategory.ObjectNotFound,
                ArgumentException => ErrorCategory.InvalidArgument,
                InvalidDataException => ErrorCategory.InvalidData,
                InvalidOperationException => ErrorCategory.ResourceBusy,
                UnauthorizedAccessException => ErrorCategory.PermissionDenied,
                _ => ErrorCategory.WriteError,
            },
            target);
}
