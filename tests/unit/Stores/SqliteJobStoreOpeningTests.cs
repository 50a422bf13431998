using System.Collections.Concurrent;
using System.Globalization;
using Scheduler.Invocations;
using Scheduler.Scheduling;
using Scheduler.Stores;
using Scheduler.Tests.Support;
using Scheduler.Triggers;
using static Scheduler.Tests.Stores.SqliteJobStoreTests;

namespace Scheduler.Tests.Stores;

/// <summary>
/// Opening a SQLite store under hostile conditions: many openers of a new or older file at once, an
/// empty file, a missing file opened only to read.
/// </summary>
public sealed class SqliteJobStoreOpeningTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    [UnixFact("Windows refuses to delete an open file.")]
    public void A_store_is_not_created_where_only_the_log_of_a_deleted_one_is_left()
    {
        // A process still has the deleted store open (a running daemon, say): its log stays at the path.
        var path = folder.File("jobs.db");
        using var holder = JobStore.CreateSqlite(path);
        holder.Add(Job("kept", T0), replaceExisting: false);
        File.Delete(path);

        var error = Assert.Throws<IOException>(() => JobStore.CreateSqlite(path));

        Assert.StartsWith($"The store '{path}' does not exist, but its log '{path}-wal' does:", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(path));
        Assert.Equal("kept", Assert.Single(holder.GetAll()).Id);
        Assert.Empty(Directory.GetFiles(folder.Path, ".jobs.db.*"));
    }

    [Fact]
    public void Many_openers_of_a_new_file_all_open_the_one_store_it_becomes()
    {
        const int Openers = 12;
        for (var round = 0; round < 4; round++)
        {
            var path = folder.File($"new-{round}.db");

            var errors = Together(Openers, i =>
            {
                using var store = JobStore.CreateSqlite(path);
                store.Add(Job("job-" + i.ToString(CultureInfo.InvariantCulture), T0), replaceExisting: false);
            });

            Assert.Empty(errors);
            Assert.Equal((long)Openers, Scalar(path, "SELECT count(*) FROM jobs"));
            Assert.Equal(1L, Scalar(path, "SELECT count(*) FROM schema_version"));
            Assert.Equal((long)SqliteSchema.CurrentVersion, Scalar(path, "SELECT version FROM schema_version"));
        }

        // The openers that lost the race to create the file leave nothing behind.
        Assert.Equal(
            ["new-0.db", "new-1.db", "new-2.db", "new-3.db"],
            Directory.GetFiles(folder.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Many_openers_of_an_older_store_migrate_it_once()
    {
        var path = folder.File("old.db");
        using (var store = JobStore.CreateSqlite(path))
        {
            store.Add(Job("kept", T0), replaceExisting: false);
        }

        SqliteMigration[] withVersion2 = [.. SqliteSchema.Migrations, new SqliteMigration(2, "CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('once');")];

        var errors = Together(12, _ => SqliteJobStore.Open(path, SqliteJobStoreOptions.Default, null, withVersion2).Dispose());

        Assert.Empty(errors);
        Assert.Equal(2L, Scalar(path, "SELECT version FROM schema_version"));
        Assert.Equal(1L, Scalar(path, "SELECT count(*) FROM notes"));
        Assert.Equal(1L, Scalar(path, "SELECT count(*) FROM jobs"));
    }

    [Fact]
    public void An_empty_file_is_not_a_store_and_is_left_as_it_is()
    {
        var path = folder.File("empty.db");
        File.WriteAllBytes(path, []);

        var error = Assert.Throws<InvalidDataException>(() => JobStore.CreateSqlite(path));

        Assert.Contains($"'{path}'", error.Message, StringComparison.Ordinal);
        Assert.Contains("is empty", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, new FileInfo(path).Length);
        Assert.Equal(["empty.db"], Directory.GetFiles(folder.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void A_missing_file_opened_only_to_use_an_existing_store_is_not_created()
    {
        var path = folder.File("missing.db");

        var error = Assert.Throws<FileNotFoundException>(() => JobStore.CreateSqlite(path, SqliteJobStoreOptions.Default with { CreateIfMissing = false }));

        Assert.Contains($"'{path}'", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(folder.Path));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void A_new_store_its_log_shared_memory_and_lock_are_readable_by_their_owner_only()
    {
        // Whatever the umask (022 on most systems: files 0644), job definitions are nobody else's to read.
        var path = folder.File("private.db");
        using var store = JobStore.CreateSqlite(path);
        using var scheduler = new JobScheduler();
        scheduler.AddJobStore("disk", store);
        scheduler.RegisterDelegate("noop", () => { });
        scheduler.AddJob(new IntervalTrigger(TimeSpan.FromHours(1)), new DelegateInvocation("noop"), "a", store: "disk");
        scheduler.Start();

        foreach (var file in new[] { path, path + "-wal", path + "-shm", path + ".lock" })
        {
            Assert.True(File.Exists(file), $"{file} is missing");
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }

        scheduler.Shutdown(wait: true);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void The_lock_file_gets_the_mode_the_store_was_given()
    {
        // An operator who shares a store with a group (chmod 660) shares its lock too.
        var path = folder.File("shared.db");
        JobStore.CreateSqlite(path).Dispose();
        var shared = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite;
        File.SetUnixFileMode(path, shared);

        using var store = JobStore.CreateSqlite(path);
        using var scheduler = new JobScheduler();
        scheduler.AddJobStore("disk", store);
        scheduler.Start();

        Assert.Equal(shared, File.GetUnixFileMode(path + ".lock"));
        Assert.Equal(shared, File.GetUnixFileMode(path + "-wal"));
        scheduler.Shutdown(wait: true);
    }

    /// <summary>Runs <paramref name="action"/> on that many threads released at once; returns what they threw.</summary>
    private static List<Exception> Together(int count, Action<int> action)
    {
        using var ready = new Barrier(count);
        var errors = new ConcurrentBag<Exception>();
        var threads = Enumerable.Range(0, count).Select(i => new Thread(() =>
        {
            try
            {
                ready.SignalAndWait();
                action(i);
            }
#pragma warning disable CA1031 // Every failure is the test's finding.
            catch (Exception error)
#pragma warning restore CA1031
            {
                errors.Add(error);
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        return [.. errors];
    }
}
