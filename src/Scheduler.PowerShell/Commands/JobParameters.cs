using System.Collections;
using System.Management.Automation;
using Scheduler.Internal;
using Scheduler.Invocations;
using Scheduler.Jobs;
using Scheduler.PowerShell.Arguments;
using Scheduler.PowerShell.Invocations;
using Scheduler.Triggers;

namespace Scheduler.PowerShell.Commands;

/// <summary>
/// What Register-ScheduledJobEx and Set-ScheduledJobEx share: a job's trigger, invocation, arguments and
/// options from their parameters, each failure as an error record with the module's id.
/// </summary>
internal static class JobParameters
{
    /// <summary>The parameters that each describe a whole trigger; a job takes one.</summary>
    public static readonly string[] TriggerParameters = ["Trigger", "Cron", "Interval", "At", "CalendarInterval"];

    /// <summary>The parameters that shape a trigger built from -Cron, -Interval, -At or -CalendarInterval.</summary>
    public static readonly string[] TriggerPartParameters = ["TimeZone", "StartDate", "EndDate", "Jitter", "TimeOfDay"];

    /// <summary>
    /// The trigger the bound parameters describe; null with no error when none is given (Set-ScheduledJobEx
    /// keeps the job's), null with an error when they are wrong.
    /// </summary>
    public static Trigger? Trigger(PSCmdlet cmdlet, Trigger? ready, TriggerSpec spec, out ErrorRecord? error)
    {
        error = null;
        var bound = cmdlet.MyInvocation.BoundParameters;
        var given = TriggerParameters.Where(bound.ContainsKey).ToList();
        var parts = TriggerPartParameters.Where(bound.ContainsKey).ToList();
        if (given.Count > 1)
        {
            error = Errors.InvalidArgument(
                ErrorIds.ConflictingTriggers,
                $"A job has one trigger, but -{string.Join(", -", given)} were given: combine triggers with New-SchedulerTrigger -Any or -All and pass it with -Trigger.",
                string.Join(",", given));
            return null;
        }

        if (given.Count == 0)
        {
            if (parts.Count > 0)
            {
                error = Errors.InvalidArgument(
                    ErrorIds.TriggerRequired,
                    $"-{string.Join(", -", parts)} {(parts.Count == 1 ? "shapes" : "shape")} a trigger given with -Cron, -Interval, -At or -CalendarInterval, and none was given.",
                    string.Join(",", parts));
            }

            return null;
        }

        if (given[0] == "Trigger")
        {
            if (parts.Count > 0)
            {
                error = Errors.InvalidArgument(
                    ErrorIds.ConflictingTriggers,
                    $"-{string.Join(", -", parts)} cannot change a ready-made -Trigger: give them to New-SchedulerTrigger instead.",
                    string.Join(",", parts));
                return null;
            }

            return ready;
        }

        if (bound.ContainsKey("TimeOfDay") && given[0] != "CalendarInterval")
        {
            error = Errors.InvalidArgument(ErrorIds.ConflictingTriggers, "-TimeOfDay applies only to -CalendarInterval.", "TimeOfDay");
            return null;
        }

        var kind = (TriggerKind)Enum.Parse(typeof(TriggerKind), given[0]);
        return spec.Build(kind, out error);
    }

    /// <summary>The invocation of a script block, with its <c>$using:</c> values read in the caller's scope.</summary>
    public static PowerShellInvocation? Script(PSCmdlet cmdlet, ScriptBlock script, ScriptBlock? initialization, out ErrorRecord? error)
    {
        error = null;
        try
        {
            var usingValues = UsingValues.Capture(script, cmdlet.SessionState);
            return PowerShellInvocation.FromScript(script.ToString(), initialization?.ToString(), usingValues);
        }
        catch (ArgumentException failure)
        {
            error = Errors.InvalidArgument(ErrorIds.InvalidJobValue, ExceptionText.FirstLine(failure), script, failure);
            return null;
        }
    }

