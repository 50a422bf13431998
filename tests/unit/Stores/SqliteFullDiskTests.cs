using System.Diagnostics;
using Scheduler.Events;
using Scheduler.Invocations;
using Scheduler.Jobs;
using Scheduler.Stores;
using Scheduler.Tests.Support;
using Scheduler.Triggers;

namespace Scheduler.Tests.Stores;

/// <summary>
/// A SQLite store on a real file system that fills up (a 1 MiB tmpfs mounted for each test): a write
/// that fails says why, leaves nothing of itself to be committed later, and loses nothing written before.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class SqliteFullDiskTests : IDisposable
{
    // Large enough that the log must grow for it, which a full disk refuses.
    private static readonly string BigName = new('n', 3000);

    private readonly TempFolder folder = new();
    private readonly string mountPoint;
    private readonly string filler;

    public SqliteFullDiskTests()
    {
        mountPoint = folder.File("small");
        filler = Path.Combine(mountPoint, "filler");
        Directory.CreateDirectory(mountPoint);

        // Only tests that may mount are run (SmallFileSystemFact); a failed mount fails the test, with no Dispose.
        Run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mountPoint);
    }

    private string StorePath => Path.Combine(mountPoint, "jobs.db");

    public void Dispose()
    {
        Run("umount", "-l", mountPoint);
        folder.Dispose();
    }

    [SmallFileSystemFact]
    public void A_write_the_full_disk_refused_leaves_nothing_behind_and_the_store_writes_again_once_there_is_room()
    {
        using var store = JobStore.CreateSqlite(StorePath);
        store.Add(SqliteJobStoreTests.Job("kept", TestScheduler.Epoch), replaceExisting: false);
        FillTheDisk();

        var error = Assert.Throws<IOException>(() => store.Add(SqliteJobStoreTests.Job("refused", TestScheduler.Epoch) with { Name = BigName }, replaceExisting: false));
        Assert.StartsWith($"The store '{StorePath}' could not be written: its disk is full (SQLite Error 13", error.Message, StringComparison.Ordinal);
        Assert.Null(store.Get("refused"));

        File.Delete(filler);
        store.Add(SqliteJobStoreTests.Job("after", TestScheduler.Epoch), replaceExisting: false);

        using var other = JobStore.CreateSqlite(StorePath);
        Assert.Equal(["after", "kept"], other.GetAll().Select(j => j.Id).Order(StringComparer.Ordinal));
    }

    [SmallFileSystemFact]
    public async Task A_run_end_waiting_to_be_written_when_a_write_fails_on_the_full_disk_is_written_once_there_is_room()
    {
        using var store = JobStore.CreateSqlite(StorePath);
        await using (var test = new TestScheduler())
        {
            test.Scheduler.AddJobStore("disk", store);
            test.Scheduler.RegisterDelegate("work", (Action<JobContext>)(_ => { }));
            test.Scheduler.AddJob(new IntervalTrigger(TimeSpan.FromHours(1)), new DelegateInvocation("work"), "hourly", executor: "inline", store: "disk");
            test.Scheduler.Start();
            await test.Settle();
            var after = test.Scheduler.Events.LastSequence;
            test.Scheduler.RunJobNow("hourly");
            await test.WaitFor(SchedulerEventType.JobExecuted, "hourly", after);

            // The run's end waits in memory for the store's next write, which the disk refuses.
            FillTheDisk();
            var error = Assert.ThrowsAny<Exception>(() => test.Scheduler.AddJob(new IntervalTrigger(TimeSpan.FromHours(1)), new DelegateInvocation("work"), "refused", name: BigName, executor: "inline", store: "disk"));
            Assert.Contains($"The store '{StorePath}' could not be written: its disk is full", error.Message, StringComparison.Ordinal);
            File.Delete(filler);

            // The store's next check writes what waits.
            test.Time.Advance(SqliteJobStoreOptions.Default.ChangeCheckInterval);
            await test.Settle();

            using var other = JobStore.CreateSqlite(StorePath);
            Assert.Equal(JobRunOutcome.Succeeded, Assert.Single(other.GetRuns("hourly", 10)).Outcome);
            Assert.Null(other.Get("refused"));
        }
    }

    [SmallFileSystemFact]
    public void A_batch_that_lost_writes_to_a_commit_the_full_disk_refused_says_so_as_it_ends()
    {
        using var store = JobStore.CreateSqlite(StorePath);
        store.Add(SqliteJobStoreTests.Job("kept", TestScheduler.Epoch), replaceExisting: false);
        var batch = store.BeginBatch()!;
        store.Add(SqliteJobStoreTests.Job("in-batch", TestScheduler.Epoch) with { Name = BigName }, replaceExisting: false);

        // A run about to start commits at once, batch or not: its commit takes the batch's add with it.
        FillTheDisk();
        Assert.Throws<IOException>(() => store.SaveRun(SqliteJobStoreTests.Run("kept", "r1", JobRunOutcome.Running)));
        File.Delete(filler);
        store.Add(SqliteJobStoreTests.Job("after-failure", TestScheduler.Epoch), replaceExisting: false);

        var error = Assert.Throws<IOException>(batch.Dispose);
        Assert.Contains($"'{StorePath}' lost writes of this batch", error.Message, StringComparison.Ordinal);
        using var other = JobStore.CreateSqlite(StorePath);
        Assert.Equal(["after-failure", "kept"], other.GetAll().Select(j => j.Id).Order(StringComparer.Ordinal));
        Assert.Empty(other.GetRuns("kept", 10));
    }

    [SmallFileSystemFact]
    public async Task Opening_a_store_on_a_full_disk_fails_naming_the_store_and_leaves_it_as_it_was()
    {
        using (var store = JobStore.CreateSqlite(StorePath))
        {
            store.Add(SqliteJobStoreTests.Job("kept", TestScheduler.Epoch), replaceExisting: false);
        }

        // Its log and shared-memory index must be made anew, and there is no room for them.
        FillTheDisk();
        var error = Assert.Throws<IOException>(() => JobStore.CreateSqlite(StorePath));
        Assert.StartsWith($"The store '{StorePath}' ", error.Message, StringComparison.Ordinal);
        Assert.Contains("full", error.Message, StringComparison.Ordinal);

        // As schedhost says it: one line, a store it cannot use (exit 2), never "unexpected".
        var (exit, _, stderr) = await SchedHostProcess.Cli("list", "--store", StorePath);
        Assert.Equal(2, exit);
        Assert.StartsWith($"schedhost: The store '{StorePath}' ", stderr, StringComparison.Ordinal);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(stderr, System.Text.RegularExpressions.Regex.Escape(StorePath) + "'"));
        Assert.Contains("full", stderr, StringComparison.Ordinal);

        File.Delete(filler);
        using var reopened = JobStore.CreateSqlite(StorePath);
        Assert.Equal("kept", Assert.Single(reopened.GetAll()).Id);
    }

    /// <summary>Writes a file until the file system has no room left.</summary>
    [SmallFileSystemFact]
    public void A_backup_the_full_disk_refused_leaves_no_file_behind_and_a_restore_it_refused_leaves_the_store_as_it_was()
    {
        // The store on the ordinary disk, with more than the small disk has room for once it is nearly full.
        var store = folder.File("jobs.db");
        using (var writer = JobStore.CreateSqlite(store))
        using (writer.BeginBatch())
        {
            for (var i = 0; i < 300; i++)
            {
                writer.Add(SqliteJobStoreTests.Job("job-" + i, TestScheduler.Epoch) with { Name = BigName }, replaceExisting: false);
            }
        }

        var backup = Path.Combine(mountPoint, "backup.db");
        FillTheDisk();

        var refused = Assert.Throws<IOException>(() => JobStore.BackupSqlite(store, backup));

        Assert.StartsWith($"The backup '{backup}' could not be written (", refused.Message, StringComparison.Ordinal);
        Assert.EndsWith("no backup was made.", refused.Message, StringComparison.Ordinal);
        Assert.Equal(["filler"], Directory.GetFiles(mountPoint).Select(Path.GetFileName));

        // A store on the full disk, a backup on the ordinary one: the restore's writes find no room.
        File.Delete(filler);
        using (var small = JobStore.CreateSqlite(StorePath))
        {
            small.Add(SqliteJobStoreTests.Job("kept", TestScheduler.Epoch), replaceExisting: false);
        }

        var bigBackup = folder.File("big-backup.db");
        JobStore.BackupSqlite(store, bigBackup);
        FillTheDisk();

        var failed = Assert.Throws<IOException>(() => JobStore.RestoreSqlite(bigBackup, StorePath));

        Assert.StartsWith($"The store '{StorePath}' could not be restored; it is left as it was (", failed.Message, StringComparison.Ordinal);
        File.Delete(filler);
        using var after = JobStore.CreateSqlite(StorePath);
        Assert.Equal(["kept"], after.GetAll().Select(j => j.Id));
        after.Add(SqliteJobStoreTests.Job("writable", TestScheduler.Epoch), replaceExisting: false);
    }

    [SmallFileSystemFact]
    public void A_backup_to_a_read_only_file_system_names_the_backup_and_leaves_nothing()
    {
        var store = folder.File("jobs.db");
        using (var writer = JobStore.CreateSqlite(store))
        {
            writer.Add(SqliteJobStoreTests.Job("kept", TestScheduler.Epoch), replaceExisting: false);
        }

        var backup = Path.Combine(mountPoint, "backup.db");
        Run("mount", "-o", "remount,ro", mountPoint);

        var error = Assert.Throws<IOException>(() => JobStore.BackupSqlite(store, backup));

        Assert.StartsWith($"The backup '{backup}' cannot be created in '{mountPoint}': ", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(mountPoint));
    }

    private void FillTheDisk()
    {
        using var stream = new FileStream(filler, FileMode.Create);
        var block = new byte[4096];
        try
        {
            while (true)
            {
                stream.Write(block);
                stream.Flush();
            }
        }
        catch (IOException)
        {
        }
    }

    private static void Run(string command, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(command, arguments) { RedirectStandardError = true })!;
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{command} {string.Join(' ', arguments)} failed: {process.StandardError.ReadToEnd()}");
        }
    }
}
