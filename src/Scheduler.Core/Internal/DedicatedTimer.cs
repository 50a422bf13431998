namespace Scheduler.Internal;

/// <summary>
/// A timer of the system clock that calls back on a thread of its own. System timers call back on the
/// thread pool, where jobs that block (a delegate waiting on a lock, a script doing synchronous I/O)
/// can hold every thread for seconds; work that must keep time, such as renewing a lease before it
/// lapses, must not wait behind them.
/// </summary>
internal sealed class DedicatedTimer : ITimer
{
    // Monitor.Wait takes at most int.MaxValue milliseconds; a longer wait is taken in steps.
    private static readonly TimeSpan MaxWait = TimeSpan.FromDays(1);

    private readonly object gate = new();
    private readonly TimerCallback callback;
    private readonly object? state;
    private readonly TimeProvider clock;
    private readonly Thread thread;
    private readonly bool waitOnDispose;

    // When the next call is due (a timestamp of the clock), or null while the timer is stopped.
    private long? dueTimestamp;
    private TimeSpan period;
    private bool disposed;

    private DedicatedTimer(TimeProvider clock, TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period, string name, bool waitOnDispose)
    {
        this.clock = clock;
        this.waitOnDispose = waitOnDispose;
        this.callback = callback;
        this.state = state;
        Arm(dueTime, period);
        thread = new Thread(Run) { IsBackground = true, Name = name };
        thread.Start();
    }

    /// <summary>
    /// A timer calling back on its own thread on the system clock; on any other clock (a test's fake
    /// one, which decides itself when its timers fire) the clock's own timer. With <c>waitOnDispose</c>,
    /// <see cref="Dispose"/> waits for a call in progress; without it, as with system timers, a call may
    /// still run after the timer was disposed, so the owner may dispose it under a lock the callback takes.
    /// </summary>
    public static ITimer Create(TimeProvider clock, TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period, string name, bool waitOnDispose = true)
        => clock == TimeProvider.System
            ? new DedicatedTimer(clock, callback, state, dueTime, period, name, waitOnDispose)
            : clock.CreateTimer(callback, state, dueTime, period);

    public bool Change(TimeSpan dueTime, TimeSpan period)
    {
        lock (gate)
        {
            if (disposed)
            {
                return false;
            }

            Arm(dueTime, period);
            Monitor.PulseAll(gate);
            return true;
        }
    }

    /// <summary>Stops the timer and, if so created, waits for a call in progress to return (unless called from that call).</summary>
    public void Dispose()
    {
        lock (gate)
        {
            disposed = true;
            Monitor.PulseAll(gate);
        }

        if (waitOnDispose && Thread.CurrentThread != thread)
        {
            thread.Join();
        }
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return default;
    }

    private void Arm(TimeSpan dueTime, TimeSpan newPeriod)
    {
        dueTimestamp = dueTime == Timeout.InfiniteTimeSpan ? null : clock.GetTimestamp() + ToTimestampTicks(dueTime);
        period = newPeriod;
    }

    private long ToTimestampTicks(TimeSpan span) => (long)(span.Ticks * ((double)clock.TimestampFrequency / TimeSpan.TicksPerSecond));

    private void Run()
    {
        lock (gate)
        {
            while (!disposed)
            {
                if (dueTimestamp is not { } due)
                {
                    Monitor.Wait(gate);
                    continue;
                }

                var wait = clock.GetElapsedTime(clock.GetTimestamp(), due);
                if (wait > TimeSpan.Zero)
                {
                    Monitor.Wait(gate, wait < MaxWait ? wait : MaxWait);
                    continue;
                }

                dueTimestamp = period == Timeout.InfiniteTimeSpan || period == TimeSpan.Zero ? null : clock.GetTimestamp() + ToTimestampTicks(period);
                Monitor.Exit(gate);
                try
                {
                    callback(state);
                }
                finally
                {
                    Monitor.Enter(gate);
                }
            }
        }
    }
}
