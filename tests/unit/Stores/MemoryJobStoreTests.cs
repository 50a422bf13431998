using Scheduler.Invocations;
using Scheduler.Jobs;
using Scheduler.Stores;
using Scheduler.Triggers;

namespace Scheduler.Tests.Stores;

/// <summary>What only the memory store does; what every store does is in <see cref="JobStoreContractTests"/>, which runs against it too.</summary>
public sealed class MemoryJobStoreTests
{
    private static readonly DateTimeOffset T0 = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly Trigger AnyTrigger = new DateTrigger(T0);
    private static readonly Invocation AnyInvocation = new DelegateInvocation("noop");

    [Fact]
    public void A_starting_scheduler_sets_aside_history_for_the_repeating_jobs_due_within_the_minute()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(T0);
        var store = (MemoryJobStore)JobStore.CreateMemory();
        var everyMinute = new IntervalTrigger(TimeSpan.FromMinutes(1), T0.AddSeconds(30));
        for (var i = 0; i < 10; i++)
        {
            store.Add(Job("soon" + i, T0.AddSeconds(30)) with { Trigger = everyMinute }, replaceExisting: false);
        }

        for (var i = 0; i < 3; i++)
        {
            store.Add(Job("once" + i, T0.AddSeconds(30)) with { Trigger = new DateTrigger(T0.AddSeconds(30)) }, replaceExisting: false);
        }

        for (var i = 0; i < 5; i++)
        {
            store.Add(Job("later" + i, T0.AddHours(2)) with { Trigger = everyMinute }, replaceExisting: false);
        }

        store.Add(Job("paused", null), replaceExisting: false);

        store.AttachScheduler("s1", clock, new Scheduler.Events.EventLog(10));

