using Scheduler.PowerShell.Tests.Hosting;
using Scheduler.Tests.Support;

namespace Scheduler.PowerShell.Tests.Commands;

/// <summary>Backup-SchedulerStore and Restore-SchedulerStore on the session's stores, and a store file that goes away under the session.</summary>
[Collection(ModuleCollection.Name)]
public sealed class StoreCopyCommandsTests(ModuleSession session)
{
    [Fact]
    public void A_backup_of_a_store_in_use_is_restored_and_the_session_sees_the_restored_jobs()
    {
        using var store = new TestStore(session);
        var backup = Path.Combine(store.Folder, "backup.db");

        var file = store.Run(
            """
            param($store, $backup)
            Register-ScheduledJobEx -Name kept -Store $store -Cron '0 9 * * *' -TimeZone UTC -ScriptBlock { 1 }
            Start-Scheduler -Store $store
            Backup-SchedulerStore -Path $backup -Verbose
            """,
            ("backup", backup));

        Assert.Equal(backup, file.Single().Property<string>("FullName"));
        Assert.Equal($"Backed up 1 job(s) from '{store.Path}' to '{backup}'.", file.Verbose[^1].Message);

        var jobs = store.Run(
            """
            param($store, $backup)
            Stop-Scheduler
            Unregister-ScheduledJobEx -Name kept -Store $store
            Register-ScheduledJobEx -Name later -Store $store -Cron '0 9 * * *' -TimeZone UTC -ScriptBlock { 2 }
            Restore-SchedulerStore -Path $backup -Store $store -PassThru
            """,
            ("backup", backup)).ShouldSucceed();

        Assert.Equal(["kept"], jobs.Output.Select(job => job.Property<string>("Name")));
        Assert.Equal(["kept"], store.Run("param($store) Get-ScheduledJobEx -Store $store | ForEach-Object Name").ShouldSucceed().Objects);
    }

    [Fact]
    public void A_store_deleted_while_the_session_has_it_open_is_made_anew_rather_than_written_to_in_the_deleted_file()
    {
        using var store = new TestStore(session);
        store.Run("param($store) Register-ScheduledJobEx -Name old -Store $store -Interval 1h -ScriptBlock { 1 }").ShouldSucceed();

        // As `rm jobs.db*` removes it: the file, its log and its index.
        foreach (var file in new[] { store.Path, store.Path + "-wal", store.Path + "-shm" })
        {
            File.Delete(file);
        }

        store.Run("param($store) Register-ScheduledJobEx -Name new -Store $store -Interval 1h -ScriptBlock { 2 }").ShouldSucceed();

        // Another process would find nothing at the path if the job had gone into the deleted file.
        Assert.True(File.Exists(store.Path), "The job was written into the deleted file: there is no store at its path.");
        Assert.Equal(["new"], store.Run("param($store) Get-ScheduledJobEx -Store $store | ForEach-Object Name").ShouldSucceed().Objects);
    }

    [LinuxFact("tells a replaced file from /proc/self/fd")]
    public void A_store_replaced_while_the_session_has_it_open_is_read_and_written_where_it_is_now()
    {
        using var store = new TestStore(session);
        var other = Path.Combine(store.Folder, "other.db");
        store.Run(
            """
            param($store, $source, $other)
            Register-ScheduledJobEx -Name old -Store $store -Interval 1h -ScriptBlock { 1 }
            Register-ScheduledJobEx -Name replacement -Store $source -Interval 1h -ScriptBlock { 3 }
            $null = Backup-SchedulerStore -Store $source -Path $other
            """,
            ("source", Path.Combine(store.Folder, "source.db")),
            ("other", other)).ShouldSucceed();

        // mv other.db jobs.db: the session's open file is no longer the one at the path.
        File.Move(other, store.Path, overwrite: true);
        var names = store.Run(
            """
            param($store)
            Register-ScheduledJobEx -Name new -Store $store -Interval 1h -ScriptBlock { 2 }
            Get-ScheduledJobEx -Store $store | ForEach-Object Name
            """).ShouldSucceed().Objects;

        Assert.Equal(["new", "replacement"], names.Select(name => name.ToString()).Order());
    }

    [Fact]
    public void A_store_file_deleted_without_its_log_while_the_session_has_it_open_is_reported_not_written_to()
    {
        using var store = new TestStore(session);
        store.Run("param($store) Register-ScheduledJobEx -Name old -Store $store -Interval 1h -ScriptBlock { 1 }").ShouldSucceed();
        File.Delete(store.Path);

        var error = store.Run("param($store) Register-ScheduledJobEx -Name new -Store $store -Interval 1h -ScriptBlock { 2 }").SingleError("StoreUnavailable");

        // The log left beside the path may be another process's, which a new store would read as its own.
        Assert.Contains($"The store '{store.Path}' does not exist, but its log '{store.Path}-wal' does: the file was deleted or moved away while a process had it open", error.Exception.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(store.Path));
    }

