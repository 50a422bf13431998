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
    private SchedulerEventData[] items = new SchedulerEventData[64];

    public int Count { get; private set; }

    public ref readonly SchedulerEventData this[int index] => ref items[index];

    [MethodImpl(DispatchPath.Optimized)]
    public void Add(in SchedulerEventData data)
    {
        if (Count == items.Length)
        {
            Array.Resize(ref items, items.Length * 2);
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
