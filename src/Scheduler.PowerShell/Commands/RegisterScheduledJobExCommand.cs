using System.Collections;
using System.Management.Automation;
using Scheduler.Internal;
using Scheduler.Jobs;
using Scheduler.PowerShell.Arguments;
using Scheduler.Triggers;

namespace Scheduler.PowerShell.Commands;

/// <summary>
/// <c>Register-ScheduledJobEx</c>: adds a job to a store: a script block, script file or command, one
/// trigger, and its options. The job runs wherever a scheduler runs on the store: in this session after
/// Start-Scheduler, or in a <c>schedhost run</c> service.
/// </summary>
/// <remarks>
/// A script block is stored as its text and re-created where it runs; the values of its <c>$using:</c>
/// variables are read now and stored with it, like the argument list and parameters, as data (JSON).
/// </remarks>
[Cmdlet(VerbsLifecycle.Register, "ScheduledJobEx", SupportsShouldProcess = true, DefaultParameterSetName = ScriptBlockSet)]
[OutputType(typeof(ScheduledJob))]
public sealed class RegisterScheduledJobExCommand : JobOptionsCmdlet, ITriggerParameters
{
    private const string ScriptBlockSet = "ScriptBlock";
    private const string FilePathSet = "FilePath";
    private const string CommandSet = "Command";

    /// <summary>The job's name, unique in the store.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = null!;

    /// <summary>The script block to run; stored as text, with its $using: values.</summary>
    [Parameter(Mandatory = true, Position = 1, ParameterSetName = ScriptBlockSet)]
    public ScriptBlock ScriptBlock { get; set; } = null!;

    /// <summary>A script file to run (the path is made full; the file must exist).</summary>
    [Parameter(Mandatory = true, ParameterSetName = FilePathSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string FilePath { get; set; } = null!;

    /// <summary>A command to run, by name: <c>Module\Verb-Noun</c>.</summary>
    [Parameter(Mandatory = true, ParameterSetName = CommandSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Command { get; set; } = null!;

    /// <summary>Named parameters for the command, script or script block.</summary>
    [Parameter]
    public IDictionary? Parameters { get; set; }

    /// <summary>Positional arguments.</summary>
    [Parameter]
    [Alias("Args")]
    public object?[]? ArgumentList { get; set; }

    /// <summary>A script run first in the same runspace (to import modules, define functions).</summary>
    [Parameter]
    public ScriptBlock? InitializationScript { get; set; }

    /// <summary>A trigger from New-SchedulerTrigger.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public Trigger? Trigger { get; set; }

    /// <summary>A cron expression, evaluated in -TimeZone.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? Cron { get; set; }

    /// <summary>A fixed elapsed interval (90s, 5m, 1h30m, PT1H).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [DurationTransformation]
    public TimeSpan Interval { get; set; }

    /// <summary>Run once, at this date-time.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [DateTimeTransformation]
    public DateTime At { get; set; }

    /// <summary>Every N years, months, weeks or days (P1D, P1M) at -TimeOfDay.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? CalendarInterval { get; set; }

    /// <summary>The wall-clock time of day of a calendar interval.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [TimeOfDayTransformation]
    public TimeSpan? TimeOfDay { get; set; }

    /// <summary>The trigger's zone (IANA or Windows id); default: the machine's.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [TimeZoneTransformation]
    [ArgumentCompleter(typeof(TimeZoneCompleter))]
    public TimeZoneInfo? TimeZone { get; set; }

    /// <summary>No run before this date-time.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [DateTimeTransformation]
    public DateTime? StartDate { get; set; }

    /// <summary>No run after this date-time.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [DateTimeTransformation]
    public DateTime? EndDate { get; set; }

    /// <summary>A random delay in [0, Jitter] added to each run.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [DurationTransformation]
    public TimeSpan? Jitter { get; set; }

    /// <summary>Also run the job once now. Needs a scheduler running on the store, in this session or another process; without one the job is not registered.</summary>
    [Parameter]
    public SwitchParameter RunNow { get; set; }

    /// <summary>Register the job paused (no next run until Resume-ScheduledJobEx).</summary>
    [Parameter]
    public SwitchParameter Paused { get; set; }

    /// <summary>Replace a job with the same name.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>The job store's file; default: the running scheduler's store, else the per-user store.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? Store { get; set; }

    /// <summary>Write the registered job.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        var trigger = JobParameters.Trigger(this, Trigger, TriggerSpec.From(this), out var error);
        if (error is null && trigger is null)
        {
            error = Errors.InvalidArgument(
                ErrorIds.TriggerRequired,
                $"The job '{Name}' needs a trigger: -Cron, -Interval, -At, -CalendarInterval or -Trigger.",
                Name);
        }

        if (error is not null)
        {
            WriteError(error);
            return;
        }

        var invocation = ParameterSetName switch
        {
            FilePathSet => JobParameters.File(this, FilePath, InitializationScript, out error),
            CommandSet => JobParameters.Command(this, Command, InitializationScript),
            _ => JobParameters.Script(this, ScriptBlock, InitializationScript, out error),
        };
        var arguments = error is null ? JobParameters.Arguments(ArgumentList ?? [], Parameters, out error) : null;
        var options = error is null ? Options(JobOptions.Default, out error) : null;
        if (error is not null)
        {
            WriteError(error);
            return;
        }

        var scheduler = SchedulerFor(Store);
        var existing = scheduler.FindJob(Name);
        if (existing is not null && !Force)
        {
            WriteError(Errors.DuplicateJobName(Name, scheduler.StoreName));
            return;
        }

        // An error means the command did nothing: a job registered while its run now could not be made
        // would be there after an error, and the same command again would find it and refuse.
        if (RunNow && !CanRunNow(scheduler))
        {
            WriteError(NoSchedulerToRunNow(scheduler, Name, existing is null ? " The job was not registered." : " The job was not replaced."));
            return;
        }

        if (!ShouldProcess($"{Name} ({TriggerDisplay.Schedule(trigger!)}) in {scheduler.StoreName}", existing is null ? "Register the job" : "Replace the job"))
        {
            return;
        }

        Scheduler.Jobs.Job job;
        try
        {
            // A job of the same name with another id (added by schedhost or .NET) is replaced too.
            if (existing is not null && existing.Id != Name)
            {
                scheduler.Scheduler.RemoveJob(existing.Id);
            }

            job = scheduler.Scheduler.AddJob(
                trigger!,
                invocation!,
                id: Name,
                name: Name,
                arguments: arguments,
                options: options,
                executor: ExecutorNames.Of(Executor),
                paused: Paused,
                replaceExisting: Force);
        }
        catch (ArgumentException failure)
        {
            WriteError(Errors.InvalidArgument(failure.ParamName == "trigger" ? ErrorIds.TriggerNeverFires : ErrorIds.InvalidJob, ExceptionText.FirstLine(failure), Name, failure));
            return;
        }
        catch (InvalidOperationException)
        {
            WriteError(Errors.DuplicateJobName(Name, scheduler.StoreName));
            return;
        }

        if (RunNow)
        {
            RunJobNow(scheduler, job);
        }

        if (PassThru)
        {
            WriteObject(new ScheduledJob(job, scheduler.StoreName));
        }
    }
}
