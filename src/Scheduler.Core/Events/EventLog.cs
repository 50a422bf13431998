using System.Runtime.CompilerServices;
using Scheduler.Internal;

namespace Scheduler.Events;

/// <summary>
/// The most recent events of a scheduler, in a ring buffer of fixed capacity. Readers page through
/// it by sequence number and can wait for the next events; when a reader falls behind by more than
/// the capacity, it gets the oldest events still kept (and sees the gap in the sequence numbers).
/// </summary>
public sealed class EventLog
{
    private readonly object sync = new();
    private readonly int capacity;

    // Grows up to the capacity, so a scheduler that logs little holds little. It grows sixteenfold:
    // a busy scheduler fills it within its first burst of runs, and each growth copies the whole
    // ring in the middle of a burst.
    private SchedulerEventData[] ring;
    private long lastSequence;
    private TaskCompletionSource<bool>? waiters;

    internal EventLog(int capacity)
    {
        if (capacity < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, $"The event log capacity must be at least 1, not {capacity}.");
        }

        this.capacity = capacity;
        ring = new SchedulerEventData[Math.Min(capacity, 64)];
    }

    /// <summary>How many events are kept.</summary>
    public int Capacity => capacity;

    /// <summary>The sequence number of the latest event, 0 before the first.</summary>
    public long LastSequence
    {
        get
        {
            lock (sync)
            {
                return lastSequence;
            }
        }
    }

    /// <summary>The kept events with a sequence number above <paramref name="afterSequence"/>, oldest first, at most <paramref name="maxCount"/>.</summary>
    public IReadOnlyList<SchedulerEvent> Read(long afterSequence = 0, int maxCount = int.MaxValue)
    {
        if (maxCount < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(maxCount), maxCount, $"The maximum count must not be negative, not {maxCount}.");
        }

        lock (sync)
        {
            return ReadLocked(afterSequence, maxCount);
        }
    }

    /// <summary>
    /// Waits until there is an event with a sequence number above <paramref name="afterSequence"/>,
    /// then returns the kept events after it (at most <paramref name="maxCount"/>).
    /// </summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1068:CancellationToken parameters must come last", Justification = "Shipped public API; maxCount was added after the token, as an optional parameter.")]
    public async Task<IReadOnlyList<SchedulerEvent>> WaitForEventsAsync(long afterSequence, CancellationToken cancellationToken = default, int maxCount = 1000)
    {
        if (maxCount < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(maxCount), maxCount, $"The maximum count must be at least 1, not {maxCount}.");
        }

        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Task signal;
            lock (sync)
            {
                if (lastSequence > afterSequence)
                {
                    return ReadLocked(afterSequence, maxCount);
                }

                waiters ??= new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                signal = waiters.Task;
            }

            await Signals.WaitAsync(signal, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The log's lock; the scheduler's event hub shares it.</summary>
    internal object SyncRoot => sync;

    /// <summary>Records an event and returns its sequence number.</summary>
    internal long Append(in SchedulerEventData data)
    {
        TaskCompletionSource<bool>? toWake;
        long sequence;
        lock (sync)
        {
            sequence = AppendLocked(data, out toWake);
        }

        toWake?.TrySetResult(true);
        return sequence;
    }

    /// <summary>Records an event under <see cref="SyncRoot"/>; the caller wakes <paramref name="toWake"/> once it let go of the lock.</summary>
    [MethodImpl(DispatchPath.Optimized)]
    internal long AppendLocked(in SchedulerEventData data, out TaskCompletionSource<bool>? toWake)
    {
        var sequence = ++lastSequence;
        if (sequence > ring.Length && ring.Length < capacity)
        {
            // Before the ring is full, event n sits at n - 1, so growing is a plain copy.
            Array.Resize(ref ring, (int)Math.Min((long)ring.Length * 16, capacity));
        }

        ring[(int)((sequence - 1) % ring.Length)] = data;
        toWake = waiters;
        waiters = null;
        return sequence;
    }

    private List<SchedulerEvent> ReadLocked(long afterSequence, int maxCount)
    {
        var oldest = Math.Max(1, lastSequence - capacity + 1);
        var first = Math.Max(afterSequence + 1, oldest);
        var count = (int)Math.Min(Math.Max(0, lastSequence - first + 1), maxCount);
        var result = new List<SchedulerEvent>(count);
        for (var sequence = first; sequence < first + count; sequence++)
        {
            result.Add(new SchedulerEvent(in ring[(int)((sequence - 1) % ring.Length)], sequence));
        }

        return result;
    }
}
