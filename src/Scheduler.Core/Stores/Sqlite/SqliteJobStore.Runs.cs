using Microsoft.Data.Sqlite;
using Scheduler.Jobs;

namespace Scheduler.Stores;

/// <summary>Run history: recording runs, reading them, retention, and abandoning runs a dead scheduler left.</summary>
internal sealed partial class SqliteJobStore
{
    private const string RunColumns = StoredRows.RunColumns;

    // Retention for a job runs every this many saved runs of it (at least once per quarter of the
    // limit): the history may briefly hold a few runs more than the limit, and reading caps it.
    private const int RetentionDivisor = 4;

    // Run ends kept in memory before they are written without waiting for the next write or check.
    private const int MaxPendingRunEnds = 512;

    private readonly SqliteStatement insertRun;
    private readonly SqliteStatement updateRunBySeq;
    private readonly SqliteStatement updateRunById;
    private readonly SqliteStatement selectRuns;
    private readonly SqliteStatement pruneRunsByCount;
    private readonly SqliteStatement pruneRunsByAge;
    private readonly SqliteStatement selectRunning;
    private readonly SqliteStatement abandonRun;

    /// <summary>
    /// Runs this store recorded as Running whose end is not written yet, with their row: in progress
    /// in this process (never abandoned), and their end is written straight to the row.
    /// </summary>
    private readonly Dictionary<RunKey, long> runsInProgress = [];

    /// <summary>Run ends not written yet (see <see cref="SaveRun"/>); every write writes them first.</summary>
    private readonly List<JobRun> pendingEnds = [];

    /// <summary>Run ends written in the open transaction: back to <see cref="pendingEnds"/> if it is lost.</summary>
    private readonly List<JobRun> uncommittedEnds = [];

    /// <summary>Runs saved per job since its retention last ran.</summary>
    private readonly Dictionary<string, int> runsSinceRetention = new(StringComparer.Ordinal);

