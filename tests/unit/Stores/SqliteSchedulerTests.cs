using Microsoft.Extensions.Time.Testing;
using Scheduler.Events;
using Scheduler.Invocations;
using Scheduler.Jobs;
using Scheduler.Scheduling;
using Scheduler.Stores;
using Scheduler.Tests.Support;
using Scheduler.Triggers;

namespace Scheduler.Tests.Stores;

/// <summary>
/// A scheduler running on a SQLite store while other store instances (playing other processes) use
/// the same file: the exclusive claim, outside changes, run requests, events, and recovery after a crash.
/// </summary>
public sealed class SqliteSchedulerTests : IDisposable
{
    private static readonly TimeSpan Tick = SqliteJobStoreOptions.Default.ChangeCheckInterval;

    // The watch of the file, which the store starts by itself only on the system clock.
    private static readonly SqliteJobStoreOptions Watched = new() { WatchFile = true };

    private readonly TempFolder folder = new();
    private readonly List<IDisposable> owned = [];

    public SqliteSchedulerTests()
    {
        Path = folder.File("scheduler.db");
    }

    private string Path { get; }

    public void Dispose()
    {
        foreach (var item in Enumerable.Reverse(owned))
        {
            item.Dispose();
        }

        folder.Dispose();
    }

    [Fact]
    public async Task Jobs_fire_from_the_file_and_their_runs_are_recorded_there()
    {
        await using var test = Scheduler(out var store);
        var runs = 0;

        // Advancing the clock wakes the loop and runs the store's check; the loop may dispatch and run
        // the job on its own thread before the advance reaches the check. A run ends only once the
        // advance has returned, so the check at its minute always comes first and the last run's end
        // is still pending afterwards.
        using var advanced = new SemaphoreSlim(0);
        test.Scheduler.RegisterDelegate("count", (Action<JobContext>)(_ =>
        {
            Assert.True(advanced.Wait(TimeSpan.FromSeconds(20)));
            runs++;
        }));
        test.Scheduler.AddJob(new IntervalTrigger(TimeSpan.FromMinutes(1)), new DelegateInvocation("count"), "every-minute", executor: "inline", store: "disk");
        test.Scheduler.Start();

        for (var i = 1; i <= 3; i++)
        {
            var after = test.Scheduler.Events.LastSequence;
            test.Time.Advance(TimeSpan.FromMinutes(1));
            advanced.Release();
            await test.WaitFor(SchedulerEventType.JobExecuted, "every-minute", after);
        }

        // Run ends reach the file with the next write or at the next check.
        using var other = Open();
        Assert.Equal(JobRunOutcome.Running, other.GetRuns("every-minute", 1)[0].Outcome);
        Assert.Equal(JobRunOutcome.Succeeded, store.GetRuns("every-minute", 1)[0].Outcome);
        test.Time.Advance(Tick);
        var recorded = other.GetRuns("every-minute", 10);
        Assert.Equal(3, runs);
        Assert.Equal(3, recorded.Count);
        Assert.All(recorded, r => Assert.Equal(JobRunOutcome.Succeeded, r.Outcome));
        Assert.All(recorded, r => Assert.Equal(test.Scheduler.Id, r.SchedulerId));
        Assert.Equal(TestScheduler.Epoch.AddMinutes(3), recorded[0].ScheduledTime);
        Assert.Equal(TestScheduler.Epoch.AddMinutes(4), other.Get("every-minute")!.NextRunTime);
    }

    [Fact]
    public async Task A_job_added_to_a_scheduler_that_is_not_started_goes_straight_into_the_file()
    {
        await using var test = Scheduler(out _);
        test.Scheduler.RegisterDelegate("noop", (Action)(() => { }));

        test.Scheduler.AddJob(new CronTrigger("0 3 * * *", TimeZoneInfo.Utc), new DelegateInvocation("noop"), "nightly", store: "disk");

        using var other = Open();
        Assert.Equal(TestScheduler.Epoch.AddHours(3), other.Get("nightly")!.NextRunTime);
    }

    [Fact]
    public async Task Jobs_added_in_a_batch_reach_the_file_together_when_the_batch_ends()
    {
        await using var test = Scheduler(out var store);
        test.Scheduler.RegisterDelegate("noop", (Action)(() => { }));
        using var other = Open();
        var hourly = new IntervalTrigger(TimeSpan.FromHours(1));

        var batch = test.Scheduler.BeginBatch();
        test.Scheduler.AddJob(hourly, new DelegateInvocation("noop"), "a", store: "disk");
        test.Scheduler.AddJob(hourly, new DelegateInvocation("noop"), "b", store: "disk");
        var duplicate = Assert.Throws<InvalidOperationException>(() => test.Scheduler.AddJob(hourly, new DelegateInvocation("noop"), "a", store: "disk"));
        test.Scheduler.AddJob(hourly, new DelegateInvocation("noop"), "c", store: "disk");

        Assert.Contains("'a' already exists", duplicate.Message, StringComparison.Ordinal);
        Assert.Equal(["a", "b", "c"], store.GetAll().Select(j => j.Id));
        Assert.Empty(other.GetAll());
        Assert.Equal(3, test.EventsOf(SchedulerEventType.JobAdded, "a").Count + test.EventsOf(SchedulerEventType.JobAdded, "b").Count + test.EventsOf(SchedulerEventType.JobAdded, "c").Count);

        batch.Dispose();
        batch.Dispose();

        Assert.Equal(["a", "b", "c"], other.GetAll().Select(j => j.Id));
        other.Add(OutsideJob("after", TestScheduler.Epoch.AddHours(2)), replaceExisting: false);
        Assert.NotNull(store.Get("after"));
    }

