using System.Management.Automation;

namespace Scheduler.PowerShell.Commands;

/// <summary>
/// <c>Get-Scheduler</c>: the state of the scheduler running in this session, or of a store's scheduler
/// (Stopped when it does not run here).
/// </summary>
[Cmdlet(VerbsCommon.Get, "Scheduler")]
[OutputType(typeof(SchedulerInfo))]
public sealed class GetSchedulerCommand : SchedulerCmdlet
{
    /// <summary>The job store's file; default: the store of the running scheduler, else the per-user store.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? Store { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord() => WriteObject(Describe(SchedulerFor(Store)));
}
