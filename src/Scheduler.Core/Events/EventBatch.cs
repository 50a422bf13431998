using System.Runtime.CompilerServices;
using Scheduler.Internal;

namespace Scheduler.Events;

/// <summary>
/// Events held back by the holder of the scheduler's lock and recorded together
/// (<see cref="EventHub.PublishAll"/>): one acquisition of the log's lock for a batch of dispatches or
/// run ends, instead of one per event. The events stay values, kept in place.
/// </summary>
internal sealed class EventBatch
{
    // Made at the first event held, large enough for a batch of dispatches (two events per run)
    // without growing in the middle of the first burst.
    private const int FirstCapacity = 512;

    private SchedulerEventData[] items = [];

    public int Count { get; private set; }

    public ref readonly SchedulerEventData this[int index] => ref items[index];

    [MethodImpl(DispatchPath.Optimized)]
    public void Add(in SchedulerEventData data)
    {
        if (Count == items.Length)
        {
            Array.Resize(ref items, Math.Max(FirstCapacity, items.Length * 2));
        }

        items[Count++] = data;
    }

    /// <summary>Forgets the events, and the objects they refer to.</summary>
    public void Clear()
    {
        Array.Clear(items, 0, Count);
        Count = 0;
    }
}
