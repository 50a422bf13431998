using System.Globalization;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using Scheduler.Jobs;
using Scheduler.Stores;
using Scheduler.Tests.Support;
using static Scheduler.Tests.Stores.SqliteJobStoreTests;

namespace Scheduler.Tests.Stores;

/// <summary>
/// Backing up a SQLite store while it is in use, and restoring one: the backup holds everything
/// committed (the log's content too), is never left half-written, and a restore replaces the store's
/// content whole, even a damaged store's, but never while a scheduler runs on it nor over a file that
/// is not a store.
/// </summary>
public sealed class SqliteStoreCopyTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly TempFolder folder = new();
    private readonly string path;
    private readonly string backup;

    public SqliteStoreCopyTests()
    {
        path = folder.File("jobs.db");
        backup = folder.File("backup.db");
    }

    public void Dispose() => folder.Dispose();

    [Fact]
    public void A_backup_holds_what_is_committed_but_still_only_in_the_log_of_a_store_in_use()
    {
        // A clock that never moves: no background sync copies the log into the file during the test.
        using var store = JobStore.CreateSqlite(path, timeProvider: new FakeTimeProvider(T0));
        AddJobs(store, "job-", 50);
        store.SaveRun(Run("job-7", "r1", JobRunOutcome.Succeeded));
        Assert.Equal(0, JobsInCopy(path, folder.File("raw-copy.db")));

        var jobs = JobStore.BackupSqlite(path, backup);

        Assert.Equal(50, jobs);
        Assert.False(File.Exists(backup + "-wal"));
        Assert.Equal(50, JobsInCopy(backup, folder.File("backup-copy.db")));
        using var restoredView = JobStore.CreateSqlite(backup);
        Assert.Equal(50, restoredView.Count);
        Assert.Equal(JobRunOutcome.Succeeded, restoredView.GetRuns("job-7", 10).Single().Outcome);
        Assert.Equal(50, store.Count);
        Assert.DoesNotContain(FilesInFolder(), f => f.EndsWith(".new", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Neither_a_backup_nor_a_restored_store_shows_the_scheduler_that_ran_when_the_backup_was_taken()
    {
        await using var test = new TestScheduler();
        var store = JobStore.CreateSqlite(path);
        test.Scheduler.AddJobStore("disk", store);
        store.Add(Job("job", null) with { Store = "disk" }, replaceExisting: false);
        test.Scheduler.Start();
        using (var admin = JobStore.CreateSqlite(path))
        {
            // A request the running scheduler has not taken yet (its clock stands still).
            ((ISharedJobStore)admin).RequestRun("job");
        }

        JobStore.BackupSqlite(path, backup);

        using (var copy = JobStore.CreateSqlite(backup))
        {
            Assert.Null(((ISharedJobStore)copy).GetRunningScheduler());
        }

        Assert.Equal(0L, Scalar(backup, "SELECT count(*) FROM run_requests"));
        await test.Scheduler.ShutdownAsync();
        store.Dispose();

        // A backup made otherwise: a copy of the file of a daemon on another machine.
        var copied = folder.File("copied.db");
        File.Copy(backup, copied);
        Execute(copied, "INSERT INTO running_scheduler (one, scheduler_id, process_id, host, since) VALUES (1, 'elsewhere', 4242, 'other-host', 0)");
        JobStore.RestoreSqlite(copied, path);

        using var restored = JobStore.CreateSqlite(path);
        Assert.Null(((ISharedJobStore)restored).GetRunningScheduler());
    }

    [Fact]
    public async Task Backups_taken_while_another_connection_keeps_adding_jobs_are_each_a_whole_snapshot()
    {
        using (var seed = JobStore.CreateSqlite(path))
        {
            AddJobs(seed, "seed-", 100);
        }

        using var stop = new CancellationTokenSource();
        var committed = 0;
        var writer = Task.Run(() =>
        {
            using var store = JobStore.CreateSqlite(path);
            var added = 0;
            while (!stop.IsCancellationRequested)
            {
                using (store.BeginBatch())
                {
                    // Ten jobs a commit: a snapshot holds a multiple of ten of them, never a torn batch.
                    for (var i = 0; i < 10; i++)
                    {
                        store.Add(Job("more-" + (added++).ToString(CultureInfo.InvariantCulture), T0), replaceExisting: false);
                    }
                }

                // Counted once the batch has committed: a backup begun after this must hold them.
                Interlocked.Add(ref committed, 10);
            }
        });

        var counts = new List<int>();
        try
        {
            for (var i = 0; i < 10; i++)
            {
                // Each backup after more commits of the writer, so the snapshots differ.
                var goal = 20 * (i + 1);
                Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref committed) >= goal, TimeSpan.FromSeconds(20)), "The writer stopped adding jobs.");
                var file = folder.File("backup-" + i.ToString(CultureInfo.InvariantCulture) + ".db");
                var jobs = JobStore.BackupSqlite(path, file);
                Assert.Equal(jobs, Convert.ToInt32(Scalar(file, "SELECT count(*) FROM jobs"), CultureInfo.InvariantCulture));
                Assert.Equal("ok", Scalar(file, "PRAGMA integrity_check"));
                counts.Add(jobs);
            }
        }
        finally
        {
            stop.Cancel();
            await writer.WaitAsync(TimeSpan.FromSeconds(30));
        }

        Assert.All(counts, c => Assert.Equal(0, (c - 100) % 10));
        Assert.Equal(counts.Order(), counts);
        Assert.All(counts.Select((c, i) => (c, i)), x => Assert.True(x.c >= 100 + (20 * (x.i + 1)), $"Backup {x.i} holds {x.c} jobs, fewer than were committed before it began."));
    }

    [Fact]
    public void An_existing_backup_is_kept_unless_replacing_it_is_asked_for()
    {
        using (var store = JobStore.CreateSqlite(path))
        {
            AddJobs(store, "first-", 3);
            JobStore.BackupSqlite(path, backup);
            AddJobs(store, "second-", 2);
        }

        var refused = Assert.Throws<IOException>(() => JobStore.BackupSqlite(path, backup));

        Assert.Equal($"The backup '{backup}' already exists; give another file, or back up with overwrite to replace it.", refused.Message);
        Assert.Equal(3L, Scalar(backup, "SELECT count(*) FROM jobs"));
        Assert.Equal(5, JobStore.BackupSqlite(path, backup, overwrite: true));
        Assert.Equal(5L, Scalar(backup, "SELECT count(*) FROM jobs"));
        Assert.DoesNotContain(FilesInFolder(), f => f.EndsWith(".new", StringComparison.Ordinal));
    }

    [Fact]
    public void Bad_paths_are_refused_naming_what_is_wrong_and_leave_no_file()
    {
        var missing = folder.File("missing.db");
        Assert.Equal($"The store '{missing}' does not exist.", Assert.Throws<FileNotFoundException>(() => JobStore.BackupSqlite(missing, backup)).Message);

        using (var store = JobStore.CreateSqlite(path))
        {
            AddJobs(store, "job-", 1);
        }

        var noFolder = folder.File(Path.Combine("nowhere", "backup.db"));
        Assert.StartsWith($"The folder of the backup '{noFolder}' does not exist", Assert.Throws<DirectoryNotFoundException>(() => JobStore.BackupSqlite(path, noFolder)).Message, StringComparison.Ordinal);
        Assert.StartsWith($"The backup path '{folder.Path}' is a folder", Assert.Throws<IOException>(() => JobStore.BackupSqlite(path, folder.Path)).Message, StringComparison.Ordinal);
        Assert.StartsWith($"The backup '{path}' would replace the store itself", Assert.Throws<ArgumentException>(() => JobStore.BackupSqlite(path, path, overwrite: true)).Message, StringComparison.Ordinal);
        Assert.StartsWith("The store path must not be empty.", Assert.Throws<ArgumentException>(() => JobStore.BackupSqlite(" ", backup)).Message, StringComparison.Ordinal);

        var other = folder.File("other.db");
        Execute(other, "CREATE TABLE invoices (id INTEGER)");
        Assert.Equal($"The store '{other}' is not a Scheduler job store (it has no schema version).", Assert.Throws<InvalidDataException>(() => JobStore.BackupSqlite(other, backup)).Message);

        Assert.False(File.Exists(backup));
        Assert.DoesNotContain(FilesInFolder(), f => f.StartsWith(".backup.db", StringComparison.Ordinal));
        Assert.Equal(1L, Scalar(path, "SELECT count(*) FROM jobs"));
    }

    [Fact]
    public void A_damaged_store_is_not_backed_up_and_says_so()
    {
        FillWithLongNames(path, 2000);
        DamagePageHolding(path, "job-1000 ");

        var error = Assert.Throws<InvalidDataException>(() => JobStore.BackupSqlite(path, backup));

        Assert.StartsWith($"The store '{path}' is damaged (", error.Message, StringComparison.Ordinal);
        Assert.Contains("no backup was made", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(backup));
    }

    [Fact]
    public void A_restore_replaces_the_stores_content_whole_and_readers_see_it()
    {
        using (var store = JobStore.CreateSqlite(path))
        {
            AddJobs(store, "kept-", 3);
            store.SaveRun(Run("kept-1", "r1", JobRunOutcome.Failed));
        }

        JobStore.BackupSqlite(path, backup);
        using var reader = JobStore.CreateSqlite(path);
        using (var store = JobStore.CreateSqlite(path))
        {
            store.Remove("kept-0");
            AddJobs(store, "later-", 4);
        }

        Assert.Equal(6, reader.Count);

        var jobs = JobStore.RestoreSqlite(backup, path);

        Assert.Equal(3, jobs);
        Assert.Equal(["kept-0", "kept-1", "kept-2"], reader.GetAll().Select(j => j.Id).Order(StringComparer.Ordinal));
        Assert.Equal(JobRunOutcome.Failed, reader.GetRuns("kept-1", 10).Single().Outcome);
        reader.Add(Job("after-restore", T0), replaceExisting: false);
        Assert.Equal(3L, Scalar(backup, "SELECT count(*) FROM jobs"));
        Assert.Equal("wal", Scalar(path, "PRAGMA journal_mode"));
    }

    [Fact]
    public void A_damaged_store_is_restored_from_its_backup()
    {
        FillWithLongNames(path, 2000);
        JobStore.BackupSqlite(path, backup);
        DamagePageHolding(path, "job-1000 ");
        using (var damaged = JobStore.CreateSqlite(path))
        {
            Assert.Throws<InvalidDataException>(() => damaged.Add(Job("refused", T0), replaceExisting: false));
        }

        Assert.Equal(2000, JobStore.RestoreSqlite(backup, path));

        using var store = JobStore.CreateSqlite(path);
        store.Add(Job("accepted", T0), replaceExisting: false);
        Assert.Equal(2001, store.Count);
        Assert.Equal("ok", Scalar(path, "PRAGMA integrity_check"));
    }

    [Fact]
    public async Task A_restore_is_refused_while_a_scheduler_runs_on_the_store()
    {
        using (var seed = JobStore.CreateSqlite(path))
        {
            // Paused: the scheduler started below runs nothing, so the store's jobs stay as they are.
            seed.Add(Job("backed-up-0", null), replaceExisting: false);
            seed.Add(Job("backed-up-1", null), replaceExisting: false);
        }

        JobStore.BackupSqlite(path, backup);
        await using var test = new TestScheduler();
        using var store = JobStore.CreateSqlite(path);
        test.Scheduler.AddJobStore("disk", store);
        store.Add(Job("since-backup", null) with { Store = "disk" }, replaceExisting: false);
        test.Scheduler.Start();

        var error = Assert.Throws<InvalidOperationException>(() => JobStore.RestoreSqlite(backup, path));

        Assert.StartsWith($"A scheduler runs on the store '{path}' (pid {Environment.ProcessId} on host {Environment.MachineName} since ", error.Message, StringComparison.Ordinal);
        Assert.EndsWith($"scheduler '{test.Scheduler.Id}'); stop it before restoring the store: it would go on from what it holds in memory.", error.Message, StringComparison.Ordinal);
        Assert.Equal(3L, Scalar(path, "SELECT count(*) FROM jobs"));

        await test.Scheduler.ShutdownAsync();
        Assert.Equal(2, JobStore.RestoreSqlite(backup, path));
    }

    [Fact]
    public void A_backup_that_is_not_a_sound_store_is_refused_and_the_store_is_left_as_it_is()
    {
        using (var store = JobStore.CreateSqlite(path))
        {
            AddJobs(store, "job-", 2);
        }

        var missing = folder.File("missing.db");
        Assert.Equal($"The backup '{missing}' does not exist.", Assert.Throws<FileNotFoundException>(() => JobStore.RestoreSqlite(missing, path)).Message);

        var other = folder.File("other.db");
        Execute(other, "CREATE TABLE invoices (id INTEGER)");
        Assert.Equal($"The backup '{other}' is not a Scheduler job store (it has no schema version).", Assert.Throws<InvalidDataException>(() => JobStore.RestoreSqlite(other, path)).Message);

        var text = folder.File("notes.txt");
        File.WriteAllText(text, new string('x', 8192));
        Assert.StartsWith($"The backup '{text}' is not a SQLite database (or it is damaged)", Assert.Throws<InvalidDataException>(() => JobStore.RestoreSqlite(text, path)).Message, StringComparison.Ordinal);

        var damaged = folder.File("damaged.db");
        FillWithLongNames(damaged, 2000);
        DamagePageHolding(damaged, "job-1000 ");
        Assert.StartsWith($"The backup '{damaged}' is damaged (", Assert.Throws<InvalidDataException>(() => JobStore.RestoreSqlite(damaged, path)).Message, StringComparison.Ordinal);

        Assert.Equal(2L, Scalar(path, "SELECT count(*) FROM jobs"));
    }

    [Fact]
    public void A_missing_store_is_created_by_a_restore_and_a_file_that_is_not_a_store_is_never_replaced()
    {
        using (var store = JobStore.CreateSqlite(path))
        {
            AddJobs(store, "job-", 2);
        }

        JobStore.BackupSqlite(path, backup);
        var fresh = folder.File("fresh.db");
        Assert.Equal(2, JobStore.RestoreSqlite(backup, fresh));
        Assert.Equal(2L, Scalar(fresh, "SELECT count(*) FROM jobs"));

        var other = folder.File("other.db");
        Execute(other, "CREATE TABLE invoices (id INTEGER)");
        var refused = Assert.Throws<InvalidDataException>(() => JobStore.RestoreSqlite(backup, other));
        Assert.Equal($"The file '{other}' is a SQLite database but not a Scheduler job store (it has the tables invoices and no schema version); it is left as it is.", refused.Message);
        Assert.Equal(0L, Scalar(other, "SELECT count(*) FROM invoices"));

        var empty = folder.File("empty.db");
        File.WriteAllBytes(empty, []);
        Assert.StartsWith($"The file '{empty}' is empty", Assert.Throws<InvalidDataException>(() => JobStore.RestoreSqlite(backup, empty)).Message, StringComparison.Ordinal);
        Assert.Equal(0L, new FileInfo(empty).Length);
    }

    private static void AddJobs(JobStore store, string prefix, int count)
    {
        using (store.BeginBatch())
        {
            for (var i = 0; i < count; i++)
            {
                store.Add(Job(prefix + i.ToString(CultureInfo.InvariantCulture), T0), replaceExisting: false);
            }
        }
    }

    /// <summary>Long names fill many pages of the jobs table, so one of them is found by its text (<see cref="DamagePageHolding"/>).</summary>
    internal static void FillWithLongNames(string file, int count)
    {
        using var store = JobStore.CreateSqlite(file);
        using (store.BeginBatch())
        {
            for (var i = 0; i < count; i++)
            {
                var id = "job-" + i.ToString("D4", CultureInfo.InvariantCulture);
                store.Add(Job(id, T0.AddHours(1)) with { Name = id + " " + new string('x', 300) }, replaceExisting: false);
            }
        }
    }

    /// <summary>Overwrites the page that holds a text with random bytes (4 KiB, SQLite's page size).</summary>
    internal static void DamagePageHolding(string file, string text)
    {
        var bytes = File.ReadAllBytes(file);
        var at = bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text));
        Assert.True(at > 4096, $"'{text}' is not beyond the first page of the file.");
        var page = at / 4096 * 4096;
        new Random(14).NextBytes(bytes.AsSpan(page, 4096));
        File.WriteAllBytes(file, bytes);
    }

    private List<string> FilesInFolder() => [.. Directory.GetFiles(folder.Path).Select(f => Path.GetFileName(f)!)];
}
