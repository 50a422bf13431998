using Scheduler.Events;
using Scheduler.Invocations;
using Scheduler.Jobs;
using Scheduler.Stores;
using Scheduler.Tests.Support;
using Scheduler.Triggers;

namespace Scheduler.Tests.Scheduling;

/// <summary>How the scheduler reacts to what a (persistent) store reports: outside changes, abandoned runs, unloadable jobs.</summary>
public sealed class StoreInteractionTests
{
    private static readonly DateTimeOffset T0 = TestScheduler.Epoch;

    [Fact]
    public async Task A_job_added_to_the_store_from_outside_runs_once_the_store_reports_the_change()
    {
        await using var test = new TestScheduler();
        var store = new SharedStore();
        test.Scheduler.AddJobStore("shared", store);
        var ran = new TaskCompletionSource<DateTimeOffset>(TaskCreationOptions.RunContinuationsAsynchronously);
        test.Scheduler.RegisterDelegate("outside", (Action<JobContext>)(context => ran.TrySetResult(context.ScheduledTime)));
        test.Scheduler.Start();
        await test.Settle();

        store.AddFromOutside(Job("external", T0, new DelegateInvocation("outside")));

        Assert.Equal(T0, await ran.Task.Within());
    }

    [Fact]
    public async Task Runs_left_unfinished_by_a_dead_scheduler_are_reported_abandoned_and_re_run_when_the_job_asks()
    {
        await using var test = new TestScheduler();
        var store = new SharedStore();
        var reran = new TaskCompletionSource<JobContext>(TaskCreationOptions.RunContinuationsAsynchronously);
        test.Scheduler.RegisterDelegate("recoverable", (Action<JobContext>)(context => reran.TrySetResult(context)));
        test.Scheduler.RegisterDelegate("not-recoverable", (Action<JobContext>)(_ => throw new InvalidOperationException("must not run")));
        store.Add(Job("keen", T0.AddHours(1), new DelegateInvocation("recoverable"), JobOptions.Default with { Recover = true }), replaceExisting: false);
        store.Add(Job("lazy", T0.AddHours(1), new DelegateInvocation("not-recoverable")), replaceExisting: false);
        store.Unfinished.Add(new JobRun("old-1", "keen", T0.AddMinutes(-5), JobRunOutcome.Running, 1, "dead-scheduler"));
        store.Unfinished.Add(new JobRun("old-2", "lazy", T0.AddMinutes(-5), JobRunOutcome.Running, 1, "dead-scheduler"));
        test.Scheduler.AddJobStore("shared", store);

        test.Scheduler.Start();
        var context = await reran.Task.Within();
        await test.Settle();

        var abandoned = test.Scheduler.Events.Read().Where(e => e.Type == SchedulerEventType.JobAbandoned).ToList();
        Assert.Equal(["old-1", "old-2"], abandoned.Select(e => e.RunId).Order());
        Assert.Contains("runs again", abandoned.Single(e => e.JobId == "keen").Message, StringComparison.Ordinal);
        Assert.Equal(T0.AddMinutes(-5), context.ScheduledTime);
        Assert.Equal("keen", context.Job.Id);
        Assert.Empty(test.EventsOf(SchedulerEventType.JobStarted, "lazy"));
        Assert.Equal(test.Scheduler.Id, store.AbandonedBy);
    }

    [Fact]
    public async Task A_job_the_store_cannot_load_is_reported()
    {
        await using var test = new TestScheduler();
        var store = new SharedStore();
        test.Scheduler.AddJobStore("shared", store);

        store.FailToLoad("corrupt", "unknown trigger kind 'weekly'");
        var failed = await test.WaitFor(SchedulerEventType.JobLoadFailed, "corrupt");

        Assert.Equal("shared", failed.StoreName);
        Assert.Equal("unknown trigger kind 'weekly'", failed.Error);
    }

    [Fact]
    public async Task A_dispatch_the_store_rejects_is_not_run()
    {
        await using var test = new TestScheduler();
        var store = new SharedStore { RejectDispatches = true };
        test.Scheduler.AddJobStore("shared", store);
        var runs = 0;
        test.Scheduler.AddJob(new DateTrigger(T0.AddMinutes(1)), new DelegateInvocation(() => runs++), "contested", store: "shared", executor: "inline");
        test.Scheduler.Start();

        test.Time.Advance(TimeSpan.FromMinutes(1));
        await test.Settle();
        // The outside write lands before dispatches are accepted again, so the loop cannot run the
        // job once from the old row and once more from the rewritten one.
        store.AddFromOutside(store.Get("contested")!, allowDispatches: true);
        await test.WaitFor(SchedulerEventType.JobExecuted, "contested");

        Assert.Equal(1, runs);
        Assert.True(store.Rejections > 0);
    }

    private static Job Job(string id, DateTimeOffset next, Invocation invocation, JobOptions? options = null)
        => new(id, id, new DateTrigger(next), invocation, JobArguments.None, options ?? JobOptions.Default, "inline", "shared") { NextRunTime = next };

    /// <summary>A store that another process also writes to, played by the test.</summary>
    private sealed class SharedStore : JobStore
    {
        private readonly JobStore inner = CreateMemory();

        public List<JobRun> Unfinished { get; } = [];

        public string? AbandonedBy { get; private set; }

        public bool RejectDispatches { get; set; }

        public int Rejections { get; private set; }

        public override int Count => inner.Count;

        public void AddFromOutside(Job job, bool allowDispatches = false)
        {
            inner.Add(job, replaceExisting: true);
            if (allowDispatches)
            {
                RejectDispatches = false;
            }

            OnChanged();
        }

        public void FailToLoad(string id, string error) => OnJobLoadFailed(id, error);

        public override void Add(Job job, bool replaceExisting) => inner.Add(job, replaceExisting);

        public override void Update(Job job) => inner.Update(job);

        public override bool Remove(string id) => inner.Remove(id);

        public override void RemoveAll() => inner.RemoveAll();

        public override Job? Get(string id) => inner.Get(id);

        public override IReadOnlyList<Job> GetAll() => inner.GetAll();

        protected internal override IReadOnlyList<Job> GetDueJobs(DateTimeOffset now, int maxCount) => inner.GetDueJobs(now, maxCount);

        public override DateTimeOffset? GetNextRunTime() => RejectDispatches && Rejections > 0 ? null : inner.GetNextRunTime();

        protected internal override IReadOnlyCollection<string> CommitDispatches(IReadOnlyList<JobDispatch> dispatches)
        {
            if (RejectDispatches)
            {
                Rejections++;
                return dispatches.Select(d => d.Job.Id).ToList();
            }

            return inner.CommitDispatches(dispatches);
        }

        protected internal override void SaveRun(JobRun run) => inner.SaveRun(run);

        public override IReadOnlyList<JobRun> GetRuns(string jobId, int maxCount) => inner.GetRuns(jobId, maxCount);

        protected internal override IReadOnlyList<JobRun> AbandonUnfinishedRuns(string schedulerId, DateTimeOffset now)
        {
            AbandonedBy = schedulerId;
            var abandoned = Unfinished.Select(r => r with { Outcome = JobRunOutcome.Abandoned, EndTime = now }).ToList();
            Unfinished.Clear();
            return abandoned;
        }
    }
}
