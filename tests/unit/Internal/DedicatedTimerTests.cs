using Microsoft.Extensions.Time.Testing;
using Scheduler.Internal;

namespace Scheduler.Tests.Internal;

public sealed class DedicatedTimerTests
{
    [Fact]
    public void On_the_system_clock_it_keeps_calling_back_while_jobs_hold_every_thread_of_the_pool()
    {
        // Not disposed: blocked work items still start after the test, as the pool adds threads.
        var release = new Gate();
        var blockers = Environment.ProcessorCount * 16;
        for (var i = 0; i < blockers; i++)
        {
            ThreadPool.UnsafeQueueUserWorkItem(_ => release.Wait(TimeSpan.FromSeconds(30)), null);
        }

        try
        {
            using var ticked = new CountdownEvent(5);
            using var timer = DedicatedTimer.Create(TimeProvider.System, _ => { if (!ticked.IsSet) { ticked.Signal(); } }, null, TimeSpan.Zero, TimeSpan.FromMilliseconds(20), "test");

            Assert.True(ticked.Wait(TimeSpan.FromSeconds(2)), $"{5 - ticked.CurrentCount} of 5 calls within 2 s.");
        }
        finally
        {
            release.Open();
        }
    }

    [Fact]
    public void Without_waiting_on_dispose_it_can_be_disposed_under_a_lock_its_call_is_waiting_for()
    {
        // The SQLite store disposes its check timer under the lock every check takes.
        var storeLock = new object();
        using var inCall = new ManualResetEventSlim();
        var callsPastTheLock = 0;
        var timer = DedicatedTimer.Create(TimeProvider.System, _ =>
        {
            inCall.Set();
            lock (storeLock)
            {
                Interlocked.Increment(ref callsPastTheLock);
            }
        }, null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan, "test", waitOnDispose: false);

        lock (storeLock)
        {
            Assert.True(timer.Change(TimeSpan.Zero, Timeout.InfiniteTimeSpan));
            Assert.True(inCall.Wait(TimeSpan.FromSeconds(5)));
            using var disposed = DisposeOnAnotherThread(timer);
            Assert.True(disposed.Wait(TimeSpan.FromSeconds(5)), "Dispose waited for the call, which waits for the lock held here.");
            Assert.Equal(0, Volatile.Read(ref callsPastTheLock));
        }

        // The call in progress finishes after the dispose, and the timer takes no new time.
        Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref callsPastTheLock) == 1, TimeSpan.FromSeconds(5)));
        Assert.False(timer.Change(TimeSpan.Zero, Timeout.InfiniteTimeSpan));
    }

    [Fact]
    public void Change_stops_and_restarts_it_and_dispose_waits_for_the_call_in_progress()
    {
        var calls = 0;
        using var inCall = new ManualResetEventSlim();
        using var leave = new ManualResetEventSlim();
        var timer = DedicatedTimer.Create(TimeProvider.System, _ =>
        {
            Interlocked.Increment(ref calls);
            inCall.Set();
            leave.Wait(TimeSpan.FromSeconds(10));
        }, null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan, "test");

        Assert.False(inCall.Wait(TimeSpan.FromMilliseconds(100)));
        Assert.True(timer.Change(TimeSpan.Zero, Timeout.InfiniteTimeSpan));
        Assert.True(inCall.Wait(TimeSpan.FromSeconds(5)));

        using var disposed = DisposeOnAnotherThread(timer);
        Assert.False(disposed.Wait(TimeSpan.FromMilliseconds(100)));
        leave.Set();
        Assert.True(disposed.Wait(TimeSpan.FromSeconds(5)));
        Assert.Equal(1, Volatile.Read(ref calls));
        Assert.False(timer.Change(TimeSpan.Zero, Timeout.InfiniteTimeSpan));
    }

    [Fact]
    public void On_another_clock_it_is_that_clocks_timer()
    {
        var clock = new FakeTimeProvider();
        var calls = 0;
        using var timer = DedicatedTimer.Create(clock, _ => Interlocked.Increment(ref calls), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), "test");

        clock.Advance(TimeSpan.FromSeconds(3));

        Assert.Equal(3, calls);
    }

    private sealed class Gate
    {
        private readonly object sync = new();
        private bool open;

        public void Open()
        {
            lock (sync)
            {
                open = true;
                Monitor.PulseAll(sync);
            }
        }

        public void Wait(TimeSpan within)
        {
            lock (sync)
            {
                if (!open)
                {
                    Monitor.Wait(sync, within);
                }
            }
        }
    }

    /// <summary>Disposes the timer on a thread of its own; the event is set once Dispose returned.</summary>
    private static ManualResetEventSlim DisposeOnAnotherThread(ITimer timer)
    {
        var disposed = new ManualResetEventSlim();
        new Thread(() =>
        {
            timer.Dispose();
            disposed.Set();
        }).Start();
        return disposed;
    }
}
