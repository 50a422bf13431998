using Scheduler.Invocations;
using Scheduler.Jobs;
using Scheduler.Stores;
using Scheduler.Triggers;

namespace Scheduler.Tests.Stores;

public sealed class MemoryJobStoreTests
{
    private static readonly DateTimeOffset T0 = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly Trigger AnyTrigger = new DateTrigger(T0);
    private static readonly Invocation AnyInvocation = new DelegateInvocation("noop");

    [Fact]
    public void Due_and_next_stay_correct_through_many_random_adds_updates_and_removes()
    {
        var store = JobStore.CreateMemory();
        var model = new Dictionary<string, DateTimeOffset?>();
        var random = new Random(1234);
        for (var step = 0; step < 20_000; step++)
        {
            var id = "job" + random.Next(3000);
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

            if (step % 1000 == 0)
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
        var store = JobStore.CreateMemory();
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
        var store = JobStore.CreateMemory();
        store.Add(Job("paused", null), replaceExisting: false);

        Assert.Empty(store.GetDueJobs(DateTimeOffset.MaxValue, 10));
        Assert.Null(store.GetNextRunTime());
        Assert.NotNull(store.Get("paused"));
    }

    [Fact]
    public void Adding_an_existing_id_fails_naming_it_and_updating_a_missing_one_fails_naming_it()
    {
        var store = JobStore.CreateMemory();
        store.Add(Job("a", T0), replaceExisting: false);

        var duplicate = Assert.Throws<InvalidOperationException>(() => store.Add(Job("a", T0), replaceExisting: false));
        var missing = Assert.Throws<KeyNotFoundException>(() => store.Update(Job("b", T0)));

        Assert.Contains("'a'", duplicate.Message, StringComparison.Ordinal);
        Assert.Contains("'b'", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_dispatch_stores_the_advanced_job_and_its_runs_together()
    {
        var store = JobStore.CreateMemory();
        var job = Job("a", T0);
        store.Add(job, replaceExisting: false);
        var run = Run("a", "r1", JobRunOutcome.Running);

        var rejected = store.CommitDispatches([new JobDispatch(job, job with { NextRunTime = T0.AddMinutes(1) }, [run])]);

        Assert.Empty(rejected);
        Assert.Equal(T0.AddMinutes(1), store.Get("a")!.NextRunTime);
        Assert.Equal([run], store.GetRuns("a", 10));
    }

    [Fact]
    public void A_dispatch_of_a_job_changed_or_removed_since_it_was_read_is_rejected_whole()
    {
        var store = JobStore.CreateMemory();
        var read = Job("changed", T0);
        store.Add(read, replaceExisting: false);
        store.Update(read with { Name = "other" });
        var gone = Job("gone", T0);
        store.Add(gone, replaceExisting: false);
        store.Remove("gone");

        var rejected = store.CommitDispatches(
        [
            new JobDispatch(read, read with { NextRunTime = T0.AddMinutes(1) }, [Run("changed", "r1", JobRunOutcome.Running)]),
            new JobDispatch(gone, gone with { NextRunTime = T0.AddMinutes(1) }, [Run("gone", "r2", JobRunOutcome.Running)]),
        ]);

        Assert.Equal(["changed", "gone"], rejected.OrderBy(id => id));
        Assert.Equal(T0, store.Get("changed")!.NextRunTime);
        Assert.Null(store.Get("gone"));
        Assert.Empty(store.GetRuns("changed", 10));
        Assert.Empty(store.GetRuns("gone", 10));
    }

    [Fact]
    public void A_dispatch_without_an_updated_job_removes_it_but_keeps_its_runs_readable()
    {
        var store = JobStore.CreateMemory();
        var job = Job("once", T0);
        store.Add(job, replaceExisting: false);

        store.CommitDispatches([new JobDispatch(job, null, [Run("once", "r1", JobRunOutcome.Running)])]);
        store.SaveRun(Run("once", "r1", JobRunOutcome.Succeeded));

        Assert.Null(store.Get("once"));
        Assert.Equal(JobRunOutcome.Succeeded, Assert.Single(store.GetRuns("once", 10)).Outcome);
    }

    [Fact]
    public void The_runs_of_the_last_thousand_finished_jobs_stay_readable_and_older_ones_are_dropped()
    {
        var store = JobStore.CreateMemory();
        for (var i = 0; i <= 1000; i++)
        {
            var job = Job("once" + i, T0);
            store.Add(job, replaceExisting: false);
            store.CommitDispatches([new JobDispatch(job, null, [Run(job.Id, "r" + i, JobRunOutcome.Running)])]);
            store.SaveRun(Run(job.Id, "r" + i, JobRunOutcome.Succeeded));
        }

        Assert.Empty(store.GetRuns("once0", 10));
        Assert.Equal("r1", Assert.Single(store.GetRuns("once1", 10)).RunId);
        Assert.Equal("r1000", Assert.Single(store.GetRuns("once1000", 10)).RunId);
    }

    [Fact]
    public void Run_history_is_bounded_per_job_newest_first_and_a_run_that_ends_replaces_its_record()
    {
        var store = JobStore.CreateMemory(runHistoryLimit: 3);
        store.Add(Job("a", T0), replaceExisting: false);
        for (var i = 1; i <= 5; i++)
        {
            store.SaveRun(Run("a", "r" + i, JobRunOutcome.Running));
        }

        store.SaveRun(Run("a", "r5", JobRunOutcome.Succeeded));

        var runs = store.GetRuns("a", 10);
        Assert.Equal(["r5", "r4", "r3"], runs.Select(r => r.RunId));
        Assert.Equal(JobRunOutcome.Succeeded, runs[0].Outcome);
        Assert.Equal(["r5"], store.GetRuns("a", 1).Select(r => r.RunId));
    }

    [Fact]
    public void A_memory_store_has_no_runs_left_behind_by_a_dead_scheduler()
    {
        var store = JobStore.CreateMemory();

        Assert.Empty(store.AbandonUnfinishedRuns("scheduler", T0));
    }

    [Fact]
    public void A_negative_history_limit_is_rejected_naming_the_value()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => JobStore.CreateMemory(-2));

        Assert.Contains("-2", error.Message, StringComparison.Ordinal);
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

    private static Job Job(string id, DateTimeOffset? next)
        => new Job(id, id, AnyTrigger, AnyInvocation, JobArguments.None, JobOptions.Default, "default", "default")
        {
            NextRunTime = next,
            State = next is null ? JobState.Paused : JobState.Scheduled,
        };

    private static JobRun Run(string jobId, string runId, JobRunOutcome outcome)
        => new(runId, jobId, T0, outcome, attempt: 1, schedulerId: "test");
}