    [Fact]
    public async Task A_due_job_added_in_a_batch_runs_and_is_recorded_without_waiting_for_the_batch()
    {
        await using var test = Scheduler(out _);
        var runs = 0;
        test.Scheduler.RegisterDelegate("count", (Action)(() => runs++));
        test.Scheduler.Start();
        using var other = Open();

        using (test.Scheduler.BeginBatch())
        {
            test.Scheduler.AddJob(new IntervalTrigger(TimeSpan.FromMinutes(1)), new DelegateInvocation("count"), "soon", executor: "inline", store: "disk");
            test.Scheduler.AddJob(new IntervalTrigger(TimeSpan.FromHours(1)), new DelegateInvocation("count"), "later", executor: "inline", store: "disk");
            var after = test.Scheduler.Events.LastSequence;
            test.Time.Advance(TimeSpan.FromMinutes(1));
            await test.WaitFor(SchedulerEventType.JobExecuted, "soon", after);

            // The dispatch committed the batch so far: the run and both jobs are in the file.
            Assert.Equal(1, runs);
            Assert.Equal(TestScheduler.Epoch.AddMinutes(2), other.Get("soon")!.NextRunTime);
            Assert.NotNull(other.Get("later"));
            Assert.Single(other.GetRuns("soon", 10));
        }
    }

    [Fact]
    public async Task A_batch_on_a_scheduler_with_only_memory_stores_changes_nothing()
    {
        await using var test = new TestScheduler();

        using (test.Scheduler.BeginBatch())
        {
            test.AddInline("a", new IntervalTrigger(TimeSpan.FromMinutes(1)), _ => { });
            Assert.NotNull(test.Scheduler.GetJob("a"));
        }

        Assert.NotNull(test.Scheduler.GetJob("a"));
    }

    [Fact]
    public async Task A_job_bound_to_an_in_process_delegate_is_refused_before_it_is_announced()
    {
        await using var test = Scheduler(out var store);

        var error = Assert.Throws<ArgumentException>(() => test.Scheduler.AddJob(new IntervalTrigger(TimeSpan.FromMinutes(1)), new DelegateInvocation(() => { }), "local", store: "disk"));

        Assert.Contains("register the delegate by name", error.Message, StringComparison.Ordinal);
        Assert.Null(store.Get("local"));
        Assert.Empty(test.EventsOf(SchedulerEventType.JobAdded, "local"));
    }

    [Fact]
    public async Task A_second_scheduler_on_the_same_file_is_refused_naming_the_first_and_may_start_once_it_stopped()
    {
        await using var first = Scheduler(out _);
        await using var second = Scheduler(out var secondStore);
        first.Scheduler.Start();

        var error = Assert.Throws<InvalidOperationException>(() => second.Scheduler.Start());

        Assert.Contains($"The store '{Path}' is already used by a running scheduler", error.Message, StringComparison.Ordinal);
        Assert.Contains($"pid {Environment.ProcessId} on host {Environment.MachineName}", error.Message, StringComparison.Ordinal);
        Assert.Contains(first.Scheduler.Id, error.Message, StringComparison.Ordinal);
        Assert.Equal(SchedulerState.Stopped, second.Scheduler.State);

        // Without a running scheduler the store still takes changes, like schedhost add does.
        second.Scheduler.RegisterDelegate("noop", (Action)(() => { }));
        second.Scheduler.AddJob(new IntervalTrigger(TimeSpan.FromHours(1)), new DelegateInvocation("noop"), "admin", store: "disk");
        Assert.NotNull(secondStore.Get("admin"));

        await first.Scheduler.ShutdownAsync();
        second.Scheduler.Start();
        Assert.Equal(SchedulerState.Running, second.Scheduler.State);
    }

    [Fact]
    public async Task A_store_already_claimed_cannot_be_added_to_a_running_scheduler()
    {
        await using var first = Scheduler(out _);
        first.Scheduler.Start();
        await using var second = new TestScheduler();
        second.Scheduler.Start();
        var store = Open();

        Assert.Throws<InvalidOperationException>(() => second.Scheduler.AddJobStore("disk", store));

        Assert.Throws<ArgumentException>(() => second.Scheduler.GetJobs("disk"));
        Assert.Null(store.Owner);
    }

