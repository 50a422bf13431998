using System.Runtime.CompilerServices;
using Scheduler.Internal;
using Scheduler.Jobs;

namespace Scheduler.Stores;

/// <summary>
/// The latest runs of each job, for the memory store. Runs are kept as values in a few large
/// arrays shared by all jobs, each job owning a segment used as a ring. A scheduler records a run
/// for every run of every job; kept as objects, the runs of the last few seconds would be promoted
/// by every garbage collection and make its pauses grow with the rate of runs. Kept here, a run
/// costs the collector nothing: the arrays are large objects that are never moved, and a record
/// refers only to strings that were old already (job and scheduler ids) or rare (output, errors).
/// </summary>
internal sealed class RunHistories
{
    // 1 024 records make a chunk of about 100 KB, which the runtime puts in the large object heap at once.
    private const int MinChunkLength = 1024;

    // A record is about 100 bytes: writing every 16th one touches every 4 KB page of a new chunk.
    private const int PageRecords = 16;

    // A job's first segment holds the whole history up to this limit (the default is 20). Growing it
    // later would make many jobs that run in step (every second, every minute) grow at the same run,
    // a burst of allocation that costs that one burst of runs dearly; a larger limit still grows, once.
    private const int FirstCapacity = 32;

    // The first segment of a job that has ended (a one-off job) holds its run; one retried grows it.
    // A burst of one-off jobs keeps one such history for every run dispatched and not yet ended.
    private const int FinishedCapacity = 1;

    // Histories of removed jobs kept for the next jobs that run: a burst of one-off jobs makes one per
    // run, which would otherwise be garbage a thousand runs later.
    private const int MaxSpareHistories = 1024;

    private readonly int limit;
    private readonly int maxFinished;
    private readonly int firstCapacity;
    private readonly int finishedCapacity;
    private readonly int chunkLength;
    private readonly Dictionary<string, History> byJob = new(StringComparer.Ordinal);
    private readonly Stack<History> spareHistories = new();
    private readonly Func<History> takeHistory;
    private readonly List<RunRecord[]> chunks = [];

    // The histories of jobs that ended, oldest first, each with the ticket it was queued with: an
    // entry whose history no longer holds that ticket was taken back by its job (added again) or
    // dropped since, and is passed over.
    private readonly Queue<(History History, long Ticket)> finished = new();
    private long lastTicket;

    // Free segments by capacity, as (chunk, offset).
    private readonly Dictionary<int, Stack<(int Chunk, int Offset)>> free = [];
    private int lastChunkUsed;

    /// <param name="limit">How many runs are kept per job; at least 1.</param>
    /// <param name="maxFinished">How many histories of jobs that ended are kept, besides those with runs still in progress.</param>
    public RunHistories(int limit, int maxFinished = 1000)
    {
        if (limit < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(limit), limit, $"A run history keeps at least 1 run, not {limit}.");
        }

