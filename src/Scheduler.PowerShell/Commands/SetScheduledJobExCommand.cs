using System.Collections;
using System.Management.Automation;
using Scheduler.Internal;
using Scheduler.Invocations;
using Scheduler.Jobs;
using Scheduler.PowerShell.Arguments;
using Scheduler.Triggers;

namespace Scheduler.PowerShell.Commands;

/// <summary>
/// <c>Set-ScheduledJobEx</c>: changes jobs in their store: the trigger (the next run is computed from
/// now), what runs, its arguments, its options, its executor. What is not given stays as it is.
/// </summary>
[Cmdlet(VerbsCommon.Set, "ScheduledJobEx", SupportsShouldProcess = true, DefaultParameterSetName = NameSet)]
[OutputType(typeof(ScheduledJob))]
public sealed class SetScheduledJobExCommand : JobOptionsCmdlet, ITriggerParameters
{
    private const string NameSet = "Name";
    private const string InputObjectSet = "InputObject";

    /// <summary>The names of the jobs (exact, case-insensitive).</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = NameSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(JobNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Name { get; set; } = null!;

    /// <summary>Jobs from Get-ScheduledJobEx.</summary>
    [Parameter(Mandatory = true, ParameterSetName = InputObjectSet, ValueFromPipeline = true)]
    public ScheduledJob[] InputObject { get; set; } = null!;

    /// <summary>A new script block (its $using: values are read again).</summary>
    [Parameter]
    public ScriptBlock? ScriptBlock { get; set; }

    /// <summary>A new script file.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? FilePath { get; set; }

    /// <summary>A new command, by name.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Command { get; set; }

    /// <summary>New named parameters (replace the old ones).</summary>
    [Parameter]
    public IDictionary? Parameters { get; set; }

    /// <summary>New positional arguments (replace the old ones).</summary>
    [Parameter]
    [Alias("Args")]
    public object?[]? ArgumentList { get; set; }

    /// <summary>A new initialization script.</summary>
    [Parameter]
    public ScriptBlock? InitializationScript { get; set; }

    /// <summary>A new trigger from New-SchedulerTrigger.</summary>
    [Parameter]
    public Trigger? Trigger { get; set; }

    /// <summary>A new cron trigger.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Cron { get; set; }

    /// <summary>A new interval trigger.</summary>
    [Parameter]
    [DurationTransformation]
    public TimeSpan Interval { get; set; }

    /// <summary>A new date trigger.</summary>
    [Parameter]
    [DateTimeTransformation]
    public DateTime At { get; set; }

    /// <summary>A new calendar-interval trigger.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? CalendarInterval { get; set; }

    /// <summary>The time of day of a new calendar interval.</summary>
    [Parameter]
    [TimeOfDayTransformation]
    public TimeSpan? TimeOfDay { get; set; }

    /// <summary>The zone of a new trigger.</summary>
    [Parameter]
    [TimeZoneTransformation]
    [ArgumentCompleter(typeof(TimeZoneCompleter))]
    public TimeZoneInfo? TimeZone { get; set; }

    /// <summary>The start of a new trigger.</summary>
    [Parameter]
    [DateTimeTransformation]
    public DateTime? StartDate { get; set; }

    /// <summary>The end of a new trigger.</summary>
    [Parameter]
    [DateTimeTransformation]
    public DateTime? EndDate { get; set; }

    /// <summary>The jitter of a new trigger.</summary>
    [Parameter]
    [DurationTransformation]
    public TimeSpan? Jitter { get; set; }

