using System.Diagnostics;
using Npgsql;
using NpgsqlTypes;
using Scheduler.Events;
using Scheduler.Internal;
using Scheduler.Jobs;

namespace Scheduler.Stores;

/// <summary>
/// What a running scheduler adds: its node row and lease, the heartbeat that renews it and takes over
/// dead nodes' runs, notifications and polling for changes made by others, run-now requests, and its
/// events written to the store for other processes to read.
/// </summary>
internal sealed partial class PostgresJobStore
{
    private const int EventBatchSize = 1000;

    private static readonly TimeSpan MaintenanceInterval = TimeSpan.FromMinutes(1);

    private static readonly TimeSpan ListenRetryDelay = TimeSpan.FromSeconds(1);

    private Attachment? attachment;

    // Runs of dead nodes this node took over, for its scheduler to report and recover.
    private readonly List<JobRun> takenOver = [];

    /// <summary>The fencing token of this node: the attached scheduler's, else 0.</summary>
    private long CurrentFence => attachment?.Fence ?? 0;

    /// <exception cref="InvalidOperationException">A live node with the same scheduler id runs on the store.</exception>
    protected internal override void AttachScheduler(string schedulerId, TimeProvider timeProvider, EventLog events)
    {
        if (schedulerId is null)
        {
            throw new ArgumentNullException(nameof(schedulerId));
        }

        if (events is null)
        {
            throw new ArgumentNullException(nameof(events));
        }

        var clock = fixedClock ?? timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
        lock (sync)
        {
            ThrowIfDisposed();
            if (attachment is not null)
            {
                throw new InvalidOperationException($"The store '{Display}' is already used by the scheduler '{attachment.SchedulerId}' in this process.");
            }

            var current = new Attachment(schedulerId, clock, events)
            {
                ForwardedSequence = events.LastSequence,
                NextMaintenance = clock.GetUtcNow() + MaintenanceInterval,
            };
            using (var connection = Open())
            {
                Register(connection, current, refuseLiveTwin: true);
                current.ChangeCounter = ReadChangeCounter(connection);
                if (!OtherNodesAlive(connection, schedulerId))
                {
                    // Requests made while no scheduler ran are stale: whoever made them was told so.
                    using var stale = Command(connection, $"""DELETE FROM "{s}".run_requests""");
                    stale.ExecuteNonQuery();
                }
            }

            attachment = current;
            current.Heartbeat = DedicatedTimer.Create(clock, static state => ((PostgresJobStore)state!).Beat(), this, options.HeartbeatInterval, options.HeartbeatInterval, "Scheduler lease heartbeat");
            current.Poll = clock.CreateTimer(static state => ((PostgresJobStore)state!).PollQuietly(), this, options.PollInterval, options.PollInterval);
            if (options.UseNotifications)
            {
                current.Listening = new CancellationTokenSource();
                current.Listener = Task.Run(() => ListenAsync(current.Listening.Token));
            }
        }
    }

    protected internal override void DetachScheduler()
    {
        Attachment? current;
        lock (sync)
        {
            current = attachment;
            attachment = null;
        }

        if (current is null)
        {
            return;
        }

        current.Heartbeat?.Dispose();
        current.Poll?.Dispose();
        current.Listening?.Cancel();
        try
        {
            current.Listener?.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }

        current.Listening?.Dispose();
        try
        {
            FlushEnds();
            using var connection = dataSource.OpenConnection();
            ForwardEvents(connection, current);

            // A graceful stop: the node leaves; it has no runs left (the scheduler ended or cancelled them).
            using var leave = Command(connection, $"""DELETE FROM "{s}".nodes WHERE scheduler_id = @me AND fence = @fence""");
            leave.Parameters.AddWithValue("me", current.SchedulerId);
            leave.Parameters.AddWithValue("fence", current.Fence);
            leave.ExecuteNonQuery();
        }
#pragma warning disable CA1031 // Leaving is best effort: a node that cannot say goodbye expires like a dead one.
        catch (Exception error) when (error is NpgsqlException or IOException or ObjectDisposedException)
#pragma warning restore CA1031
        {
        }
    }