        Assert.Equal(10, store.ReservedHistories);
    }

    [Fact]
    public void The_due_index_stays_correct_through_twenty_thousand_random_changes_of_three_thousand_jobs()
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
    public void The_runs_of_the_last_thousand_finished_jobs_stay_readable_and_older_ones_are_dropped()
    {
        // 1 500 jobs: the histories of the first 500 are dropped and taken again by later jobs.
        var store = JobStore.CreateMemory();
        FinishOneOffJobs(store, 0, 1500, endAfterDispatch: true);

        Assert.Empty(store.GetRuns("once0", 10));
        Assert.Empty(store.GetRuns("once499", 10));
        var oldestKept = Assert.Single(store.GetRuns("once500", 10));
        var newest = Assert.Single(store.GetRuns("once1499", 10));
        Assert.Equal(("r500", JobRunOutcome.Succeeded), (oldestKept.RunId, oldestKept.Outcome));
        Assert.Equal(("r1499", JobRunOutcome.Succeeded), (newest.RunId, newest.Outcome));
    }

    [Fact]
    public void A_finished_jobs_run_in_progress_stays_readable_however_many_jobs_finish_after_it()
    {
        // A burst of one-off jobs is dispatched thousands of runs ahead of the workers that end them.
        var store = JobStore.CreateMemory();
        var first = Job("first", T0);
        store.Add(first, replaceExisting: false);
        store.CommitDispatches([new JobDispatch(first, null, [Run(first.Id, "slow", JobRunOutcome.Running)])]);
        FinishOneOffJobs(store, 0, 1500, endAfterDispatch: true);

        var running = Assert.Single(store.GetRuns("first", 10));
        Assert.Equal(("slow", JobRunOutcome.Running), (running.RunId, running.Outcome));
        Assert.Single(store.GetRuns("once500", 10));

        // Once it ends it is the oldest of the finished jobs' histories, beyond the thousand kept.
        store.SaveRun(Run(first.Id, "slow", JobRunOutcome.Succeeded));
        Assert.Empty(store.GetRuns("first", 10));
        Assert.Single(store.GetRuns("once500", 10));
        Assert.Single(store.GetRuns("once1499", 10));
    }

    [Fact]
    public void A_finished_job_added_again_keeps_its_history_however_many_jobs_finish_after_it()
    {
        var store = JobStore.CreateMemory();
        var again = Job("again", T0);
        store.Add(again, replaceExisting: false);
        store.CommitDispatches([new JobDispatch(again, null, [Run(again.Id, "before", JobRunOutcome.Succeeded)])]);
        var readded = Job("again", T0.AddDays(1));
        store.Add(readded, replaceExisting: false);
        FinishOneOffJobs(store, 0, 1500, endAfterDispatch: false);

        Assert.Equal("before", Assert.Single(store.GetRuns("again", 10)).RunId);
        Assert.Empty(store.GetRuns("once499", 10));

        // Ending again, it is the newest of the finished jobs: kept while a thousand more end after it, not one more.
        store.CommitDispatches([new JobDispatch(readded, null, [Run(again.Id, "after", JobRunOutcome.Succeeded)])]);
        FinishOneOffJobs(store, 1500, 2499, endAfterDispatch: false);

        Assert.Equal(["after", "before"], store.GetRuns("again", 10).Select(run => run.RunId));
        FinishOneOffJobs(store, 2499, 2500, endAfterDispatch: false);
        Assert.Empty(store.GetRuns("again", 10));
    }

    [Fact]
    public async Task A_run_saved_while_a_dispatch_holds_the_store_does_not_wait_for_it_and_is_read_back_after_it()
    {
        var store = JobStore.CreateMemory();
        var repeating = Job("repeating", T0.AddDays(1));
        var once = Job("once", T0);
        store.Add(repeating, replaceExisting: false);
        store.Add(once, replaceExisting: false);
        using var runs = new RunsThatBlockWhenRead(Run(once.Id, "dispatched", JobRunOutcome.Running));

        // The store reads a dispatch's runs under its lock: the dispatch holds it until released.
        var dispatch = Task.Run(() => store.CommitDispatches([new JobDispatch(once, null, runs)]));
        await runs.Reading.WaitAsync(TimeSpan.FromSeconds(10));
        await Task.Run(() => store.SaveRun(Run(repeating.Id, "ended", JobRunOutcome.Succeeded))).WaitAsync(TimeSpan.FromSeconds(10));
        var read = Task.Run(() => store.GetRuns(repeating.Id, 10));
        runs.Release();
        await dispatch.WaitAsync(TimeSpan.FromSeconds(10));

        var seen = Assert.Single(await read.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(("ended", JobRunOutcome.Succeeded), (seen.RunId, seen.Outcome));
        Assert.Equal("dispatched", Assert.Single(store.GetRuns(once.Id, 10)).RunId);
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

    /// <summary>
    /// Adds the one-off jobs "once{from}" to "once{to - 1}" and dispatches each with its run "r{i}",
    /// ended as it is dispatched or (as workers do) right after.
    /// </summary>
    private static void FinishOneOffJobs(JobStore store, int from, int to, bool endAfterDispatch)
    {
        for (var i = from; i < to; i++)
        {
            var job = Job("once" + i, T0);
            store.Add(job, replaceExisting: false);
            var dispatched = endAfterDispatch ? JobRunOutcome.Running : JobRunOutcome.Succeeded;
            store.CommitDispatches([new JobDispatch(job, null, [Run(job.Id, "r" + i, dispatched)])]);
            if (endAfterDispatch)
            {
                store.SaveRun(Run(job.Id, "r" + i, JobRunOutcome.Succeeded));
            }
        }
    }

    private static Job Job(string id, DateTimeOffset? next)
        => new Job(id, id, AnyTrigger, AnyInvocation, JobArguments.None, JobOptions.Default, "default", "default")
        {
            NextRunTime = next,
            State = next is null ? JobState.Paused : JobState.Scheduled,
        };

    private static JobRun Run(string jobId, string runId, JobRunOutcome outcome)
        => new(runId, jobId, T0, outcome, attempt: 1, schedulerId: "test");

    /// <summary>A dispatch's runs that, when the store first reads them, hold it there until released.</summary>
    private sealed class RunsThatBlockWhenRead(JobRun run) : IReadOnlyList<JobRun>, IDisposable
    {
        private readonly TaskCompletionSource reading = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly ManualResetEventSlim released = new();

        public Task Reading => reading.Task;

        public int Count => 1;

        public JobRun this[int index]
        {
            get
            {
                reading.TrySetResult();
                released.Wait(TimeSpan.FromSeconds(30));
                return run;
            }
        }

        public void Release() => released.Set();

        public void Dispose() => released.Dispose();

        public IEnumerator<JobRun> GetEnumerator()
        {
            yield return this[0];
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