    [Fact]
    public async Task The_claim_is_a_lock_file_released_when_the_scheduler_stops()
    {
        await using var test = Scheduler(out var store);
        test.Scheduler.Start();
        var lockPath = Path + ".lock";

        Assert.True(File.Exists(lockPath));
        Assert.Throws<IOException>(() => new FileStream(lockPath, FileMode.Open, FileAccess.ReadWrite, FileShare.None).Dispose());
        Assert.Equal(test.Scheduler.Id, ((SqliteJobStore)store).GetRunningScheduler()!.SchedulerId);
        using var admin = (SqliteJobStore)Open();
        Assert.Equal(Environment.ProcessId, admin.GetRunningScheduler()!.ProcessId);

        await test.Scheduler.ShutdownAsync();

        new FileStream(lockPath, FileMode.Open, FileAccess.ReadWrite, FileShare.None).Dispose();
        Assert.Null(admin.GetRunningScheduler());
    }

    [Fact]
    public async Task Another_process_sees_the_running_scheduler_through_ISharedJobStore_and_a_memory_store_shares_nothing()
    {
        await using var test = Scheduler(out _);
        test.Scheduler.Start();
        var shared = Assert.IsAssignableFrom<ISharedJobStore>(Open());

        Assert.Equal(new RunningScheduler(test.Scheduler.Id, Environment.ProcessId, Environment.MachineName, test.Now), shared.GetRunningScheduler());
        using var memory = JobStore.CreateMemory();
        Assert.False(memory is ISharedJobStore);

        await test.Scheduler.ShutdownAsync();
        Assert.Null(shared.GetRunningScheduler());
    }

    [Fact]
    public async Task The_running_store_reports_changes_from_other_processes_at_its_next_check_and_only_then()
    {
        await using var test = Scheduler(out var store);
        test.Scheduler.Start();
        await test.Settle();
        var changes = 0;
        store.Changed += (_, _) => changes++;
        using var other = Open();

        test.Time.Advance(Tick);
        Assert.Equal(0, changes);

        other.Add(SqliteJobStoreTests.Job("outside", null), replaceExisting: false);
        Assert.Equal(0, changes);
        test.Time.Advance(Tick);
        Assert.Equal(1, changes);

        test.Time.Advance(Tick);
        Assert.Equal(1, changes);
    }

    [Fact]
    public async Task Jobs_added_paused_and_removed_by_another_process_are_run_or_not_within_one_check()
    {
        await using var test = Scheduler(out _);
        var ran = new List<string>();
        test.Scheduler.RegisterDelegate("record", (Action<JobContext>)(context => ran.Add(context.Job.Id)));
        test.Scheduler.RegisterDelegate("outside", (Action<JobContext>)(context => ran.Add(context.Job.Id)));
        test.Scheduler.AddJob(new IntervalTrigger(TimeSpan.FromMinutes(10)), new DelegateInvocation("record"), "to-pause", executor: "inline", store: "disk");
        test.Scheduler.AddJob(new IntervalTrigger(TimeSpan.FromMinutes(10)), new DelegateInvocation("record"), "to-remove", executor: "inline", store: "disk");
        test.Scheduler.Start();
        await test.Settle();
        using var other = Open();

        other.Update(other.Get("to-pause")! with { NextRunTime = null, State = JobState.Paused });
        other.Remove("to-remove");
        var due = test.Now.Add(Tick);
        other.Add(OutsideJob("outside", due), replaceExisting: false);
        var after = test.Scheduler.Events.LastSequence;
        test.Time.Advance(Tick);
        await test.WaitFor(SchedulerEventType.JobExecuted, "outside", after);

        test.Time.Advance(TimeSpan.FromMinutes(10));
        await test.Settle();
        Assert.Equal(["outside"], ran);
    }

    [Fact]
    public async Task A_run_requested_by_another_process_runs_now_without_moving_the_schedule()
    {
        await using var test = Scheduler(out _);
        var ran = new TaskCompletionSource<DateTimeOffset>(TaskCreationOptions.RunContinuationsAsynchronously);
        test.Scheduler.RegisterDelegate("report", (Action<JobContext>)(context => ran.TrySetResult(context.ScheduledTime)));
        test.Scheduler.AddJob(new CronTrigger("0 3 * * *", TimeZoneInfo.Utc), new DelegateInvocation("report"), "nightly", executor: "inline", store: "disk");
        test.Scheduler.Start();
        await test.Settle();
        using var other = (SqliteJobStore)Open();

        other.RequestRun("nightly");
        test.Time.Advance(Tick);

        Assert.Equal(test.Now, await ran.Task.Within());
        Assert.Equal(TestScheduler.Epoch.AddHours(3), other.Get("nightly")!.NextRunTime);
        Assert.Equal(0L, SqliteJobStoreTests.Scalar(Path, "SELECT count(*) FROM run_requests"));
    }

