using Microsoft.Data.Sqlite;
using Scheduler.Jobs;

namespace Scheduler.Stores;

/// <summary>Run history: recording runs, reading them, retention, and abandoning runs a dead scheduler left.</summary>
internal sealed partial class SqliteJobStore
{
    private const string RunColumns = "run_id, job_id, scheduled_time, start_time, end_time, outcome, attempt, exit_code, output, error, scheduler_id";

    // Retention for a job runs every this many saved runs of it (at least once per quarter of the
    // limit): the history may briefly hold a few runs more than the limit, and reading caps it.
    private const int RetentionDivisor = 4;

    private readonly SqliteStatement upsertRun;
    private readonly SqliteStatement selectRuns;
    private readonly SqliteStatement pruneRunsByCount;
    private readonly SqliteStatement pruneRunsByAge;
    private readonly SqliteStatement selectRunning;
    private readonly SqliteStatement abandonRun;

    /// <summary>Runs this store recorded as Running that have not ended: in progress in this process, never abandoned.</summary>
    private readonly HashSet<string> runsInProgress = new(StringComparer.Ordinal);

    /// <summary>Runs saved per job since its retention last ran.</summary>
    private readonly Dictionary<string, int> runsSinceRetention = new(StringComparer.Ordinal);

    public override void SaveRun(JobRun run)
    {
        if (run is null)
        {
            throw new ArgumentNullException(nameof(run));
        }

        lock (sync)
        {
            ThrowIfDisposed();
            SaveRunLocked(run);
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
            var runs = new List<JobRun>(Math.Min(count, 64));
            using var reader = selectRuns.Set(0, jobId).Set(1, RetentionCutoff()).Set(2, count).Query();
            while (reader.Read())
            {
                runs.Add(ReadRun(reader));
            }

            return runs;
        }
    }

    /// <summary>
    /// Marks every run left Running as Abandoned, except those this store recorded and that are still
    /// in progress. Only the scheduler running on the store may do this (while it holds the file's
    /// claim no other scheduler can have a run in progress); for any other caller it does nothing.
    /// </summary>
    public override IReadOnlyList<JobRun> AbandonUnfinishedRuns(string schedulerId, DateTimeOffset now)
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

            var left = new List<JobRun>();
            using (var reader = selectRunning.Query())
            {
                while (reader.Read())
                {
                    var run = ReadRun(reader);
                    if (!runsInProgress.Contains(run.RunId))
                    {
                        left.Add(run);
                    }
                }
            }

            if (left.Count == 0)
            {
                return [];
            }

            var abandoned = new List<JobRun>(left.Count);
            InTransaction(() =>
            {
                foreach (var run in left)
                {
                    var ended = run with
                    {
                        Outcome = JobRunOutcome.Abandoned,
                        EndTime = now,
                        Error = $"The scheduler '{run.SchedulerId}' stopped without recording how the run ended.",
                    };
                    abandonRun.Set(0, run.RunId).Set(1, now.UtcTicks).Set(2, ended.Error).Execute();
                    abandoned.Add(ended);
                }

                return true;
            });
            return abandoned;
        }
    }

    private void PrepareRunStatements(
        out SqliteStatement upsert,
        out SqliteStatement select,
        out SqliteStatement pruneByCount,
        out SqliteStatement pruneByAge,
        out SqliteStatement running,
        out SqliteStatement abandon)
    {
        upsert = Prepare(
            $"""
            INSERT INTO runs ({RunColumns}) VALUES ($run, $job, $scheduled, $start, $end, $outcome, $attempt, $exit, $output, $error, $scheduler)
            ON CONFLICT (run_id) DO UPDATE SET start_time = excluded.start_time, end_time = excluded.end_time, outcome = excluded.outcome,
                attempt = excluded.attempt, exit_code = excluded.exit_code, output = excluded.output, error = excluded.error, scheduler_id = excluded.scheduler_id
            """,
            "$run", "$job", "$scheduled", "$start", "$end", "$outcome", "$attempt", "$exit", "$output", "$error", "$scheduler");
        select = Prepare(
            $"SELECT {RunColumns} FROM runs WHERE job_id = $job AND (outcome = 0 OR coalesce(end_time, scheduled_time) >= $cutoff) ORDER BY seq DESC LIMIT $max",
            "$job", "$cutoff", "$max");
        pruneByCount = Prepare(
            "DELETE FROM runs WHERE job_id = $job AND outcome <> 0 AND seq < (SELECT seq FROM runs WHERE job_id = $job ORDER BY seq DESC LIMIT 1 OFFSET $skip)",
            "$job", "$skip");
        pruneByAge = Prepare(
            "DELETE FROM runs WHERE job_id = $job AND outcome <> 0 AND coalesce(end_time, scheduled_time) < $cutoff",
            "$job", "$cutoff");
        running = Prepare($"SELECT {RunColumns} FROM runs WHERE outcome = 0 ORDER BY seq");
        abandon = Prepare(
            $"UPDATE runs SET outcome = {(int)JobRunOutcome.Abandoned}, end_time = $end, error = $error WHERE run_id = $run AND outcome = 0",
            "$run", "$end", "$error");
    }

    private void SaveRunLocked(JobRun run)
    {
        var limit = options.RunHistoryLimit;
        if (limit == 0)
        {
            return;
        }

        upsertRun
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
            .Set(10, run.SchedulerId)
            .Execute();

        if (run.Outcome == JobRunOutcome.Running)
        {
            runsInProgress.Add(run.RunId);
        }
        else
        {
            runsInProgress.Remove(run.RunId);
        }

        runsSinceRetention.TryGetValue(run.JobId, out var since);
        if (++since < Math.Max(1, limit / RetentionDivisor))
        {
            runsSinceRetention[run.JobId] = since;
            return;
        }

        runsSinceRetention.Remove(run.JobId);
        pruneRunsByCount.Set(0, run.JobId).Set(1, (long)(limit - 1)).Execute();
        if (options.RunHistoryMaxAge is not null)
        {
            pruneRunsByAge.Set(0, run.JobId).Set(1, RetentionCutoff()).Execute();
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

    private static JobRun ReadRun(SqliteDataReader reader)
    {
        return new JobRun(
            reader.GetString(0),
            reader.GetString(1),
            FromTicks(reader.GetInt64(2)),
            (JobRunOutcome)reader.GetInt32(5),
            reader.GetInt32(6),
            reader.IsDBNull(10) ? null : reader.GetString(10))
        {
            StartTime = reader.IsDBNull(3) ? null : FromTicks(reader.GetInt64(3)),
            EndTime = reader.IsDBNull(4) ? null : FromTicks(reader.GetInt64(4)),
            ExitCode = reader.IsDBNull(7) ? null : reader.GetInt32(7),
            Output = reader.IsDBNull(8) ? null : reader.GetString(8),
            Error = reader.IsDBNull(9) ? null : reader.GetString(9),
        };
    }
}