    protected internal override void SaveRun(JobRun run)
    {
        if (run is null)
        {
            throw new ArgumentNullException(nameof(run));
        }

        lock (sync)
        {
            ThrowIfDisposed();
            if (run.Outcome == JobRunOutcome.Running || attachment is null)
            {
                // A run about to start is in the file before it starts (crash safety).
                Write(() => SaveRunLocked(run), durable: run.Outcome == JobRunOutcome.Running);
                return;
            }

            // A run's end is written with the next write, at the next check or with a few hundred
            // more: a crash before that leaves the run Running, and it is abandoned (and recovered) like
            // a run the crash interrupted. Ends are what a busy scheduler writes most.
            pendingEnds.Add(run);
            if (pendingEnds.Count >= MaxPendingRunEnds)
            {
                Write(static () => true);
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

        var count = Math.Min(maxCount, options.RunHistoryLimit);
        if (count == 0)
        {
            return [];
        }

        lock (sync)
        {
            ThrowIfDisposed();
            WritePendingEndsLocked();
            var runs = new List<JobRun>(Math.Min(count, 64));
            using var reader = selectRuns.Set(0, jobId).Set(1, RetentionCutoff()).Set(2, count).Query();
            while (Next(reader))
            {
                runs.Add(ReadRun(reader));
            }

            return runs;
        }
    }

    protected override IReadOnlyList<string> GetEndedJobIdsCore(int maxCount)
    {
        lock (sync)
        {
            ThrowIfDisposed();
            WritePendingEndsLocked();
            var ids = new List<string>(Math.Min(maxCount, 256));
            using var command = connection.CreateCommand();

            // An id in ended_jobs may have been added again since (or added again and removed, which took its runs).
            command.CommandText = """
                SELECT e.job_id FROM ended_jobs e
                WHERE NOT EXISTS (SELECT 1 FROM jobs WHERE id = e.job_id)
                  AND EXISTS (SELECT 1 FROM runs WHERE job_id = e.job_id AND (outcome = 0 OR coalesce(end_time, scheduled_time) >= $cutoff))
                GROUP BY e.job_id ORDER BY max(e.seq) DESC LIMIT $max
                """;
            command.Parameters.AddWithValue("$cutoff", RetentionCutoff());
            command.Parameters.AddWithValue("$max", maxCount);
            using var reader = command.ExecuteReader();
            while (Next(reader))
            {
                ids.Add(reader.GetString(0));
            }

            return ids;
        }
    }

    /// <summary>
    /// Marks every run left Running as Abandoned, except those this store recorded and that are still
    /// in progress. Only the scheduler running on the store may do this (while it holds the file's
    /// claim no other scheduler can have a run in progress); for any other caller it does nothing.
    /// </summary>
    protected internal override IReadOnlyList<JobRun> AbandonUnfinishedRuns(string schedulerId, DateTimeOffset now)
    {
        if (schedulerId is null)
        {
            throw new ArgumentNullException(nameof(schedulerId));
        }

        lock (sync)
        {
            ThrowIfDisposed();
            if (attachment is null)
            {
                return [];
            }

            WritePendingEndsLocked();
            var left = new List<(long Seq, JobRun Run)>();
            using (var reader = selectRunning.Query())
            {
                while (Next(reader))
                {
                    var run = ReadRun(reader);
                    if (!runsInProgress.ContainsKey(run.Key))
                    {
                        left.Add((reader.GetInt64(11), run));
                    }
                }
            }

            if (left.Count == 0)
            {
                return [];
            }

            var abandoned = new List<JobRun>(left.Count);
            Write(() =>
            {
                foreach (var (seq, run) in left)
                {
                    var ended = run with
                    {
                        Outcome = JobRunOutcome.Abandoned,
                        EndTime = now,
                        Error = $"The scheduler '{run.SchedulerId}' stopped without recording how the run ended.",
                    };
                    abandonRun.Set(0, seq).Set(1, now.UtcTicks).Set(2, ended.Error).Execute();
                    abandoned.Add(ended);
                }

                return true;
            });
            return abandoned;
        }
    }

    private void PrepareRunStatements(
        out SqliteStatement insert,
        out SqliteStatement updateBySeq,
        out SqliteStatement updateById,
        out SqliteStatement select,
        out SqliteStatement pruneByCount,
        out SqliteStatement pruneByAge,
        out SqliteStatement running,
        out SqliteStatement abandon)
    {
        const string EndValues = "start_time = $start, end_time = $end, outcome = $outcome, attempt = $attempt, exit_code = $exit, output = $output, error = $error, scheduler_id = $scheduler";
        string[] parameters = ["$run", "$job", "$scheduled", "$start", "$end", "$outcome", "$attempt", "$exit", "$output", "$error", "$scheduler"];
        insert = Prepare(
            $"INSERT INTO runs ({RunColumns}) VALUES ($run, $job, $scheduled, $start, $end, $outcome, $attempt, $exit, $output, $error, $scheduler)",
            parameters);
        updateBySeq = Prepare($"UPDATE runs SET {EndValues} WHERE seq = $seq", [.. parameters, "$seq"]);

        // Runs are found by id through the job's index: a job has few runs, so no index on the id is kept up.
        updateById = Prepare($"UPDATE runs SET {EndValues} WHERE job_id = $job AND run_id = $run", parameters);
        select = Prepare(
            $"SELECT {RunColumns} FROM runs WHERE job_id = $job AND (outcome = 0 OR coalesce(end_time, scheduled_time) >= $cutoff) ORDER BY seq DESC LIMIT $max",
            "$job", "$cutoff", "$max");
        pruneByCount = Prepare(
            "DELETE FROM runs WHERE job_id = $job AND outcome <> 0 AND seq < (SELECT seq FROM runs WHERE job_id = $job ORDER BY seq DESC LIMIT 1 OFFSET $skip)",
            "$job", "$skip");
        pruneByAge = Prepare(
            "DELETE FROM runs WHERE job_id = $job AND outcome <> 0 AND coalesce(end_time, scheduled_time) < $cutoff",
            "$job", "$cutoff");
        running = Prepare($"SELECT {RunColumns}, seq FROM runs WHERE outcome = 0 ORDER BY seq");
        abandon = Prepare(
            $"UPDATE runs SET outcome = {(int)JobRunOutcome.Abandoned}, end_time = $end, error = $error WHERE seq = $seq AND outcome = 0",
            "$seq", "$end", "$error");
    }

    /// <summary>Writes a run: its end into the row of its start, or a new row (then retention may run for its job).</summary>
    /// <param name="run">The run to write.</param>
    /// <param name="isNew">The run was never written (a dispatch's runs), so no row is looked for.</param>
    private bool SaveRunLocked(JobRun run, bool isNew = false)
    {
        var limit = options.RunHistoryLimit;
        if (limit == 0)
        {
            return false;
        }

        if (!isNew && runsInProgress.TryGetValue(run.Key, out var seq))
        {
            Bind(updateRunBySeq, run).Set(11, seq).Execute();
            if (run.Outcome != JobRunOutcome.Running)
            {
                runsInProgress.Remove(run.Key);
            }

            return true;
        }

        if (!isNew && Bind(updateRunById, run).Execute() > 0)
        {
            return true;
        }

        Bind(insertRun, run).Execute();
        if (run.Outcome == JobRunOutcome.Running)
        {
            runsInProgress[run.Key] = SQLitePCL.raw.sqlite3_last_insert_rowid(connection.Handle);
        }

        runsSinceRetention.TryGetValue(run.JobId, out var since);
        if (++since < Math.Max(1, limit / RetentionDivisor))
        {
            runsSinceRetention[run.JobId] = since;
            return true;
        }

        runsSinceRetention.Remove(run.JobId);
        pruneRunsByCount.Set(0, run.JobId).Set(1, (long)(limit - 1)).Execute();
        if (options.RunHistoryMaxAge is not null)
        {
            pruneRunsByAge.Set(0, run.JobId).Set(1, RetentionCutoff()).Execute();
        }

        return true;
    }

    private static SqliteStatement Bind(SqliteStatement statement, JobRun run)
        => statement
            .Set(0, run.RunId)
            .Set(1, run.JobId)
            .Set(2, run.ScheduledTime.UtcTicks)
            .Set(3, run.StartTime?.UtcTicks)
            .Set(4, run.EndTime?.UtcTicks)
            .Set(5, (long)run.Outcome)
            .Set(6, (long)run.Attempt)
            .Set(7, run.ExitCode is { } exit ? (long?)exit : null)
            .Set(8, JobRun.Bounded(run.Output))
            .Set(9, JobRun.Bounded(run.Error))
            .Set(10, run.SchedulerId);

    /// <summary>Writes the run ends kept in memory, if any.</summary>
    private void WritePendingEndsLocked()
    {
        if (pendingEnds.Count > 0)
        {
            Write(static () => true);
        }
    }

    /// <summary>
    /// Inside a write: the run ends kept in memory go first. Those not written when a statement fails stay
    /// in memory, and those written go back to it if the transaction is lost before its commit.
    /// </summary>
    private void SavePendingEndsLocked()
    {
        if (pendingEnds.Count == 0)
        {
            return;
        }

        var ends = pendingEnds.ToArray();
        pendingEnds.Clear();
        var written = 0;
        try
        {
            for (; written < ends.Length; written++)
            {
                SaveRunLocked(ends[written]);
                uncommittedEnds.Add(ends[written]);
            }
        }
        catch
        {
            pendingEnds.InsertRange(0, ends.Skip(written));
            throw;
        }
    }

    /// <summary>Runs that ended before this (UTC ticks) are past the retention age.</summary>
    private long RetentionCutoff()
    {
        if (options.RunHistoryMaxAge is not { } age)
        {
            return long.MinValue;
        }

        var now = Clock.GetUtcNow().UtcTicks;
        return now - Math.Min(now, age.Ticks);
    }

    private static JobRun ReadRun(SqliteDataReader reader) => StoredRows.ReadRun(reader);
}
