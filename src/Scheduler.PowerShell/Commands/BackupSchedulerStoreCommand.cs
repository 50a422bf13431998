using System.Management.Automation;
using Scheduler.Stores;

namespace Scheduler.PowerShell.Commands;

/// <summary>
/// <c>Backup-SchedulerStore</c>: a checked snapshot of a SQLite store in a new file, while schedulers and
/// other sessions go on using the store (<see cref="JobStore.BackupSqlite"/>). Writes the backup's file.
/// </summary>
[Cmdlet(VerbsData.Backup, "SchedulerStore", SupportsShouldProcess = true)]
[OutputType(typeof(FileInfo))]
public sealed class BackupSchedulerStoreCommand : SchedulerCmdlet
{
    /// <summary>The backup file to write; its folder must exist.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = null!;

    /// <summary>The store's file; default: the store of the running scheduler, else the per-user store.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Store { get; set; }

    /// <summary>Replace the backup file if it exists.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        var store = SqliteStoreFor(Store, ErrorIds.StoreBackupFailed);
        var destination = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
        if (!ShouldProcess(destination, $"Back up the store '{store.Name}'"))
        {
            return;
        }

        int jobs;
        try
        {
            jobs = JobStore.BackupSqlite(store.Name, destination, Force);
        }
        catch (Exception error) when (error is IOException or InvalidDataException or ArgumentException or UnauthorizedAccessException)
        {
            // A destination that exists is the caller's to decide on: say how.
            var reported = !Force && error is IOException && File.Exists(destination)
                ? new IOException($"The backup '{destination}' already exists; give another file, or -Force to replace it.", error)
                : error;
            WriteError(Errors.StoreCopyFailed(ErrorIds.StoreBackupFailed, reported, destination));
            return;
        }

        WriteVerbose($"Backed up {jobs} job(s) from '{store.Name}' to '{destination}'.");
        // As Get-Item writes it: with the provider's properties, which its table view shows.
        WriteObject(SessionState.InvokeProvider.Item.Get([destination], force: true, literalPath: true), enumerateCollection: true);
    }
}