    [Fact]
    public void A_restore_is_refused_while_the_sessions_scheduler_runs_on_the_store()
    {
        using var store = new TestStore(session);
        var backup = Path.Combine(store.Folder, "backup.db");
        store.Run(
            """
            param($store, $backup)
            Register-ScheduledJobEx -Name a -Store $store -Cron '0 9 * * *' -TimeZone UTC -ScriptBlock { 1 }
            $null = Backup-SchedulerStore -Path $backup -Store $store
            Register-ScheduledJobEx -Name b -Store $store -Cron '0 9 * * *' -TimeZone UTC -ScriptBlock { 1 }
            Start-Scheduler -Store $store
            """,
            ("backup", backup)).ShouldSucceed();

        var error = store.Run("param($store, $backup) Restore-SchedulerStore -Path $backup -Store $store", ("backup", backup)).SingleError("StoreRestoreFailed");

        Assert.Equal($"The scheduler of this session runs on the store '{store.Path}': stop it with Stop-Scheduler before restoring the store, or it would go on from what it holds in memory.", error.Exception.Message);
        Assert.Equal(System.Management.Automation.ErrorCategory.ResourceBusy, error.CategoryInfo.Category);
        Assert.Equal(["a", "b"], store.Run("param($store) Get-ScheduledJobEx -Store $store | ForEach-Object Name").ShouldSucceed().Objects.Order());
    }

    [Fact]
    public void An_existing_backup_is_kept_without_Force_and_WhatIf_writes_nothing()
    {
        using var store = new TestStore(session);
        var backup = Path.Combine(store.Folder, "backup.db");
        File.WriteAllText(backup, "an older backup");
        store.Run("param($store) Register-ScheduledJobEx -Name a -Store $store -Cron '0 9 * * *' -TimeZone UTC -ScriptBlock { 1 }").ShouldSucceed();

        var error = store.Run("param($store, $backup) Backup-SchedulerStore -Path $backup -Store $store", ("backup", backup)).SingleError("StoreBackupFailed");

        Assert.Equal($"The backup '{backup}' already exists; give another file, or -Force to replace it.", error.Exception.Message);
        Assert.Equal("an older backup", File.ReadAllText(backup));

        var other = Path.Combine(store.Folder, "other.db");
        Assert.Empty(store.Run("param($store, $other) Backup-SchedulerStore -Path $other -Store $store -WhatIf", ("other", other)).ShouldSucceed().Output);
        Assert.False(File.Exists(other));

        store.Run("param($store, $backup) Backup-SchedulerStore -Path $backup -Store $store -Force", ("backup", backup)).Single();
        Assert.StartsWith("SQLite format 3", File.ReadAllText(backup, System.Text.Encoding.Latin1), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Backup-SchedulerStore -Path ./b.db -Store 'postgres://user@localhost/jobs'", "StoreBackupFailed")]
    [InlineData("Restore-SchedulerStore -Path ./b.db -Store 'postgres://user@localhost/jobs'", "StoreRestoreFailed")]
    public void A_PostgreSQL_store_is_left_to_the_servers_tools(string command, string errorId)
    {
        var error = session.Run(command).SingleError(errorId);

        Assert.StartsWith("The store 'Host=localhost;Port=5432;Database=jobs;Username=user;Schema=scheduler' is in PostgreSQL: back it up and restore it with the server's tools", error.Exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_store_or_backup_is_named()
    {
        using var store = new TestStore(session);
        var missing = Path.Combine(store.Folder, "missing.db");

        var backupError = store.Run("param($missing) Backup-SchedulerStore -Path ./b.db -Store $missing", ("missing", missing)).SingleError("StoreBackupFailed");
        var restoreError = store.Run("param($store, $missing) Restore-SchedulerStore -Path $missing -Store $store", ("missing", missing)).SingleError("StoreRestoreFailed");

        Assert.Equal($"The store '{missing}' does not exist.", backupError.Exception.Message);
        Assert.Equal(System.Management.Automation.ErrorCategory.ObjectNotFound, backupError.CategoryInfo.Category);
        Assert.Equal($"The backup '{missing}' does not exist.", restoreError.Exception.Message);
        Assert.False(File.Exists(store.Path));
    }
}
