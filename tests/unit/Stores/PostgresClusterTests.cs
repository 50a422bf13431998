using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Scheduler.Events;
using Scheduler.Jobs;
using Scheduler.Scheduling;
using Scheduler.Stores;
using Scheduler.Tests.Support;
using Scheduler.Triggers;

namespace Scheduler.Tests.Stores;

/// <summary>
/// Several schedulers sharing one PostgreSQL store in this process (the nodes of a cluster), on the real
/// clock with short leases: every fire time runs once, max-instances holds across them, a dead node's
/// runs are taken over, and a node that was frozen past its lease records and starts nothing it lost.
/// </summary>
public sealed class PostgresClusterTests : IAsyncLifetime
{
    private static readonly PostgresJobStoreOptions Fast = new()
    {
        LeaseDuration = TimeSpan.FromSeconds(2),
        HeartbeatInterval = TimeSpan.FromMilliseconds(250),
        PollInterval = TimeSpan.FromMilliseconds(200),
        ClaimDuration = TimeSpan.FromSeconds(2),
    };

    private readonly string schema = PostgresServer.NewSchema();
    private readonly List<JobScheduler> nodes = [];
    private readonly List<PostgresJobStore> takers = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var node in nodes)
        {
            await node.ShutdownAsync(wait: false);
            node.Dispose();
        }

        foreach (var taker in takers)
        {
            taker.Dispose();
        }

        PostgresServer.DropSchema(schema);
    }

    [Fact]
    public async Task Every_fire_time_runs_exactly_once_across_three_nodes()
    {
        // No node dies here, so none may be declared dead: with the 2 s lease of the takeover tests, a
        // suite loading the machine stalled all three in-process heartbeats past it (their committed
        // one-off runs were then lost, as a dead node's are). The takeover tests below use the short one.
        var ran = new ConcurrentDictionary<(string Job, DateTimeOffset Scheduled), int>();
        var steady = Fast with { LeaseDuration = TimeSpan.FromSeconds(15) };
        var a = Node("a", steady, out _);
        var b = Node("b", steady, out _);
        var c = Node("c", steady, out _);
        foreach (var node in new[] { a, b, c })
        {
            node.RegisterDelegate("count", (Action<JobContext>)(context => ran.AddOrUpdate((context.Job.Id, context.ScheduledTime), 1, (_, n) => n + 1)));
        }

        var now = DateTimeOffset.UtcNow;
        using (a.BeginBatch())
        {
            for (var i = 0; i < 300; i++)
            {
                a.AddJob(new DateTrigger(now.AddMilliseconds(-i), TimeZoneInfo.Utc), new Scheduler.Invocations.DelegateInvocation("count"), "once-" + i);
            }
        }

        // Interval jobs count from when they are added: a fire time before the add never runs.
        now = DateTimeOffset.UtcNow;
        using (a.BeginBatch())
        {
            for (var i = 0; i < 10; i++)
            {
                a.AddJob(
                    new IntervalTrigger(TimeSpan.FromSeconds(1), start: now.AddSeconds(1), end: now.AddSeconds(4.5), timeZone: TimeZoneInfo.Utc),
                    new Scheduler.Invocations.DelegateInvocation("count"),
                    "every-" + i,
                    options: JobOptions.Default with { Coalesce = CoalescePolicy.All, MaxInstances = 4 });
            }
        }

        foreach (var node in new[] { a, b, c })
        {
            node.Start();
        }

        try
        {
            await Until(() => ran.Count >= 300 + (10 * 4), TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            throw new TimeoutException(DescribeStuckCluster(ran, [a, b, c]));
        }

        await Task.Delay(TimeSpan.FromSeconds(1));

        Assert.All(ran, pair => Assert.Equal(1, pair.Value));
        Assert.Equal(300, ran.Keys.Count(k => k.Job.StartsWith("once-", StringComparison.Ordinal)));
        Assert.All(Enumerable.Range(0, 10), i => Assert.Equal(4, ran.Keys.Count(k => k.Job == "every-" + i)));
        var byNode = new[] { a, b, c }.Select(node => node.Events.Read().Count(e => e.Type == SchedulerEventType.JobExecuted)).ToList();
        Assert.Equal(340, byNode.Sum());
        Assert.True(byNode.Count(n => n > 0) >= 2, $"The work went to one node only: {string.Join(", ", byNode)}.");
    }

    [Fact]
    public async Task Max_instances_holds_across_nodes()
    {
        var running = 0;
        var most = 0;
        var a = Node("a");
        var b = Node("b");
        foreach (var node in new[] { a, b })
        {
            node.RegisterDelegate("slow", (Func<JobContext, CancellationToken, Task>)(async (_, token) =>
            {
                var now = Interlocked.Increment(ref running);
                InterlockedMax(ref most, now);
                await Task.Delay(700, token);
                Interlocked.Decrement(ref running);
            }));
        }

        a.AddJob(
            new IntervalTrigger(TimeSpan.FromMilliseconds(200), start: DateTimeOffset.UtcNow, timeZone: TimeZoneInfo.Utc),
            new Scheduler.Invocations.DelegateInvocation("slow"),
            "single",
            options: JobOptions.Default with { MaxInstances = 1, Overlap = OverlapPolicy.Skip });
        a.Start();
        b.Start();

        await Task.Delay(TimeSpan.FromSeconds(4));

        Assert.Equal(1, most);
        var skipped = a.Events.Read().Concat(b.Events.Read()).Count(e => e.Type == SchedulerEventType.JobMaxInstances);
        Assert.True(skipped > 3, $"Only {skipped} runs were skipped.");
    }

    [Fact]
    public async Task A_dead_nodes_run_is_abandoned_and_recovered_by_another_node_and_the_dead_node_records_nothing_of_it()
    {
        var started = new ConcurrentQueue<(string Node, string RunId)>();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var a = Node("a", out var storeA);
        var b = Node("b");
        a.RegisterDelegate("work", (Func<JobContext, CancellationToken, Task>)(async (context, _) =>
        {
            started.Enqueue(("a", context.RunId));
            await release.Task;
        }));
        b.RegisterDelegate("work", (Action<JobContext>)(context => started.Enqueue(("b", context.RunId))));
        AddRunOnDemand(a, "precious", "work", recover: true);
        a.Start();
        a.RunJobNow("precious");
        await Until(() => started.Any(s => s.Node == "a"), TimeSpan.FromSeconds(10));
        var lostRun = started.Single(s => s.Node == "a").RunId;

        storeA.Freeze();
        var frozenAt = DateTimeOffset.UtcNow;
        b.Start();

        var abandoned = await WaitForEvent(b, e => e.Type == SchedulerEventType.JobAbandoned && e.RunId == lostRun, TimeSpan.FromSeconds(15));
        var tookOver = DateTimeOffset.UtcNow - frozenAt;
        await Until(() => started.Any(s => s.Node == "b"), TimeSpan.FromSeconds(10));

        Assert.True(tookOver < TimeSpan.FromSeconds(5), $"The takeover took {tookOver}.");
        Assert.Contains("runs again", abandoned.Message, StringComparison.Ordinal);

        // The frozen node wakes up and its run ends: the store keeps the run as the takeover left it.
        storeA.Thaw();
        release.SetResult();
        await Task.Delay(TimeSpan.FromSeconds(1));
        await Until(() => storeA.ReadEvents(0, 1000).Any(e => e.Message?.Contains("was not recorded", StringComparison.Ordinal) == true), TimeSpan.FromSeconds(10));
        var runs = b.GetJobRuns("precious");
        Assert.Equal(JobRunOutcome.Abandoned, runs.Single(r => r.RunId == lostRun).Outcome);
        Assert.Contains(runs, r => r.RunId != lostRun && r.Outcome == JobRunOutcome.Succeeded);
    }

    [Fact]
    public async Task A_node_that_starts_after_another_died_runs_its_runs_again_under_recover()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var ranOn = new ConcurrentQueue<string>();
        var a = Node("a", out var storeA);
        a.RegisterDelegate("work", (Func<JobContext, CancellationToken, Task>)(async (context, _) =>
        {
            ranOn.Enqueue("a " + context.Job.Id);
            await release.Task;
        }));
        try
        {
            foreach (var id in new[] { "p1", "p2" })
            {
                AddRunOnDemand(a, id, "work", recover: true);
            }

            a.Start();
            a.RunJobNow("p1");
            a.RunJobNow("p2");
            await Until(() => ranOn.Count == 2, TimeSpan.FromSeconds(10));
            storeA.Freeze();
            await Until(() => !storeA.GetRunningSchedulers().Any(), TimeSpan.FromSeconds(10));

            // The dead node's runs are found as the new node starts, and one of them waits for its only worker.
            var b = Node("b");
            b.RegisterDelegate("work", (Action<JobContext>)(context => ranOn.Enqueue("b " + context.Job.Id)));
            b.RemoveExecutor(JobScheduler.DefaultName);
            b.AddExecutor(JobScheduler.DefaultName, Scheduler.Executors.JobExecutor.CreateThreadPool(1));
            b.Start();
            await Until(() => ranOn.Count == 4, TimeSpan.FromSeconds(10));
            await Task.Delay(TimeSpan.FromMilliseconds(500));

            Assert.Equal(["a p1", "a p2", "b p1", "b p2"], ranOn.Order(StringComparer.Ordinal));
            foreach (var id in new[] { "p1", "p2" })
            {
                var runs = b.GetJobRuns(id);
                Assert.Single(runs, r => r.Outcome == JobRunOutcome.Abandoned);
                Assert.Single(runs, r => r.Outcome == JobRunOutcome.Succeeded);
            }
        }
        finally
        {
            release.TrySetResult();
        }
    }

    [Fact]
    public async Task A_recovery_passes_on_when_the_node_that_took_it_over_dies_before_running_it_again()
    {
        var ranOn = new ConcurrentQueue<string>();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await DiesRunning(ranOn, release.Task, a => AddRunOnDemand(a, "precious", "work", recover: true), runNow: "precious");

        // Node b takes the dead node's run over, then dies itself before it runs the job again.
        var (storeB, lost) = await TakesOverAndDies("b");

        // Node c finds the recovery without a live node caring for it, and runs the fire time again, once.
        var c = Node("c");
        c.RegisterDelegate("work", (Action<JobContext>)(_ => ranOn.Enqueue("c")));
        c.Start();
        var passedOn = await WaitForEvent(c, e => e.Type == SchedulerEventType.JobAbandoned && e.RunId == lost.RunId, TimeSpan.FromSeconds(15));
        await Until(() => ranOn.Contains("c"), TimeSpan.FromSeconds(10));

        // Node b comes back and tries the re-run it owed: the recovery is no longer its own.
        storeB.Thaw();
        var late = new JobRun(Guid.NewGuid().ToString("N")[..16], lost.JobId, lost.ScheduledTime, JobRunOutcome.Running, 1, "b");
        storeB.SaveRun(late);

        Assert.False(storeB.MayStart(late));
        Assert.Contains("runs again", passedOn.Message, StringComparison.Ordinal);
        var runs = c.GetJobRuns("precious");
        Assert.Equal(JobRunOutcome.Abandoned, runs.Single(r => r.RunId == lost.RunId).Outcome);
        Assert.Single(runs, r => r.ScheduledTime == lost.ScheduledTime && r.Outcome == JobRunOutcome.Succeeded);
        Assert.DoesNotContain(runs, r => r.RunId == late.RunId);
        Assert.Equal(["a", "c"], ranOn);
        release.SetResult();
    }

    [Fact]
    public async Task The_last_run_of_a_one_off_job_whose_node_died_runs_again_on_another_node_and_the_job_is_then_removed()
    {
        var ranOn = new ConcurrentQueue<string>();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await DiesRunning(
            ranOn,
            release.Task,
            a => a.AddJob(new DateTrigger(DateTimeOffset.UtcNow, TimeZoneInfo.Utc), new Scheduler.Invocations.DelegateInvocation("work"), "once", options: JobOptions.Default with { Recover = true }));

        var b = Node("b");
        b.RegisterDelegate("work", (Action<JobContext>)(_ => ranOn.Enqueue("b")));
        b.Start();
        await WaitForEvent(b, e => e.Type == SchedulerEventType.JobRemoved && e.JobId == "once", TimeSpan.FromSeconds(20));

        Assert.Equal(["a", "b"], ranOn);
        Assert.Null(b.GetJob("once"));
        var runs = b.GetJobRuns("once");
        Assert.Single(runs, r => r.Outcome == JobRunOutcome.Abandoned && r.SchedulerId == "a");
        Assert.Single(runs, r => r.Outcome == JobRunOutcome.Succeeded && r.SchedulerId == "b");
        release.SetResult();
    }

    [Fact]
    public async Task A_recovery_passed_along_two_nodes_that_died_before_running_it_again_runs_on_the_third()
    {
        var ranOn = new ConcurrentQueue<string>();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            await DiesRunning(ranOn, release.Task, a => AddRunOnDemand(a, "precious", "work", recover: true), runNow: "precious");

            // b takes the dead node's run over and dies before it runs it again; then c does the same.
            await TakesOverAndDies("b");
            await TakesOverAndDies("c");

            var d = Node("d");
            d.RegisterDelegate("work", (Action<JobContext>)(_ => ranOn.Enqueue("d")));
            d.Start();
            await Until(() => ranOn.Contains("d"), TimeSpan.FromSeconds(15));
            var runs = d.GetJobRuns("precious");
            Assert.Single(runs, r => r.Outcome == JobRunOutcome.Succeeded);
            Assert.Equal(["a", "d"], ranOn);
        }
        finally
        {
            release.TrySetResult();
        }
    }

    /// <summary>
    /// Node a runs its job (added by <paramref name="addJob"/>, started at once or by <paramref name="runNow"/>)
    /// until <paramref name="release"/> and dies (frozen) while the run is in progress.
    /// </summary>
    private async Task DiesRunning(ConcurrentQueue<string> ranOn, Task release, Action<JobScheduler> addJob, string? runNow = null)
    {
        var a = Node("a", out var storeA);
        a.RegisterDelegate("work", (Func<JobContext, CancellationToken, Task>)(async (_, _) =>
        {
            ranOn.Enqueue("a");
            await release;
        }));
        addJob(a);
        a.Start();
        if (runNow is not null)
        {
            a.RunJobNow(runNow);
        }

        await Until(() => !ranOn.IsEmpty, TimeSpan.FromSeconds(10));
        storeA.Freeze();
    }

    /// <summary>A node without a scheduler that takes the dead node's one run over and dies (frozen) before it runs it again.</summary>
    private async Task<(PostgresJobStore Store, JobRun Taken)> TakesOverAndDies(string id)
    {
        var store = (PostgresJobStore)JobStore.CreatePostgres(PostgresServer.ConnectionString, Fast with { Schema = schema });
        takers.Add(store);
        store.AttachScheduler(id, TimeProvider.System, new EventLog(100));
        IReadOnlyList<JobRun> taken = [];
        await Until(() => (taken = store.TakeAbandonedRuns()).Count > 0, TimeSpan.FromSeconds(15));
        var run = Assert.Single(taken);
        store.Freeze();
        return (store, run);
    }

    [Fact]
    public async Task A_node_runs_again_no_more_taken_over_runs_than_it_has_free_workers_and_keeps_the_rest_in_its_care()
    {
        // Recorded as started while waiting for a worker, a recovery would die again with its node and
        // wait a whole lease once more; kept in care, it passes on to the next node at once.
        using var takeover = OneWorkerTakesOver(["p1", "p2", "p3"]);
        var (b, ids, gateB, ranOnB) = (takeover.B, takeover.Ids, takeover.GateB, takeover.RanOnB);
        await takeover.ADiesAndBTakesOver();
        await Task.Delay(TimeSpan.FromSeconds(1));

        using (var connection = new NpgsqlConnection(PostgresServer.ConnectionString))
        {
            connection.Open();
            using var running = new NpgsqlCommand($"""SELECT count(*) FROM "{schema}".runs WHERE scheduler_id = 'b' AND outcome = 0""", connection);
            using var cared = new NpgsqlCommand($"""SELECT count(*) FROM "{schema}".runs WHERE recovering_by = 'b'""", connection);
            Assert.Equal(1L, running.ExecuteScalar());
            Assert.Equal(2L, cared.ExecuteScalar());
        }

        gateB.Set();
        await Until(() => ranOnB.Count == 3, TimeSpan.FromSeconds(10));
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.True(ids.SequenceEqual(ranOnB.Order(StringComparer.Ordinal)), string.Join("\n", ids.SelectMany(id => b.GetJobRuns(id)).Select(r => r.ToString())) + "\n" + string.Join("\n", b.Events.Read().Select(e => $"{e.Type} {e.JobId} {e.RunId} {e.Message}")));
        foreach (var id in ids)
        {
            var runs = b.GetJobRuns(id);
            Assert.Single(runs, r => r.Outcome == JobRunOutcome.Abandoned);
            Assert.Single(runs, r => r.Outcome == JobRunOutcome.Succeeded);
        }
    }

    [Fact]
    public async Task A_recovery_waiting_for_a_worker_still_runs_when_its_job_is_gone_by_then()
    {
        // On a loaded cluster a recovery can wait longer than its job has left: the job's last fire time
        // runs on another node, which removes the job when that run ends. The waiting run is of an
        // earlier fire time and must still run once.
        using var takeover = OneWorkerTakesOver(["q1", "q2"]);
        var (b, storeB, ranOnB) = (takeover.B, takeover.StoreB, takeover.RanOnB);
        await takeover.ADiesAndBTakesOver();
        ranOnB.TryPeek(out var first);
        var waiting = takeover.Ids.Single(id => id != first);

        // Removed as the engine removes an ended job (its run history stays), as if its last fire
        // time had run on a third node.
        Assert.Empty(storeB.CommitDispatches([new JobDispatch(storeB.Get(waiting)!, updated: null, runs: [])]));
        Assert.Null(storeB.Get(waiting));

        takeover.GateB.Set();
        await Until(() => ranOnB.Count == 2, TimeSpan.FromSeconds(10));
        Assert.Equal(takeover.Ids, ranOnB.Order(StringComparer.Ordinal));
        await Until(() => b.GetJobRuns(waiting).Any(r => r.Outcome == JobRunOutcome.Succeeded), TimeSpan.FromSeconds(10));
        Assert.Single(b.GetJobRuns(waiting), r => r.Outcome == JobRunOutcome.Abandoned);
    }

    /// <summary>
    /// Node a, with a worker per job, runs the jobs (each held until the takeover is disposed) and dies;
    /// node b, with one worker that <see cref="OneWorkerTakeover.GateB"/> holds, takes their runs over.
    /// </summary>
    private OneWorkerTakeover OneWorkerTakesOver(string[] ids)
    {
        var a = Node("a", out var storeA);
        var b = Node("b", out var storeB);
        var takeover = new OneWorkerTakeover(a, storeA, b, storeB, ids);
        b.RemoveExecutor(JobScheduler.DefaultName);
        b.AddExecutor("one", Scheduler.Executors.JobExecutor.CreateThreadPool(1));
        a.AddExecutor("one", Scheduler.Executors.JobExecutor.CreateThreadPool(ids.Length));
        foreach (var id in ids)
        {
            AddRunOnDemand(a, id, "work", executor: "one", recover: true);
        }

        return takeover;
    }

    private sealed class OneWorkerTakeover : IDisposable
    {
        private readonly TaskCompletionSource releaseA = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int startedOnA;

        public OneWorkerTakeover(JobScheduler a, PostgresJobStore storeA, JobScheduler b, PostgresJobStore storeB, string[] ids)
        {
            (A, StoreA, B, StoreB, Ids) = (a, storeA, b, storeB, ids);
            a.RegisterDelegate("work", (Func<JobContext, CancellationToken, Task>)(async (_, _) =>
            {
                Interlocked.Increment(ref startedOnA);
                await releaseA.Task;
            }));
            b.RegisterDelegate("work", (Action<JobContext>)(context =>
            {
                RanOnB.Enqueue(context.Job.Id);
                GateB.Wait(TimeSpan.FromSeconds(30));
            }));
        }

        public JobScheduler A { get; }

        public PostgresJobStore StoreA { get; }

        public JobScheduler B { get; }

        public PostgresJobStore StoreB { get; }

        public string[] Ids { get; }

        public ManualResetEventSlim GateB { get; } = new();

        public ConcurrentQueue<string> RanOnB { get; } = new();

        /// <summary>a runs every job at once and freezes (dies); b starts and runs the first of them again.</summary>
        public async Task ADiesAndBTakesOver()
        {
            A.Start();
            foreach (var id in Ids)
            {
                A.RunJobNow(id);
            }

            await Until(() => Volatile.Read(ref startedOnA) == Ids.Length, TimeSpan.FromSeconds(10));
            StoreA.Freeze();
            B.Start();
            await Until(() => !RanOnB.IsEmpty, TimeSpan.FromSeconds(15));
        }

        public void Dispose()
        {
            GateB.Set();
            releaseA.TrySetResult();
        }
    }

    [Fact]
    public async Task A_node_takes_no_more_due_jobs_of_an_executor_than_one_per_worker_and_one_queued_behind_it_and_leaves_the_rest_to_the_others()
    {
        // Taken beyond that, a due job would wait in this node's queue behind several runs while another
        // node idles. The node's other executors keep taking their own jobs meanwhile.
        using var release = new ManualResetEventSlim();
        var ranOn = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        var a = Node("a");
        a.AddExecutor("one", Scheduler.Executors.JobExecutor.CreateThreadPool(1));
        a.RegisterDelegate("slow", (Action<JobContext>)(context =>
        {
            ranOn[context.Job.Id] = "a";
            release.Wait(TimeSpan.FromSeconds(30));
        }));
        a.RegisterDelegate("quick", (Action<JobContext>)(context => ranOn[context.Job.Id] = "a"));
        var b = Node("b");
        b.AddExecutor("one", Scheduler.Executors.JobExecutor.CreateThreadPool(3));
        b.RegisterDelegate("slow", (Action<JobContext>)(context =>
        {
            ranOn[context.Job.Id] = "b";
            release.Wait(TimeSpan.FromSeconds(30));
        }));
        var slow = Enumerable.Range(0, 4).Select(i => "slow-" + i).ToArray();
        foreach (var id in slow)
        {
            a.AddJob(new DateTrigger(DateTimeOffset.UtcNow, TimeZoneInfo.Utc), new Scheduler.Invocations.DelegateInvocation("slow"), id, executor: "one");
        }

        try
        {
            a.Start();
            await Until(() => ranOn.Count == 1, TimeSpan.FromSeconds(10));
            a.AddJob(new DateTrigger(DateTimeOffset.UtcNow, TimeZoneInfo.Utc), new Scheduler.Invocations.DelegateInvocation("quick"), "quick");
            await Until(() => ranOn.ContainsKey("quick"), TimeSpan.FromSeconds(10));

            // a runs one slow job and holds one queued behind it; the other two are still due and unclaimed.
            using (var connection = new NpgsqlConnection(PostgresServer.ConnectionString))
            {
                connection.Open();
                using var left = new NpgsqlCommand($"""SELECT count(*) FROM "{schema}".jobs WHERE executor = 'one' AND claimed_by IS NULL AND next_run_time IS NOT NULL""", connection);
                Assert.Equal(2L, left.ExecuteScalar());
            }

            Assert.Equal(2, slow.SelectMany(id => a.GetJobRuns(id)).Count());

            b.Start();
            await Until(() => ranOn.Count == 4, TimeSpan.FromSeconds(10));
            Assert.Equal(2, slow.Count(id => ranOn.TryGetValue(id, out var node) && node == "b"));
            release.Set();
            await Until(() => ranOn.Count == 5, TimeSpan.FromSeconds(10));
            Assert.Equal(2, slow.Count(id => ranOn[id] == "a"));
        }
        finally
        {
            release.Set();
        }
    }

    [Fact]
    public async Task A_retry_waiting_out_its_delay_leaves_its_worker_to_the_due_jobs()
    {
        // The retry keeps its job's instance slot, but no worker: counted as a busy worker, a node with
        // retries waiting for minutes would take fewer due jobs of that executor, or none, for as long.
        using var release = new ManualResetEventSlim();
        var a = Node("a");
        a.AddExecutor("one", Scheduler.Executors.JobExecutor.CreateThreadPool(1));
        a.RegisterDelegate("fails", (Action<JobContext>)(_ => throw new InvalidOperationException("The first attempt fails.")));
        a.RegisterDelegate("slow", (Action<JobContext>)(_ => release.Wait(TimeSpan.FromSeconds(30))));
        a.AddJob(
            new DateTrigger(DateTimeOffset.UtcNow, TimeZoneInfo.Utc),
            new Scheduler.Invocations.DelegateInvocation("fails"),
            "fails",
            options: JobOptions.Default with { RetryCount = 1, RetryDelay = TimeSpan.FromMinutes(10) },
            executor: "one");
        try
        {
            a.Start();
            await WaitForEvent(a, e => e.Type == SchedulerEventType.JobRetried && e.JobId == "fails", TimeSpan.FromSeconds(10));
            foreach (var id in new[] { "slow-0", "slow-1" })
            {
                a.AddJob(new DateTrigger(DateTimeOffset.UtcNow, TimeZoneInfo.Utc), new Scheduler.Invocations.DelegateInvocation("slow"), id, executor: "one");
            }

            // One worker takes one run and one queued behind it: both slow jobs, with the retry waiting.
            await Until(() => a.GetJobRuns("slow-0").Count + a.GetJobRuns("slow-1").Count == 2, TimeSpan.FromSeconds(10));
            using var connection = new NpgsqlConnection(PostgresServer.ConnectionString);
            connection.Open();
            using var left = new NpgsqlCommand($"""SELECT count(*) FROM "{schema}".jobs WHERE executor = 'one' AND claimed_by IS NULL AND next_run_time IS NOT NULL""", connection);
            Assert.Equal(0L, left.ExecuteScalar());
        }
        finally
        {
            release.Set();
        }
    }

    [Fact]
    public void Trimming_the_run_history_keeps_an_abandoned_run_that_waits_to_run_again()
    {
        // A recovery can wait for a worker longer than the job takes to fire its history limit over.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var store = (PostgresJobStore)JobStore.CreatePostgres(PostgresServer.ConnectionString, Fast with { Schema = schema, RunHistoryLimit = 2 });
        store.AttachScheduler("b", clock, new EventLog(100));
        using var connection = new NpgsqlConnection(PostgresServer.ConnectionString);
        connection.Open();
        void Execute(string sql)
        {
            using var command = new NpgsqlCommand(sql, connection);
            command.ExecuteNonQuery();
        }

        Execute($"""
            INSERT INTO "{schema}".runs (run_id, job_id, scheduled_time, end_time, outcome, attempt, scheduler_id, fence, recovering_by, recovering_fence)
            SELECT 'waiting', 'job', 1, 2, {(int)JobRunOutcome.Abandoned}, 1, 'dead', 1, 'b', fence FROM "{schema}".nodes WHERE scheduler_id = 'b'
            """);
        for (var i = 0; i < 5; i++)
        {
            Execute($"""
                INSERT INTO "{schema}".runs (run_id, job_id, scheduled_time, end_time, outcome, attempt, scheduler_id, fence)
                VALUES ('later{i}', 'job', {10 + i}, {11 + i}, {(int)JobRunOutcome.Succeeded}, 1, 'b', 1)
                """);
        }

        clock.Advance(TimeSpan.FromMinutes(1) + Fast.PollInterval);
        clock.Advance(Fast.PollInterval);

        using var left = new NpgsqlCommand($"""SELECT string_agg(run_id, ',' ORDER BY run_id) FROM "{schema}".runs""", connection);
        Assert.Equal("later3,later4,waiting", left.ExecuteScalar());
    }

    [Fact]
    public void A_node_whose_heartbeat_is_late_but_whose_lease_holds_still_starts_its_runs()
    {
        // The node's clock runs past the lease it last renewed while no beat comes (a busy machine, a
        // starved thread pool), but the database never declared it dead: the run is still its own.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var store = (PostgresJobStore)JobStore.CreatePostgres(PostgresServer.ConnectionString, Fast with { Schema = schema });
        store.AttachScheduler("busy", clock, new EventLog(100));
        store.Freeze();
        var run = new JobRun("0123456789abcdef", "job", clock.GetUtcNow(), JobRunOutcome.Running, 1, "busy");
        store.SaveRun(run);
        clock.Advance(Fast.LeaseDuration);

        Assert.True(store.MayStart(run));
        Assert.Equal("busy", Assert.Single(store.GetRunningSchedulers()).SchedulerId);
    }

    [Fact]
    public async Task A_node_frozen_past_its_lease_does_not_start_a_run_it_committed_before()
    {
        var a = Node("a", out var storeA);
        var gate = new ManualResetEventSlim();
        var ranOnA = 0;
        a.RegisterDelegate("hold", (Action<JobContext>)(_ => gate.Wait(TimeSpan.FromSeconds(30))));
        a.RegisterDelegate("later", (Action<JobContext>)(_ => Interlocked.Increment(ref ranOnA)));
        var executor = Scheduler.Executors.JobExecutor.CreateThreadPool(1);
        a.AddExecutor("one", executor);
        AddRunOnDemand(a, "hold", "hold", executor: "one");
        AddRunOnDemand(a, "later", "later", executor: "one");
        a.Start();
        a.RunJobNow("hold");

        // 'later' is committed, then waits behind 'hold' for the one worker while the node is frozen.
        a.RunJobNow("later");
        storeA.Freeze();
        var b = Node("b");
        b.Start();
        await WaitForEvent(b, e => e.Type == SchedulerEventType.JobAbandoned && e.JobId == "later", TimeSpan.FromSeconds(15));

        gate.Set();
        await WaitForEvent(a, e => e.JobId == "later" && e.Outcome == JobRunOutcome.Abandoned, TimeSpan.FromSeconds(10));

        Assert.Equal(0, ranOnA);
    }

    [Fact]
    public async Task A_run_its_node_refused_to_start_after_losing_its_lease_runs_again_under_recover()
    {
        // The database declared the node dead (its lease lapsed) before any node swept up its runs; it
        // registers again with a new token and refuses the run it committed under the old one. That
        // refusal must not close the fire time: the run is abandoned and run again, once.
        var a = Node("a", out _);
        var gate = new ManualResetEventSlim();
        var holding = new ManualResetEventSlim();
        var ranLater = 0;
        a.RegisterDelegate("hold", (Action<JobContext>)(_ =>
        {
            holding.Set();
            gate.Wait(TimeSpan.FromSeconds(30));
        }));
        a.RegisterDelegate("later", (Action<JobContext>)(_ => Interlocked.Increment(ref ranLater)));
        var executor = Scheduler.Executors.JobExecutor.CreateThreadPool(1);
        a.AddExecutor("one", executor);
        AddRunOnDemand(a, "hold", "hold", executor: "one");
        AddRunOnDemand(a, "later", "later", executor: "one", recover: true);
        a.Start();
        a.RunJobNow("hold");
        Assert.True(holding.Wait(TimeSpan.FromSeconds(10)));
        a.RunJobNow("later");
        await Until(() => a.GetJobRuns("later").Any(r => r.Outcome == JobRunOutcome.Running), TimeSpan.FromSeconds(10));

        using (var connection = new NpgsqlConnection(PostgresServer.ConnectionString))
        {
            connection.Open();
            using var expire = new NpgsqlCommand($"""UPDATE "{schema}".nodes SET lease_until = 0 WHERE scheduler_id = 'a'""", connection);
            Assert.Equal(1, expire.ExecuteNonQuery());
        }

        await WaitForEvent(a, e => e.Message?.Contains("lost its lease", StringComparison.Ordinal) == true, TimeSpan.FromSeconds(10));
        gate.Set();
        await Until(() => Volatile.Read(ref ranLater) > 0, TimeSpan.FromSeconds(15));
        await Task.Delay(TimeSpan.FromSeconds(1));

        var runs = a.GetJobRuns("later");
        Assert.Equal(1, Volatile.Read(ref ranLater));
        Assert.True(runs.Count == 2, string.Join("\n", a.Events.Read().Select(e => $"{e.Timestamp:HH:mm:ss.fff} {e.Type} {e.JobId} {e.RunId} {e.Message}")));
        var refused = Assert.Single(runs, r => r.Outcome == JobRunOutcome.Abandoned);
        var rerun = Assert.Single(runs, r => r.Outcome == JobRunOutcome.Succeeded);
        Assert.Equal(refused.ScheduledTime, rerun.ScheduledTime);
        Assert.Equal(2, runs.Count);
    }

    [Fact]
    public async Task A_run_now_requested_through_any_store_runs_once_on_one_node()
    {
        var ran = new ConcurrentQueue<string>();
        var a = Node("a");
        var b = Node("b");
        a.RegisterDelegate("now", (Action<JobContext>)(_ => ran.Enqueue("a")));
        b.RegisterDelegate("now", (Action<JobContext>)(_ => ran.Enqueue("b")));
        AddRunOnDemand(a, "asked", "now");
        a.Start();
        b.Start();

        using var outside = JobStore.CreatePostgres(PostgresServer.ConnectionString, Fast with { Schema = schema });
        var requested = DateTimeOffset.UtcNow;
        ((ISharedJobStore)outside).RequestRun("asked");
        await Until(() => !ran.IsEmpty, TimeSpan.FromSeconds(10));
        var latency = DateTimeOffset.UtcNow - requested;
        await Task.Delay(TimeSpan.FromSeconds(1));

        Assert.Single(ran);
        Assert.True(latency < TimeSpan.FromSeconds(1), $"The request took {latency} to run.");
    }

    [Fact]
    public async Task Replace_cancels_the_run_in_progress_on_another_node()
    {
        var cancelled = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var a = Node("a");
        var b = Node("b");
        a.RegisterDelegate("long", (Func<JobContext, CancellationToken, Task>)(async (context, token) =>
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(30), token);
            }
            catch (OperationCanceledException)
            {
                cancelled.TrySetResult(context.RunId);
                throw;
            }
        }));
        b.RegisterDelegate("long", (Func<JobContext, CancellationToken, Task>)((_, token) => Task.Delay(TimeSpan.FromSeconds(30), token)));
        a.AddJob(
            new DateTrigger(DateTimeOffset.UtcNow.AddDays(1), TimeZoneInfo.Utc),
            new Scheduler.Invocations.DelegateInvocation("long"),
            "replaced",
            options: JobOptions.Default with { MaxInstances = 1, Overlap = OverlapPolicy.Replace });
        a.Start();
        a.RunJobNow("replaced");
        await WaitForEvent(a, e => e.Type == SchedulerEventType.JobStarted, TimeSpan.FromSeconds(10));

        b.Start();
        b.RunJobNow("replaced");
        var victim = await cancelled.Task.Within(10);

        var ended = await WaitForEvent(a, e => e.RunId == victim && e.Outcome is not null, TimeSpan.FromSeconds(10));
        Assert.Equal(JobRunOutcome.Cancelled, ended.Outcome);
        await WaitForEvent(b, e => e.Type == SchedulerEventType.JobStarted, TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void A_second_live_node_with_the_same_id_is_refused()
    {
        var first = Node("twin");
        first.Start();
        var second = Node("twin");

        var error = Assert.Throws<InvalidOperationException>(() => second.Start());

        Assert.Contains("'twin'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_password_never_appears_in_errors()
    {
        var builder = new NpgsqlConnectionStringBuilder(PostgresServer.ConnectionString) { Password = "hunter2-secret" };
        var wrongPassword = Assert.Throws<IOException>(() => JobStore.CreatePostgres(builder.ConnectionString, Fast with { Schema = schema }));
        var uri = $"postgres://scheduler:hunter2-secret@127.0.0.1:1/nowhere";
        var unreachable = Assert.Throws<IOException>(() => JobStore.CreatePostgres(uri, Fast with { Schema = schema }));
        var unreadable = Assert.Throws<ArgumentException>(() => JobStore.CreatePostgres("Host=x;Password=hunter2-secret;Port=notanumber", Fast));

        foreach (var error in new Exception[] { wrongPassword, unreachable, unreadable })
        {
            Assert.DoesNotContain("hunter2-secret", error.ToString(), StringComparison.Ordinal);
        }

        Assert.Contains("Host=127.0.0.1", unreachable.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_schema_written_by_a_newer_version_is_refused()
    {
        using (JobStore.CreatePostgres(PostgresServer.ConnectionString, Fast with { Schema = schema }))
        {
        }

        using (var connection = new NpgsqlConnection(PostgresServer.ConnectionString))
        {
            connection.Open();
            using var command = new NpgsqlCommand($"UPDATE \"{schema}\".schema_version SET version = 99", connection);
            command.ExecuteNonQuery();
        }

        var error = Assert.Throws<InvalidDataException>(() => JobStore.CreatePostgres(PostgresServer.ConnectionString, Fast with { Schema = schema }));
        Assert.Contains("version 99", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_version_1_schema_is_migrated_with_each_jobs_executor_and_its_damaged_jobs_kept()
    {
        using (var store = JobStore.CreatePostgres(PostgresServer.ConnectionString, Fast with { Schema = schema }))
        {
            var later = new DateTrigger(DateTimeOffset.UtcNow.AddDays(1), TimeZoneInfo.Utc);
            store.Add(new Job("on-one", "on-one", later, new Scheduler.Invocations.DelegateInvocation("work"), JobArguments.None, JobOptions.Default, "one", JobScheduler.DefaultName), replaceExisting: false);
            store.Add(new Job("on-default", "on-default", later, new Scheduler.Invocations.DelegateInvocation("work"), JobArguments.None, JobOptions.Default, JobScheduler.DefaultName, JobScheduler.DefaultName), replaceExisting: false);
            store.Add(new Job("damaged", "damaged", later, new Scheduler.Invocations.DelegateInvocation("work"), JobArguments.None, JobOptions.Default, "one", JobScheduler.DefaultName), replaceExisting: false);
        }

        using var connection = new NpgsqlConnection(PostgresServer.ConnectionString);
        connection.Open();
        object? Scalar(string sql)
        {
            using var command = new NpgsqlCommand(sql, connection);
            return command.ExecuteScalar();
        }

        // What version 1 wrote: no executor column; one definition damaged on disk, naming its executor.
        Scalar($"""
            ALTER TABLE "{schema}".jobs DROP COLUMN executor;
            UPDATE "{schema}".jobs SET definition = '["executor": "one", trunc' WHERE id = 'damaged';
            UPDATE "{schema}".schema_version SET version = 1
            """);

        using (var store = JobStore.CreatePostgres(PostgresServer.ConnectionString, Fast with { Schema = schema }))
        {
            Assert.Equal(3, store.Count);
        }

        Assert.Equal(2, Scalar($"""SELECT max(version) FROM "{schema}".schema_version"""));
        Assert.Equal(
            "damaged=default,on-default=default,on-one=one",
            Scalar($"""SELECT string_agg(id || '=' || executor, ',' ORDER BY id) FROM "{schema}".jobs"""));
    }

    [Fact]
    public async Task Many_nodes_opening_a_new_schema_at_once_all_succeed()
    {
        var opens = Enumerable.Range(0, 8).Select(_ => Task.Run(() => JobStore.CreatePostgres(PostgresServer.ConnectionString, Fast with { Schema = schema }))).ToList();
        var stores = await Task.WhenAll(opens);

        foreach (var store in stores)
        {
            Assert.Equal(0, store.Count);
            store.Dispose();
        }
    }

    [Fact]
    public async Task A_node_whose_clock_is_off_is_told_and_decides_what_is_due_by_the_database()
    {
        var ran = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var late = new ShiftedClock(TimeSpan.FromSeconds(-30));
        var store = JobStore.CreatePostgres(PostgresServer.ConnectionString, Fast with { Schema = schema }, late);
        var node = new JobScheduler(new SchedulerOptions { SchedulerId = "late" }, late);
        nodes.Add(node);
        node.RemoveJobStore(JobScheduler.DefaultName);
        node.AddJobStore(JobScheduler.DefaultName, store);
        node.RegisterDelegate("due", (Action<JobContext>)(_ => ran.TrySetResult()));

        // Due now by the database's clock, in 30 s by the node's.
        node.AddJob(new DateTrigger(DateTimeOffset.UtcNow, TimeZoneInfo.Utc), new Scheduler.Invocations.DelegateInvocation("due"), "db-time");
        node.Start();

        await ran.Task.Within(10);
        var running = ((ISharedJobStore)store).GetRunningSchedulers().Single();
        Assert.InRange(running.ClockSkew!.Value.TotalSeconds, 29, 31);

        // The event reaches the store's history with the scheduler's next event flush, not with the run.
        await Until(
            () => ((ISharedJobStore)store).ReadEvents(0, 100).Any(e => e.Message?.Contains("differs from the database's", StringComparison.Ordinal) == true),
            TimeSpan.FromSeconds(10));
    }

    /// <summary>Adds a job that runs only when asked (its one fire time is a day away).</summary>
    private static void AddRunOnDemand(JobScheduler node, string id, string work, string? executor = null, bool recover = false)
        => node.AddJob(
            new DateTrigger(DateTimeOffset.UtcNow.AddDays(1), TimeZoneInfo.Utc),
            new Scheduler.Invocations.DelegateInvocation(work),
            id,
            executor: executor,
            options: JobOptions.Default with { Recover = recover });

    private JobScheduler Node(string id) => Node(id, out _);

    private JobScheduler Node(string id, out PostgresJobStore store) => Node(id, Fast, out store);

    private JobScheduler Node(string id, PostgresJobStoreOptions options, out PostgresJobStore store)
    {
        var node = new JobScheduler(new SchedulerOptions { SchedulerId = id });
        store = (PostgresJobStore)JobStore.CreatePostgres(PostgresServer.ConnectionString, options with { Schema = schema });
        node.RemoveJobStore(JobScheduler.DefaultName);
        node.AddJobStore(JobScheduler.DefaultName, store);
        nodes.Add(node);
        return node;
    }

    private static async Task<SchedulerEvent> WaitForEvent(JobScheduler node, Func<SchedulerEvent, bool> match, TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        long seen = 0;
        while (true)
        {
            var events = await node.Events.WaitForEventsAsync(seen, timeout.Token);
            foreach (var e in events)
            {
                seen = e.Sequence;
                if (match(e))
                {
                    return e;
                }
            }
        }
    }

    private static async Task Until(Func<bool> condition, TimeSpan within)
    {
        var deadline = DateTimeOffset.UtcNow + within;
        while (!condition())
        {
            if (DateTimeOffset.UtcNow > deadline)
            {
                throw new TimeoutException($"Not reached within {within}.");
            }

            await Task.Delay(20);
        }
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }

    /// <summary>The system clock shifted by a fixed amount: a machine whose clock is off.</summary>
    private sealed class ShiftedClock(TimeSpan shift) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + shift;
    }

    // What a CI log needs to tell a lost fire time from a stuck node: what ran, what each node
    // reported, and what the database sessions are waiting on.
    private static string DescribeStuckCluster(ConcurrentDictionary<(string Job, DateTimeOffset Scheduled), int> ran, JobScheduler[] cluster)
    {
        var lines = new List<string> { $"{ran.Count} fire times ran, {cluster[0].GetJobs().Count} jobs left" };
        lines.Add("not run: " + string.Join(",", Enumerable.Range(0, 300).Select(i => "once-" + i).Where(id => !ran.Keys.Any(k => k.Job == id)).Take(10)));
        lines.Add("runs of every-N: " + string.Join(",", Enumerable.Range(0, 10).Select(i => ran.Keys.Count(k => k.Job == "every-" + i))));
        var events = cluster.SelectMany(node => node.Events.Read()).ToList();
        lines.Add("events: " + string.Join(",", events.GroupBy(e => e.Type).Select(g => g.Key + "=" + g.Count())));
        lines.Add("errors: " + string.Join(" | ", events.Where(e => e.Type == SchedulerEventType.SchedulerError).Select(e => e.Message).Distinct().Take(5)));
        using var connection = new NpgsqlConnection(PostgresServer.ConnectionString);
        connection.Open();
        using var activity = new NpgsqlCommand(
            "SELECT pid, state, wait_event_type, wait_event, pg_blocking_pids(pid)::text, left(regexp_replace(query, '\\s+', ' ', 'g'), 90) "
            + "FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND state <> 'idle'",
            connection);
        using var reader = activity.ExecuteReader();
        while (reader.Read())
        {
            lines.Add($"session {reader.GetValue(0)} {reader.GetValue(1)} {reader.GetValue(2)}/{reader.GetValue(3)} blocked by {reader.GetValue(4)}: {reader.GetValue(5)}");
        }

        return string.Join(Environment.NewLine, lines);
    }
}