    [Fact]
    public async Task A_run_request_for_an_unknown_job_is_refused_and_one_for_a_job_removed_since_is_reported()
    {
        await using var test = Scheduler(out _);
        test.Scheduler.RegisterDelegate("noop", (Action)(() => { }));
        test.Scheduler.AddJob(new CronTrigger("0 3 * * *", TimeZoneInfo.Utc), new DelegateInvocation("noop"), "doomed", executor: "inline", store: "disk");
        test.Scheduler.Start();
        await test.Settle();
        using var other = (SqliteJobStore)Open();

        var unknown = Assert.Throws<KeyNotFoundException>(() => other.RequestRun("nope"));
        Assert.Contains("'nope'", unknown.Message, StringComparison.Ordinal);

        other.RequestRun("doomed");
        other.Remove("doomed");
        var after = test.Scheduler.Events.LastSequence;
        test.Time.Advance(Tick);

        var error = await test.WaitFor(e => e.Type == SchedulerEventType.SchedulerError && e.JobId == "doomed", after);
        Assert.Contains("could not run as requested", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_running_scheduler_writes_its_events_to_the_file_for_other_processes()
    {
        await using var test = Scheduler(out _);
        test.Scheduler.RegisterDelegate("noop", (Action)(() => { }));
        test.Scheduler.AddJob(new IntervalTrigger(TimeSpan.FromMinutes(1)), new DelegateInvocation("noop"), "job", executor: "inline", store: "disk");
        test.Scheduler.Start();
        test.Time.Advance(TimeSpan.FromMinutes(1));
        await test.WaitFor(SchedulerEventType.JobExecuted, "job");
        using var other = (SqliteJobStore)Open();

        test.Time.Advance(Tick);
        var events = other.ReadEvents(0, 1000);

        Assert.Equal(SchedulerEventType.SchedulerStarted, events[0].Type);
        var executed = events.Single(e => e.Type == SchedulerEventType.JobExecuted);
        Assert.Equal("job", executed.JobId);
        Assert.Equal(TestScheduler.Epoch.AddMinutes(1), executed.ScheduledTime);
        Assert.Equal(JobRunOutcome.Succeeded, executed.Outcome);
        Assert.Equal(test.Scheduler.Id, executed.SchedulerId);
        Assert.Equal(events.Select(e => e.Sequence).Order(), events.Select(e => e.Sequence));
        Assert.Equal(events[^1].Sequence, other.LastEventId);
        Assert.Empty(other.ReadEvents(other.LastEventId, 10));

        var last = other.LastEventId;
        await test.Scheduler.ShutdownAsync();
        Assert.Equal(SchedulerEventType.SchedulerShutdown, other.ReadEvents(last, 10)[^1].Type);
    }

    [Fact]
    public async Task The_file_keeps_only_the_newest_events()
    {
        await using var test = Scheduler(out _, new SqliteJobStoreOptions { EventHistoryLimit = 5 });
        test.Scheduler.RegisterDelegate("noop", (Action)(() => { }));
        test.Scheduler.AddJob(new IntervalTrigger(TimeSpan.FromMinutes(1)), new DelegateInvocation("noop"), "job", executor: "inline", store: "disk");
        test.Scheduler.Start();
        for (var i = 0; i < 5; i++)
        {
            var after = test.Scheduler.Events.LastSequence;
            test.Time.Advance(TimeSpan.FromMinutes(1));
            await test.WaitFor(SchedulerEventType.JobExecuted, "job", after);
        }

        await test.Scheduler.ShutdownAsync();
        using var other = (SqliteJobStore)Open();
        var events = other.ReadEvents(0, 100);

        Assert.Equal(5, events.Count);
        Assert.Equal(SchedulerEventType.SchedulerShutdown, events[^1].Type);
    }

    [Fact]
    public async Task A_follower_waits_for_new_events_on_the_store_clock()
    {
        await using var test = Scheduler(out var store);
        test.Scheduler.Start();
        var other = (SqliteJobStore)JobStore.CreateSqlite(Path, timeProvider: test.Time);
        owned.Add(other);
        test.Time.Advance(Tick);
        var last = other.LastEventId;

        var waiting = other.WaitForEventsAsync(last, 10);
        Assert.False(waiting.IsCompleted);
        test.Scheduler.Pause();
        ((SqliteJobStore)store).FlushEvents();
        test.Time.Advance(Tick);

        var events = await waiting.Within();
        Assert.Equal(SchedulerEventType.SchedulerPaused, events[0].Type);
    }

    [Fact]
    public async Task A_follower_past_the_end_of_a_restored_stores_events_gets_those_written_after_the_restore()
    {
        var backup = folder.File("backup.db");
        await using var first = Scheduler(out var store);
        first.Scheduler.Start();
        ((SqliteJobStore)store).FlushEvents();
        JobStore.BackupSqlite(Path, backup);
        for (var i = 0; i < 3; i++)
        {
            first.Scheduler.Pause();
            first.Scheduler.Resume();
        }

        await first.Scheduler.ShutdownAsync();
        var other = (SqliteJobStore)JobStore.CreateSqlite(Path, timeProvider: first.Time);
        owned.Add(other);
        var followed = other.LastEventId;
        JobStore.RestoreSqlite(backup, Path);
        Assert.True(other.LastEventId < followed);

        var waiting = other.WaitForEventsAsync(followed, 10);
        first.Time.Advance(Tick);
        await using var second = Scheduler(out var again);
        second.Scheduler.Start();
        ((SqliteJobStore)again).FlushEvents();
        first.Time.Advance(Tick);

        // Before: nothing, until the new events' ids passed those the restore took away.
        var events = await waiting.Within();
        Assert.Equal(SchedulerEventType.SchedulerStarted, events[0].Type);
        Assert.Equal(second.Scheduler.Id, events[0].SchedulerId);
    }

    [Fact]
    public async Task A_due_job_added_by_another_process_runs_within_a_second_while_the_clock_stands_still()
    {
        // Without the watch (WatchFile = false) nothing would notice the change before the clock's next check.
        await using var test = Scheduler(out var store, Watched);
        test.Scheduler.RegisterDelegate("outside", (Action<JobContext>)(_ => { }));
        test.Scheduler.Start();
        await test.Settle();
        Assert.True(((SqliteJobStore)store).IsWatching);
        using var other = Open();
        var after = test.Scheduler.Events.LastSequence;

        var watch = System.Diagnostics.Stopwatch.StartNew();
        other.Add(OutsideJob("outside", test.Now), replaceExisting: false);
        await test.WaitFor(SchedulerEventType.JobExecuted, "outside", after);

        Assert.InRange(watch.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task A_run_requested_by_another_process_runs_within_a_second_while_the_clock_stands_still()
    {
        await using var test = Scheduler(out _, Watched);
        var ran = new TaskCompletionSource<DateTimeOffset>(TaskCreationOptions.RunContinuationsAsynchronously);
        test.Scheduler.RegisterDelegate("report", (Action<JobContext>)(context => ran.TrySetResult(context.ScheduledTime)));
        test.Scheduler.AddJob(new CronTrigger("0 3 * * *", TimeZoneInfo.Utc), new DelegateInvocation("report"), "nightly", executor: "inline", store: "disk");
        test.Scheduler.Start();
        await test.Settle();
        using var other = (SqliteJobStore)Open();

        var watch = System.Diagnostics.Stopwatch.StartNew();
        other.RequestRun("nightly");

        Assert.Equal(test.Now, await ran.Task.Within());
        Assert.InRange(watch.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task While_nothing_happens_the_check_backs_off_to_5_s_and_a_change_or_an_event_brings_it_back()
    {
        await using var test = Scheduler(out var jobStore, Watched);
        var store = (SqliteJobStore)jobStore;
        test.Scheduler.Start();
        await BackOffFully(test, store);

        // Another process's change, reported by the watch.
        using var other = Open();
        var changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        store.Changed += (_, _) => changed.TrySetResult();
        other.Add(SqliteJobStoreTests.Job("outside", null), replaceExisting: false);
        await changed.Task.Within();
        Assert.Equal(Tick, store.CheckInterval);

        // The scheduler's own event, which must reach the file soon.
        await BackOffFully(test, store);
        test.Scheduler.Pause();
        await Until(() => store.CheckInterval == Tick);
        test.Time.Advance(Tick);
        Assert.Equal(SchedulerEventType.SchedulerPaused, ((SqliteJobStore)other).ReadEvents(0, 1000)[^1].Type);
    }

    [Fact]
    public async Task When_the_watch_fails_the_store_checks_at_its_full_rate_and_still_notices_changes()
    {
        await using var test = Scheduler(out var jobStore, Watched);
        var store = (SqliteJobStore)jobStore;
        test.Scheduler.Start();
        await BackOffFully(test, store);
        var changes = 0;
        store.Changed += (_, _) => Interlocked.Increment(ref changes);

        store.WatchFailed(new IOException("The watch lost events."));
        Assert.False(store.IsWatching);
        Assert.Equal(Tick, store.CheckInterval);
        for (var i = 0; i < 20; i++)
        {
            test.Time.Advance(Tick);
            Assert.Equal(Tick, store.CheckInterval);
        }

        using var other = Open();
        other.Add(SqliteJobStoreTests.Job("outside", null), replaceExisting: false);
        test.Time.Advance(Tick);
        Assert.Equal(1, Volatile.Read(ref changes));
    }

    [Fact]
    public async Task On_a_fake_clock_the_store_neither_watches_nor_backs_off_unless_told_to()
    {
        await using var test = Scheduler(out var jobStore);
        var store = (SqliteJobStore)jobStore;
        test.Scheduler.Start();
        await test.Settle();

        Assert.False(store.IsWatching);
        for (var i = 0; i < 40; i++)
        {
            test.Time.Advance(Tick);
            Assert.Equal(Tick, store.CheckInterval);
        }
    }

    [Fact]
    public async Task A_follower_is_woken_by_the_write_while_the_clock_stands_still()
    {
        await using var test = Scheduler(out var store);
        test.Scheduler.Start();
        var other = (SqliteJobStore)JobStore.CreateSqlite(Path, Watched, test.Time);
        owned.Add(other);
        test.Time.Advance(Tick);
        var last = other.LastEventId;

        var waiting = other.WaitForEventsAsync(last, 10);
        test.Scheduler.Pause();
        ((SqliteJobStore)store).FlushEvents();

        var events = await waiting.Within(5);
        Assert.Equal(SchedulerEventType.SchedulerPaused, events[0].Type);
    }

    [Fact]
    public async Task Runs_left_running_by_a_crashed_scheduler_are_abandoned_on_restart_and_recovered_when_the_job_asks()
    {
        // The crashed process: its runs were recorded as Running in the same commit that advanced the jobs, and never ended.
        using (var crashed = Open())
        {
            crashed.Add(OutsideJob("keen", TestScheduler.Epoch.AddHours(1), JobOptions.Default with { Recover = true }), replaceExisting: false);
            crashed.Add(OutsideJob("lazy", TestScheduler.Epoch.AddHours(1)), replaceExisting: false);
            crashed.SaveRun(new JobRun("old-keen", "keen", TestScheduler.Epoch.AddMinutes(-5), JobRunOutcome.Running, 1, "dead-scheduler") { StartTime = TestScheduler.Epoch.AddMinutes(-5) });
            crashed.SaveRun(new JobRun("old-lazy", "lazy", TestScheduler.Epoch.AddMinutes(-5), JobRunOutcome.Running, 1, "dead-scheduler"));
        }

        await using var test = Scheduler(out var store);
        var reran = new TaskCompletionSource<JobContext>(TaskCreationOptions.RunContinuationsAsynchronously);
        test.Scheduler.RegisterDelegate("outside", (Action<JobContext>)(context => reran.TrySetResult(context)));
        test.Scheduler.Start();

        var context = await reran.Task.Within();
        await test.Settle();

        Assert.Equal("keen", context.Job.Id);
        Assert.Equal(TestScheduler.Epoch.AddMinutes(-5), context.ScheduledTime);
        var abandoned = test.Scheduler.Events.Read().Where(e => e.Type == SchedulerEventType.JobAbandoned).ToList();
        Assert.Equal(["old-keen", "old-lazy"], abandoned.Select(e => e.RunId).Order());
        var keenRuns = store.GetRuns("keen", 10);
        Assert.Equal([JobRunOutcome.Succeeded, JobRunOutcome.Abandoned], keenRuns.Select(r => r.Outcome));
        var lazyRun = Assert.Single(store.GetRuns("lazy", 10));
        Assert.Equal(JobRunOutcome.Abandoned, lazyRun.Outcome);
        Assert.Equal(test.Now, lazyRun.EndTime);
        Assert.Contains("'dead-scheduler'", lazyRun.Error, StringComparison.Ordinal);
        Assert.Empty(test.EventsOf(SchedulerEventType.JobStarted, "lazy"));
    }

    [Fact]
    public async Task A_run_in_progress_when_the_process_dies_is_recovered_by_the_next_scheduler()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var (dying, dyingStore) = await RunningAtItsFirstFireTime(new IntervalTrigger(TimeSpan.FromMinutes(1)), "slow", release.Task);

        // The process dies: its file handles (connection and lock file) go, nothing more is written.
        dyingStore.Dispose();

        var (next, store, recoveredAt) = await NextSchedulerRunsItAgain();
        await using var disposeNext = next;
        Assert.Equal(TestScheduler.Epoch.AddMinutes(1), recoveredAt);
        release.TrySetResult();
        await dying.DisposeAsync();
        var runs = store.GetRuns("slow", 10);
        Assert.Contains(runs, r => r.Outcome == JobRunOutcome.Abandoned && r.SchedulerId == dying.Scheduler.Id);
    }

    [Fact]
    public async Task The_last_run_of_a_one_off_job_in_progress_when_the_process_dies_is_recovered_and_the_job_then_removed()
    {
        // Removed when its one run was dispatched, the job could not be run again after the crash.
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var (dying, dyingStore) = await RunningAtItsFirstFireTime(new DateTrigger(TestScheduler.Epoch.AddMinutes(1)), "once", release.Task);

        var kept = dyingStore.Get("once");
        Assert.NotNull(kept);
        Assert.Null(kept.NextRunTime);
        Assert.Equal(JobState.Scheduled, kept.State);
        dyingStore.Dispose();

        var (next, store, recoveredAt) = await NextSchedulerRunsItAgain();
        await using var disposeNext = next;
        Assert.Equal(TestScheduler.Epoch.AddMinutes(1), recoveredAt);
        await next.WaitFor(SchedulerEventType.JobRemoved, "once");
        release.TrySetResult();
        await dying.DisposeAsync();
        Assert.Null(store.Get("once"));
        var runs = store.GetRuns("once", 10);
        Assert.Contains(runs, r => r.Outcome == JobRunOutcome.Abandoned && r.SchedulerId == dying.Scheduler.Id);
        Assert.Contains(runs, r => r.Outcome == JobRunOutcome.Succeeded && r.SchedulerId == next.Scheduler.Id);
    }

    [Fact]
    public async Task A_broken_job_is_reported_when_a_scheduler_starts_and_never_runs()
    {
        using (var writer = Open())
        {
            writer.Add(OutsideJob("bad", TestScheduler.Epoch), replaceExisting: false);
        }

        SqliteJobStoreTests.Execute(Path, "UPDATE jobs SET definition = '{\"version\":1,\"id\":\"bad\",\"trigger\":{\"type\":\"hourly\"}}' WHERE id = 'bad'");
        await using var test = Scheduler(out var store);
        test.Scheduler.RegisterDelegate("outside", (Action)(() => throw new InvalidOperationException("must not run")));
        test.Scheduler.Start();

        var failed = await test.WaitFor(SchedulerEventType.JobLoadFailed, "bad");
        test.Time.Advance(TimeSpan.FromMinutes(5));
        await test.Settle();

        Assert.Equal("disk", failed.StoreName);
        Assert.Contains("unknown value 'hourly'", failed.Error, StringComparison.Ordinal);
        Assert.Single(test.EventsOf(SchedulerEventType.JobLoadFailed, "bad"));
        Assert.Empty(test.EventsOf(SchedulerEventType.JobSubmitted, "bad"));
        Assert.Equal(JobState.Broken, store.Get("bad")!.State);
    }

    /// <summary>Backs the idle check off, tick by tick on the fake clock, until it waits the longest: 250 ms, 500 ms, 1 s, 2 s, 4 s, 5 s.</summary>
    private static async Task BackOffFully(TestScheduler test, SqliteJobStore store)
    {
        await test.Settle();

        // A wait for the next event armed by an earlier back-off has seen the barrier's events.
        await Until(() => !store.WaitsForNextEvent);
        var seen = new List<TimeSpan>();
        for (var i = 0; i < 20 && store.CheckInterval < SqliteJobStore.IdleCheckIntervalLimit; i++)
        {
            test.Time.Advance(store.CheckInterval);
            seen.Add(store.CheckInterval);
        }

        Assert.Equal([TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(5)], seen.SkipWhile(i => i == Tick));
        test.Time.Advance(store.CheckInterval);
        Assert.Equal(SqliteJobStore.IdleCheckIntervalLimit, store.CheckInterval);
    }

    /// <summary>Waits for a condition that another thread makes true, failing after 10 s.</summary>
    private static async Task Until(Func<bool> condition)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), "The condition did not become true.");
            await Task.Delay(5);
        }
    }

    /// <summary>
    /// A scheduler on the file whose job (delegate "slow", with Recover) has started its run at the
    /// trigger's first fire time, one minute in, and runs until <paramref name="release"/>.
    /// </summary>
    private async Task<(TestScheduler Scheduler, JobStore Store)> RunningAtItsFirstFireTime(Trigger trigger, string id, Task release)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var test = Scheduler(out var store);
        test.Scheduler.RegisterDelegate("slow", (Func<Task>)(async () =>
        {
            started.TrySetResult();
            await release;
        }));
        test.Scheduler.AddJob(trigger, new DelegateInvocation("slow"), id, options: JobOptions.Default with { Recover = true }, store: "disk");
        test.Scheduler.Start();
        test.Time.Advance(TimeSpan.FromMinutes(1));
        await started.Task.Within();
        return (test, store);
    }

