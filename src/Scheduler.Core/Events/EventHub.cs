using System.Runtime.CompilerServices;
using Scheduler.Internal;

namespace Scheduler.Events;

/// <summary>
/// Records events in the log and delivers them to listeners in sequence order, one at a time, on
/// whichever thread happens to flush. A throwing listener is recorded as a SchedulerError and never
/// reaches back into the scheduler.
/// </summary>
internal sealed class EventHub
{
    private readonly object sync = new();
    private readonly Queue<SchedulerEvent> pending = new();
    private Listener[] listeners = [];

    // Read without the lock by Publish: most events have no listener, and those go to the log without it.
    private volatile SchedulerEventType wanted;
    private bool delivering;

    // Read without the lock by Flush: most events have no listener, and every run flushes twice.
    private volatile bool anyPending;

    public EventHub(int capacity)
    {
        Log = new EventLog(capacity);
    }

    public EventLog Log { get; }

    /// <summary>Records the event; listeners get it at the next <see cref="Flush"/> (call it outside locks).</summary>
    [MethodImpl(DispatchPath.Optimized)]
    public void Publish(in SchedulerEventData data)
    {
        if ((wanted & data.Type) == 0)
        {
            Log.Append(data);
            return;
        }

        // Numbered and queued under the lock, so listeners get their events in sequence order.
        lock (sync)
        {
            var sequence = Log.AppendWithoutWaking(data);
            pending.Enqueue(new SchedulerEvent(data, sequence));
            anyPending = true;
        }

        Log.WakeWaiters();
    }

    /// <summary>
    /// Delivers pending events, unless some thread is already delivering (it will deliver these too;
    /// this also makes a listener that causes events on its own thread wait for its turn instead of recursing).
    /// </summary>
    [MethodImpl(DispatchPath.Optimized)]
    public void Flush()
    {
        if (!anyPending)
        {
            return;
        }

        lock (sync)
        {
            if (delivering || pending.Count == 0)
            {
                return;
            }

            delivering = true;
        }

        try
        {
            while (true)
            {
                SchedulerEvent next;
                Listener[] current;
                lock (sync)
                {
                    if (pending.Count == 0)
                    {
                        delivering = false;
                        return;
                    }

                    next = pending.Dequeue();
                    anyPending = pending.Count > 0;
                    current = listeners;
                }

                CallbackScope.Enter();
                try
                {
                    Deliver(next, current);
                }
                finally
                {
                    CallbackScope.Exit();
                }
            }
        }
        catch
        {
            lock (sync)
            {
                delivering = false;
            }

            throw;
        }
    }

    public IDisposable Subscribe(Action<SchedulerEvent> listener, SchedulerEventType mask)
    {
        if (listener is null)
        {
            throw new ArgumentNullException(nameof(listener));
        }

        if (mask == SchedulerEventType.None || (mask & ~SchedulerEventType.All) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(mask), mask, $"The event mask must select at least one known event type, not '{mask}'.");
        }

        var subscription = new Listener(this, listener, mask);
        lock (sync)
        {
            listeners = [.. listeners, subscription];
            wanted |= mask;
        }

        return subscription;
    }

    public bool Unsubscribe(Action<SchedulerEvent> listener)
    {
        lock (sync)
        {
            var kept = listeners.Where(l => l.Callback != listener).ToArray();
            var removed = kept.Length != listeners.Length;
            Replace(kept);
            return removed;
        }
    }

    private void Remove(Listener subscription)
    {
        lock (sync)
        {
            Replace(listeners.Where(l => l != subscription).ToArray());
        }
    }

    private void Replace(Listener[] kept)
    {
        listeners = kept;
        wanted = SchedulerEventType.None;
        foreach (var listener in kept)
        {
            wanted |= listener.Mask;
        }
    }

    private void Deliver(SchedulerEvent schedulerEvent, Listener[] current)
    {
        foreach (var listener in current)
        {
            if ((listener.Mask & schedulerEvent.Type) == 0)
            {
                continue;
            }

            try
            {
                listener.Callback(schedulerEvent);
            }
#pragma warning disable CA1031 // A listener's failure must never break the scheduler: it is recorded instead.
            catch (Exception error)
#pragma warning restore CA1031
            {
                // Logged, not delivered: a listener that throws on every event must not loop forever.
                Log.Append(new SchedulerEventData(SchedulerEventType.SchedulerError, schedulerEvent.Timestamp)
                {
                    SchedulerId = schedulerEvent.SchedulerId,
                    Exception = error,
                    Error = error.Message,
                    Message = $"A listener threw while handling event #{schedulerEvent.Sequence} ({schedulerEvent.Type}): {error.Message}",
                });
            }
        }
    }

    private sealed class Listener(EventHub hub, Action<SchedulerEvent> callback, SchedulerEventType mask) : IDisposable
    {
        public Action<SchedulerEvent> Callback { get; } = callback;

        public SchedulerEventType Mask { get; } = mask;

        public void Dispose() => hub.Remove(this);
    }
}
