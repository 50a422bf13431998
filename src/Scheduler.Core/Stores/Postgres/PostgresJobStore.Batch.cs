using System.Data;
using Npgsql;
using Scheduler.Jobs;

namespace Scheduler.Stores;

/// <summary>
/// Batches: the adds and updates made while a batch is open share one connection and one transaction,
/// committed (and announced to the other nodes) once when the outermost batch ends.
/// </summary>
/// <remarks>
/// <para>Only adds and updates wait for the end. What the cluster must see at once never does: claims and
/// dispatches run on connections of their own, and a removal, a run-now or a cancel request commits the
/// batch so far first, then itself, so it is never undone by the batch nor ordered before a write that
/// came earlier. A dispatch of a job the batch wrote, or a read of what is due while the batch holds a
/// due job, commits the batch so far too: no run waits for a batch, and the node never waits on a row
/// lock of its own batch.</para>
/// <para>Reads made while the batch is open go through its transaction, so the process sees its own
/// writes; other store objects and nodes see them only when the batch commits. A transaction the server
/// lost (a dropped connection, a restart) loses every write since the last commit: the next write in the
/// batch and its end report it as an <see cref="IOException"/>, never silently.</para>
/// </remarks>
internal sealed partial class PostgresJobStore
{
    private readonly object batchGate = new();

    // The jobs written since the last commit, and the earliest next run time among them (ticks).
    private readonly HashSet<string> batchWritten = new(StringComparer.Ordinal);
    private long batchEarliest = long.MaxValue;

    private int batchDepth;
    private NpgsqlConnection? batchConnection;
    private NpgsqlTransaction? batchTransaction;

    // Set when the batch's transaction was lost; kept until the outermost batch ends so every later write reports it.
    private Exception? batchLoss;

    protected internal override IDisposable BeginBatch()
    {
        lock (batchGate)
        {
            ThrowIfDisposed();
            batchDepth++;
        }

        return new BatchScope(this);
    }

    private void EndBatch()
    {
        lock (batchGate)
        {
            if (disposed || batchDepth == 0)
            {
                return;
            }

            batchDepth--;
            if (batchDepth > 0)
            {
                return;
            }

            CommitOrReportLossLocked();
        }
    }

    /// <summary>An add or an update: in the open batch's transaction if there is one, else a change of its own.</summary>
    private void WriteJob(Job job, Action<NpgsqlConnection> write)
    {
        if (Volatile.Read(ref batchDepth) == 0)
        {
            WriteChange(write);
            return;
        }

        lock (batchGate)
        {
            if (batchDepth == 0)
            {
                WriteChange(write);
                return;
            }

            if (batchLoss is { } loss)
            {
                throw BatchLost(loss);
            }

            if (batchTransaction is null)
            {
                batchConnection = Open();
                batchTransaction = batchConnection.BeginTransaction();
            }

            var connection = batchConnection!;
            try
            {
                write(connection);
            }
            catch (NpgsqlException error)
            {
                // Any failed statement aborts a PostgreSQL transaction: the batch's writes so far are gone.
                throw LoseBatchLocked(error);
            }
            catch (InvalidOperationException error) when (connection.FullState != ConnectionState.Open)
            {
                throw LoseBatchLocked(error);
            }

            batchWritten.Add(job.Id);
            if (job.NextRunTime is { } next && next.UtcTicks < batchEarliest)
            {
                batchEarliest = next.UtcTicks;
            }
        }
    }

    /// <summary>
    /// Commits what the open batch wrote so far; the batch goes on in a new transaction. A loss is
    /// thrown when <paramref name="reportLoss"/> (the batch's own thread, most likely), else left for
    /// the batch's next write and its end to report (a dispatch does not fail for a batch).
    /// </summary>
    private void FlushBatch(bool reportLoss, Func<bool>? needed = null)
    {
        if (Volatile.Read(ref batchDepth) == 0)
        {
            return;
        }

        lock (batchGate)
        {
            if (batchTransaction is null || batchLoss is not null || (needed is not null && !needed()))
            {
                return;
            }

            try
            {
                CommitBatchLocked();
            }
            catch (IOException) when (!reportLoss)
            {
            }
        }
    }

