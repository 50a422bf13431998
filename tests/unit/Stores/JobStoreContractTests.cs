using Scheduler.Invocations;
using Scheduler.Jobs;
using Scheduler.Stores;
using Scheduler.Tests.Support;
using Scheduler.Triggers;

namespace Scheduler.Tests.Stores;

/// <summary>What every store does the same way; run against each store by the classes below.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1063:Implement IDisposable Correctly", Justification = "xunit disposes the test class; there is no finalizer, and the derived classes release theirs through DisposeCore.")]
public abstract class JobStoreContractTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly Trigger AnyTrigger = new DateTrigger(T0, TimeZoneInfo.Utc);
    private static readonly Invocation AnyInvocation = new DelegateInvocation("noop");

    private readonly List<JobStore> stores = [];

    public void Dispose()
    {
        foreach (var store in stores)
        {
            store.Dispose();
        }

        DisposeCore();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public void Due_and_next_stay_correct_through_many_random_adds_updates_and_removes()
    {
        var store = Store();
        var model = new Dictionary<string, DateTimeOffset?>();
        var random = new Random(1234);
        for (var step = 0; step < 5_000; step++)
        {
            var id = "job" + random.Next(800);
            var next = random.Next(10) == 0 ? (DateTimeOffset?)null : T0.AddSeconds(random.Next(100_000));
            switch (random.Next(4))
            {
                case 0 when model.ContainsKey(id):
                    Assert.True(store.Remove(id));
                    model.Remove(id);
                    break;
                case 1 when model.ContainsKey(id):
                    store.Update(Job(id, next));
                    model[id] = next;
                    break;
                default:
                    store.Add(Job(id, next), replaceExisting: true);
                    model[id] = next;
                    break;
            }

            if (step % 500 == 0)
            {
                AssertMatches(store, model, T0.AddSeconds(random.Next(100_000)));
            }
        }

        AssertMatches(store, model, T0.AddSeconds(50_000));
        Assert.Equal(model.Count, store.Count);
    }

    [Fact]
    public void Due_jobs_come_earliest_first_and_are_limited_to_the_maximum()
    {
        var store = Store();
        foreach (var minutes in new[] { 5, 1, 4, 2, 3, 9 })
        {
            store.Add(Job("m" + minutes, T0.AddMinutes(minutes)), replaceExisting: false);
        }

        Assert.Equal(["m1", "m2", "m3"], store.GetDueJobs(T0.AddMinutes(6), 3).Select(j => j.Id));
        Assert.Equal(["m1", "m2", "m3", "m4", "m5"], store.GetDueJobs(T0.AddMinutes(6), 100).Select(j => j.Id));
        Assert.Empty(store.GetDueJobs(T0, 100));
        Assert.Equal(T0.AddMinutes(1), store.GetNextRunTime());
    }

    [Fact]
    public void Paused_jobs_are_never_due_and_do_not_count_for_the_next_run_time()
    {
        var store = Store();
        store.Add(Job("paused", null), replaceExisting: false);

        Assert.Empty(store.GetDueJobs(DateTimeOffset.MaxValue.AddDays(-1), 10));
        Assert.Null(store.GetNextRunTime());
        Assert.Equal(JobState.Paused, store.Get("paused")!.State);
    }

    [Fact]
    public void All_jobs_come_ordered_by_next_run_time_with_paused_jobs_last()
    {
        var store = Store();
        store.Add(Job("late", T0.AddHours(2)), replaceExisting: false);
        store.Add(Job("paused", null), replaceExisting: false);
        store.Add(Job("early", T0.AddHours(1)), replaceExisting: false);

        Assert.Equal(["early", "late", "paused"], store.GetAll().Select(j => j.Id));
        Assert.Equal(3, store.Count);
    }

    [Fact]
    public void Jobs_found_by_name_are_the_matching_ones_in_the_order_of_all_jobs()
    {
        var store = Store();
        store.Add(Named("j5", "Weekly backup", T0.AddHours(3)), replaceExisting: false);
        store.Add(Named("j1", "report", T0.AddHours(1)), replaceExisting: false);
        store.Add(Named("j4", "Nightly BACKUP", T0.AddHours(2)), replaceExisting: false);
        store.Add(Named("j2", "backup, paused", null), replaceExisting: false);
        store.Add(Named("j3", "nightly backup copy", T0.AddHours(2)), replaceExisting: false);
        store.Add(Named("j0", "cleanup", null), replaceExisting: false);
        static bool IsBackup(string name) => name.Contains("backup", StringComparison.OrdinalIgnoreCase);

        var backups = store.GetByName(IsBackup);

        // Same time: by id. Paused: last.
        Assert.Equal(["j3", "j4", "j5", "j2"], backups.Select(j => j.Id));
        Assert.Equal(store.GetAll().Where(j => IsBackup(j.Name)).Select(j => j.Id), backups.Select(j => j.Id));
        Assert.Equal("Nightly BACKUP", backups[1].Name);
        Assert.Equal(T0.AddHours(2), backups[1].NextRunTime);
        Assert.Equal(JobState.Paused, backups[3].State);
        Assert.Equal(["j1"], store.GetByName(name => name == "report").Select(j => j.Id));
        Assert.Empty(store.GetByName(_ => false));
        Assert.Equal(store.GetAll().Select(j => j.Id), store.GetByName(_ => true).Select(j => j.Id));
    }

    [Fact]
    public void A_name_predicate_that_throws_fails_the_lookup_with_its_own_exception_and_the_store_stays_usable()
    {
        var store = Store();
        store.Add(Job("a", T0), replaceExisting: false);

        var error = Assert.Throws<FormatException>(() => store.GetByName(_ => throw new FormatException("The pattern '[' is not valid.")));

        Assert.Equal("The pattern '[' is not valid.", error.Message);
        Assert.Equal(["a"], store.GetByName(name => name == "a").Select(j => j.Id));
    }

    [Fact]
    public void A_job_reads_back_as_it_was_added()
    {
        var store = Store();
        var options = JobOptions.Default with { MaxInstances = 3, Timeout = TimeSpan.FromMinutes(5), Recover = true };
        var trigger = new CronTrigger("*/5 * * * *", TimeZones.Resolve("Europe/Berlin"));
        var job = new Job("full", "Full job", trigger, new CommandInvocation("echo", ["a b", "c"]), JobArguments.FromValues(1, "two"), options, "process", "default")
        {
            NextRunTime = new DateTimeOffset(2024, 1, 1, 1, 5, 0, TimeSpan.FromHours(1)),
            JitterTicks = 42,
        };
        store.Add(job, replaceExisting: false);

        var read = store.Get("full")!;

        Assert.Equal("Full job", read.Name);
        Assert.Equal("*/5 * * * *", Assert.IsType<CronTrigger>(read.Trigger).Expression);
        Assert.Equal(job.NextRunTime, read.NextRunTime);
        Assert.Equal(TimeSpan.FromHours(1), read.NextRunTime!.Value.Offset);
        Assert.Equal(42, read.JitterTicks);
        Assert.Equal(options, read.Options);
        Assert.Equal(["a b", "c"], Assert.IsType<CommandInvocation>(read.Invocation).Arguments);
        Assert.Equal(job.Arguments.ToJson(), read.Arguments.ToJson());
        Assert.Equal("process", read.Executor);
        Assert.Equal(JobState.Scheduled, read.State);
    }

    [Fact]
    public void Adding_an_existing_id_fails_naming_it_and_updating_a_missing_one_fails_naming_it()
    {
        var store = Store();
        store.Add(Job("a", T0), replaceExisting: false);

        var duplicate = Assert.Throws<InvalidOperationException>(() => store.Add(Job("a", T0), replaceExisting: false));
        var missing = Assert.Throws<KeyNotFoundException>(() => store.Update(Job("b", T0)));

        Assert.Contains("'a'", duplicate.Message, StringComparison.Ordinal);
        Assert.Contains("'b'", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_dispatch_stores_the_advanced_job_and_its_runs_together()
    {
        var store = Store();
        store.Add(Job("a", T0), replaceExisting: false);
        var job = Assert.Single(store.GetDueJobs(T0, 10));
        var run = Run("a", "r1", JobRunOutcome.Running);

        var rejected = store.CommitDispatches([new JobDispatch(job, job with { NextRunTime = T0.AddMinutes(1) }, [run])]);

        Assert.Empty(rejected);
        Assert.Equal(T0.AddMinutes(1), store.Get("a")!.NextRunTime);
        Assert.Equal([run], store.GetRuns("a", 10));
        Assert.Empty(store.GetDueJobs(T0, 10));
    }

    [Fact]
    public void A_dispatch_of_a_job_changed_or_removed_since_it_was_read_is_rejected_whole()
    {
        var store = Store();
        store.Add(Job("changed", T0), replaceExisting: false);
        store.Add(Job("gone", T0), replaceExisting: false);
        store.Add(Job("kept", T0), replaceExisting: false);
        var due = store.GetDueJobs(T0, 10).ToDictionary(j => j.Id);
        store.Update(due["changed"] with { Name = "other" });
        store.Remove("gone");

        var rejected = store.CommitDispatches(
        [
            new JobDispatch(due["changed"], due["changed"] with { NextRunTime = T0.AddMinutes(1) }, [Run("changed", "r1", JobRunOutcome.Running)]),
            new JobDispatch(due["gone"], due["gone"] with { NextRunTime = T0.AddMinutes(1) }, [Run("gone", "r2", JobRunOutcome.Running)]),
            new JobDispatch(due["kept"], due["kept"] with { NextRunTime = T0.AddMinutes(1) }, [Run("kept", "r3", JobRunOutcome.Running)]),
        ]);

        Assert.Equal(["changed", "gone"], rejected.OrderBy(id => id));
        Assert.Equal(T0, store.Get("changed")!.NextRunTime);
        Assert.Equal("other", store.Get("changed")!.Name);
        Assert.Null(store.Get("gone"));
        Assert.Empty(store.GetRuns("changed", 10));
        Assert.Empty(store.GetRuns("gone", 10));
        Assert.Equal(T0.AddMinutes(1), store.Get("kept")!.NextRunTime);
        Assert.Single(store.GetRuns("kept", 10));
    }

    [Fact]
    public void A_dispatch_ending_a_job_changed_or_removed_since_it_was_read_is_rejected_and_the_changed_job_stays_due()
    {
        var store = Store();
        store.Add(Job("changed", T0), replaceExisting: false);
        store.Add(Job("gone", T0), replaceExisting: false);
        store.Add(Job("ended", T0), replaceExisting: false);
        var due = store.GetDueJobs(T0, 10).ToDictionary(j => j.Id);
        store.Update(due["changed"] with { Name = "other" });
        store.Remove("gone");

        var rejected = store.CommitDispatches(
        [
            new JobDispatch(due["changed"], null, [Run("changed", "r1", JobRunOutcome.Running)]),
            new JobDispatch(due["gone"], null, [Run("gone", "r2", JobRunOutcome.Running)]),
            new JobDispatch(due["ended"], null, [Run("ended", "r3", JobRunOutcome.Running)]),
        ]);

        Assert.Equal(["changed", "gone"], rejected.OrderBy(id => id));
        Assert.Equal("other", store.Get("changed")!.Name);
        Assert.Equal("changed", Assert.Single(store.GetDueJobs(T0, 10)).Id);
        Assert.Equal(1, store.Count);
        Assert.Empty(store.GetRuns("changed", 10));
        Assert.Null(store.Get("gone"));
        Assert.Null(store.Get("ended"));
        Assert.Equal("r3", Assert.Single(store.GetRuns("ended", 10)).RunId);
    }

    [Fact]
    public void A_dispatch_without_an_updated_job_removes_it_but_keeps_its_runs_readable()
    {
        var store = Store();
        store.Add(Job("once", T0), replaceExisting: false);
        var job = store.Get("once")!;

        store.CommitDispatches([new JobDispatch(job, null, [Run("once", "r1", JobRunOutcome.Running)])]);
        store.SaveRun(Run("once", "r1", JobRunOutcome.Succeeded));

        Assert.Null(store.Get("once"));
        Assert.Equal(0, store.Count);
        Assert.Equal(JobRunOutcome.Succeeded, Assert.Single(store.GetRuns("once", 10)).Outcome);
    }

    [Fact]
    public void Jobs_that_ended_are_listed_newest_first_with_their_runs_and_no_longer_once_added_again_or_removed()
    {
        var store = Store();
        store.Add(Job("scheduled", T0), replaceExisting: false);
        store.SaveRun(Run("scheduled", "r0", JobRunOutcome.Succeeded));
        foreach (var id in new[] { "first", "second", "third" })
        {
            store.Add(Job(id, T0), replaceExisting: false);
            store.CommitDispatches([new JobDispatch(store.Get(id)!, null, [Run(id, "run-" + id, JobRunOutcome.Running)])]);
        }

        store.SaveRun(Run("first", "run-first", JobRunOutcome.Succeeded));
        store.Add(Job("no-runs", T0), replaceExisting: false);
        store.CommitDispatches([new JobDispatch(store.Get("no-runs")!, null, [])]);

        Assert.Equal(["third", "second", "first"], store.GetEndedJobIds(10));
        Assert.Equal(["third"], store.GetEndedJobIds(1));
        Assert.Empty(store.GetEndedJobIds(0));
        Assert.Equal("maxCount", Assert.Throws<ArgumentOutOfRangeException>(() => store.GetEndedJobIds(-1)).ParamName);

        store.Add(Job("second", T0), replaceExisting: false);
        Assert.Equal(["third", "first"], store.GetEndedJobIds(10));
        Assert.True(store.Remove("second"));
        Assert.Equal(["third", "first"], store.GetEndedJobIds(10));
        Assert.Equal("run-first", Assert.Single(store.GetRuns("first", 10)).RunId);
    }

    [Fact]
    public void Run_history_is_bounded_per_job_newest_first_and_a_run_that_ends_replaces_its_record()
    {
        var store = Store(runHistoryLimit: 3);
        store.Add(Job("a", T0), replaceExisting: false);
        for (var i = 1; i <= 5; i++)
        {
            store.SaveRun(Run("a", "r" + i, JobRunOutcome.Running));
        }

        var ended = Run("a", "r5", JobRunOutcome.Failed) with
        {
            StartTime = T0.AddSeconds(1),
            EndTime = T0.AddSeconds(2),
            Error = "boom",
            Output = "out",
            ExitCode = 3,
        };
        store.SaveRun(ended);

        var runs = store.GetRuns("a", 10);
        Assert.Equal(["r5", "r4", "r3"], runs.Select(r => r.RunId));
        Assert.Equal(ended, runs[0]);
        Assert.Equal(["r5"], store.GetRuns("a", 1).Select(r => r.RunId));
    }

    [Fact]
    public void Removing_a_job_removes_its_history_and_removing_all_removes_everything()
    {
        var store = Store();
        store.Add(Job("a", T0), replaceExisting: false);
        store.Add(Job("b", T0), replaceExisting: false);
        store.SaveRun(Run("a", "r1", JobRunOutcome.Succeeded));
        store.SaveRun(Run("b", "r2", JobRunOutcome.Succeeded));

        Assert.True(store.Remove("a"));
        Assert.False(store.Remove("a"));
        Assert.Empty(store.GetRuns("a", 10));
        Assert.Single(store.GetRuns("b", 10));

        store.RemoveAll();
        Assert.Equal(0, store.Count);
        Assert.Empty(store.GetRuns("b", 10));
        Assert.Null(store.GetNextRunTime());
    }

    [Fact]
    public void A_store_not_used_by_a_running_scheduler_abandons_nothing()
    {
        var store = Store();
        store.SaveRun(Run("a", "r1", JobRunOutcome.Running));

        Assert.Empty(store.AbandonUnfinishedRuns("scheduler", T0));
    }

    [Fact]
    public void A_zero_history_limit_keeps_no_runs()
    {
        var store = Store(runHistoryLimit: 0);
        store.SaveRun(Run("a", "r1", JobRunOutcome.Succeeded));

        Assert.Empty(store.GetRuns("a", 10));
    }

    private protected abstract JobStore CreateStore(int runHistoryLimit);

    private protected virtual void DisposeCore()
    {
    }

    private protected static Job Job(string id, DateTimeOffset? next) => Named(id, id, next);

    private protected static Job Named(string id, string name, DateTimeOffset? next)
        => new(id, name, AnyTrigger, AnyInvocation, JobArguments.None, JobOptions.Default, "default", "default")
        {
            NextRunTime = next,
            State = next is null ? JobState.Paused : JobState.Scheduled,
        };

    private protected static JobRun Run(string jobId, string runId, JobRunOutcome outcome)
        => new(runId, jobId, T0, outcome, attempt: 1, schedulerId: "test");

    private JobStore Store(int runHistoryLimit = JobStore.DefaultRunHistoryLimit)
    {
        var store = CreateStore(runHistoryLimit);
        stores.Add(store);
        return store;
    }

    private static void AssertMatches(JobStore store, Dictionary<string, DateTimeOffset?> model, DateTimeOffset now)
    {
        var expectedDue = model.Where(p => p.Value <= now).OrderBy(p => p.Value).ToList();
        var due = store.GetDueJobs(now, int.MaxValue);
        Assert.Equal(expectedDue.Count, due.Count);
        Assert.Equal(expectedDue.Select(p => p.Value), due.Select(j => j.NextRunTime));
        Assert.Equal(expectedDue.Select(p => p.Key).OrderBy(id => id), due.Select(j => j.Id).OrderBy(id => id));
        Assert.Equal(model.Values.Where(v => v is not null).Min(), store.GetNextRunTime());
    }
}

public sealed class MemoryJobStoreContractTests : JobStoreContractTests
{
    private protected override JobStore CreateStore(int runHistoryLimit) => JobStore.CreateMemory(runHistoryLimit);
}

public sealed class SqliteJobStoreContractTests : JobStoreContractTests
{
    private readonly TempFolder folder = new();

    private protected override JobStore CreateStore(int runHistoryLimit)
        => JobStore.CreateSqlite(folder.File(Guid.NewGuid().ToString("N") + ".db"), new SqliteJobStoreOptions { RunHistoryLimit = runHistoryLimit });

    private protected override void DisposeCore() => folder.Dispose();
}

public sealed class PostgresJobStoreContractTests : JobStoreContractTests
{
    private readonly List<string> schemas = [];

    private protected override JobStore CreateStore(int runHistoryLimit)
    {
        var schema = PostgresServer.NewSchema();
        schemas.Add(schema);
        return JobStore.CreatePostgres(PostgresServer.ConnectionString, new PostgresJobStoreOptions { Schema = schema, RunHistoryLimit = runHistoryLimit });
    }

    private protected override void DisposeCore()
    {
        foreach (var schema in schemas)
        {
            PostgresServer.DropSchema(schema);
        }
    }
}
