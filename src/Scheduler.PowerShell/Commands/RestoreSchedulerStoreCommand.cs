using System.Management.Automation;
using Scheduler.Stores;

namespace Scheduler.PowerShell.Commands;

/// <summary>
/// <c>Restore-SchedulerStore</c>: replaces what a SQLite store holds with a backup's content, in one
/// transaction (<see cref="JobStore.RestoreSqlite"/>). No scheduler may run on the store, in this session
/// or another process; this session's handle on the store is closed first, so the next cmdlet sees the
/// restored store as a freshly opened one.
/// </summary>
[Cmdlet(VerbsData.Restore, "SchedulerStore", SupportsShouldProcess = true)]
[OutputType(typeof(ScheduledJob))]
public sealed class RestoreSchedulerStoreCommand : SchedulerCmdlet
{
    /// <summary>The backup to restore (made by Backup-SchedulerStore or schedhost backup).</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = null!;

    /// <summary>The store's file; default: the store of the running scheduler (refused until it is stopped), else the per-user store.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Store { get; set; }

    /// <summary>Write the restored store's jobs.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        var store = SqliteStoreFor(Store, ErrorIds.StoreRestoreFailed);
        var backup = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
        if (!ShouldProcess(store.Name, $"Replace the store's jobs, runs and events with those of the backup '{backup}'"))
        {
            return;
        }

        if (!State.Close(store))
        {
            var running = new InvalidOperationException($"The scheduler of this session runs on the store '{store.Name}': stop it with Stop-Scheduler before restoring the store, or it would go on from what it holds in memory.");
            WriteError(Errors.StoreCopyFailed(ErrorIds.StoreRestoreFailed, running, store.Name));
            return;
        }

        int jobs;
        try
        {
            // Restoring onto a new machine: the per-user store's folder is made as opening the store makes it.
            DefaultStorePath.PrepareFolder(store.Name);
            jobs = JobStore.RestoreSqlite(backup, store.Name);
        }
        catch (Exception error) when (error is IOException or InvalidDataException or InvalidOperationException or ArgumentException or UnauthorizedAccessException)
        {
            WriteError(Errors.StoreCopyFailed(ErrorIds.StoreRestoreFailed, error, store.Name));
            return;
        }

        WriteVerbose($"Restored {jobs} job(s) from '{backup}' into '{store.Name}'.");
        if (PassThru)
        {
            var scheduler = SchedulerFor(store.Name);
            foreach (var job in scheduler.FindJobs(null))
            {
                WriteObject(new ScheduledJob(job, scheduler.StoreName));
            }
        }
    }
}