    private bool BatchHoldsDue(long dueTicks)
    {
        lock (batchGate)
        {
            return batchEarliest <= dueTicks;
        }
    }

    private bool BatchWroteAny(IReadOnlyList<JobDispatch> dispatches)
    {
        lock (batchGate)
        {
            if (batchWritten.Count == 0)
            {
                return false;
            }

            foreach (var dispatch in dispatches)
            {
                if (batchWritten.Contains(dispatch.Job.Id))
                {
                    return true;
                }
            }

            return false;
        }
    }

    private void CommitBatchLocked()
    {
        if (batchTransaction is not { } transaction)
        {
            return;
        }

        var connection = batchConnection!;
        try
        {
            // Last, so the schema's change counter is locked only for the commit, not for the whole batch.
            // It also fails in a transaction the server already aborted, which COMMIT would roll back quietly.
            AnnounceChange(connection, transaction);
            transaction.Commit();
        }
        catch (NpgsqlException error)
        {
            throw LoseBatchLocked(error);
        }
        catch (InvalidOperationException error) when (connection.FullState != ConnectionState.Open)
        {
            throw LoseBatchLocked(error);
        }

        CloseBatchLocked();
    }

    /// <summary>Drops the batch's transaction after a failure; returns the error to throw.</summary>
    private IOException LoseBatchLocked(Exception error)
    {
        CloseBatchLocked();
        if (batchDepth > 0)
        {
            batchLoss = error;
        }

        return BatchLost(error);
    }

    private void CloseBatchLocked()
    {
        try
        {
            batchTransaction?.Dispose();
            batchConnection?.Dispose();
        }
        catch (NpgsqlException)
        {
            // A broken connection cannot roll back; the server drops the transaction with it.
        }

        batchTransaction = null;
        batchConnection = null;
        batchWritten.Clear();
        batchEarliest = long.MaxValue;
    }

    private IOException BatchLost(Exception error)
        => new(
            $"The PostgreSQL store '{Display}' lost the transaction of a batch: the jobs added or changed in it since it began "
                + $"(or since a removal or a dispatch committed it) were not stored. {PostgresLocation.Redact(error.Message)}",
            error);

    /// <summary>
    /// A connection to read from: the open batch's, so the process reads its own writes (held until
    /// disposed), else a pooled one.
    /// </summary>
    private Lease Connect()
    {
        if (Volatile.Read(ref batchDepth) > 0)
        {
            Monitor.Enter(batchGate);
            if (batchTransaction is not null && batchLoss is null)
            {
                return new Lease(batchConnection!, batchGate);
            }

            Monitor.Exit(batchGate);
        }

        return new Lease(Open(), null);
    }

    /// <summary>Ends the open batches as the store closes: what they wrote is committed, as when they end.</summary>
    /// <summary>Commits the outermost batch, or closes it and throws when its transaction was lost before.</summary>
    private void CommitOrReportLossLocked()
    {
        var loss = batchLoss;
        batchLoss = null;
        if (loss is not null)
        {
            CloseBatchLocked();
            throw BatchLost(loss);
        }

        CommitBatchLocked();
    }

    private void EndBatchesOnDispose()
    {
        lock (batchGate)
        {
            batchDepth = 0;
            CommitOrReportLossLocked();
        }
    }

    /// <summary>A connection for one read: the batch's (its lock released at the end) or a pooled one (closed at the end).</summary>
    private sealed class Lease(NpgsqlConnection connection, object? batchGate) : IDisposable
    {
        public NpgsqlConnection Connection { get; } = connection;

        public void Dispose()
        {
            if (batchGate is null)
            {
                Connection.Dispose();
            }
            else
            {
                Monitor.Exit(batchGate);
            }
        }
    }

    private sealed class BatchScope(PostgresJobStore store) : IDisposable
    {
        private int ended;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref ended, 1) == 0)
            {
                store.EndBatch();
            }
        }
    }
}
