using Npgsql;
using Scheduler.Jobs;
using Scheduler.Stores;
using Scheduler.Tests.Support;

namespace Scheduler.Tests.Stores;

/// <summary>
/// Batches on the PostgreSQL store: one transaction committed when the outermost batch ends, seen by other
/// store objects only then; duplicates fail alone; removals and dispatches are not held back by a batch;
/// a lost transaction is reported, never dropped quietly.
/// </summary>
public sealed class PostgresBatchTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly string schema = PostgresServer.NewSchema();
    private readonly List<JobStore> stores = [];

    public void Dispose()
    {
        foreach (var store in stores)
        {
            store.Dispose();
        }

        PostgresServer.DropSchema(schema);
    }

    [Fact]
    public void Jobs_added_in_a_batch_reach_other_store_objects_together_when_it_ends()
    {
        var store = Store();
        var other = Store();

        using (store.BeginBatch())
        {
            store.Add(Job("a", T0), replaceExisting: false);
            using (store.BeginBatch())
            {
                store.Add(Job("b", T0.AddMinutes(1)), replaceExisting: false);
            }

            // The inner batch ending commits nothing; the process reads its own writes meanwhile.
            Assert.Null(other.Get("b"));
            Assert.Equal(0, other.Count);
            Assert.NotNull(store.Get("b"));
            Assert.Equal(["a", "b"], store.GetAll().Select(j => j.Id));
            Assert.Equal(T0, store.GetNextRunTime());

            store.Update(Job("a", T0.AddMinutes(2)));
            Assert.Null(other.GetNextRunTime());
        }

        Assert.Equal(["a", "b"], other.GetAll().Select(j => j.Id).Order(StringComparer.Ordinal));
        Assert.Equal(T0.AddMinutes(1), other.GetNextRunTime());
    }

    [Fact]
    public void A_duplicate_in_a_batch_fails_alone_as_outside_one()
    {
        var store = Store();
        var other = Store();
        store.Add(Job("a", T0), replaceExisting: false);

        using (store.BeginBatch())
        {
            store.Add(Job("b", T0), replaceExisting: false);
            var outside = Assert.Throws<InvalidOperationException>(() => store.Add(Job("a", T0), replaceExisting: false));
            var inside = Assert.Throws<InvalidOperationException>(() => store.Add(Job("b", T0), replaceExisting: false));
            var missing = Assert.Throws<KeyNotFoundException>(() => store.Update(Job("c", T0)));
            store.Add(Job("c", T0), replaceExisting: false);
            store.Add(Job("a", T0.AddHours(1)), replaceExisting: true);

            Assert.Contains("'a'", outside.Message, StringComparison.Ordinal);
            Assert.Contains("'b'", inside.Message, StringComparison.Ordinal);
            Assert.Contains("'c'", missing.Message, StringComparison.Ordinal);
        }

        Assert.Equal(["a", "b", "c"], other.GetAll().Select(j => j.Id).Order(StringComparer.Ordinal));
        Assert.Equal(T0.AddHours(1), other.Get("a")!.NextRunTime);
    }

    [Fact]
    public void A_batch_whose_transaction_is_lost_says_so_and_leaves_the_store_unchanged()
    {
        var store = Store();
        var other = Store();
        store.Add(Job("kept", T0), replaceExisting: false);

        var batch = store.BeginBatch()!;
        store.Add(Job("a", T0), replaceExisting: false);
        store.Update(Job("kept", T0.AddDays(1)));
        TerminateWriters();

        var atWrite = Assert.Throws<IOException>(() => store.Add(Job("b", T0), replaceExisting: false));
        Assert.Throws<IOException>(() => store.Add(Job("c", T0), replaceExisting: false));
        var atEnd = Assert.Throws<IOException>(batch.Dispose);

        Assert.Contains("batch", atWrite.Message, StringComparison.Ordinal);
        Assert.Contains("were not stored", atEnd.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Password(), atEnd.Message, StringComparison.Ordinal);
        Assert.Equal(["kept"], other.GetAll().Select(j => j.Id));
        Assert.Equal(T0, other.Get("kept")!.NextRunTime);

        // The store goes on without a batch, and with a new one.
        store.Add(Job("d", T0), replaceExisting: false);
        using (store.BeginBatch())
        {
            store.Add(Job("e", T0), replaceExisting: false);
        }

        Assert.Equal(["d", "e", "kept"], other.GetAll().Select(j => j.Id).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_removal_in_a_batch_commits_the_batch_so_far_and_itself_at_once()
    {
        var store = Store();
        var other = Store();
        store.Add(Job("old", T0), replaceExisting: false);

        using (store.BeginBatch())
        {
            store.Add(Job("a", T0), replaceExisting: false);
            store.Add(Job("b", T0), replaceExisting: false);
            store.Update(Job("old", T0.AddMinutes(1)));

            Assert.True(store.Remove("b"));
            Assert.True(store.Remove("old"));

            Assert.Equal(["a"], other.GetAll().Select(j => j.Id));
            store.Add(Job("c", T0), replaceExisting: false);
            Assert.Null(other.Get("c"));
        }

        Assert.Equal(["a", "c"], other.GetAll().Select(j => j.Id).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Due_jobs_of_a_batch_are_claimed_and_a_dispatch_of_a_job_it_changed_does_not_wait_for_it()
    {
        var store = Store();
        var other = Store();
        store.Add(Job("a", T0), replaceExisting: false);
        var claimed = Assert.Single(store.GetDueJobs(T0, 10));

        using (store.BeginBatch())
        {
            store.Add(Job("b", T0), replaceExisting: false);
            store.Add(Job("later", T0.AddHours(1)), replaceExisting: false);

            // The batch holds a due job: reading what is due commits it first, so no run waits for the batch.
            Assert.Equal(["a", "b"], store.GetDueJobs(T0, 10).Select(j => j.Id).Order(StringComparer.Ordinal));
            Assert.NotNull(other.Get("later"));

            // Changed in the batch after it was read: the dispatch commits the batch rather than wait on
            // the batch's row lock, and is then rejected like any dispatch of a job changed meanwhile.
            store.Update(Job("a", T0.AddDays(1)));
            var rejected = store.CommitDispatches([new JobDispatch(claimed, claimed with { NextRunTime = T0.AddMinutes(1) }, [])]);

            Assert.Equal(["a"], rejected);
            Assert.Equal(T0.AddDays(1), other.Get("a")!.NextRunTime);
        }
    }

    private JobStore Store()
    {
        var store = JobStore.CreatePostgres(PostgresServer.ConnectionString, new PostgresJobStoreOptions { Schema = schema });
        stores.Add(store);
        return store;
    }

    private static Job Job(string id, DateTimeOffset? next) => SqliteJobStoreTests.Job(id, next);

    private static string Password() => new NpgsqlConnectionStringBuilder(PostgresServer.ConnectionString).Password ?? "\0";

    /// <summary>Ends the server session of every open transaction that wrote to this test's jobs table, as a server restart or a dropped connection would.</summary>
    private void TerminateWriters()
    {
        using var connection = new NpgsqlConnection(PostgresServer.ConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand(
            """
            SELECT count(pg_terminate_backend(l.pid)) FROM pg_locks l
            JOIN pg_class c ON c.oid = l.relation JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = @schema AND c.relname = 'jobs' AND l.mode = 'RowExclusiveLock' AND l.pid <> pg_backend_pid()
            """,
            connection);
        command.Parameters.AddWithValue("schema", schema);
        Assert.Equal(1L, command.ExecuteScalar());
    }
}
