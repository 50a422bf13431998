using Npgsql;
using NpgsqlTypes;
using Scheduler.Jobs;

namespace Scheduler.Stores;

/// <summary>
/// Run history: recording runs under the node's fencing token, writing run ends in batches, reading
/// history, counting runs in progress across the cluster, and cancel requests between nodes.
/// </summary>
internal sealed partial class PostgresJobStore
{
    // Run ends are written together, at most this long after the first of them.
    private static readonly TimeSpan EndFlushDelay = TimeSpan.FromMilliseconds(50);

    private const int MaxPendingEnds = 512;

    private static readonly TimeSpan EndRetryDelay = TimeSpan.FromSeconds(1);

    private readonly object endsSync = new();
    private readonly List<JobRun> pendingEnds = [];
    private ITimer? endFlushTimer;

    // The fencing token each run this store committed was committed under, until it ends.
    private readonly Dictionary<string, long> runFences = new(StringComparer.Ordinal);

    // Committed runs MayStart refused (the lease had lapsed, or could not be renewed), until their end is written.
    private readonly HashSet<string> refusedRuns = new(StringComparer.Ordinal);

    // The token of a run that was never committed (its recovery had passed to another node): it matches
    // no row and no node, so the run does not start and its end is not recorded.
    private const long NeverCommitted = long.MaxValue;

    // Abandoned runs in this node's care, by fire time, until the run started again for one is recorded
    // (which releases it in the same statement) or the scheduler has handled them.
    private readonly Dictionary<(string JobId, long Scheduled), (string RunId, long Fence)> recoveries = [];

    // Handled abandoned runs whose release the next heartbeat writes.
    private readonly List<(string RunId, long Fence)> handledRecoveries = [];

