using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using Scheduler.Invocations;
using Scheduler.Jobs;
using Scheduler.Stores;
using Scheduler.Tests.Support;
using Scheduler.Triggers;

namespace Scheduler.Tests.Stores;

/// <summary>The SQLite store's file: creating, reopening, schema versions, bad files, broken jobs, retention.</summary>
public sealed class SqliteJobStoreTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void Jobs_and_runs_outlive_the_store_that_wrote_them()
    {
        var path = folder.File("jobs.db");
        using (var store = JobStore.CreateSqlite(path))
        {
            store.Add(Job("a", T0.AddMinutes(5)), replaceExisting: false);
            store.Add(Job("paused", null), replaceExisting: false);
            store.SaveRun(Run("a", "r1", JobRunOutcome.Succeeded) with { Output = "done", EndTime = T0 });
        }

        using var reopened = JobStore.CreateSqlite(path);

        Assert.Equal(["a", "paused"], reopened.GetAll().Select(j => j.Id));
        Assert.Equal(T0.AddMinutes(5), reopened.GetNextRunTime());
        Assert.Equal(JobState.Paused, reopened.Get("paused")!.State);
        Assert.Equal("done", Assert.Single(reopened.GetRuns("a", 10)).Output);
    }

    [Fact]
    public void A_new_store_is_in_wal_mode_at_the_current_schema_version()
    {
        var path = folder.File("new.db");
        JobStore.CreateSqlite(path).Dispose();

        Assert.Equal(1L, Scalar(path, "SELECT version FROM schema_version"));
        Assert.Equal(1L, Scalar(path, "SELECT count(*) FROM schema_version"));
        Assert.Equal("wal", Scalar(path, "PRAGMA journal_mode"));
        Assert.Equal(1L, Scalar(path, "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'jobs_due'"));
    }

    [Fact]
    public void Due_jobs_are_read_through_the_next_run_time_index()
    {
        var path = folder.File("plan.db");
        JobStore.CreateSqlite(path).Dispose();

        var plan = string.Join(" | ", Rows(path, "EXPLAIN QUERY PLAN SELECT id FROM jobs WHERE next_run_time <= 5 AND load_error IS NULL ORDER BY next_run_time LIMIT 10"));

        Assert.Contains("jobs_due", plan, StringComparison.Ordinal);
        Assert.DoesNotContain("TEMP B-TREE", plan, StringComparison.Ordinal);
    }

    [Fact]
    public void An_older_store_is_migrated_forward_in_one_transaction_per_step()
    {
        var path = folder.File("old.db");
        JobStore.CreateSqlite(path).Dispose();
        SqliteMigration[] withVersion2 = [.. SqliteSchema.Migrations, new SqliteMigration(2, "CREATE TABLE notes (text TEXT);")];

        SqliteJobStore.Open(path, SqliteJobStoreOptions.Default, null, withVersion2).Dispose();

        Assert.Equal(2L, Scalar(path, "SELECT version FROM schema_version"));
        Assert.Equal(1L, Scalar(path, "SELECT count(*) FROM sqlite_master WHERE name = 'notes'"));
    }

    [Fact]
    public void A_failing_migration_leaves_the_store_at_its_version()
    {
        var path = folder.File("old.db");
        using (var store = JobStore.CreateSqlite(path))
        {
            store.Add(Job("a", T0), replaceExisting: false);
        }

        SqliteMigration[] broken = [.. SqliteSchema.Migrations, new SqliteMigration(2, "CREATE TABLE notes (text TEXT); CREATE TABLE jobs (x);")];

        var error = Assert.Throws<InvalidDataException>(() => SqliteJobStore.Open(path, SqliteJobStoreOptions.Default, null, broken));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("version 1 to 2", error.Message, StringComparison.Ordinal);
        Assert.Equal(1L, Scalar(path, "SELECT version FROM schema_version"));
        Assert.Equal(0L, Scalar(path, "SELECT count(*) FROM sqlite_master WHERE name = 'notes'"));
        using var reopened = JobStore.CreateSqlite(path);
        Assert.NotNull(reopened.Get("a"));
    }

    [Fact]
    public void A_path_in_a_missing_folder_is_refused_and_nothing_is_created()
    {
        var missing = System.IO.Path.Combine(folder.Path, "no-such-folder");
        var path = System.IO.Path.Combine(missing, "jobs.db");

        var error = Assert.Throws<DirectoryNotFoundException>(() => JobStore.CreateSqlite(path));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(missing));
    }

    [Fact]
    public void A_folder_is_not_a_store()
    {
        var error = Assert.Throws<IOException>(() => JobStore.CreateSqlite(folder.Path));

        Assert.Contains(folder.Path, error.Message, StringComparison.Ordinal);
        Assert.Contains("is a folder", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_that_is_not_sqlite_is_refused_and_left_unchanged()
    {
        var path = folder.File("notes.txt");
        File.WriteAllText(path, string.Concat(Enumerable.Repeat("These are my notes, not a database.\n", 200)));
        var before = Snapshot(path);

        var error = Assert.Throws<InvalidDataException>(() => JobStore.CreateSqlite(path));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("not a SQLite database", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, Snapshot(path));
    }

    [Fact]
    public void A_sqlite_database_of_something_else_is_refused_and_left_unchanged()
    {
        var path = folder.File("shop.db");
        Execute(path, "CREATE TABLE customers (name TEXT); INSERT INTO customers VALUES ('Ada');");
        var before = Snapshot(path);

        var error = Assert.Throws<InvalidDataException>(() => JobStore.CreateSqlite(path));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("not a Scheduler job store", error.Message, StringComparison.Ordinal);
        Assert.Contains("customers", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, Snapshot(path));
    }

    [Fact]
    public void A_store_with_a_newer_schema_is_refused_and_left_unchanged()
    {
        var path = folder.File("future.db");
        JobStore.CreateSqlite(path).Dispose();
        Execute(path, "UPDATE schema_version SET version = 7");
        var before = Snapshot(path);

        var error = Assert.Throws<InvalidDataException>(() => JobStore.CreateSqlite(path));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("schema version 7", error.Message, StringComparison.Ordinal);
        Assert.Contains("newer Scheduler", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, Snapshot(path));
        Assert.Equal(7L, Scalar(path, "SELECT version FROM schema_version"));
    }

    [Fact]
    public void A_read_only_file_is_refused_and_left_unchanged()
    {
        var path = folder.File("locked.db");
        using (var store = JobStore.CreateSqlite(path))
        {
            store.Add(Job("a", T0), replaceExisting: false);
        }

        File.SetAttributes(path, FileAttributes.ReadOnly);
        var before = Snapshot(path);
        try
        {
            var error = Assert.Throws<UnauthorizedAccessException>(() => JobStore.CreateSqlite(path));

            Assert.Contains(path, error.Message, StringComparison.Ordinal);
            Assert.Contains("read-only", error.Message, StringComparison.Ordinal);
            Assert.Equal(before, Snapshot(path));
        }
        finally
        {
            File.SetAttributes(path, FileAttributes.Normal);
        }
    }

    [Fact]
    public void A_job_bound_to_an_in_process_delegate_cannot_be_stored()
    {
        using var store = JobStore.CreateSqlite(folder.File("jobs.db"));
        var job = Job("local", T0) with { Invocation = new DelegateInvocation(() => { }) };

        var error = Assert.Throws<ArgumentException>(() => store.Add(job, replaceExisting: false));

        Assert.Contains("job 'local' runs an in-process delegate", error.Message, StringComparison.Ordinal);
        Assert.Contains("register the delegate by name", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, store.Count);
    }

    public static TheoryData<string, string> Corruptions => new()
    {
        { "{ this is not json", "not valid JSON" },
        { """{"version":1,"id":"bad","trigger":{"type":"fortnightly"},"invocation":{"kind":"delegate","name":"noop"}}""", "unknown value 'fortnightly'" },
        { """{"version":9,"id":"bad","trigger":{"type":"cron","expression":"* * * * *"},"invocation":{"kind":"delegate","name":"noop"}}""", "version 9, which is newer" },
        { """{"version":1,"id":"bad","trigger":{"type":"cron","expression":"* * * * *"},"invocation":{"kind":"type","name":"System.IO.File"}}""", "'invocation.kind' has the unknown value 'type'" },
    };

    [Theory]
    [MemberData(nameof(Corruptions))]
    public void A_job_that_cannot_be_loaded_is_kept_broken_reported_once_and_never_due(string definition, string reason)
    {
        var path = folder.File("jobs.db");
        using (var writer = JobStore.CreateSqlite(path))
        {
            writer.Add(Job("good", T0), replaceExisting: false);
            writer.Add(Job("bad", T0.AddMinutes(-1)), replaceExisting: false);
            writer.SaveRun(Run("bad", "r1", JobRunOutcome.Succeeded));
        }

        Execute(path, "UPDATE jobs SET definition = $definition WHERE id = 'bad'", ("$definition", definition));
        using var store = JobStore.CreateSqlite(path);
        var reports = new List<JobLoadFailedEventArgs>();
        store.JobLoadFailed += (_, e) => reports.Add(e);

        var due = store.GetDueJobs(T0.AddHours(1), 10);
        var broken = store.Get("bad")!;
        var all = store.GetAll();
        var dueAgain = store.GetDueJobs(T0.AddHours(1), 10);

        Assert.Equal(["good"], due.Select(j => j.Id));
        Assert.Equal(["good"], dueAgain.Select(j => j.Id));
        Assert.Equal(T0, store.GetNextRunTime());
        Assert.Equal(JobState.Broken, broken.State);
        Assert.Null(broken.NextRunTime);
        Assert.Contains(reason, broken.LoadError, StringComparison.Ordinal);
        Assert.Contains("'bad'", broken.LoadError, StringComparison.Ordinal);
        Assert.Equal(JobState.Broken, all.Single(j => j.Id == "bad").State);
        var report = Assert.Single(reports);
        Assert.Equal("bad", report.JobId);
        Assert.Contains(reason, report.Error, StringComparison.Ordinal);
        Assert.Equal(definition, Scalar(path, "SELECT definition FROM jobs WHERE id = 'bad'"));
        Assert.Equal(definition, ((SqliteJobStore)store).GetStoredDefinition("bad"));
        Assert.Single(store.GetRuns("bad", 10));
        Assert.Equal(2, store.Count);
    }

    [Fact]
    public void A_lookup_by_name_loads_only_the_matching_jobs_so_a_broken_job_that_does_not_match_is_neither_returned_nor_reported()
    {
        var path = folder.File("jobs.db");
        using (var writer = JobStore.CreateSqlite(path))
        {
            writer.Add(Job("good", T0) with { Name = "backup" }, replaceExisting: false);
            writer.Add(Job("bad-match", T0.AddMinutes(1)) with { Name = "backup, old" }, replaceExisting: false);
            writer.Add(Job("bad-other", T0.AddMinutes(-1)) with { Name = "report" }, replaceExisting: false);
        }

        Execute(path, "UPDATE jobs SET definition = '{}' WHERE id IN ('bad-match', 'bad-other')");
        using var store = JobStore.CreateSqlite(path);
        var reports = new List<JobLoadFailedEventArgs>();
        store.JobLoadFailed += (_, e) => reports.Add(e);

        var found = store.GetByName(name => name.StartsWith("backup", StringComparison.Ordinal));

        Assert.Equal(["good", "bad-match"], found.Select(j => j.Id));
        Assert.Equal(JobState.Scheduled, found[0].State);
        Assert.Equal(JobState.Broken, found[1].State);
        Assert.Equal("backup, old", found[1].Name);
        Assert.Equal("bad-match", Assert.Single(reports).JobId);
        Assert.IsType<string>(Scalar(path, "SELECT load_error FROM jobs WHERE id = 'bad-match'"));

        // Never read, so never found broken: the next full read is the first to report it.
        Assert.IsType<DBNull>(Scalar(path, "SELECT load_error FROM jobs WHERE id = 'bad-other'"));
        Assert.Equal(JobState.Broken, store.GetAll().Single(j => j.Id == "bad-other").State);
        Assert.Equal(["bad-match", "bad-other"], reports.Select(r => r.JobId));
    }

    [Fact]
    public void A_broken_job_cannot_be_changed_but_can_be_removed_or_replaced()
    {
        var path = folder.File("jobs.db");
        using var store = JobStore.CreateSqlite(path);
        store.Add(Job("bad", T0), replaceExisting: false);
        Execute(path, "UPDATE jobs SET definition = '{}' WHERE id = 'bad'");
        var broken = store.Get("bad")!;

        var error = Assert.Throws<InvalidOperationException>(() => store.Update(broken with { Name = "renamed" }));
        Assert.Contains("'bad' is broken", error.Message, StringComparison.Ordinal);
        Assert.Equal("{}", Scalar(path, "SELECT definition FROM jobs WHERE id = 'bad'"));

        store.Add(Job("bad", T0), replaceExisting: true);
        Assert.Equal(JobState.Scheduled, store.Get("bad")!.State);
        Assert.Equal("bad", Assert.Single(store.GetDueJobs(T0, 10)).Id);
        Assert.True(store.Remove("bad"));
    }

    [Fact]
    public void Jobs_added_in_a_batch_reach_the_file_together_when_it_ends()
    {
        var path = folder.File("jobs.db");
        using var store = (SqliteJobStore)JobStore.CreateSqlite(path);
        using var other = JobStore.CreateSqlite(path);

        using (store.BeginBatch())
        {
            store.Add(Job("a", T0), replaceExisting: false);
            using (store.BeginBatch())
            {
                store.Add(Job("b", T0), replaceExisting: false);
            }

            Assert.Throws<InvalidOperationException>(() => store.Add(Job("a", T0), replaceExisting: false));
            Assert.NotNull(store.Get("b"));
            Assert.Null(other.Get("a"));
        }

        Assert.Equal(["a", "b"], other.GetAll().Select(j => j.Id));
    }

    [Fact]
    public void A_dispatch_inside_a_batch_is_in_the_file_before_its_runs_start()
    {
        var path = folder.File("jobs.db");
        using var store = (SqliteJobStore)JobStore.CreateSqlite(path);
        using var other = JobStore.CreateSqlite(path);
        store.Add(Job("a", T0), replaceExisting: false);

        using (store.BeginBatch())
        {
            store.Add(Job("b", T0), replaceExisting: false);
            var job = store.Get("a")!;
            store.CommitDispatches([new JobDispatch(job, job with { NextRunTime = T0.AddMinutes(1) }, [Run("a", "r1", JobRunOutcome.Running)])]);

            Assert.Equal(T0.AddMinutes(1), other.Get("a")!.NextRunTime);
            Assert.Single(other.GetRuns("a", 10));
        }
    }

    [Fact]
    public void Run_history_is_trimmed_by_count_as_runs_are_saved()
    {
        var path = folder.File("jobs.db");
        using var store = JobStore.CreateSqlite(path);
        for (var i = 0; i < 100; i++)
        {
            store.SaveRun(Run("busy", "r" + i, JobRunOutcome.Succeeded));
        }

        var kept = (long)Scalar(path, "SELECT count(*) FROM runs WHERE job_id = 'busy'")!;

        Assert.InRange(kept, JobStore.DefaultRunHistoryLimit, JobStore.DefaultRunHistoryLimit + (JobStore.DefaultRunHistoryLimit / 4));
        Assert.Equal(JobStore.DefaultRunHistoryLimit, store.GetRuns("busy", 1000).Count);
        Assert.Equal("r99", store.GetRuns("busy", 1)[0].RunId);
    }

    [Fact]
    public void Run_history_older_than_the_retention_age_is_dropped_as_runs_are_saved()
    {
        var path = folder.File("jobs.db");
        var time = new FakeTimeProvider(T0);
        using var store = JobStore.CreateSqlite(path, new SqliteJobStoreOptions { RunHistoryLimit = 4, RunHistoryMaxAge = TimeSpan.FromHours(1) }, time);
        store.SaveRun(Run("a", "old", JobRunOutcome.Succeeded) with { EndTime = T0 });
        store.SaveRun(Run("a", "running", JobRunOutcome.Running));

        time.Advance(TimeSpan.FromMinutes(61));
        Assert.Equal(["running"], store.GetRuns("a", 10).Select(r => r.RunId));
        store.SaveRun(Run("a", "new", JobRunOutcome.Succeeded) with { EndTime = time.GetUtcNow() });

        Assert.Equal(["new", "running"], store.GetRuns("a", 10).Select(r => r.RunId));
        Assert.Equal(2L, Scalar(path, "SELECT count(*) FROM runs"));
    }

    [Fact]
    public void The_histories_of_the_newest_thousand_ended_jobs_are_kept_and_older_ones_dropped_by_the_running_scheduler()
    {
        var path = folder.File("jobs.db");
        var time = new FakeTimeProvider(T0);
        using var store = (SqliteJobStore)JobStore.CreateSqlite(path);
        store.AttachScheduler("scheduler", time, new Scheduler.Events.EventLog(10));
        for (var i = 0; i < 1005; i++)
        {
            var id = "once-" + i.ToString("D4", System.Globalization.CultureInfo.InvariantCulture);
            store.Add(Job(id, T0), replaceExisting: false);
            store.CommitDispatches([new JobDispatch(store.Get(id)!, null, [Run(id, "r" + i, JobRunOutcome.Missed)])]);
        }

        store.Add(Job("alive", T0), replaceExisting: false);
        store.SaveRun(Run("alive", "kept", JobRunOutcome.Succeeded));

        time.Advance(TimeSpan.FromSeconds(59));
        Assert.Single(store.GetRuns("once-0000", 10));
        time.Advance(TimeSpan.FromSeconds(1));

        Assert.Empty(store.GetRuns("once-0000", 10));
        Assert.Empty(store.GetRuns("once-0004", 10));
        Assert.Single(store.GetRuns("once-0005", 10));
        Assert.Single(store.GetRuns("once-1004", 10));
        Assert.Single(store.GetRuns("alive", 10));
        Assert.Equal(1001L, Scalar(path, "SELECT count(*) FROM runs"));
        var ended = store.GetEndedJobIds(2000);
        Assert.Equal(1000, ended.Count);
        Assert.Equal(["once-1004", "once-1003"], ended.Take(2));
        Assert.Equal("once-0005", ended[^1]);
        store.DetachScheduler();
    }

    [Fact]
    public void Output_and_error_are_kept_bounded()
    {
        using var store = JobStore.CreateSqlite(folder.File("jobs.db"));
        store.SaveRun(Run("a", "r1", JobRunOutcome.Failed) with { Output = new string('o', 100_000), Error = new string('e', 100_000) });

        var run = Assert.Single(store.GetRuns("a", 1));

        Assert.Equal(JobRun.MaxTextLength, run.Output!.Length);
        Assert.Equal(JobRun.MaxTextLength, run.Error!.Length);
    }

    [Fact]
    public void Invalid_options_are_refused_naming_the_value()
    {
        Assert.Contains("-1", Assert.Throws<ArgumentOutOfRangeException>(() => new SqliteJobStoreOptions { RunHistoryLimit = -1 }).Message, StringComparison.Ordinal);
        Assert.Contains("-5", Assert.Throws<ArgumentOutOfRangeException>(() => new SqliteJobStoreOptions { EventHistoryLimit = -5 }).Message, StringComparison.Ordinal);
        Assert.Contains("00:00:00", Assert.Throws<ArgumentOutOfRangeException>(() => new SqliteJobStoreOptions { ChangeCheckInterval = TimeSpan.Zero }).Message, StringComparison.Ordinal);
        Assert.Contains("-00:01:00", Assert.Throws<ArgumentOutOfRangeException>(() => new SqliteJobStoreOptions { RunHistoryMaxAge = TimeSpan.FromMinutes(-1) }).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_disposed_store_says_so()
    {
        var store = JobStore.CreateSqlite(folder.File("jobs.db"));
        store.Dispose();

        Assert.Throws<ObjectDisposedException>(() => store.Get("a"));
        store.Dispose();
    }

    [Fact]
    public void Many_single_adds_keep_the_log_within_its_bound_and_every_job_is_read_by_another_store()
    {
        // About 3.4 log pages per add: unbounded, 16 000 adds would leave a log of over 200 MB.
        const int count = 16_000;
        var path = folder.File("jobs.db");
        long largestLog = 0;
        using (var store = JobStore.CreateSqlite(path))
        {
            for (var i = 0; i < count; i++)
            {
                store.Add(Job("job-" + i.ToString("D5", CultureInfo.InvariantCulture), T0.AddMinutes(i)), replaceExisting: false);
                if (i % 100 == 0)
                {
                    largestLog = Math.Max(largestLog, LogLength(path));
                }
            }

            using var other = JobStore.CreateSqlite(path);

            Assert.Equal(count, other.Count);
            Assert.Equal(T0.AddMinutes(count - 1), other.Get("job-15999")!.NextRunTime);
            Assert.Equal(T0, other.GetNextRunTime());
        }

        // The writer's own checkpoint is skipped while a background one runs, so the log may overshoot
        // its bound by what is written meanwhile (more on a busy machine); it must not grow with the number of adds.
        Assert.InRange(largestLog, 1, 4 * SqliteCheckpointer.WalSizeLimitBytes);
        Assert.False(File.Exists(path + "-wal"));
        using var reopened = JobStore.CreateSqlite(path);
        Assert.Equal(count, reopened.Count);
    }

    [Fact]
    public void Checkpoints_copy_the_log_into_the_database_file_while_the_store_is_open()
    {
        var path = folder.File("jobs.db");
        var copy = folder.File("copy.db");
        const int count = 2 * SqliteCheckpointer.CommitsPerCheckpoint;

        using var store = (SqliteJobStore)JobStore.CreateSqlite(path);
        AddJobs(store, "job-", count);

        // Below the writer's own bound, only a background checkpoint puts jobs into the file itself. A
        // copy taken while one is writing can be torn, so the file is copied again until it reads whole.
        // A checkpoint may also copy nothing (a reader's older view holds it back: the next test; under
        // load one once left the file empty, cause not seen), and the next one tries again: as a live
        // store would, the test goes on committing while it waits. Checkpoints run on the thread pool,
        // which a loaded test run can keep busy for a long while: the wait is long.
        var (reached, inFile, added) = CheckpointedInto(store, path, copy, SqliteCheckpointer.CommitsPerCheckpoint, count, TimeSpan.FromSeconds(90));
        Assert.True(
            reached,
            $"The database file holds {inFile} jobs without its log after {added} adds, {store.Checkpointer.Completed} background checkpoints ({store.Checkpointer.Failed} failed; the last said {store.Checkpointer.LastResult}; one queued or running: {!store.Checkpointer.IsIdle}), a log of {LogLength(path)} bytes.");
        Assert.InRange(inFile, SqliteCheckpointer.CommitsPerCheckpoint, added);
        Assert.Equal(added, store.Count);
    }

    [Fact]
    public void A_reader_that_held_the_checkpoints_back_leaves_the_jobs_in_the_log_until_later_commits_checkpoint_them()
    {
        var path = folder.File("jobs.db");
        var copy = folder.File("copy.db");
        const int count = 2 * SqliteCheckpointer.CommitsPerCheckpoint;
        using var store = (SqliteJobStore)JobStore.CreateSqlite(path, new SqliteJobStoreOptions { StartCheckAtOpen = false });

        // Another process reading the store (a listing, an integrity check) from before the adds until after
        // the checkpoint they queued: a checkpoint copies nothing a reader's older view may still need.
        using (var reader = Connect(path))
        {
            using var read = reader.CreateCommand();
            read.CommandText = "BEGIN; SELECT count(*) FROM jobs;";
            Assert.Equal(0L, read.ExecuteScalar());
            AddJobs(store, "held-", count);
            Assert.True(SpinWait.SpinUntil(() => store.Checkpointer.Completed >= 1, TimeSpan.FromSeconds(30)), "No background checkpoint ran.");
            Assert.Equal(0L, JobsInCopy(path, copy));
            read.CommandText = "COMMIT";
            read.ExecuteNonQuery();
        }

        // The jobs are safe in the log meanwhile (the store reads them), and the next checkpoints copy them.
        Assert.Equal(count, store.Count);
        var (reached, inFile, added) = CheckpointedInto(store, path, copy, count, count, TimeSpan.FromSeconds(30));
        Assert.True(
            reached,
            $"The database file holds {inFile} of the {count} jobs added while the reader read, after {store.Checkpointer.Completed} background checkpoints.");
        Assert.Equal(added, store.Count);
    }

    [Fact]
    public void Disposing_the_store_while_a_checkpoint_may_run_closes_the_file_cleanly()
    {
        var path = folder.File("jobs.db");
        const int rounds = 10;
        for (var round = 0; round < rounds; round++)
        {
            var store = (SqliteJobStore)JobStore.CreateSqlite(path);

            // The last add of each round queues a checkpoint, and the store is disposed at once.
            for (var i = 0; i < SqliteCheckpointer.CommitsPerCheckpoint; i++)
            {
                store.Add(Job(string.Create(CultureInfo.InvariantCulture, $"r{round}-{i}"), T0), replaceExisting: false);
            }

            store.Dispose();

            // The store's connection was the file's last: closing it removed the log.
            Assert.False(File.Exists(path + "-wal"), $"The log is left after round {round}.");
        }

        using var reopened = JobStore.CreateSqlite(path);
        Assert.Equal(rounds * SqliteCheckpointer.CommitsPerCheckpoint, reopened.Count);
        Assert.NotNull(reopened.Get("r9-299"));
    }

    [Fact]
    public void A_commit_to_a_quiet_store_is_synced_into_the_database_file_within_a_second()
    {
        // Only a checkpoint syncs a commit (synchronous=NORMAL); one add is far from the count that queues one.
        var path = folder.File("jobs.db");
        var copy = folder.File("copy.db");
        var clock = new FakeTimeProvider(T0);
        using var store = (SqliteJobStore)JobStore.CreateSqlite(path, timeProvider: clock);

        store.Add(Job("quiet", T0), replaceExisting: false);
        Assert.Equal(0, JobsInCopy(path, copy));
        Assert.True(store.Checkpointer.SyncPending);

        clock.Advance(SqliteCheckpointer.SyncDelay - TimeSpan.FromTicks(1));
        Assert.True(store.Checkpointer.SyncPending);
        clock.Advance(TimeSpan.FromTicks(1));

        Assert.True(
            SpinWait.SpinUntil(() => JobsInCopy(path, copy) == 1, TimeSpan.FromSeconds(30)),
            $"The database file holds no job {SqliteCheckpointer.SyncDelay} after the add ({store.Checkpointer.Completed} checkpoints, {store.Checkpointer.Failed} failed).");
        Assert.False(store.Checkpointer.SyncPending);
        Assert.Equal(1, store.Count);
    }

    [Fact]
    public void A_store_closing_while_another_holds_the_file_syncs_its_commits_into_the_database_file()
    {
        // As `schedhost add` beside a running daemon: the closing store is not the file's last connection,
        // so closing does not checkpoint by itself, and its clock never reaches the sync.
        var path = folder.File("jobs.db");
        var copy = folder.File("copy.db");
        using var holder = JobStore.CreateSqlite(path, timeProvider: new FakeTimeProvider(T0));
        var adder = JobStore.CreateSqlite(path, timeProvider: new FakeTimeProvider(T0));
        AddJobs(adder, "added-", 3);
        Assert.Equal(0, JobsInCopy(path, copy));

        adder.Dispose();

        Assert.Equal(3, JobsInCopy(path, copy));
        Assert.True(File.Exists(path + "-wal"), "The holder's connection keeps the log.");
        Assert.Equal(3, holder.Count);
    }

    [Fact]
    public void A_sync_a_reader_held_back_is_tried_again_later()
    {
        var path = folder.File("jobs.db");
        var copy = folder.File("copy.db");
        var clock = new FakeTimeProvider(T0);
        using var store = (SqliteJobStore)JobStore.CreateSqlite(path, new SqliteJobStoreOptions { StartCheckAtOpen = false }, clock);

        using (var reader = Connect(path))
        {
            using var read = reader.CreateCommand();
            read.CommandText = "BEGIN; SELECT count(*) FROM jobs;";
            Assert.Equal(0L, read.ExecuteScalar());
            store.Add(Job("held", T0), replaceExisting: false);
            clock.Advance(SqliteCheckpointer.SyncDelay);
            Assert.True(SpinWait.SpinUntil(() => store.Checkpointer.Completed >= 1 && store.Checkpointer.IsIdle, TimeSpan.FromSeconds(30)), "The sync did not run.");
            Assert.Equal(0, JobsInCopy(path, copy));
            read.CommandText = "COMMIT";
            read.ExecuteNonQuery();
        }

        // Nothing else is committed: only the retry, twice the delay later, can sync the add.
        Assert.True(store.Checkpointer.SyncPending, "No retry is armed.");
        clock.Advance(2 * SqliteCheckpointer.SyncDelay);
        Assert.True(
            SpinWait.SpinUntil(() => JobsInCopy(path, copy) == 1, TimeSpan.FromSeconds(30)),
            $"The database file holds no job after the retry ({store.Checkpointer.Completed} checkpoints; the last said {store.Checkpointer.LastResult}).");
    }

    [UnixFact("Windows refuses to move an open file.")]
    public void A_failing_checkpoint_is_ignored_and_creates_no_file()
    {
        // Moving an open file away makes the checkpoint connection fail to open (it never creates the
        // file).
        var path = folder.File("jobs.db");
        var moved = folder.File("moved.db");
        const int count = 2 * SqliteCheckpointer.CommitsPerCheckpoint;
        using (var store = (SqliteJobStore)JobStore.CreateSqlite(path))
        {
            store.Add(Job("first", T0), replaceExisting: false);
            File.Move(path, moved);
            for (var i = 0; i < count; i++)
            {
                store.Add(Job("job-" + i.ToString(CultureInfo.InvariantCulture), T0), replaceExisting: false);
            }

            Assert.True(SpinWait.SpinUntil(() => store.Checkpointer.Failed > 0, TimeSpan.FromSeconds(30)), "No background checkpoint failed.");

            Assert.False(File.Exists(path));
            store.Add(Job("last", T0), replaceExisting: false);
            Assert.Equal(count + 2, store.Count);
            Assert.Equal(0, store.Checkpointer.Completed);
        }

        // What was in the log of a moved file is SQLite's to lose; the store closes without an error.
        Assert.False(File.Exists(path));
    }

    internal static Job Job(string id, DateTimeOffset? next)
        => new(id, id, new DateTrigger(T0, TimeZoneInfo.Utc), new DelegateInvocation("noop"), JobArguments.None, JobOptions.Default, "default", "default")
        {
            NextRunTime = next,
            State = next is null ? JobState.Paused : JobState.Scheduled,
        };

    internal static JobRun Run(string jobId, string runId, JobRunOutcome outcome)
        => new(runId, jobId, T0, outcome, attempt: 1, schedulerId: "test");

    /// <summary>
    /// Copies the database file until it holds at least <paramref name="wanted"/> jobs without its log.
    /// Whenever no checkpoint is queued and the file is behind, it adds a checkpoint's worth of jobs, as
    /// a live store goes on committing (the next checkpoint retries what one could not copy), up to ten
    /// times the <paramref name="added"/> jobs it started with.
    /// </summary>
    private static (bool Reached, long InFile, int Added) CheckpointedInto(SqliteJobStore store, string path, string copy, long wanted, int added, TimeSpan timeout)
    {
        long inFile = 0;
        var limit = 10 * added;
        var reached = SpinWait.SpinUntil(
            () =>
            {
                inFile = JobsInCopy(path, copy);
                if (inFile < wanted && store.Checkpointer.IsIdle && added < limit)
                {
                    AddJobs(store, "more-" + added.ToString(CultureInfo.InvariantCulture) + "-", SqliteCheckpointer.CommitsPerCheckpoint);
                    added += SqliteCheckpointer.CommitsPerCheckpoint;
                }

                return inFile >= wanted;
            },
            timeout);
        return (reached, inFile, added);
    }

    private static void AddJobs(JobStore store, string prefix, int count)
    {
        for (var i = 0; i < count; i++)
        {
            store.Add(Job(prefix + i.ToString(CultureInfo.InvariantCulture), T0), replaceExisting: false);
        }
    }

    /// <summary>
    /// The jobs in a copy of the database file alone (without its log), what a power loss would leave of a
    /// log never synced; 0 when no copy reads. A copy taken while a checkpoint writes the file can be torn:
    /// it is taken again a few times.
    /// </summary>
    internal static long JobsInCopy(string path, string copy)
    {
        for (var attempt = 1; ; attempt++)
        {
            File.Copy(path, copy, overwrite: true);
            try
            {
                return Convert.ToInt64(Scalar(copy, "SELECT count(*) FROM jobs"), CultureInfo.InvariantCulture);
            }
            catch (SqliteException) when (attempt < 3)
            {
            }
            catch (SqliteException)
            {
                return 0;
            }
        }
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA2100:Review SQL queries for security vulnerabilities", Justification = "The tests' own SQL, to inspect and damage store files.")]
    internal static object? Scalar(string path, string sql)
    {
        using var connection = Connect(path);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA2100:Review SQL queries for security vulnerabilities", Justification = "The tests' own SQL, to inspect and damage store files.")]
    internal static void Execute(string path, string sql, params (string Name, object Value)[] parameters)
    {
        using var connection = Connect(path);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        command.ExecuteNonQuery();
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA2100:Review SQL queries for security vulnerabilities", Justification = "The tests' own SQL, to inspect and damage store files.")]
    private static List<string> Rows(string path, string sql)
    {
        using var connection = Connect(path);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
        {
            rows.Add(string.Join(" ", Enumerable.Range(0, reader.FieldCount).Select(i => reader.GetValue(i))));
        }

        return rows;
    }

    private static SqliteConnection Connect(string path)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    private static long LogLength(string path)
    {
        var log = new FileInfo(path + "-wal");
        return log.Exists ? log.Length : 0;
    }

    private static string Snapshot(string path)
        => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path))) + " " + File.GetLastWriteTimeUtc(path).Ticks;
}
