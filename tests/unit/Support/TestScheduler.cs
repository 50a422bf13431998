using Microsoft.Extensions.Time.Testing;
using Scheduler.Events;
using Scheduler.Executors;
using Scheduler.Jobs;
using Scheduler.Scheduling;

namespace Scheduler.Tests.Support;

/// <summary>
/// A scheduler on a fake clock, with an inline executor named "inline" next to the default thread
/// pool, and helpers that await events (with a generous timeout that only matters when a test fails).
/// </summary>
internal sealed class TestScheduler : IAsyncDisposable
{
    public static readonly DateTimeOffset Epoch = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly TimeSpan FailAfter = TimeSpan.FromSeconds(20);

    public TestScheduler(SchedulerOptions? options = null)
    {
        Time = new FakeTimeProvider(Epoch);
        Scheduler = new JobScheduler(options, Time);
        Inline = JobExecutor.CreateInline();
        Scheduler.AddExecutor("inline", Inline);
    }

    public FakeTimeProvider Time { get; }

    public JobScheduler Scheduler { get; }

    public JobExecutor Inline { get; }

    public DateTimeOffset Now => Time.GetUtcNow();

    /// <summary>Adds a job on the inline executor: it runs on the scheduler's loop, deterministically.</summary>
    public Job AddInline(string id, Scheduler.Triggers.Trigger trigger, Action<JobContext> action, JobOptions? options = null)
        => Scheduler.AddJob(trigger, new Scheduler.Invocations.DelegateInvocation(action), id, options: options, executor: "inline");

    /// <summary>Waits for the first event after <paramref name="after"/> that matches.</summary>
    public async Task<SchedulerEvent> WaitFor(Func<SchedulerEvent, bool> match, long after = 0)
    {
        using var timeout = new CancellationTokenSource(FailAfter);
        var seen = after;
        try
        {
            while (true)
            {
                foreach (var e in await Scheduler.Events.WaitForEventsAsync(seen, timeout.Token))
                {
                    seen = e.Sequence;
                    if (match(e))
                    {
                        return e;
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException("The expected event did not come. Events:\n" + string.Join("\n", Scheduler.Events.Read()));
        }
    }

    public Task<SchedulerEvent> WaitFor(SchedulerEventType type, string? jobId = null, long after = 0)
        => WaitFor(e => e.Type == type && (jobId is null || e.JobId == jobId), after);

    /// <summary>
    /// Waits until the loop has dispatched everything due now, in every store: every decision about
    /// jobs due by now (runs, misses, skips, rejected dispatches) has been made and reported.
    /// </summary>
    /// <remarks>
    /// A one-off inline job due now (a barrier, in the default store) runs in the loop's pass, and a
    /// pass takes each store's due jobs earliest first. But the default store is the first of the
    /// pass: the stores added after it are dispatched after the barrier has run, in the same pass.
    /// A second barrier, added once the first has run, runs in a later pass, so the first one's
    /// pass, all of its stores, is over by then.
    /// </remarks>
    public async Task Settle()
    {
        await RunBarrier();
        await RunBarrier();
    }

    private async Task RunBarrier()
    {
        var id = "barrier-" + Guid.NewGuid().ToString("N");
        var after = Scheduler.Events.LastSequence;
        Scheduler.AddJob(new Scheduler.Triggers.DateTrigger(Now), new Scheduler.Invocations.DelegateInvocation(static () => { }), id, executor: "inline");
        await WaitFor(SchedulerEventType.JobExecuted, id, after);
    }

    public IReadOnlyList<SchedulerEvent> EventsOf(SchedulerEventType type, string jobId)
        => Scheduler.Events.Read().Where(e => e.Type == type && e.JobId == jobId).ToList();

    public async ValueTask DisposeAsync()
    {
        var shutdown = Scheduler.ShutdownAsync(wait: false);
        if (await Task.WhenAny(shutdown, Task.Delay(FailAfter)) != shutdown)
        {
            throw new TimeoutException("The scheduler did not shut down.");
        }
    }
}

internal static class TaskTimeout
{
    /// <summary>Awaits a task, failing the test instead of hanging when it never completes.</summary>
    public static async Task<T> Within<T>(this Task<T> task, int seconds = 20)
    {
        if (await Task.WhenAny(task, Task.Delay(TimeSpan.FromSeconds(seconds))) != task)
        {
            throw new TimeoutException("The task did not complete.");
        }

        return await task;
    }

    public static async Task Within(this Task task, int seconds = 20)
    {
        if (await Task.WhenAny(task, Task.Delay(TimeSpan.FromSeconds(seconds))) != task)
        {
            throw new TimeoutException("The task did not complete.");
        }

        await task;
    }
}