    protected internal override void SaveRun(JobRun run)
    {
        if (run is null)
        {
            throw new ArgumentNullException(nameof(run));
        }

        ThrowIfDisposed();
        if (run.Outcome == JobRunOutcome.Running)
        {
            // A run about to start is in the store before it starts (crash safety).
            var fence = CurrentFence;
            var recovering = TakeRecovery(run);
            using (var connection = Open())
            using (var batch = new NpgsqlBatch(connection))
            {
                AddInsertRun(batch, run, fence, recovering);
                ExecuteBatch(batch);
                if (recovering is { } care && batch.BatchCommands[0].RecordsAffected == 0)
                {
                    // Another node took the recovery over while this one was away: it runs the fire time.
                    fence = NeverCommitted;
                    ReportRecoveryPassedOn(connection, run, care);
                }
            }

            RememberFence([run], fence);
            return;
        }

        bool flushNow;
        lock (endsSync)
        {
            pendingEnds.Add(run);
            flushNow = pendingEnds.Count >= MaxPendingEnds;
            if (!flushNow && pendingEnds.Count == 1)
            {
                endFlushTimer ??= Clock.CreateTimer(static state => ((PostgresJobStore)state!).FlushEndsQuietly(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                endFlushTimer.Change(EndFlushDelay, Timeout.InfiniteTimeSpan);
            }
        }

        if (flushNow)
        {
            FlushEnds();
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

        FlushEnds();
        var runs = new List<JobRun>(Math.Min(count, 64));
        using var connection = Open();
        using var command = Command(connection, $"""SELECT {StoredRows.RunColumns} FROM "{s}".runs WHERE job_id = @id ORDER BY seq DESC LIMIT @max""");
        command.Parameters.AddWithValue("id", jobId);
        command.Parameters.AddWithValue("max", count);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            runs.Add(StoredRows.ReadRun(reader));
        }

        return runs;
    }

    protected override IReadOnlyList<string> GetEndedJobIdsCore(int maxCount)
    {
        FlushEnds();
        var ids = new List<string>(Math.Min(maxCount, 256));
        using var connection = Open();

        // An id in ended_jobs may have been added again since (or added again and removed, which took its runs).
        using var command = Command(
            connection,
            $"""
            SELECT e.job_id FROM "{s}".ended_jobs e
            WHERE NOT EXISTS (SELECT 1 FROM "{s}".jobs WHERE id = e.job_id)
              AND EXISTS (SELECT 1 FROM "{s}".runs WHERE job_id = e.job_id)
            GROUP BY e.job_id ORDER BY max(e.seq) DESC LIMIT @max
            """);
        command.Parameters.AddWithValue("max", maxCount);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }

    /// <remarks>
    /// At start: every run left Running by a scheduler that is not a live node with the token the run was
    /// committed under — dead, gone, or this scheduler's own earlier life. Runs of live nodes are theirs.
    /// </remarks>
    protected internal override IReadOnlyList<JobRun> AbandonUnfinishedRuns(string schedulerId, DateTimeOffset now)
    {
        using var connection = Open();
        return AbandonDead(connection, now);
    }

    /// <summary>The runs this store object recorded as started and has not seen end: in progress in this process, never abandoned by it.</summary>
    private string[] RunsInProgressHere()
    {
        lock (runFences)
        {
            return [.. runFences.Keys];
        }
    }

    protected internal override IReadOnlyDictionary<string, int>? CountRunningElsewhere(IReadOnlyList<Job> jobs, string schedulerId)
    {
        if (jobs is null)
        {
            throw new ArgumentNullException(nameof(jobs));
        }

        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        if (jobs.Count == 0)
        {
            return counts;
        }

        using var connection = Open();
        using var command = Command(
            connection,
            $"""
            SELECT r.job_id, count(*)::integer FROM "{s}".runs r
            JOIN "{s}".nodes n ON n.scheduler_id = r.scheduler_id AND n.fence = r.fence AND n.lease_until >= "{s}".now_ticks()
            WHERE r.outcome = 0 AND r.job_id = ANY(@ids) AND r.scheduler_id <> @me
            GROUP BY r.job_id
            """);
        command.Parameters.AddWithValue("ids", jobs.Select(j => j.Id).ToArray());
        command.Parameters.AddWithValue("me", schedulerId);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            counts[reader.GetString(0)] = reader.GetInt32(1);
        }

        return counts;
    }

    protected internal override bool CancelElsewhere(string jobId, string schedulerId)
    {
        var asked = false;
        WriteChange(connection =>
        {
            using var command = Command(
                connection,
                $"""
                INSERT INTO "{s}".cancel_requests (run_id, scheduler_id, requested_time)
                SELECT run_id, scheduler_id, "{s}".now_ticks() FROM "{s}".runs
                WHERE job_id = @job AND outcome = 0 AND scheduler_id <> @me ORDER BY seq LIMIT 1
                ON CONFLICT (run_id) DO NOTHING
                """);
            command.Parameters.AddWithValue("job", jobId);
            command.Parameters.AddWithValue("me", schedulerId);
            asked = command.ExecuteNonQuery() > 0;
        });
        return asked;
    }

    protected internal override IReadOnlyList<string> TakeCancelRequests()
    {
        if (attachment is not { } current)
        {
            return [];
        }

        using var connection = Open();
        using var command = Command(connection, $"""DELETE FROM "{s}".cancel_requests WHERE scheduler_id = @me RETURNING run_id""");
        command.Parameters.AddWithValue("me", current.SchedulerId);
        var ids = new List<string>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }

    /// <summary>Writes the run ends saved so far, each only if this node still owns its run.</summary>
    internal void FlushEnds()
    {
        List<JobRun> ends;
        lock (endsSync)
        {
            if (pendingEnds.Count == 0)
            {
                return;
            }

            ends = [.. pendingEnds];
            pendingEnds.Clear();
        }

        var me = ClaimOwner;
        long[] fences;
        var refused = new List<(JobRun Run, long Fence)>();
        lock (runFences)
        {
            if (refusedRuns.Count > 0)
            {
                ends.RemoveAll(run =>
                {
                    if (!refusedRuns.Contains(run.RunId) || !runFences.TryGetValue(run.RunId, out var fence))
                    {
                        return false;
                    }

                    refused.Add((run, fence));
                    return true;
                });
            }

            fences = ends.Select(run => runFences.TryGetValue(run.RunId, out var fence) ? fence : -1).ToArray();
        }

        if (refused.Count > 0)
        {
            try
            {
                HandOverRefused(refused);
            }
            catch (Exception error) when (error is NpgsqlException or InvalidOperationException or TimeoutException)
            {
                // The refused ones wait under the tokens they were committed with, as the others do.
                RetryLater(refused.Select(r => r.Run).Concat(ends));
                throw;
            }
        }

        if (ends.Count == 0)
        {
            return;
        }

        // The fenced ends in one statement, when no run ends twice in this flush (each end must see the
        // one before it): a statement per row costs the server a parse and a plan each.
        var fenced = Enumerable.Range(0, ends.Count).Where(i => fences[i] >= 0).ToList();
        var together = fenced.Count > 1 && fenced.Select(i => ends[i].RunId).Distinct(StringComparer.Ordinal).Count() == fenced.Count;
        using var connection = Open();
        using var batch = new NpgsqlBatch(connection);
        var commandOf = new int[ends.Count];
        if (together)
        {
            AddFencedEnds(batch, fenced.Select(i => ends[i]).ToList(), fenced.Select(i => fences[i]).ToArray());
        }

        for (var i = 0; i < ends.Count; i++)
        {
            var run = ends[i];
            if (fences[i] >= 0)
            {
                if (together)
                {
                    continue;
                }

                // Fencing: the end is recorded only while the run is this node's, under the token it started with.
                commandOf[i] = batch.BatchCommands.Count;
                var update = Batch(
                    batch,
                    $"""
                    UPDATE "{s}".runs SET start_time = @start, end_time = @end, outcome = @outcome, output = @output, error = @error, exit_code = @exit
                    WHERE run_id = @run AND outcome = 0 AND fence = @fence
                    """);
                BindEnd(update, run);
                update.Parameters.AddWithValue("fence", fences[i]);
            }
            else
            {
                // Decided without running (skipped, missed, cancelled before it started): recorded as it is.
                var upsert = Batch(
                    batch,
                    $"""
                    INSERT INTO "{s}".runs (run_id, job_id, scheduled_time, start_time, end_time, outcome, attempt, exit_code, output, error, scheduler_id, fence)
                    VALUES (@run, @job, @scheduled, @start, @end, @outcome, @attempt, @exit, @output, @error, @me, 0)
                    ON CONFLICT (run_id) DO UPDATE SET start_time = excluded.start_time, end_time = excluded.end_time, outcome = excluded.outcome,
                        output = excluded.output, error = excluded.error, exit_code = excluded.exit_code
                    WHERE "{s}".runs.outcome = 0 AND "{s}".runs.fence = 0
                    """);
                BindEnd(upsert, run);
                upsert.Parameters.AddWithValue("job", run.JobId);
                upsert.Parameters.AddWithValue("scheduled", run.ScheduledTime.UtcTicks);
                upsert.Parameters.AddWithValue("attempt", run.Attempt);
                upsert.Parameters.AddWithValue("me", me);
            }
        }

        var recorded = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            using var reader = batch.ExecuteReader();
            if (together)
            {
                while (reader.Read())
                {
                    recorded.Add(reader.GetString(0));
                }
            }

            while (reader.NextResult())
            {
            }
        }
        catch (Exception error) when (error is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            RetryLater(ends);
            throw;
        }

        var dropped = new List<JobRun>();
        foreach (var i in fenced)
        {
            if (together ? !recorded.Contains(ends[i].RunId) : batch.BatchCommands[commandOf[i]].RecordsAffected == 0)
            {
                dropped.Add(ends[i]);
            }
        }

        lock (runFences)
        {
            foreach (var run in ends)
            {
                runFences.Remove(run.RunId);
            }
        }

        if (dropped.Count > 0)
        {
            ReportDroppedEnds(dropped);
        }
    }