    /// <summary>A scheduler started on the same file after the one running "slow" died; returns it, its store and the time of the run it ran again.</summary>
    private async Task<(TestScheduler Next, JobStore Store, DateTimeOffset RecoveredAt)> NextSchedulerRunsItAgain()
    {
        var next = Scheduler(out var store);
        var recovered = new TaskCompletionSource<DateTimeOffset>(TaskCreationOptions.RunContinuationsAsynchronously);
        next.Scheduler.RegisterDelegate("slow", (Action<JobContext>)(context => recovered.TrySetResult(context.ScheduledTime)));
        next.Scheduler.Start();
        try
        {
            return (next, store, await recovered.Task.Within());
        }
        catch
        {
            await next.DisposeAsync();
            throw;
        }
    }

    [Fact]
    public async Task A_commit_another_process_left_unsynced_is_synced_by_the_running_scheduler_within_a_second_of_its_check()
    {
        await using var test = Scheduler(out var store);
        test.Scheduler.Start();
        await test.Settle();
        var checkpointer = ((SqliteJobStore)store).Checkpointer;
        test.Time.Advance(SqliteCheckpointer.SyncDelay);
        await test.Settle();
        Assert.True(SpinWait.SpinUntil(() => !checkpointer.SyncPending && checkpointer.IsIdle, TimeSpan.FromSeconds(30)), "The scheduler's own commits are not synced.");
        var copy = folder.File("copy.db");

        // Its clock stands still, so it never syncs its add: a process killed right after its commit. (The
        // scheduler's check that notices it commits too, its events; either arms the scheduler's sync.)
        using var other = JobStore.CreateSqlite(Path, timeProvider: new FakeTimeProvider(test.Now));
        other.Add(OutsideJob("outside", test.Now.AddHours(1)), replaceExisting: false);
        Assert.Equal(0, SqliteJobStoreTests.JobsInCopy(Path, copy));

        test.Time.Advance(Tick);
        await test.Settle();
        Assert.True(checkpointer.SyncPending, "Nothing armed a sync at the check that noticed the add.");
        test.Time.Advance(SqliteCheckpointer.SyncDelay);

        Assert.True(
            SpinWait.SpinUntil(() => SqliteJobStoreTests.JobsInCopy(Path, copy) == 1, TimeSpan.FromSeconds(30)),
            $"The database file holds no job after the scheduler's check and sync ({checkpointer.Completed} checkpoints, {checkpointer.Failed} failed; the last said {checkpointer.LastResult}).");
    }