    /// <summary>
    /// Stops the heartbeat, the polling and the notifications without leaving, as a process does when it
    /// is frozen (SIGSTOP, a paused VM, a long GC): for tests of takeover and fencing. <see cref="Thaw"/> resumes.
    /// </summary>
    internal void Freeze()
    {
        if (attachment is { } current)
        {
            current.Heartbeat?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            current.Poll?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Resumes what <see cref="Freeze"/> stopped, as a process that wakes up; the next beat comes at once.</summary>
    internal void Thaw()
    {
        if (attachment is { } current)
        {
            current.Heartbeat?.Change(TimeSpan.Zero, options.HeartbeatInterval);
            current.Poll?.Change(options.PollInterval, options.PollInterval);
        }
    }

    protected internal override IReadOnlyList<string> TakeRunRequests()
    {
        if (attachment is null)
        {
            return [];
        }

        using var connection = Open();
        using var command = Command(
            connection,
            $"""
            DELETE FROM "{s}".run_requests WHERE id IN (SELECT id FROM "{s}".run_requests ORDER BY id LIMIT 100 FOR UPDATE SKIP LOCKED)
            RETURNING job_id
            """);
        var ids = new List<string>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }

    protected internal override IReadOnlyList<JobRun> TakeAbandonedRuns()
    {
        lock (takenOver)
        {
            if (takenOver.Count == 0)
            {
                return [];
            }

            var runs = takenOver.ToList();
            takenOver.Clear();
            return runs;
        }
    }

    /// <summary>Every node of the cluster takes due jobs from the store.</summary>
    protected internal override bool SharedBySchedulers => true;

    /// <remarks>
    /// The run must have been committed under this node's current token, and the lease the node last
    /// renewed must still hold by its own clock (less a heartbeat, for safety). Cheap and local, except
    /// when the heartbeat is late: then the lease is renewed first, so a busy node keeps its runs. A node
    /// frozen past its lease finds its lease gone when it wakes up, and gets a new token.
    /// </remarks>
    protected internal override bool MayStart(JobRun run)
    {
        if (run is null || attachment is not { } current)
        {
            return true;
        }

        long fence;
        lock (runFences)
        {
            if (!runFences.TryGetValue(run.RunId, out fence))
            {
                return true;
            }
        }

        if (fence == NeverCommitted)
        {
            return false;
        }

        if (fence != current.Fence)
        {
            return Refuse(run);
        }

        if (current.Clock.GetUtcNow() >= current.LeaseValidUntil)
        {
            try
            {
                RenewLeaseIfStale(current);
            }
            catch (Exception error) when (error is NpgsqlException or IOException or TimeoutException)
            {
                // The database cannot say the lease still holds: the run is not started.
                OnErrorOccurred($"The scheduler '{current.SchedulerId}' could not renew its lease to start the run '{run.RunId}' of the job '{run.JobId}': {error.Message}");
                return Refuse(run);
            }
        }

        return (fence == current.Fence && current.Clock.GetUtcNow() < current.LeaseValidUntil) || Refuse(run);
    }

    /// <summary>Notes a committed run this node does not start, so that its end hands the fire time on instead of closing it (see <see cref="HandOverRefused"/>).</summary>
    private bool Refuse(JobRun run)
    {
        lock (runFences)
        {
            refusedRuns.Add(run.RunId);
        }

        return false;
    }

    // ---------------------------------------------------------------- ISharedJobStore

    public long LastEventId
    {
        get
        {
            using var connection = Open();
            using var command = Command(connection, $"""SELECT max(id) FROM "{s}".events""");
            return command.ExecuteScalar() is long id ? id : 0;
        }
    }

    /// <summary>The longest-running live node, or null when none runs; all of them are in <see cref="GetRunningSchedulers"/>.</summary>
    public RunningScheduler? GetRunningScheduler() => GetRunningSchedulers() is { Count: > 0 } all ? all[0] : null;

    /// <summary>Every live node of the cluster, the longest-running first, with its clock's difference from the database's.</summary>
    public IReadOnlyList<RunningScheduler> GetRunningSchedulers()
    {
        using var connection = Open();
        using var command = Command(
            connection,
            $"""SELECT scheduler_id, process_id, host, since, clock_skew FROM "{s}".nodes WHERE lease_until >= "{s}".now_ticks() ORDER BY since, scheduler_id""");
        var nodes = new List<RunningScheduler>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            nodes.Add(new RunningScheduler(reader.GetString(0), reader.GetInt32(1), reader.GetString(2), StoredRows.FromTicks(reader.GetInt64(3)))
            {
                ClockSkew = TimeSpan.FromTicks(reader.GetInt64(4)),
            });
        }

        return nodes;
    }

    public void RequestRun(string jobId)
    {
        if (jobId is null)
        {
            throw new ArgumentNullException(nameof(jobId));
        }

        var found = false;
        WriteChange(connection =>
        {
            using var command = Command(
                connection,
                $"""INSERT INTO "{s}".run_requests (job_id, requested_time) SELECT id, @time FROM "{s}".jobs WHERE id = @id""");
            command.Parameters.AddWithValue("id", jobId);
            command.Parameters.AddWithValue("time", Clock.GetUtcNow().UtcTicks);
            found = command.ExecuteNonQuery() > 0;
        });
        if (!found)
        {
            throw new KeyNotFoundException($"There is no job with the id '{jobId}'.");
        }
    }

    public IReadOnlyList<SchedulerEvent> ReadEvents(long afterId, int maxCount)
    {
        if (maxCount < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(maxCount), maxCount, $"The maximum count must not be negative, not {maxCount}.");
        }

        var events = new List<SchedulerEvent>();
        if (maxCount == 0)
        {
            return events;
        }

        using var connection = Open();
        using var command = Command(connection, $"""SELECT {StoredRows.EventColumns} FROM "{s}".events WHERE id > @after ORDER BY id LIMIT @max""");
        command.Parameters.AddWithValue("after", afterId);
        command.Parameters.AddWithValue("max", maxCount);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            events.Add(StoredRows.ReadEvent(reader));
        }