    /// <summary>
    /// Records the runs this node committed but did not start (<see cref="MayStart"/> refused them) as
    /// Abandoned in its own recovery care, and hands them to its scheduler, which runs the fire time again
    /// for jobs with Recover. Closed like any other end, such a run would leave its fire time with an
    /// Abandoned run that nobody recovers, since no node died. A run another node abandoned first is that
    /// node's to recover; should this node die before the re-run, its care passes on as any other.
    /// </summary>
    private void HandOverRefused(List<(JobRun Run, long Fence)> refused)
    {
        var care = CurrentFence;
        var handedOver = new List<JobRun>(refused.Count);
        using (var connection = Open())
        {
            using var command = Command(
                connection,
                $"""
                UPDATE "{s}".runs r SET end_time = e.ended, outcome = {(int)JobRunOutcome.Abandoned}, error = e.why, recovering_by = @me, recovering_fence = @care
                FROM unnest(@run, @end, @error, @fence) AS e(id, ended, why, token)
                WHERE r.run_id = e.id AND r.outcome = 0 AND r.fence = e.token
                RETURNING {StoredRows.RunColumns}
                """);
            command.Parameters.Add(new NpgsqlParameter("run", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = refused.Select(r => r.Run.RunId).ToArray() });
            command.Parameters.Add(new NpgsqlParameter("end", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = refused.Select(r => r.Run.EndTime?.UtcTicks).ToArray() });
            command.Parameters.Add(new NpgsqlParameter("error", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = refused.Select(r => r.Run.Error).ToArray() });
            command.Parameters.Add(new NpgsqlParameter("fence", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = refused.Select(r => r.Fence).ToArray() });
            command.Parameters.AddWithValue("me", ClaimOwner);
            command.Parameters.AddWithValue("care", care);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                handedOver.Add(StoredRows.ReadRun(reader));
            }
        }

