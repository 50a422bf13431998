using System.Globalization;
using System.Management.Automation;
using System.Text;
using Scheduler.Jobs;

namespace Scheduler.PowerShell.Executors;

/// <summary>
/// What one run of a PowerShell job wrote, kept two ways and both bounded: as text for the run history
/// (output, warnings and information in the order they came, errors apart) and as the records
/// themselves for <c>Receive-Job</c> in the session that ran it.
/// </summary>
/// <remarks>
/// A job that writes without end (a log tail, a loop) must not grow the scheduler's memory: past the
/// limits, text and records are counted, not kept.
/// </remarks>
internal sealed class RunCapture
{
    /// <summary>The most records of each stream kept for Receive-Job.</summary>
    public const int MaxRecords = 1000;

    // One more than the run history keeps, so the store's own bound marks the cut with an ellipsis.
    private const int MaxText = JobRun.MaxTextLength + 1;

    private readonly object sync = new();
    private readonly StringBuilder output = new();
    private readonly StringBuilder errors = new();
    private readonly List<PSObject> outputRecords = [];
    private readonly List<ErrorRecord> errorRecords = [];
    private readonly List<WarningRecord> warningRecords = [];
    private readonly List<InformationRecord> informationRecords = [];

    private Exception? firstError;

    /// <summary>
    /// How many error records the run wrote (kept or not), not counting the lines native commands wrote
    /// to stderr: those are text (progress, warnings: git, curl), and a native command's exit code says
    /// whether it failed.
    /// </summary>
    public int ErrorCount { get; private set; }

    /// <summary>The exception of the first error record <see cref="ErrorCount"/> counts, or null.</summary>
    public Exception? FirstError
    {
        get
        {
            lock (sync)
            {
                return firstError;
            }
        }
    }

    public void AddOutput(PSObject? item)
    {
        lock (sync)
        {
            Keep(outputRecords, item ?? new PSObject());
            AppendLine(output, item is null ? string.Empty : Text(item));
        }
    }

    public void AddError(ErrorRecord record)
    {
        lock (sync)
        {
            if (!IsNativeStandardError(record))
            {
                ErrorCount++;
                firstError ??= record.Exception;
            }

            Keep(errorRecords, record);
            AppendLine(errors, Describe(record));
        }
    }

    /// <summary>The terminating error that ended the run (or its initialization script).</summary>
    public void AddTerminatingError(Exception error)
    {
        lock (sync)
        {
            ErrorCount++;
            firstError ??= error;
            var record = error is IContainsErrorRecord contained
                ? new ErrorRecord(contained.ErrorRecord, error)
                : new ErrorRecord(error, "JobFailed", ErrorCategory.NotSpecified, targetObject: null);
            Keep(errorRecords, record);
            AppendLine(errors, Describe(record));
        }
    }

    public void AddWarning(WarningRecord record)
    {
        lock (sync)
        {
            Keep(warningRecords, record);
            AppendLine(output, "WARNING: " + record.Message);
        }
    }

    public void AddInformation(InformationRecord record)
    {
        lock (sync)
        {
            Keep(informationRecords, record);
            AppendLine(output, Convert.ToString(record.MessageData, CultureInfo.InvariantCulture) ?? string.Empty);
        }
    }

    /// <summary>Output, warnings and information as the run history keeps them; null when the run wrote nothing.</summary>
    public string? OutputText
    {
        get
        {
            lock (sync)
            {
                return output.Length == 0 ? null : output.ToString();
            }
        }
    }

    /// <summary>The errors, one per line; null when there were none.</summary>
    public string? ErrorText
    {
        get
        {
            lock (sync)
            {
                return errors.Length == 0 ? null : errors.ToString();
            }
        }
    }

    /// <summary>The records kept for Receive-Job.</summary>
    public RunResult ToResult()
    {
        lock (sync)
        {
            return new RunResult([.. outputRecords], [.. errorRecords], [.. warningRecords], [.. informationRecords]);
        }
    }

    /// <summary>A line a native command wrote to stderr, as PowerShell hands it on (the first one, then the rest).</summary>
    private static bool IsNativeStandardError(ErrorRecord record)
        => record.FullyQualifiedErrorId is "NativeCommandError" or "NativeCommandErrorMessage";

    /// <summary>An object as one line of text, as <c>"$item"</c> shows it.</summary>
    private static string Text(PSObject item) => item.BaseObject switch
    {
        string text => text,
        _ => item.ToString(),
    };

    /// <summary>
    /// The message of an error, with the script line it came from when known; what a native command
    /// wrote to stderr is its own text, kept as it wrote it.
    /// </summary>
    private static string Describe(ErrorRecord record)
    {
        var message = record.ErrorDetails?.Message is { Length: > 0 } details ? details : record.Exception?.Message ?? record.ToString();
        return !IsNativeStandardError(record) && record.InvocationInfo is { ScriptLineNumber: > 0 } where
            ? string.Format(CultureInfo.InvariantCulture, "{0} (line {1})", message, where.ScriptLineNumber)
            : message;
    }

    private static void Keep<T>(List<T> records, T record)
    {
        if (records.Count < MaxRecords)
        {
            records.Add(record);
        }
    }

    private static void AppendLine(StringBuilder text, string line)
    {
        if (text.Length >= MaxText)
        {
            return;
        }

        if (text.Length > 0)
        {
            text.Append('\n');
        }

        text.Append(line.Length > MaxText - text.Length ? line.Substring(0, MaxText - text.Length) : line);
    }
}

/// <summary>What a run wrote, as records, for <c>Receive-Job</c>.</summary>
internal sealed class RunResult(
    IReadOnlyList<PSObject> output,
    IReadOnlyList<ErrorRecord> errors,
    IReadOnlyList<WarningRecord> warnings,
    IReadOnlyList<InformationRecord> information)
{
    public IReadOnlyList<PSObject> Output { get; } = output;

    public IReadOnlyList<ErrorRecord> Errors { get; } = errors;

    public IReadOnlyList<WarningRecord> Warnings { get; } = warnings;

    public IReadOnlyList<InformationRecord> Information { get; } = information;
}