    [UnixFact("Windows refuses to delete an open file.")]
    public async Task A_store_file_deleted_under_the_running_scheduler_is_reported_once_and_again_if_it_goes_after_coming_back()
    {
        await using var test = Scheduler(out _);
        test.Scheduler.Start();
        await test.Settle();
        var moved = folder.File("moved.db");
        var after = test.Scheduler.Events.LastSequence;

        File.Move(Path, moved);
        test.Time.Advance(Tick);
        var error = await test.WaitFor(e => e.Type == SchedulerEventType.SchedulerError && e.Sequence > after && (e.Message ?? "").Contains("deleted or moved away", StringComparison.Ordinal), after);
        Assert.StartsWith($"The store file '{Path}' was deleted or moved away while the scheduler '{test.Scheduler.Id}' runs on it.", error.Message, StringComparison.Ordinal);

        // Said once while it is gone; put back, then gone again, said again.
        test.Time.Advance(Tick);
        test.Time.Advance(Tick);
        await test.Settle();
        Assert.Single(Moved());
        File.Move(moved, Path);
        test.Time.Advance(Tick);
        await test.Settle();
        File.Move(Path, moved);
        test.Time.Advance(Tick);
        await test.Settle();
        Assert.Equal(2, Moved().Count());
        File.Move(moved, Path);

        IEnumerable<SchedulerEvent> Moved() => test.Scheduler.Events.Read(after, 1000)
            .Where(e => e.Type == SchedulerEventType.SchedulerError && (e.Message ?? "").Contains("deleted or moved away", StringComparison.Ordinal));
    }

