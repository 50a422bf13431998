using System.Management.Automation;

namespace Scheduler.PowerShell.Commands;

/// <summary>
/// <c>Start-Scheduler</c>: runs the scheduler of a store in the background of this session; jobs due
/// run while the session lives (or until Stop-Scheduler). A session runs one scheduler at a time.
/// </summary>
[Cmdlet(VerbsLifecycle.Start, "Scheduler", SupportsShouldProcess = true)]
[OutputType(typeof(SchedulerInfo))]
public sealed class StartSchedulerCommand : SchedulerCmdlet
{
    /// <summary>The job store's file; default: the per-user store.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? Store { get; set; }

    /// <summary>Start paused: nothing scheduled runs until Resume-Scheduler.</summary>
    [Parameter]
    public SwitchParameter Paused { get; set; }

    /// <summary>How many PowerShell runs run at once (default 5).</summary>
    [Parameter]
    [ValidateRange(1, 1000)]
    public int MaxWorkers { get; set; }

    /// <summary>Write the scheduler's state.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        if (State.Running is { } running)
        {
            WriteError(Errors.InvalidOperation(
                ErrorIds.SchedulerAlreadyRunning,
                new InvalidOperationException($"A scheduler already runs in this session, on the store '{running.StoreName}': stop it with Stop-Scheduler first."),
                running.StoreName));
            return;
        }

        var scheduler = SchedulerFor(Store);
        if (!ShouldProcess(scheduler.StoreName, Paused ? "Start the scheduler paused" : "Start the scheduler"))
        {
            return;
        }

        try
        {
            scheduler.Start(Paused, MyInvocation.BoundParameters.ContainsKey(nameof(MaxWorkers)) ? MaxWorkers : null);
        }
        catch (InvalidOperationException error)
        {
            // Another process (schedhost run, another session) runs a scheduler on the store.
            WriteError(Errors.InvalidOperation(ErrorIds.SchedulerAlreadyRunning, error, scheduler.StoreName));
            return;
        }

        if (PassThru)
        {
            WriteObject(Describe(scheduler));
        }
    }
}
