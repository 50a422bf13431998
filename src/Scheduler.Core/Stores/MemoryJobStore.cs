using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Scheduler.Internal;
using Scheduler.Jobs;

namespace Scheduler.Stores;

/// <summary>
/// Jobs in memory. Jobs live in a slab of structs indexed by id; scheduled jobs are also in an
/// indexed binary min-heap on their next run time, so add, update, remove and "next due" are
/// O(log n) and a job costs the store about 40 bytes beyond the job itself.
/// </summary>
internal sealed class MemoryJobStore : JobStore
{
    // Histories of jobs that ended (trigger finished) are kept for reading, up to this many jobs
    // (besides those whose runs are still in progress).
    private const int FinishedHistoryLimit = 1000;

    // History is set aside at start for the jobs due this soon, and for at most this many.
    private const int MaxReservedHistories = 4096;
    private static readonly TimeSpan ReserveHorizon = TimeSpan.FromMinutes(1);

    private readonly object sync = new();

    // Runs that ended on executor workers, recorded by whoever holds the lock next (see SaveRun).
    private readonly ConcurrentQueue<JobRun> endedRuns = new();
    private readonly Dictionary<string, int> slotById = new(StringComparer.Ordinal);
    private readonly RunHistories? histories;
    private Slot[] slots = new Slot[16];
    private int slotsUsed;
    private int firstFree = -1;
    private int[] heap = new int[16];
    private int heapCount;
    private int[] frontier = new int[16];

    public MemoryJobStore(int runHistoryLimit)
    {
        if (runHistoryLimit < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(runHistoryLimit), runHistoryLimit, $"The run history limit must not be negative, not {runHistoryLimit}.");
        }

