using Scheduler.Scheduling;
using Scheduler.Stores;
using Scheduler.Tests.Support;
using static Scheduler.Tests.Stores.SqliteJobStoreTests;
using static Scheduler.Tests.Stores.SqliteStoreCopyTests;

namespace Scheduler.Tests.Stores;

/// <summary>
/// A store damaged inside (SQLite reads its header fine, one page in the middle is garbage): refused
/// at its first write and by a starting scheduler, left as it was, and reported with the store's
/// error wherever SQLite meets the damage.
/// </summary>
public sealed class SqliteIntegrityCheckTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly TempFolder folder = new();
    private readonly string path;

    public SqliteIntegrityCheckTests()
    {
        path = folder.File("jobs.db");
        FillWithLongNames(path, 2000);
    }

    public void Dispose() => folder.Dispose();

    [Fact]
    public void A_sound_store_opened_to_read_is_checked_once_at_its_first_write()
    {
        // Opened as a reader opens it: the check waits for the first write.
        using var store = SqliteJobStore.Open(path, SqliteJobStoreOptions.Default with { StartCheckAtOpen = false }, null, SqliteSchema.Migrations);
        Assert.Equal(TimeSpan.Zero, store.IntegrityCheck.Elapsed);

        store.Add(Job("a", T0), replaceExisting: false);
        var checkedIn = store.IntegrityCheck.Elapsed;
        store.Add(Job("b", T0), replaceExisting: false);

        Assert.True(checkedIn > TimeSpan.Zero);
        Assert.Equal(checkedIn, store.IntegrityCheck.Elapsed);
    }

    [Fact]
    public void A_damaged_store_is_refused_at_its_first_write_and_left_as_it_was()
    {
        DamagePageHolding("job-1000 ");
        var damaged = File.ReadAllBytes(path);

        using (var store = SqliteJobStore.Open(path, SqliteJobStoreOptions.Default with { StartCheckAtOpen = false }, null, SqliteSchema.Migrations))
        {
            var error = Assert.Throws<InvalidDataException>(() => store.Add(Job("new", T0), replaceExisting: false));
            AssertDamageReported(error);

            // Refused for good, not just once.
            Assert.Throws<InvalidDataException>(() => store.Remove("job-0001"));
        }

        Assert.Equal(damaged, File.ReadAllBytes(path));
    }

    [Fact]
    public void A_check_started_at_opening_refuses_the_write_that_waits_for_it()
    {
        DamagePageHolding("job-1000 ");
        var damaged = File.ReadAllBytes(path);

        using (var store = JobStore.CreateSqlite(path))
        {
            AssertDamageReported(Assert.Throws<InvalidDataException>(() => store.Add(Job("new", T0), replaceExisting: false)));
        }

        Assert.Equal(damaged, File.ReadAllBytes(path));
    }

    [Fact]
    public void A_scheduler_does_not_start_on_a_damaged_store()
    {
        DamagePageHolding("job-1000 ");
        var damaged = File.ReadAllBytes(path);

        using (var store = JobStore.CreateSqlite(path))
        using (var scheduler = new JobScheduler())
        {
            scheduler.AddJobStore("disk", store);

            AssertDamageReported(Assert.Throws<InvalidDataException>(() => scheduler.Start()));
            Assert.False(File.Exists(path + ".lock") && new FileInfo(path + ".lock").Length > 0);
        }

        Assert.Equal(damaged, File.ReadAllBytes(path));
    }

    [Fact]
    public void A_read_that_meets_the_damage_gets_the_store_error_and_the_store_takes_no_more_writes()
    {
        DamagePageHolding("job-1000 ");
        var damaged = File.ReadAllBytes(path);

        using (var store = SqliteJobStore.Open(path, SqliteJobStoreOptions.Default with { StartCheckAtOpen = false }, null, SqliteSchema.Migrations))
        {
            // A job on a sound page reads fine: reading checks only what it reads.
            Assert.NotNull(store.Get("job-0001"));

            AssertDamageReported(Assert.Throws<InvalidDataException>(() => store.GetAll()));
            AssertDamageReported(Assert.Throws<InvalidDataException>(() => store.Add(Job("new", T0), replaceExisting: false)));
        }

        Assert.Equal(damaged, File.ReadAllBytes(path));
    }

    [Fact]
    public void A_running_scheduler_that_meets_damage_stops_writing_and_closes_the_store()
    {
        using var store = JobStore.CreateSqlite(path);
        using var scheduler = new JobScheduler();
        scheduler.AddJobStore("disk", store);
        scheduler.Start();
        DamagePageHolding("job-1000 ");

        // The page is damaged after the check passed: the read that meets it reports it.
        AssertDamageReported(Assert.Throws<InvalidDataException>(() => store.GetAll()));
        AssertDamageReported(Assert.Throws<InvalidDataException>(() => store.Add(Job("new", T0), replaceExisting: false)));

        // Closing it writes nothing more (not the end of the scheduler's claim either) and does not fail.
        store.Dispose();
        Assert.Throws<ObjectDisposedException>(() => store.Count);
        scheduler.Shutdown(wait: true);
    }

    [Fact]
    public void A_check_that_nothing_waits_for_ends_with_the_store()
    {
        var store = JobStore.CreateSqlite(path);

        store.Dispose();

        Assert.Equal(["jobs.db"], Directory.GetFiles(folder.Path).Select(Path.GetFileName));
    }

    private void AssertDamageReported(InvalidDataException error)
    {
        Assert.StartsWith($"The store '{path}' is damaged (", error.Message, StringComparison.Ordinal);
        Assert.Contains("nothing more is written to it", error.Message, StringComparison.Ordinal);
    }

    private void DamagePageHolding(string text) => SqliteStoreCopyTests.DamagePageHolding(path, text);
}