    [LinuxFact("tells a replaced file from /proc/self/fd")]
    public async Task A_store_file_replaced_under_the_running_scheduler_is_reported_once()
    {
        await using var test = Scheduler(out _);
        test.Scheduler.Start();
        await test.Settle();
        var otherFolder = new TempFolder();
        var other = otherFolder.File("other.db");
        using (var replacement = JobStore.CreateSqlite(other))
        {
            replacement.Add(OutsideJob("replacement", test.Now.AddHours(1)), replaceExisting: false);
        }

        var after = test.Scheduler.Events.LastSequence;
        test.Time.Advance(Tick);
        await test.Settle();
        Assert.Empty(Replaced());

        // mv other.db jobs.db: a file is at the path, but not the one the scheduler has open.
        File.Move(other, Path, overwrite: true);
        test.Time.Advance(Tick);
        var error = await test.WaitFor(e => e.Type == SchedulerEventType.SchedulerError && e.Sequence > after && (e.Message ?? "").Contains("replaced", StringComparison.Ordinal), after);
        Assert.StartsWith($"The store file '{Path}' was replaced by another file while the scheduler '{test.Scheduler.Id}' runs on it. This scheduler goes on running the jobs of the file it opened", error.Message, StringComparison.Ordinal);

        test.Time.Advance(Tick);
        test.Time.Advance(Tick);
        await test.Settle();
        Assert.Single(Replaced());
        otherFolder.Dispose();

        IEnumerable<SchedulerEvent> Replaced() => test.Scheduler.Events.Read(after, 1000)
            .Where(e => e.Type == SchedulerEventType.SchedulerError && (e.Message ?? "").Contains("replaced", StringComparison.Ordinal));
    }