    /// <summary>The invocation of a script file: the path made full, the file required to exist.</summary>
    public static PowerShellInvocation? File(PSCmdlet cmdlet, string path, ScriptBlock? initialization, out ErrorRecord? error)
    {
        error = null;
        var full = Path.GetFullPath(cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path));
        if (!System.IO.File.Exists(full))
        {
            error = new ErrorRecord(
                new FileNotFoundException($"The script file '{full}' does not exist.", full),
                ErrorIds.ScriptFileNotFound,
                ErrorCategory.ObjectNotFound,
                path);
            return null;
        }

        return PowerShellInvocation.FromFile(full, initialization?.ToString());
    }

    /// <summary>
    /// The invocation of a command by name. A command this session cannot find is accepted with a
    /// warning: it may exist only where the job runs (a module the service has).
    /// </summary>
    public static PowerShellInvocation Command(PSCmdlet cmdlet, string name, ScriptBlock? initialization)
    {
        if (initialization is null && cmdlet.InvokeCommand.GetCommand(name, CommandTypes.All) is null)
        {
            cmdlet.WriteWarning($"The command '{name}' is not found in this session; it must exist where the job runs (import its module with -InitializationScript).");
        }

        return PowerShellInvocation.FromCommand(name, initialization?.ToString());
    }

    /// <summary>The argument list and parameters as stored arguments.</summary>
    public static JobArguments? Arguments(IEnumerable<object?> positional, IDictionary? named, out ErrorRecord? error)
    {
        error = null;
        try
        {
            var values = positional.Select((value, index) => DataValues.ToData(value, $"The argument {index}")).ToList();
            var pairs = new List<KeyValuePair<string, object?>>();
            if (named is not null)
            {
                foreach (DictionaryEntry entry in named)
                {
                    var key = Convert.ToString(entry.Key is PSObject wrapped ? wrapped.BaseObject : entry.Key, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty;
                    pairs.Add(new(key, DataValues.ToData(entry.Value, $"The parameter '{key}'")));
                }
            }

            return values.Count == 0 && pairs.Count == 0 ? JobArguments.None : JobArguments.Create(values, pairs);
        }
        catch (ArgumentException failure)
        {
            error = Errors.InvalidArgument(ErrorIds.InvalidJobValue, ExceptionText.FirstLine(failure), null, failure);
            return null;
        }
    }

    /// <summary>The options with each bound option parameter applied.</summary>
    public static JobOptions? Options(PSCmdlet cmdlet, JobOptions current, OptionValues values, out ErrorRecord? error)
    {
        error = null;
        var bound = cmdlet.MyInvocation.BoundParameters;
        try
        {
            var options = current;
            if (bound.ContainsKey("MisfireGraceTime"))
            {
                options = options with { MisfireGraceTime = values.MisfireGraceTime };
            }

            if (bound.ContainsKey("Coalesce"))
            {
                options = options with { Coalesce = values.Coalesce };
            }

            if (bound.ContainsKey("MaxInstances"))
            {
                options = options with { MaxInstances = values.MaxInstances };
            }

            if (bound.ContainsKey("OverlapPolicy"))
            {
                options = options with { Overlap = values.OverlapPolicy };
            }

            if (bound.ContainsKey("Timeout"))
            {
                options = options with { Timeout = values.Timeout };
            }

            if (bound.ContainsKey("RetryCount"))
            {
                options = options with { RetryCount = values.RetryCount };
            }

            if (bound.ContainsKey("RetryDelay"))
            {
                options = options with { RetryDelay = values.RetryDelay };
            }

            if (bound.ContainsKey("Recover"))
            {
                options = options with { Recover = values.Recover };
            }

            return options;
        }
        catch (ArgumentOutOfRangeException failure)
        {
            error = Errors.InvalidArgument(ErrorIds.InvalidJobOption, ExceptionText.FirstLine(failure), failure.ActualValue, failure);
            return null;
        }
    }
}

/// <summary>The values of the job option parameters.</summary>
internal readonly record struct OptionValues(
    TimeSpan? MisfireGraceTime,
    CoalescePolicy Coalesce,
    int MaxInstances,
    OverlapPolicy OverlapPolicy,
    TimeSpan? Timeout,
    int RetryCount,
    TimeSpan RetryDelay,
    bool Recover);