        this.limit = limit;
        this.maxFinished = maxFinished;
        takeHistory = [MethodImpl(DispatchPath.Optimized)] () => spareHistories.Count > 0 ? spareHistories.Pop() : new History();
        firstCapacity = Math.Min(limit, FirstCapacity);
        finishedCapacity = Math.Min(limit, FinishedCapacity);
        chunkLength = Math.Max(MinChunkLength, limit);
        foreach (var capacity in new[] { firstCapacity, finishedCapacity, limit })
        {
            free[capacity] = new Stack<(int Chunk, int Offset)>();
        }
    }

    public bool Contains(string jobId) => byJob.ContainsKey(jobId);

    /// <summary>First segments set aside and not yet taken by a job.</summary>
    internal int Reserved => free[firstCapacity].Count;

    /// <summary>
    /// Sets aside first segments for jobs that are about to run for the first time. Jobs that run in
    /// step would otherwise all take theirs in the middle of their first burst of runs; new arrays are
    /// written once here so the system maps their pages now, not while runs wait.
    /// </summary>
    public void Reserve(int jobs)
    {
        var reserved = free[firstCapacity];
        var firstNewChunk = chunks.Count;
        while (reserved.Count < jobs)
        {
            reserved.Push(Carve(firstCapacity));
        }

        for (var chunk = firstNewChunk; chunk < chunks.Count; chunk++)
        {
            var records = chunks[chunk];
            for (var i = 0; i < records.Length; i += PageRecords)
            {
                records[i] = default;
            }
        }
    }

    /// <summary>Replaces the record of a run already recorded (it was Running and has ended); false when there is none.</summary>
    [MethodImpl(DispatchPath.Optimized)]
    public bool TryReplace(JobRun run)
    {
        if (!byJob.TryGetValue(run.JobId, out var history) || !TryReplace(history, run))
        {
            return false;
        }

        DropFinishedIfLast(history);
        return true;
    }

    /// <summary>Records a run; a run already recorded (it was Running and has ended) is replaced in place.</summary>
    /// <param name="run">The run.</param>
    /// <param name="jobEnded">The job is no longer scheduled: a history made now needs room for few runs, and is one of the ended jobs'.</param>
    [MethodImpl(DispatchPath.Optimized)]
    public void Save(JobRun run, bool jobEnded)
    {
        var history = SaveCore(run, jobEnded, out var created);
        if (jobEnded && created)
        {
            Finish(history);
        }
        else
        {
            DropFinishedIfLast(history);
        }
    }

    /// <summary>
    /// Records the last runs of a job that has ended (they may be none) and counts its history among
    /// the ended jobs': the oldest of those beyond the limit are dropped once their runs have ended.
    /// </summary>
    [MethodImpl(DispatchPath.Optimized)]
    public void SaveLast(string jobId, IReadOnlyList<JobRun> runs)
    {
        History? history = null;
        for (var i = 0; i < runs.Count; i++)
        {
            history = SaveCore(runs[i], jobEnded: true, out _);
        }

        if (history is not null || byJob.TryGetValue(jobId, out history))
        {
            Finish(history);
        }
    }

    /// <summary>The job was added again: its history, if it had ended, is its own again and no longer one that may be dropped.</summary>
    public void Reopen(string jobId)
    {
        if (finished.Count > 0 && byJob.TryGetValue(jobId, out var history))
        {
            history.Ticket = 0;
        }
    }

    [MethodImpl(DispatchPath.Optimized)]
    private History SaveCore(JobRun run, bool jobEnded, out bool created)
    {
        var history = byJob.GetOrAdd(run.JobId, takeHistory, out created);
        if (created)
        {
            history.JobId = run.JobId;
            Allocate(history, jobEnded ? finishedCapacity : firstCapacity);
        }
        else if (TryReplace(history, run))
        {
            return history;
        }

        var records = chunks[history.Chunk];
        if (history.Count == history.Capacity)
        {
            if (history.Capacity < limit)
            {
                Grow(history);
                records = chunks[history.Chunk];
            }
            else
            {
                Put(history, ref records[history.Offset + history.Start], run, replacing: true);
                history.Start = (history.Start + 1) % history.Capacity;
                return history;
            }
        }

        Put(history, ref records[history.Offset + ((history.Start + history.Count) % history.Capacity)], run, replacing: false);
        history.Count++;
        return history;
    }

    /// <summary>Queues a history among the ended jobs' (once), and drops the oldest beyond the limit.</summary>
    [MethodImpl(DispatchPath.Optimized)]
    private void Finish(History history)
    {
        if (history.Ticket != 0)
        {
            return;
        }

        history.Ticket = ++lastTicket;
        finished.Enqueue((history, history.Ticket));
        DropFinishedBeyondLimit();
    }

    /// <summary>An ended job's history whose last run in progress has ended may be the oldest beyond the limit, kept until now for that run.</summary>
    [MethodImpl(DispatchPath.Optimized)]
    private void DropFinishedIfLast(History history)
    {
        if (history.Running == 0 && history.Ticket != 0 && finished.Count > maxFinished)
        {
            DropFinishedBeyondLimit();
        }
    }

    /// <summary>
    /// Drops the oldest ended jobs' histories beyond the limit, stopping at one with a run in progress:
    /// a burst of one-off jobs dispatches thousands of runs ahead of its workers, and a history dropped
    /// before its run ended would hide that run while it runs and be made again when it ends.
    /// </summary>
    [MethodImpl(DispatchPath.Optimized)]
    private void DropFinishedBeyondLimit()
    {
        while (finished.Count > maxFinished)
        {
            var (history, ticket) = finished.Peek();
            if (history.Ticket == ticket)
            {
                if (history.Running > 0)
                {
                    return;
                }

                Release(history);
            }

            finished.Dequeue();
        }
    }

    /// <summary>The ids of the ended jobs whose histories are kept, the most recently ended first.</summary>
    public List<string> EndedJobIds(int maxCount)
    {
        var result = new List<string>(Math.Min(maxCount, finished.Count));
        var queued = finished.ToArray();
        for (var i = queued.Length - 1; i >= 0 && result.Count < maxCount; i--)
        {
            var (history, ticket) = queued[i];
            if (history.Ticket == ticket && history.Count > 0)
            {
                result.Add(history.JobId);
            }
        }

        return result;
    }

    /// <summary>The job's runs, newest first; empty when it has none.</summary>
    public List<JobRun> Newest(string jobId, int maxCount)
    {
        if (!byJob.TryGetValue(jobId, out var history))
        {
            return [];
        }

        var records = chunks[history.Chunk];
        var result = new List<JobRun>(Math.Min(maxCount, history.Count));
        for (var i = history.Count - 1; i >= 0 && result.Count < maxCount; i--)
        {
            result.Add(records[history.Offset + ((history.Start + i) % history.Capacity)].ToRun(jobId));
        }

        return result;
    }

    [MethodImpl(DispatchPath.Optimized)]
    public void Remove(string jobId)
    {
        if (byJob.TryRemove(jobId, out var history))
        {
            Recycle(history);
        }
    }

    [MethodImpl(DispatchPath.Optimized)]
    private void Release(History history)
    {
        byJob.Remove(history.JobId);
        Recycle(history);
    }

    /// <summary>Frees the segment of a history no longer listed, and keeps the object for the next job.</summary>
    [MethodImpl(DispatchPath.Optimized)]
    private void Recycle(History history)
    {
        Free(history.Chunk, history.Offset, history.Capacity, history.Count);
        history.Ticket = 0;
        history.Running = 0;
        if (spareHistories.Count < MaxSpareHistories)
        {
            spareHistories.Push(history);
        }
    }

    public void Clear()
    {
        byJob.Clear();
        finished.Clear();
        spareHistories.Clear();
        chunks.Clear();
        foreach (var segments in free.Values)
        {
            segments.Clear();
        }

        lastChunkUsed = 0;
    }

    // A run that ends replaces its Running record, usually the newest one.
    [MethodImpl(DispatchPath.Optimized)]
    private bool TryReplace(History history, JobRun run)
    {
        var records = chunks[history.Chunk];
        for (var i = history.Count - 1; i >= 0; i--)
        {
            var index = history.Offset + ((history.Start + i) % history.Capacity);
            if (records[index].Key == run.Key)
            {
                Put(history, ref records[index], run, replacing: true);
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Writes a run into a slot of the history's ring, keeping its count of runs in progress; a slot
    /// past the ring's count holds nothing yet (<paramref name="replacing"/> false).
    /// </summary>
    [MethodImpl(DispatchPath.Optimized)]
    private static void Put(History history, ref RunRecord slot, JobRun run, bool replacing)
    {
        if (replacing && slot.IsRunning)
        {
            history.Running--;
        }

        slot = new RunRecord(run);
        if (slot.IsRunning)
        {
            history.Running++;
        }
    }

    private void Grow(History history)
    {
        var (chunk, offset) = Take(limit);
        var from = chunks[history.Chunk];
        var to = chunks[chunk];
        for (var i = 0; i < history.Count; i++)
        {
            to[offset + i] = from[history.Offset + ((history.Start + i) % history.Capacity)];
        }

        Free(history.Chunk, history.Offset, history.Capacity, history.Count);
        history.Chunk = chunk;
        history.Offset = offset;
        history.Capacity = limit;
        history.Start = 0;
    }

    [MethodImpl(DispatchPath.Optimized)]
    private void Allocate(History history, int capacity)
    {
        (history.Chunk, history.Offset) = Take(capacity);
        history.Capacity = capacity;
        history.Start = 0;
        history.Count = 0;
    }

    [MethodImpl(DispatchPath.Optimized)]
    private (int Chunk, int Offset) Take(int capacity)
        => free[capacity].Count > 0 ? free[capacity].Pop() : Carve(capacity);

    /// <summary>A new segment from the end of the last chunk, or from a new chunk.</summary>
    [MethodImpl(DispatchPath.Optimized)]
    private (int Chunk, int Offset) Carve(int capacity)
    {
        if (chunks.Count == 0 || lastChunkUsed + capacity > chunkLength)
        {
            chunks.Add(new RunRecord[chunkLength]);
            lastChunkUsed = 0;
        }

        var offset = lastChunkUsed;
        lastChunkUsed += capacity;
        return (chunks.Count - 1, offset);
    }

    [MethodImpl(DispatchPath.Optimized)]
    private void Free(int chunk, int offset, int capacity, int used)
    {
        // The records' output and error texts must not outlive the job's history. A ring that is
        // not full holds its records from its start, which is then the segment's start; the rest
        // of the segment is still clear.
        Array.Clear(chunks[chunk], offset, used);
        free[capacity].Push((chunk, offset));
    }

    /// <summary>Where one job's ring lives.</summary>
    private sealed class History
    {
        public string JobId { get; set; } = "";

        // Non-zero while counted among the ended jobs' histories: the ticket of its entry in that queue.
        public long Ticket { get; set; }

        // Records of runs still in progress.
        public int Running { get; set; }

        public int Chunk { get; set; }

        public int Offset { get; set; }

        public int Capacity { get; set; }

        public int Start { get; set; }

        public int Count { get; set; }
    }

    /// <summary>A <see cref="JobRun"/> as a value.</summary>
    private readonly struct RunRecord
    {
        private readonly DateTimeOffset scheduledTime;
        private readonly OptionalRunValues values;
        private readonly string? output;
        private readonly string? error;
        private readonly string? schedulerId;
        private readonly int attempt;
        private readonly JobRunOutcome outcome;

        [MethodImpl(DispatchPath.Optimized)]
        public RunRecord(JobRun run)
        {
            Key = run.Key;
            scheduledTime = run.ScheduledTime;
            values = run.Values;
            output = run.Output;
            error = run.Error;
            schedulerId = run.SchedulerId;
            attempt = run.Attempt;
            outcome = run.Outcome;
        }

        public RunKey Key { get; }

        public bool IsRunning => outcome == JobRunOutcome.Running;

        public JobRun ToRun(string jobId) => new(Key, jobId, scheduledTime, outcome, attempt, schedulerId)
        {
            Values = values,
            Output = output,
            Error = error,
        };
    }
}