    [LinuxFact("tells a replaced file from /proc/self/fd")]
    public void A_store_whose_file_was_replaced_closes_without_writing_into_the_new_file()
    {
        var store = JobStore.CreateSqlite(Path);
        owned.Add(store);
        store.Add(OutsideJob("old", TestScheduler.Epoch.AddHours(1)), replaceExisting: false);
        var other = folder.File("other.db");
        using (var replacement = JobStore.CreateSqlite(other))
        {
            replacement.Add(OutsideJob("replacement", TestScheduler.Epoch.AddHours(1)), replaceExisting: false);
        }

        Assert.False(store.IsOrphaned);
        File.Move(other, Path, overwrite: true);
        Assert.True(store.IsOrphaned);

        // Closing it used to open the path for a last checkpoint, which copied the old file's log into the new file.
        store.Dispose();

        using var reopened = JobStore.CreateSqlite(Path);
        Assert.Equal(["replacement"], reopened.GetAll().Select(job => job.Id));
        Assert.False(reopened.IsOrphaned);
    }

    private TestScheduler Scheduler(out JobStore store, SqliteJobStoreOptions? options = null)
    {
        var test = new TestScheduler();
        store = JobStore.CreateSqlite(Path, options);
        owned.Add(store);
        test.Scheduler.AddJobStore("disk", store);
        return test;
    }

    private JobStore Open()
    {
        var store = JobStore.CreateSqlite(Path);
        owned.Add(store);
        return store;
    }

    private static Job OutsideJob(string id, DateTimeOffset next, JobOptions? options = null)
        => new(id, id, new DateTrigger(next, TimeZoneInfo.Utc), new DelegateInvocation("outside"), JobArguments.None, options ?? JobOptions.Default, "inline", "disk")
        {
            NextRunTime = next,
        };
}
