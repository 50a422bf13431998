using System.Runtime.CompilerServices;
using Scheduler.Internal;

namespace Scheduler.Events;

/// <summary>
/// The most recent events of a scheduler, in a ring buffer of fixed capacity. Readers page through
/// it by sequence number and can wait for the next events; when a reader falls behind by more than
/// the capacity, it gets the oldest events still kept (and sees the gap in the sequence numbers).
/// </summary>
/// <remarks>
/// Every run records three events or more, from whichever worker runs it, so appending takes no lock:
/// a writer takes the next sequence number, claims its entry and fills it in, and readers check the
/// entry's stamp before and after they copy it (a sequence lock per entry). On two cores, workers that
/// took turns at one lock spent more time waiting for it than running jobs.
/// </remarks>
public sealed class EventLog
{
    // The ring is made of segments, made as the first event reaches each: a scheduler that logs
    // little holds little, and the ring never has to be copied to grow.
    private const int SegmentLength = 256;

    private readonly int capacity;
    private readonly Entry[]?[] segments;
    // Taken by every event from the loop and the workers alike: on a cache line of its own, so that
    // the fields every writer reads (the ring, its capacity, the waiters) are not fetched again from
    // the core that last took a number.
    private PaddedSequence latest;
    private TaskCompletionSource<bool>? waiters;

    internal EventLog(int capacity)
    {
        if (capacity < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, $"The event log capacity must be at least 1, not {capacity}.");
        }

        this.capacity = capacity;
        segments = new Entry[]?[((capacity - 1) / SegmentLength) + 1];
    }

    /// <summary>How many events are kept.</summary>
    public int Capacity => capacity;

    /// <summary>The sequence number of the latest event, 0 before the first.</summary>
    public long LastSequence => Volatile.Read(ref latest.Value);

    /// <summary>The kept events with a sequence number above <paramref name="afterSequence"/>, oldest first, at most <paramref name="maxCount"/>.</summary>
    public IReadOnlyList<SchedulerEvent> Read(long afterSequence = 0, int maxCount = int.MaxValue)
    {
        if (maxCount < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(maxCount), maxCount, $"The maximum count must not be negative, not {maxCount}.");
        }

        var last = Volatile.Read(ref latest.Value);
        var oldest = Math.Max(1, last - capacity + 1);
        var first = Math.Max(afterSequence + 1, oldest);
        var count = (int)Math.Min(Math.Max(0, last - first + 1), maxCount);
        var result = new List<SchedulerEvent>(count);
        for (var sequence = first; sequence < first + count; sequence++)
        {
            // An event overwritten while this reader went through the ring is gone: the reader sees
            // the gap, as one that fell behind does.
            if (TryRead(sequence, out var data))
            {
                result.Add(new SchedulerEvent(in data, sequence));
            }
        }

        return result;
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
            if (Volatile.Read(ref latest.Value) > afterSequence)
            {
                return Read(afterSequence, maxCount);
            }

            var signal = Volatile.Read(ref waiters);
            if (signal is null)
            {
                var created = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                signal = Interlocked.CompareExchange(ref waiters, created, null) ?? created;
            }

            // Looked at again once the waiter is in place: an event appended before that would not wake it.
            Interlocked.MemoryBarrier();
            if (Volatile.Read(ref latest.Value) > afterSequence)
            {
                continue;
            }

            await Signals.WaitAsync(signal.Task, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Records an event and returns its sequence number.</summary>
    [MethodImpl(DispatchPath.Optimized)]
    internal long Append(in SchedulerEventData data)
    {
        var sequence = AppendWithoutWaking(data);
        WakeWaiters();
        return sequence;
    }

    /// <summary>
    /// Records an event and returns its sequence number, leaving the waiting readers to <see cref="WakeWaiters"/>:
    /// the hub numbers and queues listeners' events under its lock, and wakes readers once it let go.
    /// </summary>
    [MethodImpl(DispatchPath.Optimized)]
    internal long AppendWithoutWaking(in SchedulerEventData data)
    {
        var sequence = Interlocked.Increment(ref latest.Value);
        Write(sequence, in data);
        return sequence;
    }

    /// <summary>Wakes the readers waiting for the next event.</summary>
    [MethodImpl(DispatchPath.Optimized)]
    internal void WakeWaiters()
    {
        if (Volatile.Read(ref waiters) is { } signal && Interlocked.CompareExchange(ref waiters, null, signal) == signal)
        {
            signal.TrySetResult(true);
        }
    }

    [MethodImpl(DispatchPath.Optimized)]
    private void Write(long sequence, in SchedulerEventData data)
    {
        ref var entry = ref EntryOf(sequence);
        var spin = default(SpinWait);
        while (true)
        {
            var stamp = Volatile.Read(ref entry.Stamp);

            // A writer a whole ring ahead already took the entry: this event would be overwritten
            // anyway. A negative stamp is a write in progress (a ring behind): wait for it to end.
            if (stamp >= sequence || -stamp >= sequence)
            {
                return;
            }

            if (stamp >= 0 && Interlocked.CompareExchange(ref entry.Stamp, -sequence, stamp) == stamp)
            {
                break;
            }

            spin.SpinOnce();
        }

        entry.Data = data;
        Volatile.Write(ref entry.Stamp, sequence);
    }

    private bool TryRead(long sequence, out SchedulerEventData data)
    {
        ref var entry = ref EntryOf(sequence);
        var spin = default(SpinWait);
        while (true)
        {
            var stamp = Volatile.Read(ref entry.Stamp);
            if (stamp == sequence)
            {
                data = entry.Data;

                // The copy is done before the stamp is read again: unchanged, no writer touched the entry meanwhile.
                Interlocked.MemoryBarrier();
                if (Volatile.Read(ref entry.Stamp) == sequence)
                {
                    return true;
                }
            }
            else if (stamp > sequence || -stamp > sequence)
            {
                data = default;
                return false;
            }

            // Its writer has taken the number and not written it yet (it is in the middle of it).
            spin.SpinOnce();
        }
    }

    [MethodImpl(DispatchPath.Optimized)]
    private ref Entry EntryOf(long sequence)
    {
        var slot = (int)((sequence - 1) % capacity);
        var index = slot / SegmentLength;
        var segment = Volatile.Read(ref segments[index]);
        if (segment is null)
        {
            var made = new Entry[Math.Min(SegmentLength, capacity - (index * SegmentLength))];
            segment = Interlocked.CompareExchange(ref segments[index], made, null) ?? made;
        }

        return ref segment[slot % SegmentLength];
    }

    /// <summary>One event in the ring: its sequence number (negative while it is written, 0 before the first) and what it says.</summary>
    private struct Entry
    {
        public long Stamp;

        public SchedulerEventData Data;
    }

    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Explicit, Size = 128)]
    private struct PaddedSequence
    {
        [System.Runtime.InteropServices.FieldOffset(64)]
        public long Value;
    }
}
