using System.Collections;
using Scheduler.Invocations;
using Scheduler.Jobs;
using Scheduler.PowerShell.Invocations;
using Scheduler.Triggers;

namespace Scheduler.PowerShell;

/// <summary>A job as the job cmdlets write it: what it runs, when, how, and the store that keeps it.</summary>
/// <remarks>
/// <c>Name</c> and <c>Store</c> bind by property name, so a job piped to another job cmdlet is found again
/// in its own store; <c>Trigger</c> binds to Get-SchedulerFireTime.
/// </remarks>
public sealed class ScheduledJob
{
    internal ScheduledJob(Job job, string store)
    {
        Definition = job;
        Store = store;
    }

    /// <summary>The job's name, unique in its store (case-insensitive).</summary>
    public string Name => Definition.Name;

    /// <summary>The job's id in the store (its name when registered from PowerShell).</summary>
    public string Id => Definition.Id;

    /// <summary>Scheduled, Paused, or Broken (the store cannot read its definition).</summary>
    public JobState State => Definition.State;

    /// <summary>When the job runs next, with the offset of its trigger's zone; null while paused.</summary>
    public DateTimeOffset? NextRunTime
        => Definition.NextRunTime is { } next ? TimeZoneInfo.ConvertTime(next, Definition.Trigger.TimeZone) : null;

    /// <summary>When the job fires: the engine's trigger.</summary>
    public Trigger Trigger => Definition.Trigger;

    /// <summary>The trigger's time zone (IANA id where one exists), as the table shows it.</summary>
    public string TimeZone => TimeZones.PortableId(Definition.Trigger.TimeZone);

    /// <summary>The trigger's rule in one line: <c>0 9 * * MON-FRI</c>, <c>every PT1H</c>.</summary>
    public string Schedule => TriggerDisplay.Schedule(Definition.Trigger);

    /// <summary>What the job runs: ScriptBlock, File or Command (or a kind registered outside PowerShell).</summary>
    public string Kind => Definition.Invocation switch
    {
        PowerShellInvocation { Source: PowerShellSource.Script } => "ScriptBlock",
        PowerShellInvocation { Source: PowerShellSource.File } => "File",
        PowerShellInvocation { Source: PowerShellSource.Command } => "Command",
        var other => other.Kind.ToString(),
    };

    /// <summary>The script block's text, the script file's path or the command's name.</summary>
    public string Command => Definition.Invocation switch
    {
        PowerShellInvocation powerShell => powerShell.Text,
        CommandInvocation command => string.Join(" ", new[] { command.Executable }.Concat(command.Arguments)),
        var other => other.ToString() ?? string.Empty,
    };

    /// <summary>The positional arguments (-ArgumentList).</summary>
    public object?[] ArgumentList => Definition.Arguments.PositionalData.Select(DataValues.FromData).ToArray();

    /// <summary>The named arguments (-Parameters).</summary>
    public Hashtable Parameters
    {
        get
        {
            var parameters = new Hashtable(StringComparer.OrdinalIgnoreCase);
            foreach (var pair in Definition.Arguments.NamedData)
            {
                parameters[pair.Key] = DataValues.FromData(pair.Value);
            }

            return parameters;
        }
    }

    /// <summary>The values of the script block's <c>$using:</c> variables, captured at registration.</summary>
    public Hashtable UsingValues
    {
        get
        {
            var values = new Hashtable(StringComparer.OrdinalIgnoreCase);
            if (Definition.Invocation is PowerShellInvocation powerShell)
            {
                foreach (var pair in powerShell.UsingData)
                {
                    values[pair.Key] = DataValues.FromData(pair.Value);
                }
            }

            return values;
        }
    }

    /// <summary>The script run before the job in the same runspace, or null.</summary>
    public string? InitializationScript => (Definition.Invocation as PowerShellInvocation)?.InitializationScript;

    /// <summary>Runspace (in-process) or Process (a child pwsh), or another executor's name.</summary>
    public string Executor => ExecutorNames.Display(Definition.Executor);

    /// <summary>How late a run may start before it is recorded as Missed instead; null: unlimited.</summary>
    public TimeSpan? MisfireGraceTime => Definition.Options.MisfireGraceTime;

    /// <summary>Which runs start when several are due at once: Latest, Earliest or All.</summary>
    public CoalescePolicy Coalesce => Definition.Options.Coalesce;

    /// <summary>How many runs of the job may run at once.</summary>
    public int MaxInstances => Definition.Options.MaxInstances;

    /// <summary>What a run does when MaxInstances runs are in progress: Skip, Queue or Replace.</summary>
    public OverlapPolicy OverlapPolicy => Definition.Options.Overlap;

    /// <summary>How long a run may take before it is cancelled and recorded as TimedOut; null: no limit.</summary>
    public TimeSpan? Timeout => Definition.Options.Timeout;

    /// <summary>How many times a failed run is run again.</summary>
    public int RetryCount => Definition.Options.RetryCount;

    /// <summary>How long after a failure the retry runs.</summary>
    public TimeSpan RetryDelay => Definition.Options.RetryDelay;

    /// <summary>Whether a run left unfinished by a stopped scheduler runs again.</summary>
    public bool Recover => Definition.Options.Recover;

    /// <summary>Why the store cannot read the job, when it is Broken.</summary>
    public string? LoadError => Definition.LoadError;

    /// <summary>The store's file.</summary>
    public string Store { get; }

    /// <summary>The job as the engine keeps it.</summary>
    internal Job Definition { get; }

    /// <summary>The job's name.</summary>
    public override string ToString() => Name;
}

/// <summary>The executors a job can name from PowerShell.</summary>
public enum ExecutorKind
{
    /// <summary>In this process, in a fresh runspace per run (the scheduler running in a PowerShell session, or schedhost).</summary>
    Runspace = 0,

    /// <summary>In a child pwsh per run: isolated, and killed (with its process tree) on timeout.</summary>
    Process = 1,
}

/// <summary>The names executors are stored under.</summary>
internal static class ExecutorNames
{
    public const string Runspace = "runspace";
    public const string Process = "process";

    public static string Of(ExecutorKind kind) => kind == ExecutorKind.Process ? Process : Runspace;

    public static string Display(string name) => name switch
    {
        Runspace => nameof(ExecutorKind.Runspace),
        Process => nameof(ExecutorKind.Process),
        _ => name,
    };
}