        return events;
    }

    public async Task<IReadOnlyList<SchedulerEvent>> WaitForEventsAsync(long afterId, int maxCount, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var events = ReadEvents(afterId, maxCount);
            if (events.Count > 0)
            {
                return events;
            }

            await Signals.DelayAsync(Clock, TimeSpan.FromMilliseconds(250), cancellationToken).ConfigureAwait(false);
        }
    }

    // ---------------------------------------------------------------- the node

    /// <summary>
    /// Records the node with a new fencing token and a fresh lease (the database's clock). A twin — a live
    /// node with the same scheduler id — is refused at start; later, re-registering after this node was
    /// declared dead replaces its own expired row.
    /// </summary>
    private void Register(NpgsqlConnection connection, Attachment current, bool refuseLiveTwin)
    {
        using var process = Process.GetCurrentProcess();
        var before = current.Clock.GetUtcNow();
        using var command = Command(
            connection,
            $"""
            INSERT INTO "{s}".nodes (scheduler_id, fence, host, process_id, since, lease_until, clock_skew)
            VALUES (@me, nextval('"{s}".fences'), @host, @pid, @since, "{s}".now_ticks() + @lease, 0)
            ON CONFLICT (scheduler_id) DO UPDATE SET fence = excluded.fence, host = excluded.host, process_id = excluded.process_id,
                since = excluded.since, lease_until = excluded.lease_until
            WHERE NOT @refuse OR "{s}".nodes.lease_until < "{s}".now_ticks()
            RETURNING fence, "{s}".now_ticks()
            """);
        command.Parameters.AddWithValue("me", current.SchedulerId);
        command.Parameters.AddWithValue("host", Environment.MachineName);
        command.Parameters.AddWithValue("pid", process.Id);
        command.Parameters.AddWithValue("since", before.UtcTicks);
        command.Parameters.AddWithValue("lease", options.LeaseDuration.Ticks);
        command.Parameters.AddWithValue("refuse", refuseLiveTwin);
        using (var reader = command.ExecuteReader())
        {
            if (!reader.Read())
            {
                throw new InvalidOperationException(
                    $"The store '{Display}' is already used by a live scheduler with the id '{current.SchedulerId}': give each node of a cluster its own scheduler id.");
            }

            current.Fence = reader.GetInt64(0);
            MeasureSkew(current, before, reader.GetInt64(1));
        }

        current.LeaseValidUntil = before + options.LeaseDuration - options.HeartbeatInterval;
        using var skew = Command(connection, $"""UPDATE "{s}".nodes SET clock_skew = @skew WHERE scheduler_id = @me AND fence = @fence""");
        skew.Parameters.AddWithValue("skew", current.ClockSkew.Ticks);
        skew.Parameters.AddWithValue("me", current.SchedulerId);
        skew.Parameters.AddWithValue("fence", current.Fence);
        skew.ExecuteNonQuery();
    }

    /// <summary>
    /// The heartbeat: renews the lease (or registers again after losing it), then takes over dead nodes.
    /// The renewal never waits behind a takeover: taking over a dead node's hundreds of runs can outlast
    /// several beats, and a node whose own lease lapsed meanwhile would refuse to start what it took over.
    /// </summary>
    private void Beat()
    {
        if (attachment is not { } current || disposed)
        {
            return;
        }

        try
        {
            using var connection = dataSource.OpenConnection();

            // One renewal at a time: a slow server must not pile them up, each holding a connection and a thread.
            if (Monitor.TryEnter(current.RenewGate))
            {
                try
                {
                    RenewLease(connection, current);
                }
                finally
                {
                    Monitor.Exit(current.RenewGate);
                }
            }

            if (Interlocked.Exchange(ref current.TakingOver, 1) == 1)
            {
                return;
            }

            try
            {
                ReleaseHandledRecoveries(connection, current);
                HandToScheduler(AbandonDead(connection, current.Clock.GetUtcNow()));
            }
            finally
            {
                Volatile.Write(ref current.TakingOver, 0);
            }
        }
#pragma warning disable CA1031 // A timer callback that throws would end the process; an unreachable server is tried again at the next beat.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    /// <summary>Renews the lease, or registers again with a new fencing token when the node was declared dead. The caller holds <see cref="Attachment.RenewGate"/>.</summary>
    private void RenewLease(NpgsqlConnection connection, Attachment current)
    {
        var before = current.Clock.GetUtcNow();
        using var renew = Command(
            connection,
            $"""
            UPDATE "{s}".nodes SET lease_until = "{s}".now_ticks() + @lease, clock_skew = @skew
            WHERE scheduler_id = @me AND fence = @fence AND lease_until >= "{s}".now_ticks()
            RETURNING "{s}".now_ticks()
            """);
        renew.Parameters.AddWithValue("lease", options.LeaseDuration.Ticks);
        renew.Parameters.AddWithValue("skew", current.ClockSkew.Ticks);
        renew.Parameters.AddWithValue("me", current.SchedulerId);
        renew.Parameters.AddWithValue("fence", current.Fence);
        if (renew.ExecuteScalar() is long databaseNow)
        {
            MeasureSkew(current, before, databaseNow);
            current.LeaseValidUntil = before + options.LeaseDuration - options.HeartbeatInterval;
        }
        else
        {
            // Declared dead (a freeze longer than the lease): the runs committed under the old token
            // are someone else's now. A new token lets this node go on with new work. Until it has one,
            // a run about to start waits for it (MayStart renews under the same gate) instead of
            // starting under the lost token.
            current.LeaseValidUntil = DateTimeOffset.MinValue;
            OnErrorOccurred($"The scheduler '{current.SchedulerId}' lost its lease (it did not renew it for {options.LeaseDuration}): its runs in progress were taken over; it goes on with a new one.");
            Register(connection, current, refuseLiveTwin: false);
        }
    }

    /// <summary>
    /// Renews the lease at once when this node's clock says it may have lapsed: a late heartbeat (a busy
    /// machine, a starved thread pool) is not a lost lease, and only the database can tell them apart.
    /// </summary>
    private void RenewLeaseIfStale(Attachment current)
    {
        lock (current.RenewGate)
        {
            if (current.Clock.GetUtcNow() < current.LeaseValidUntil)
            {
                return;
            }

            using var connection = dataSource.OpenConnection();
            RenewLease(connection, current);
        }
    }

    private void PollQuietly()
    {
        if (attachment is not { } current || Interlocked.Exchange(ref current.Polling, 1) == 1)
        {
            return;
        }

        try
        {
            Poll();
        }
#pragma warning disable CA1031 // A timer callback that throws would end the process; an unreachable server is tried again at the next poll.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
        finally
        {
            Volatile.Write(ref current.Polling, 0);
        }
    }

    /// <summary>Writes the scheduler's new events, keeps the store trimmed, and notices changes that no notification brought.</summary>
    private void Poll()
    {
        if (attachment is not { } current || disposed)
        {
            return;
        }

        FlushEnds();
        bool changed;
        using (var connection = dataSource.OpenConnection())
        {
            ForwardEvents(connection, current);
            var counter = ReadChangeCounter(connection);
            changed = counter != Interlocked.Exchange(ref current.ChangeCounter, counter);
            var now = current.Clock.GetUtcNow();
            if (now >= current.NextMaintenance)
            {
                current.NextMaintenance = now + MaintenanceInterval;
                Maintain(connection);
            }
        }

        if (changed)
        {
            OnChanged();
        }
    }

    /// <summary>Waits for notifications on the schema's channel and raises a change for each one another store object sent.</summary>
    private async Task ListenAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                connection.Notification += (_, notification) =>
                {
                    if (!string.Equals(notification.Payload, InstanceId, StringComparison.Ordinal))
                    {
                        OnChanged();
                    }
                };
                using (var listen = Command(connection, $"LISTEN \"{Channel}\""))
                {
                    await listen.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                while (!cancellationToken.IsCancellationRequested)
                {
                    await connection.WaitAsync(cancellationToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // A lost connection is opened again; polling covers the gap.
            catch (Exception)
#pragma warning restore CA1031
            {
                try
                {
                    await Signals.DelayAsync(Clock, ListenRetryDelay, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>
    /// The fencing token under which this node may commit now, read in the transaction (null: it lost its
    /// lease). A plain read, no row lock: a lock here would queue the node's own heartbeat behind every
    /// commit. A lease that runs out during the commit is caught by the takeover, which abandons runs by
    /// their token after it, and by <see cref="MayStart"/>.
    /// </summary>
    private long? FenceInTransaction(NpgsqlConnection connection, NpgsqlTransaction transaction)
    {
        if (attachment is not { } current)
        {
            return 0;
        }

        using var command = Command(
            connection,
            $"""SELECT fence FROM "{s}".nodes WHERE scheduler_id = @me AND fence = @fence AND lease_until >= "{s}".now_ticks()""",
            transaction);
        command.Parameters.AddWithValue("me", current.SchedulerId);
        command.Parameters.AddWithValue("fence", current.Fence);
        return command.ExecuteScalar() is long fence ? fence : null;
    }

    /// <summary>What is due is decided by the database's clock when the node's differs from it by more than allowed.</summary>
    private DateTimeOffset DueClock(DateTimeOffset now)
        => attachment is { } current && current.ClockSkew.Duration() > options.MaxClockSkew ? now + current.ClockSkew : now;

    /// <summary>
    /// A time by the database's clock as the node's clock will show it, when the two differ by more than
    /// allowed: the scheduler sleeps until the next run time by its own clock.
    /// </summary>
    private DateTimeOffset FromDatabaseClock(DateTimeOffset time)
        => attachment is { } current && current.ClockSkew.Duration() > options.MaxClockSkew ? time - current.ClockSkew : time;

    private void MeasureSkew(Attachment current, DateTimeOffset before, long databaseTicks)
    {
        var after = current.Clock.GetUtcNow();
        var local = before + TimeSpan.FromTicks((after - before).Ticks / 2);
        var skew = TimeSpan.FromTicks(databaseTicks - local.UtcTicks);
        var wasOff = current.ClockSkew.Duration() > options.MaxClockSkew;
        current.ClockSkew = skew;
        if (skew.Duration() > options.MaxClockSkew && !wasOff)
        {
            OnErrorOccurred(
                $"The clock of the scheduler '{current.SchedulerId}' on {Environment.MachineName} differs from the database's by {skew.TotalSeconds:0.###} s, more than {options.MaxClockSkew.TotalSeconds:0.###} s: it decides what is due by the database's clock.");
        }
    }

    private bool OtherNodesAlive(NpgsqlConnection connection, string schedulerId)
    {
        using var command = Command(connection, $"""SELECT 1 FROM "{s}".nodes WHERE scheduler_id <> @me AND lease_until >= "{s}".now_ticks() LIMIT 1""");
        command.Parameters.AddWithValue("me", schedulerId);
        return command.ExecuteScalar() is not null;
    }

    private long ReadChangeCounter(NpgsqlConnection connection)
    {
        using var command = Command(connection, $"""SELECT counter FROM "{s}".changes WHERE one = 1""");
        return command.ExecuteScalar() is long counter ? counter : 0;
    }

    // ---------------------------------------------------------------- events and upkeep

    /// <summary>Writes the scheduler's events that are not in the store yet.</summary>
    private void ForwardEvents(NpgsqlConnection connection, Attachment current)
    {
        while (true)
        {
            IReadOnlyList<SchedulerEvent> batch;
            lock (current)
            {
                batch = current.Events.Read(current.ForwardedSequence, EventBatchSize);
                if (batch.Count == 0)
                {
                    return;
                }

                current.ForwardedSequence = batch[batch.Count - 1].Sequence;
            }

            if (options.EventHistoryLimit > 0)
            {
                using var insert = new NpgsqlBatch(connection);
                foreach (var e in batch)
                {
                    AddEvent(insert, e.Sequence, e.Type, e.Timestamp, e.SchedulerId, e.JobId, e.JobName, e.StoreName, e.ExecutorName, e.RunId, e.ScheduledTime, e.StartTime, e.Duration, e.Attempt, e.Outcome, e.Error, e.Message);
                }

                ExecuteBatch(insert);
            }

            if (batch.Count < EventBatchSize)
            {
                return;
            }
        }
    }

    /// <summary>An event the store itself has to tell (a lease lost, a clock off, a run end it refused), for every process to read.</summary>
    /// <summary>Run ends that arrived after the node lost the runs (fencing): not recorded, and said so.</summary>
    private void ReportDroppedEnds(List<JobRun> dropped)
    {
        if (attachment is not { } current)
        {
            return;
        }

        foreach (var run in dropped)
        {
            OnErrorOccurred(
                $"The end of the run '{run.RunId}' of the job '{run.JobId}' ({run.Outcome}) was not recorded: the scheduler '{current.SchedulerId}' no longer owns the run (another node took it over).");
        }
    }

    private void AddEvent(
        NpgsqlBatch batch,
        long sequence,
        SchedulerEventType type,
        DateTimeOffset timestamp,
        string? schedulerId,
        string? jobId,
        string? jobName,
        string? storeName,
        string? executorName,
        string? runId,
        DateTimeOffset? scheduledTime,
        DateTimeOffset? startTime,
        TimeSpan? duration,
        int attempt,
        JobRunOutcome? outcome,
        string? error,
        string? message)
    {
        var insert = Batch(
            batch,
            $"""
            INSERT INTO "{s}".events (sequence, type, timestamp, scheduler_id, job_id, job_name, store_name, executor_name, run_id,
                scheduled_time, start_time, duration, attempt, outcome, error, message)
            VALUES (@sequence, @type, @timestamp, @scheduler, @job, @name, @store, @executor, @run, @scheduled, @start, @duration, @attempt, @outcome, @error, @message)
            """);
        insert.Parameters.AddWithValue("sequence", sequence);
        insert.Parameters.AddWithValue("type", (long)type);
        insert.Parameters.AddWithValue("timestamp", timestamp.UtcTicks);
        insert.Parameters.Add(Text("scheduler", schedulerId));
        insert.Parameters.Add(Text("job", jobId));
        insert.Parameters.Add(Text("name", jobName));
        insert.Parameters.Add(Text("store", storeName));
        insert.Parameters.Add(Text("executor", executorName));
        insert.Parameters.Add(Text("run", runId));
        insert.Parameters.Add(Number("scheduled", scheduledTime?.UtcTicks));
        insert.Parameters.Add(Number("start", startTime?.UtcTicks));
        insert.Parameters.Add(Number("duration", duration?.Ticks));
        insert.Parameters.AddWithValue("attempt", attempt);
        insert.Parameters.Add(Number("outcome", outcome is { } value ? (long)value : null));
        insert.Parameters.Add(Text("error", error));
        insert.Parameters.Add(Text("message", message));

        static NpgsqlParameter Text(string name, string? value) => new(name, NpgsqlDbType.Text) { Value = (object?)value ?? DBNull.Value };

        static NpgsqlParameter Number(string name, long? value) => new(name, NpgsqlDbType.Bigint) { Value = (object?)value ?? DBNull.Value };
    }

    /// <summary>
    /// Keeps the store bounded: run histories beyond the limit, ended jobs' histories, old events. One node
    /// at a time does it (a transaction-level advisory lock the others skip). An abandoned run waiting in a
    /// node's care to run again stays however many runs came after it: without its row the recovery
    /// could be neither run nor passed on.
    /// </summary>
    private void Maintain(NpgsqlConnection connection)
    {
        using var transaction = connection.BeginTransaction();
        using (var turn = Command(connection, $"SELECT pg_try_advisory_xact_lock(hashtext('scheduler.maintain.{s}'))", transaction))
        {
            if (turn.ExecuteScalar() is not true)
            {
                transaction.Rollback();
                return;
            }
        }

        using var prune = Command(
            connection,
            $"""
            DELETE FROM "{s}".runs r USING (
                SELECT seq, row_number() OVER (PARTITION BY job_id ORDER BY seq DESC) AS rank FROM "{s}".runs WHERE outcome <> 0 AND recovering_by IS NULL) old
            WHERE r.seq = old.seq AND old.rank > @keep;
            DELETE FROM "{s}".runs WHERE outcome <> 0 AND job_id IN (SELECT job_id FROM "{s}".ended_jobs WHERE seq <= (SELECT max(seq) FROM "{s}".ended_jobs) - 1000)
                AND NOT EXISTS (SELECT 1 FROM "{s}".jobs WHERE jobs.id = runs.job_id);
            DELETE FROM "{s}".ended_jobs WHERE seq <= (SELECT max(seq) FROM "{s}".ended_jobs) - 1000;
            DELETE FROM "{s}".events WHERE id <= (SELECT max(id) FROM "{s}".events) - @events;
            """,
            transaction);
        prune.Parameters.AddWithValue("keep", (long)options.RunHistoryLimit);
        prune.Parameters.AddWithValue("events", (long)options.EventHistoryLimit);
        prune.ExecuteNonQuery();
        transaction.Commit();
    }

    /// <summary>The scheduler running on this store object, while it runs.</summary>
    private sealed class Attachment(string schedulerId, TimeProvider clock, EventLog events)
    {
        public string SchedulerId { get; } = schedulerId;

        public TimeProvider Clock { get; } = clock;

        public EventLog Events { get; } = events;

        public long Fence { get; set; }

        /// <summary>Until when, by this node's clock, the lease it last renewed surely holds.</summary>
        public DateTimeOffset LeaseValidUntil { get; set; }

        /// <summary>The database's clock minus this node's.</summary>
        public TimeSpan ClockSkew { get; set; }

        public long ForwardedSequence { get; set; }

#pragma warning disable SA1401, CA1051 // Exchanged with Interlocked.
        public long ChangeCounter;

        public int TakingOver;

        public int Polling;
#pragma warning restore SA1401, CA1051

        /// <summary>Held while the lease is renewed: by the heartbeat, or by a run that found the lease stale.</summary>
        public object RenewGate { get; } = new();

        public DateTimeOffset NextMaintenance { get; set; }

        public ITimer? Heartbeat { get; set; }

        public ITimer? Poll { get; set; }

        public CancellationTokenSource? Listening { get; set; }

        public Task? Listener { get; set; }
    }
}