        histories = runHistoryLimit == 0 ? null : new RunHistories(runHistoryLimit, FinishedHistoryLimit);
    }

    public override int Count
    {
        get
        {
            using (Lock())
            {
                return slotById.Count;
            }
        }
    }

    [MethodImpl(DispatchPath.Optimized)]
    public override void Add(Job job, bool replaceExisting)
    {
        if (job is null)
        {
            throw new ArgumentNullException(nameof(job));
        }

        using (Lock())
        {
            if (slotById.TryGetValue(job.Id, out var existing))
            {
                if (!replaceExisting)
                {
                    throw new InvalidOperationException($"A job with the id '{job.Id}' already exists; remove it first or replace it.");
                }

                Place(existing, job);
                return;
            }

            var slot = AllocateSlot();
            slots[slot].HeapIndex = -1;
            slotById.Add(job.Id, slot);
            histories?.Reopen(job.Id);
            Place(slot, job);
        }
    }

    public override void Update(Job job)
    {
        if (job is null)
        {
            throw new ArgumentNullException(nameof(job));
        }

        using (Lock())
        {
            if (!slotById.TryGetValue(job.Id, out var slot))
            {
                throw new KeyNotFoundException($"There is no job with the id '{job.Id}'.");
            }

            Place(slot, job);
        }
    }

    public override bool Remove(string id)
    {
        if (id is null)
        {
            throw new ArgumentNullException(nameof(id));
        }

        using (Lock())
        {
            histories?.Remove(id);
            return RemoveLocked(id);
        }
    }

    public override void RemoveAll()
    {
        using (Lock())
        {
            slotById.Clear();
            histories?.Clear();
            slots = new Slot[16];
            slotsUsed = 0;
            firstFree = -1;
            heap = new int[16];
            heapCount = 0;
        }
    }

    public override Job? Get(string id)
    {
        if (id is null)
        {
            throw new ArgumentNullException(nameof(id));
        }

        using (Lock())
        {
            return slotById.TryGetValue(id, out var slot) ? slots[slot].Job : null;
        }
    }

    public override IReadOnlyList<Job> GetAll()
    {
        var jobs = Snapshot();
        Array.Sort(jobs, ByNextRunTime);
        return jobs;
    }

    protected internal override IReadOnlyList<Job> GetByName(Func<string, bool> nameMatches)
    {
        if (nameMatches is null)
        {
            throw new ArgumentNullException(nameof(nameMatches));
        }

        // Matched outside the lock, so a slow predicate does not hold up dispatching; only the matches are sorted.
        var matching = WithMatchingName(Snapshot(), nameMatches);
        matching.Sort(ByNextRunTime);
        return matching;
    }

    private static int ByNextRunTime(Job a, Job b)
    {
        var byTime = (a.NextRunTime?.UtcTicks ?? long.MaxValue).CompareTo(b.NextRunTime?.UtcTicks ?? long.MaxValue);
        return byTime != 0 ? byTime : string.CompareOrdinal(a.Id, b.Id);
    }

    /// <summary>Every job, unordered.</summary>
    private Job[] Snapshot()
    {
        using (Lock())
        {
            var jobs = new Job[slotById.Count];
            var count = 0;
            for (var i = 0; i < slotsUsed; i++)
            {
                if (slots[i].Job is { } job)
                {
                    jobs[count++] = job;
                }
            }

            return jobs;
        }
    }

    [MethodImpl(DispatchPath.Optimized)]
    protected internal override IReadOnlyList<Job> GetDueJobs(DateTimeOffset now, int maxCount)
    {
        if (maxCount < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(maxCount), maxCount, $"The maximum count must not be negative, not {maxCount}.");
        }

        var nowTicks = now.UtcTicks;
        using (LockForDispatch())
        {
            if (heapCount == 0 || maxCount == 0 || slots[heap[0]].Due > nowTicks)
            {
                return [];
            }

            // The due jobs in order without disturbing the heap: a second, small heap holds the
            // frontier of heap positions still to visit, so k due jobs cost O(k log k).
            var due = new List<Job>(Math.Min(maxCount, 64));
            var frontierCount = 0;
            PushFrontier(ref frontierCount, 0);
            while (frontierCount > 0 && due.Count < maxCount)
            {
                var position = PopFrontier(ref frontierCount);
                var slot = heap[position];
                if (slots[slot].Due > nowTicks)
                {
                    break;
                }

                due.Add(slots[slot].Job!);
                var child = (2 * position) + 1;
                if (child < heapCount)
                {
                    PushFrontier(ref frontierCount, child);
                }

                if (child + 1 < heapCount)
                {
                    PushFrontier(ref frontierCount, child + 1);
                }
            }

            return due;
        }
    }

    [MethodImpl(DispatchPath.Optimized)]
    public override DateTimeOffset? GetNextRunTime()
    {
        using (Lock())
        {
            return heapCount == 0 ? null : slots[heap[0]].Job!.NextRunTime;
        }
    }

    [MethodImpl(DispatchPath.Optimized)]
    protected internal override IReadOnlyCollection<string> CommitDispatches(IReadOnlyList<JobDispatch> dispatches)
    {
        if (dispatches is null)
        {
            throw new ArgumentNullException(nameof(dispatches));
        }

        List<string>? rejected = null;
        using (LockForDispatch())
        {
            for (var i = 0; i < dispatches.Count; i++)
            {
                var dispatch = dispatches[i];
                var id = dispatch.Job.Id;
                var runs = dispatch.Runs;
                if (dispatch.Updated is { } updated)
                {
                    if (!slotById.TryGetValue(id, out var slot) || !ReferenceEquals(slots[slot].Job, dispatch.Job))
                    {
                        (rejected ??= []).Add(id);
                        continue;
                    }

                    Place(slot, updated);
                    for (var r = 0; r < runs.Count; r++)
                    {
                        SaveRunLocked(runs[r], jobEnded: false);
                    }

                    continue;
                }

                // The job ends: most dispatches are of one-off jobs, so it is taken out with the one
                // look-up that finds it, and put back in the rare case it changed meanwhile.
                if (!slotById.TryRemove(id, out var endedSlot))
                {
                    (rejected ??= []).Add(id);
                    continue;
                }

                if (!ReferenceEquals(slots[endedSlot].Job, dispatch.Job))
                {
                    slotById.Add(id, endedSlot);
                    (rejected ??= []).Add(id);
                    continue;
                }

                FreeSlotLocked(endedSlot);
                histories?.SaveLast(id, runs);
            }
        }

        return (IReadOnlyCollection<string>?)rejected ?? [];
    }

    [MethodImpl(DispatchPath.Optimized)]
    protected internal override void SaveRun(JobRun run)
    {
        if (run is null)
        {
            throw new ArgumentNullException(nameof(run));
        }

        if (histories is null)
        {
            return;
        }

        // Every run ends here, on one of the executor's workers, while the loop holds the lock for a
        // whole batch of dispatches: a worker that waited for it would sleep and wake, several times
        // the cost of the run. It leaves the run queued instead. The next worker to find the lock free
        // records the queue, and so does every other use of the lock, first thing and before letting
        // go (the loop's dispatches aside), so nothing reads the history without it.
        endedRuns.Enqueue(run);
        if (Monitor.TryEnter(sync))
        {
            Unlock();
        }
    }

    /// <summary>Takes the store's lock, recording the runs that ended meanwhile first; <see cref="LockScope.Dispose"/> lets go.</summary>
    [MethodImpl(DispatchPath.Optimized)]
    private LockScope Lock()
    {
        Monitor.Enter(sync);
        SaveEndedRunsLocked();
        return new LockScope(this, recordsEndedRuns: true);
    }

    /// <summary>
    /// Takes the store's lock for the loop's reads and commits of due jobs, which neither read run
    /// history nor record the runs that ended: the loop is the one thread every run passes through,
    /// so those are left to the workers (the next one to find the lock free records them all) and to
    /// every other use of the lock.
    /// </summary>
    [MethodImpl(DispatchPath.Optimized)]
    private LockScope LockForDispatch()
    {
        Monitor.Enter(sync);
        return new LockScope(this, recordsEndedRuns: false);
    }

    /// <summary>
    /// Lets go of the lock, recording first the runs that ended while it was held. One queued just after
    /// waits for the next use of the lock, which records it before anything else.
    /// </summary>
    [MethodImpl(DispatchPath.Optimized)]
    private void Unlock()
    {
        SaveEndedRunsLocked();
        Monitor.Exit(sync);
    }

    [MethodImpl(DispatchPath.Optimized)]
    private void SaveEndedRunsLocked()
    {
        while (endedRuns.TryDequeue(out var run))
        {
            SaveRunLocked(run);
        }
    }

    private readonly ref struct LockScope(MemoryJobStore store, bool recordsEndedRuns)
    {
        public void Dispose()
        {
            if (recordsEndedRuns)
            {
                store.Unlock();
            }
            else
            {
                Monitor.Exit(store.sync);
            }
        }
    }

    public override IReadOnlyList<JobRun> GetRuns(string jobId, int maxCount)
    {
        if (jobId is null)
        {
            throw new ArgumentNullException(nameof(jobId));
        }

        if (maxCount < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(maxCount), maxCount, $"The maximum count must not be negative, not {maxCount}.");
        }

        using (Lock())
        {
            return histories is null ? [] : histories.Newest(jobId, maxCount);
        }
    }

    protected override IReadOnlyList<string> GetEndedJobIdsCore(int maxCount)
    {
        using (Lock())
        {
            return histories is null ? [] : histories.EndedJobIds(maxCount);
        }
    }

    /// <summary>History segments set aside for jobs that have not run yet.</summary>
    internal int ReservedHistories
    {
        get
        {
            using (Lock())
            {
                return histories?.Reserved ?? 0;
            }
        }
    }

    /// <summary>Sets aside run history for the repeating jobs due within the first minute (see <see cref="RunHistories.Reserve"/>).</summary>
    protected internal override void AttachScheduler(string schedulerId, TimeProvider timeProvider, Events.EventLog events)
    {
        using (Lock())
        {
            if (histories is null)
            {
                return;
            }

            histories.Reserve(CountFirstRunsSoonLocked(timeProvider.GetUtcNow().Add(ReserveHorizon).UtcTicks));
        }
    }

    // Runs once per start, but looks at up to twice the reservation's limit of jobs.
    [MethodImpl(DispatchPath.Optimized)]
    private int CountFirstRunsSoonLocked(long horizonTicks)
    {
        var firstRuns = 0;
        var examined = 0;
        for (var i = 0; i < heapCount && firstRuns < MaxReservedHistories && examined < 2 * MaxReservedHistories; i++)
        {
            if (slots[heap[i]].Due > horizonTicks)
            {
                continue;
            }

            examined++;
            var job = slots[heap[i]].Job!;
            if (FiresAgain(job) && !histories!.Contains(job.Id))
            {
                firstRuns++;
            }
        }

        return firstRuns;
    }

    // A one-off job's history is kept only as one of the newest finished ones, in a smaller segment.
    private static bool FiresAgain(Job job)
    {
        try
        {
            return job.NextFireTime is { } next && job.Trigger.GetFireTimeAfter(next) is not null;
        }
#pragma warning disable CA1031 // A trigger that fails is the dispatch's to report; here it only sets nothing aside.
        catch (Exception)
#pragma warning restore CA1031
        {
            return false;
        }
    }

    // A memory store does not outlive its process, so no run can have been left behind by a dead scheduler.
    protected internal override IReadOnlyList<JobRun> AbandonUnfinishedRuns(string schedulerId, DateTimeOffset now) => [];

    [MethodImpl(DispatchPath.Optimized)]
    private void SaveRunLocked(JobRun run)
    {
        // Whether the job has ended matters only to a history made now; a run that ends has one
        // already (made when it was dispatched), so this saves a look-up per run.
        if (histories is not null && !histories.TryReplace(run))
        {
            SaveRunLocked(run, jobEnded: !slotById.ContainsKey(run.JobId));
        }
    }

    [MethodImpl(DispatchPath.Optimized)]
    private void SaveRunLocked(JobRun run, bool jobEnded)
    {
        if (histories is null)
        {
            return;
        }

        histories.Save(run, jobEnded);
    }

    [MethodImpl(DispatchPath.Optimized)]
    private bool RemoveLocked(string id)
    {
        if (!slotById.TryGetValue(id, out var slot))
        {
            return false;
        }

        RemoveSlotLocked(id, slot);
        return true;
    }

    [MethodImpl(DispatchPath.Optimized)]
    private void RemoveSlotLocked(string id, int slot)
    {
        slotById.Remove(id);
        FreeSlotLocked(slot);
    }

    /// <summary>Takes a slot whose id is no longer listed out of the heap and onto the free list.</summary>
    [MethodImpl(DispatchPath.Optimized)]
    private void FreeSlotLocked(int slot)
    {
        if (slots[slot].HeapIndex >= 0)
        {
            HeapRemove(slots[slot].HeapIndex);
        }

        slots[slot] = new Slot { Job = null, Due = 0, HeapIndex = firstFree };
        firstFree = slot;
    }

    [MethodImpl(DispatchPath.Optimized)]
    private int AllocateSlot()
    {
        if (firstFree >= 0)
        {
            var reused = firstFree;
            firstFree = slots[reused].HeapIndex;
            return reused;
        }

        if (slotsUsed == slots.Length)
        {
            Array.Resize(ref slots, slots.Length * 2);
        }

        return slotsUsed++;
    }

    /// <summary>Stores the job in its slot and moves the slot in or out of, or within, the heap.</summary>
    [MethodImpl(DispatchPath.Optimized)]
    private void Place(int slot, Job job)
    {
        slots[slot].Job = job;
        var position = slots[slot].HeapIndex;
        if (job.NextRunTime is not { } next)
        {
            if (position >= 0)
            {
                HeapRemove(position);
            }

            return;
        }

        var due = next.UtcTicks;
        if (position < 0)
        {
            slots[slot].Due = due;
            HeapInsert(slot);
            return;
        }

        var earlier = due < slots[slot].Due;
        slots[slot].Due = due;
        if (earlier)
        {
            SiftUp(position);
        }
        else
        {
            SiftDown(position);
        }
    }

    [MethodImpl(DispatchPath.Optimized)]
    private void HeapInsert(int slot)
    {
        if (heapCount == heap.Length)
        {
            Array.Resize(ref heap, heap.Length * 2);
        }

        heap[heapCount] = slot;
        slots[slot].HeapIndex = heapCount;
        heapCount++;
        SiftUp(heapCount - 1);
    }

    [MethodImpl(DispatchPath.Optimized)]
    private void HeapRemove(int position)
    {
        var removed = heap[position];
        slots[removed].HeapIndex = -1;
        heapCount--;
        if (position == heapCount)
        {
            return;
        }

        var moved = heap[heapCount];
        heap[position] = moved;
        slots[moved].HeapIndex = position;
        if (position > 0 && slots[moved].Due < slots[heap[(position - 1) / 2]].Due)
        {
            SiftUp(position);
        }
        else
        {
            SiftDown(position);
        }
    }

    [MethodImpl(DispatchPath.Optimized)]
    private void SiftUp(int position)
    {
        var slot = heap[position];
        var due = slots[slot].Due;
        while (position > 0)
        {
            var parentPosition = (position - 1) / 2;
            var parent = heap[parentPosition];
            if (slots[parent].Due <= due)
            {
                break;
            }

            heap[position] = parent;
            slots[parent].HeapIndex = position;
            position = parentPosition;
        }

        heap[position] = slot;
        slots[slot].HeapIndex = position;
    }

    [MethodImpl(DispatchPath.Optimized)]
    private void SiftDown(int position)
    {
        var slot = heap[position];
        var due = slots[slot].Due;
        while (true)
        {
            var child = (2 * position) + 1;
            if (child >= heapCount)
            {
                break;
            }

            if (child + 1 < heapCount && slots[heap[child + 1]].Due < slots[heap[child]].Due)
            {
                child++;
            }

            if (slots[heap[child]].Due >= due)
            {
                break;
            }

            heap[position] = heap[child];
            slots[heap[position]].HeapIndex = position;
            position = child;
        }

        heap[position] = slot;
        slots[slot].HeapIndex = position;
    }

    [MethodImpl(DispatchPath.Optimized)]
    private void PushFrontier(ref int count, int position)
    {
        if (count == frontier.Length)
        {
            Array.Resize(ref frontier, frontier.Length * 2);
        }

        var i = count++;
        var due = slots[heap[position]].Due;
        while (i > 0)
        {
            var parent = (i - 1) / 2;
            if (slots[heap[frontier[parent]]].Due <= due)
            {
                break;
            }

            frontier[i] = frontier[parent];
            i = parent;
        }

        frontier[i] = position;
    }

    [MethodImpl(DispatchPath.Optimized)]
    private int PopFrontier(ref int count)
    {
        var top = frontier[0];
        var last = frontier[--count];
        var due = slots[heap[last]].Due;
        var i = 0;
        while (true)
        {
            var child = (2 * i) + 1;
            if (child >= count)
            {
                break;
            }

            if (child + 1 < count && slots[heap[frontier[child + 1]]].Due < slots[heap[frontier[child]]].Due)
            {
                child++;
            }

            if (slots[heap[frontier[child]]].Due >= due)
            {
                break;
            }

            frontier[i] = frontier[child];
            i = child;
        }

        if (count > 0)
        {
            frontier[i] = last;
        }

        return top;
    }

    private struct Slot
    {
        public Job? Job;

        /// <summary>The next run time in UTC ticks, the heap key.</summary>
        public long Due;

        /// <summary>The position in the heap, -1 when paused; for a free slot, the next free slot.</summary>
        public int HeapIndex;
    }
}