    /// <summary>The job store's file; default: the running scheduler's store, else the per-user store.</summary>
    [Parameter(ParameterSetName = NameSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? Store { get; set; }

    /// <summary>Write each job as changed.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        var spec = TriggerSpec.From(this);
        var trigger = JobParameters.Trigger(this, Trigger, spec, out var error);

        // A schedule given without -TimeZone keeps the job's zone, as everything not given stays as it is:
        // -Cron '0 18 * * *' on a job in Europe/Berlin is 18:00 in Berlin, not in the machine's zone.
        var keepsZone = trigger is not null && Trigger is null && !MyInvocation.BoundParameters.ContainsKey(nameof(TimeZone));
        var sources = new[] { nameof(ScriptBlock), nameof(FilePath), nameof(Command) }.Where(MyInvocation.BoundParameters.ContainsKey).ToList();
        if (error is null && sources.Count > 1)
        {
            error = Errors.InvalidArgument(ErrorIds.InvalidJob, $"A job runs one thing, but -{string.Join(", -", sources)} were given.", string.Join(",", sources));
        }

        if (error is not null)
        {
            WriteError(error);
            return;
        }

        foreach (var (scheduler, job) in Targets(ParameterSetName == NameSet ? Name : null, ParameterSetName == InputObjectSet ? InputObject : null, Store))
        {
            var newTrigger = trigger;
            if (keepsZone)
            {
                spec.TimeZone = job.Trigger.TimeZone;
                newTrigger = JobParameters.Trigger(this, Trigger, spec, out var zoned);
                if (zoned is not null)
                {
                    WriteError(zoned);
                    continue;
                }
            }

            if (!Change(job, out var invocation, out var arguments, out var options) || !ShouldProcess($"{job.Name} in {scheduler.StoreName}", "Change the job"))
            {
                continue;
            }

            try
            {
                var changed = scheduler.Scheduler.ModifyJob(
                    job.Id,
                    invocation: invocation,
                    arguments: arguments,
                    options: options,
                    executor: MyInvocation.BoundParameters.ContainsKey(nameof(Executor)) ? ExecutorNames.Of(Executor) : null);
                if (newTrigger is not null)
                {
                    changed = scheduler.Scheduler.RescheduleJob(job.Id, newTrigger);
                }

                if (PassThru)
                {
                    WriteObject(new ScheduledJob(changed, scheduler.StoreName));
                }
            }
            catch (KeyNotFoundException)
            {
                WriteError(scheduler.JobNotFound(job.Name));
            }
            catch (ArgumentException failure)
            {
                WriteError(Errors.InvalidArgument(failure.ParamName == "trigger" ? ErrorIds.TriggerNeverFires : ErrorIds.InvalidJob, ExceptionText.FirstLine(failure), job.Name, failure));
            }
        }
    }

    /// <summary>The job's new invocation, arguments and options (null where unchanged); false after reporting an error.</summary>
    private bool Change(Scheduler.Jobs.Job job, out PowerShellInvocation? invocation, out JobArguments? arguments, out JobOptions? options)
    {
        var bound = MyInvocation.BoundParameters;
        ErrorRecord? error = null;
        invocation = null;
        arguments = null;
        var current = job.Invocation as PowerShellInvocation;
        var initialization = bound.ContainsKey(nameof(InitializationScript)) ? InitializationScript : null;
        var initializationText = bound.ContainsKey(nameof(InitializationScript)) ? InitializationScript?.ToString() : current?.InitializationScript;
        if (ScriptBlock is not null)
        {
            invocation = JobParameters.Script(this, ScriptBlock, initialization ?? (initializationText is null ? null : System.Management.Automation.ScriptBlock.Create(initializationText)), out error);
        }
        else if (FilePath is not null)
        {
            invocation = JobParameters.File(this, FilePath, initializationText is null ? null : System.Management.Automation.ScriptBlock.Create(initializationText), out error);
        }
        else if (Command is not null)
        {
            invocation = JobParameters.Command(this, Command, initializationText is null ? null : System.Management.Automation.ScriptBlock.Create(initializationText));
        }
        else if (bound.ContainsKey(nameof(InitializationScript)))
        {
            if (current is null)
            {
                error = Errors.InvalidArgument(ErrorIds.InvalidJob, $"The job '{job.Name}' does not run PowerShell: it has no initialization script.", job.Name);
            }
            else
            {
                invocation = current.WithInitializationScript(initializationText);
            }
        }

        if (error is null && (bound.ContainsKey(nameof(ArgumentList)) || bound.ContainsKey(nameof(Parameters))))
        {
            var positional = bound.ContainsKey(nameof(ArgumentList))
                ? ArgumentList ?? []
                : job.Arguments.PositionalData;
            IDictionary? named = bound.ContainsKey(nameof(Parameters)) ? Parameters : job.Arguments.NamedData.ToDictionary(pair => pair.Key, pair => pair.Value);
            arguments = JobParameters.Arguments(positional, named, out error);
        }

        options = error is null ? Options(job.Options, out error) : null;
        if (error is not null)
        {
            WriteError(error);
            return false;
        }

        return true;
    }
}