        lock (runFences)
        {
            foreach (var (run, _) in refused)
            {
                runFences.Remove(run.RunId);
                refusedRuns.Remove(run.RunId);
            }
        }

        TakeIntoCare(handedOver, care);
        HandToScheduler(handedOver);
    }

    /// <summary>
    /// Puts ends the server did not take (it was away) back for the next flush instead of losing them:
    /// fenced as before, so a node that lost its runs meanwhile still records nothing of them.
    /// </summary>
    private void RetryLater(IEnumerable<JobRun> ends)
    {
        lock (endsSync)
        {
            pendingEnds.InsertRange(0, ends);
            endFlushTimer?.Change(EndRetryDelay, Timeout.InfiniteTimeSpan);
        }
    }

    private void FlushEndsQuietly()
    {
        try
        {
            FlushEnds();
        }
#pragma warning disable CA1031 // A timer callback that throws would end the process; ends the server refused wait for the next flush.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    /// <summary>Says why a run started again for an abandoned run does not run: who cares for the abandoned run now.</summary>
    private void ReportRecoveryPassedOn(NpgsqlConnection connection, JobRun run, (string RunId, long Fence) care)
    {
        using var command = Command(connection, $"""SELECT recovering_by, recovering_fence FROM "{s}".runs WHERE run_id = @run""");
        command.Parameters.AddWithValue("run", care.RunId);
        using var reader = command.ExecuteReader();
        var now = !reader.Read() ? "the abandoned run is no longer in the store"
            : reader.IsDBNull(0) ? "the abandoned run was already run again or reported"
            : $"the scheduler '{reader.GetString(0)}' (token {(reader.IsDBNull(1) ? "none" : reader.GetInt64(1).ToString(System.Globalization.CultureInfo.InvariantCulture))}) cares for it now";
        OnErrorOccurred($"The run '{run.RunId}' of the job '{run.JobId}' is not started: it was to run the abandoned run '{care.RunId}' again under this node's care (token {care.Fence}), but {now}.");
    }

    /// <summary>
    /// Adds the insert of a new run, under a fencing token, to a batch. A run started again for an abandoned
    /// run in this node's care releases it in the same statement, and only while it is still in this
    /// node's care: a fire time is recovered once, however often the nodes recovering it die.
    /// </summary>
    private void AddInsertRun(NpgsqlBatch batch, JobRun run, long fence, (string RunId, long Fence)? recovering = null)
    {
        const string Columns = "run_id, job_id, scheduled_time, start_time, end_time, outcome, attempt, exit_code, output, error, scheduler_id, fence";
        const string Values = "@run, @job, @scheduled, @start, @end, @outcome, @attempt, @exit, @output, @error, @me, @fence";
        var insert = Batch(
            batch,
            recovering is null
                ? $"""INSERT INTO "{s}".runs ({Columns}) VALUES ({Values})"""
                : $"""
                  WITH released AS (
                      UPDATE "{s}".runs SET recovering_by = NULL, recovering_fence = NULL
                      WHERE run_id = @abandoned AND recovering_by = @me AND recovering_fence = @care RETURNING 1)
                  INSERT INTO "{s}".runs ({Columns}) SELECT {Values} WHERE EXISTS (SELECT 1 FROM released)
                  """);
        if (recovering is { } care)
        {
            insert.Parameters.AddWithValue("abandoned", care.RunId);
            insert.Parameters.AddWithValue("care", care.Fence);
        }

        BindEnd(insert, run);
        insert.Parameters.AddWithValue("job", run.JobId);
        insert.Parameters.AddWithValue("scheduled", run.ScheduledTime.UtcTicks);
        insert.Parameters.AddWithValue("attempt", run.Attempt);
        insert.Parameters.AddWithValue("me", (object?)run.SchedulerId ?? ClaimOwner);
        insert.Parameters.AddWithValue("fence", fence);
    }

    /// <summary>Records run ends in one statement, each only under the token its run started with; the statement returns the ids it recorded.</summary>
    private void AddFencedEnds(NpgsqlBatch batch, List<JobRun> runs, long[] fences)
    {
        var update = Batch(
            batch,
            $"""
            UPDATE "{s}".runs r SET start_time = e.start_time, end_time = e.end_time, outcome = e.outcome, output = e.output, error = e.error, exit_code = e.exit_code
            FROM unnest(@run, @start, @end, @outcome, @output, @error, @exit, @fence) AS e(run_id, start_time, end_time, outcome, output, error, exit_code, fence)
            WHERE r.run_id = e.run_id AND r.outcome = 0 AND r.fence = e.fence
            RETURNING r.run_id
            """);
        update.Parameters.Add(new NpgsqlParameter("run", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = runs.Select(r => r.RunId).ToArray() });
        update.Parameters.Add(new NpgsqlParameter("start", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = runs.Select(r => r.StartTime?.UtcTicks).ToArray() });
        update.Parameters.Add(new NpgsqlParameter("end", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = runs.Select(r => r.EndTime?.UtcTicks).ToArray() });
        update.Parameters.Add(new NpgsqlParameter("outcome", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = runs.Select(r => (int)r.Outcome).ToArray() });
        update.Parameters.Add(new NpgsqlParameter("output", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = runs.Select(r => r.Output).ToArray() });
        update.Parameters.Add(new NpgsqlParameter("error", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = runs.Select(r => r.Error).ToArray() });
        update.Parameters.Add(new NpgsqlParameter("exit", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = runs.Select(r => r.ExitCode).ToArray() });
        update.Parameters.Add(new NpgsqlParameter("fence", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = fences });
    }

    /// <summary>Inserts the runs a dispatch starts, in one statement.</summary>
    private void AddInsertRuns(NpgsqlBatch batch, List<JobRun> runs, long fence)
    {
        var insert = Batch(
            batch,
            $"""
            INSERT INTO "{s}".runs (run_id, job_id, scheduled_time, start_time, end_time, outcome, attempt, exit_code, output, error, scheduler_id, fence)
            SELECT r.run_id, r.job_id, r.scheduled_time, r.start_time, r.end_time, r.outcome, r.attempt, r.exit_code, r.output, r.error, r.scheduler_id, @fence
            FROM unnest(@run, @job, @scheduled, @start, @end, @outcome, @attempt, @exit, @output, @error, @me)
                AS r(run_id, job_id, scheduled_time, start_time, end_time, outcome, attempt, exit_code, output, error, scheduler_id)
            """);
        var count = runs.Count;
        var runIds = new string[count];
        var jobIds = new string[count];
        var scheduled = new long[count];
        var starts = new long?[count];
        var ends = new long?[count];
        var outcomes = new int[count];
        var attempts = new int[count];
        var exits = new int?[count];
        var outputs = new string?[count];
        var errors = new string?[count];
        var owners = new string[count];
        for (var i = 0; i < count; i++)
        {
            var run = runs[i];
            runIds[i] = run.RunId;
            jobIds[i] = run.JobId;
            scheduled[i] = run.ScheduledTime.UtcTicks;
            starts[i] = run.StartTime?.UtcTicks;
            ends[i] = run.EndTime?.UtcTicks;
            outcomes[i] = (int)run.Outcome;
            attempts[i] = run.Attempt;
            exits[i] = run.ExitCode;
            outputs[i] = run.Output;
            errors[i] = run.Error;
            owners[i] = run.SchedulerId ?? ClaimOwner;
        }

        insert.Parameters.Add(new NpgsqlParameter("run", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = runIds });
        insert.Parameters.Add(new NpgsqlParameter("job", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = jobIds });
        insert.Parameters.Add(new NpgsqlParameter("scheduled", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = scheduled });
        insert.Parameters.Add(new NpgsqlParameter("start", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = starts });
        insert.Parameters.Add(new NpgsqlParameter("end", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = ends });
        insert.Parameters.Add(new NpgsqlParameter("outcome", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = outcomes });
        insert.Parameters.Add(new NpgsqlParameter("attempt", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = attempts });
        insert.Parameters.Add(new NpgsqlParameter("exit", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = exits });
        insert.Parameters.Add(new NpgsqlParameter("output", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = outputs });
        insert.Parameters.Add(new NpgsqlParameter("error", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = errors });
        insert.Parameters.Add(new NpgsqlParameter("me", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = owners });
        insert.Parameters.AddWithValue("fence", fence);
    }

    /// <summary>Notes the token the runs were committed under, for <see cref="MayStart"/> and the end's fencing.</summary>
    private void RememberFence(IEnumerable<JobRun> runs, long fence)
    {
        lock (runFences)
        {
            foreach (var run in runs)
            {
                if (run.Outcome == JobRunOutcome.Running)
                {
                    runFences[run.RunId] = fence;
                }
            }
        }
    }

    private static void BindEnd(NpgsqlBatchCommand command, JobRun run)
    {
        command.Parameters.AddWithValue("run", run.RunId);
        command.Parameters.Add(new NpgsqlParameter("start", NpgsqlDbType.Bigint) { Value = TicksOrNull(run.StartTime) });
        command.Parameters.Add(new NpgsqlParameter("end", NpgsqlDbType.Bigint) { Value = TicksOrNull(run.EndTime) });
        command.Parameters.AddWithValue("outcome", (int)run.Outcome);
        command.Parameters.Add(new NpgsqlParameter("output", NpgsqlDbType.Text) { Value = (object?)run.Output ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("error", NpgsqlDbType.Text) { Value = (object?)run.Error ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("exit", NpgsqlDbType.Integer) { Value = run.ExitCode is { } exitCode ? exitCode : DBNull.Value });
    }

    /// <summary>
    /// Marks Abandoned every run left Running by a scheduler that is not a live node holding the token
    /// the run was committed under, and removes expired nodes. One statement: under concurrent nodes each
    /// run is abandoned, and returned, once.
    /// </summary>
    /// <remarks>
    /// The runs taken are in this node's care (recovering_by) until it has re-run or reported them; the
    /// care of a node that died before that passes to the next node that looks, so a recovery is never
    /// lost between the takeover and the re-run.
    /// </remarks>
    private List<JobRun> AbandonDead(NpgsqlConnection connection, DateTimeOffset now)
    {
        var me = ClaimOwner;
        var fence = CurrentFence;
        using var command = Command(
            connection,
            $"""
            WITH dead AS (DELETE FROM "{s}".nodes WHERE lease_until < "{s}".now_ticks() RETURNING scheduler_id),
            abandoned AS (
                UPDATE "{s}".runs r SET outcome = {(int)JobRunOutcome.Abandoned}, end_time = @now, recovering_by = @me, recovering_fence = @fence
                WHERE r.outcome = 0 AND NOT (r.run_id = ANY(@here))
                  AND NOT EXISTS (SELECT 1 FROM "{s}".nodes n
                                  WHERE n.scheduler_id = r.scheduler_id AND n.fence = r.fence AND n.lease_until >= "{s}".now_ticks())
                RETURNING {StoredRows.RunColumns}),
            orphaned AS (
                UPDATE "{s}".runs r SET recovering_by = @me, recovering_fence = @fence
                WHERE r.recovering_by IS NOT NULL AND NOT (r.recovering_by = @me AND r.recovering_fence = @fence)
                  AND NOT EXISTS (SELECT 1 FROM "{s}".nodes n
                                  WHERE n.scheduler_id = r.recovering_by AND n.fence = r.recovering_fence AND n.lease_until >= "{s}".now_ticks())
                RETURNING {StoredRows.RunColumns})
            SELECT * FROM abandoned UNION ALL SELECT * FROM orphaned
            """);
        command.Parameters.AddWithValue("now", now.UtcTicks);
        command.Parameters.AddWithValue("here", RunsInProgressHere());
        command.Parameters.AddWithValue("me", me);
        command.Parameters.AddWithValue("fence", fence);
        var abandoned = new List<JobRun>();
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                abandoned.Add(StoredRows.ReadRun(reader));
            }
        }

        TakeIntoCare(abandoned, fence);
        return abandoned;
    }

    /// <summary>Notes abandoned runs the store just put in this node's care under <paramref name="fence"/>, for the re-run that releases each.</summary>
    private void TakeIntoCare(List<JobRun> runs, long fence)
    {
        lock (recoveries)
        {
            foreach (var run in runs)
            {
                recoveries[(run.JobId, run.ScheduledTime.UtcTicks)] = (run.RunId, fence);
            }
        }
    }

    /// <summary>Hands abandoned runs in this node's care to its scheduler (<see cref="TakeAbandonedRuns"/>), and wakes it.</summary>
    private void HandToScheduler(List<JobRun> runs)
    {
        if (runs.Count == 0)
        {
            return;
        }

        lock (takenOver)
        {
            takenOver.AddRange(runs);
        }

        OnChanged();
    }

    /// <summary>The abandoned run in this node's care that <paramref name="run"/> starts again, taken out of the care list; null for any other run.</summary>
    private (string RunId, long Fence)? TakeRecovery(JobRun run)
    {
        lock (recoveries)
        {
            var key = (run.JobId, run.ScheduledTime.UtcTicks);
            if (recoveries.Count == 0 || !recoveries.TryGetValue(key, out var care))
            {
                return null;
            }

            recoveries.Remove(key);
            return care;
        }
    }

    protected internal override void AbandonedRunsHandled(IReadOnlyList<JobRun> runs)
    {
        if (runs is null)
        {
            throw new ArgumentNullException(nameof(runs));
        }

        lock (recoveries)
        {
            foreach (var run in runs)
            {
                var key = (run.JobId, run.ScheduledTime.UtcTicks);
                if (recoveries.TryGetValue(key, out var care) && care.RunId == run.RunId)
                {
                    recoveries.Remove(key);
                    handledRecoveries.Add(care);
                }
            }
        }
    }

    /// <summary>
    /// Ends this node's care of the abandoned runs its scheduler reported without re-running (at the
    /// heartbeat, off the scheduler's lock). Should the node die first, another reports them again.
    /// </summary>
    private void ReleaseHandledRecoveries(NpgsqlConnection connection, Attachment current)
    {
        (string RunId, long Fence)[] handled;
        lock (recoveries)
        {
            if (handledRecoveries.Count == 0)
            {
                return;
            }

            handled = [.. handledRecoveries];
            handledRecoveries.Clear();
        }

        using var command = Command(
            connection,
            $"""
            UPDATE "{s}".runs r SET recovering_by = NULL, recovering_fence = NULL
            FROM unnest(@ids, @fences) AS h(run_id, fence)
            WHERE r.run_id = h.run_id AND r.recovering_by = @me AND r.recovering_fence = h.fence
            """);
        command.Parameters.AddWithValue("ids", handled.Select(h => h.RunId).ToArray());
        command.Parameters.AddWithValue("fences", handled.Select(h => h.Fence).ToArray());
        command.Parameters.AddWithValue("me", current.SchedulerId);
        command.ExecuteNonQuery();
    }
}
