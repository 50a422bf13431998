using System.Diagnostics;
using Scheduler.Benchmarks.Engine;
using Scheduler.Stores;
using Scheduler.Triggers;

namespace Scheduler.Benchmarks.Sqlite;

/// <summary>
/// <c>backup-sqlite</c>: a SQLite store of 100 000 jobs (20 000 with <c>--quick</c>), open in another
/// store instance as a running service holds it: how long <see cref="JobStore.BackupSqlite"/> takes to
/// write a checked, synced backup, and <see cref="JobStore.RestoreSqlite"/> to put it back into a
/// store of the same size. The yardstick (<c>copy</c>) is <c>File.Copy</c> of the closed file, synced:
/// the disk's own cost of the bytes, without the consistency a copy of a live file lacks. Quartz.NET
/// has no backup of its own. Median of three after one to warm the disk cache.
/// </summary>
internal sealed class BackupSqliteWorkload : IWorkload
{
    private const int Measurements = 3;

    public string Name => "backup-sqlite";

    public int Order => 24;

    public void Run(bool quick)
    {
        var jobs = quick ? 20_000 : 100_000;
        using var files = new SqliteFiles();
        var store = files.NewPath("store");
        Prepare(store, jobs);
        var bytes = new FileInfo(store).Length;

        var copies = Time(() =>
        {
            var copy = files.NewPath("copy");
            File.Copy(store, copy);
            using var stream = new FileStream(copy, FileMode.Open, FileAccess.ReadWrite);
            stream.Flush(flushToDisk: true);
        });
        Json.Print(Name, "copy", ("jobs", jobs), ("mib", Math.Round(bytes / 1048576.0, 1)), ("ms", Median(copies)));

        string backup = string.Empty;
        using (var held = JobStore.CreateSqlite(store))
        {
            var backups = Time(() =>
            {
                backup = files.NewPath("backup");
                JobStore.BackupSqlite(store, backup);
            });
            Json.Print(Name, "backup", ("jobs", jobs), ("mib", Math.Round(new FileInfo(backup).Length / 1048576.0, 1)), ("ms", Median(backups)));
        }

        var restores = Time(() =>
        {
            var target = files.NewPath("target");
            File.Copy(store, target);
            var watch = Stopwatch.StartNew();
            JobStore.RestoreSqlite(backup, target);
            return watch.Elapsed;
        });
        Json.Print(Name, "restore", ("jobs", jobs), ("ms", Median(restores)));
    }

    private static void Prepare(string path, int jobs)
    {
        var scheduler = SqliteFiles.OpenScheduler(path, static () => { }, out var store);
        var hour = TimeSpan.FromHours(1);
        using (scheduler.BeginBatch())
        {
            for (var i = 0; i < jobs; i++)
            {
                scheduler.AddJob(new IntervalTrigger(hour), SqliteFiles.NoOpInvocation, "job-" + i, store: SqliteFiles.StoreName);
            }
        }

        scheduler.Dispose();
        store.Dispose();
    }

    private static List<TimeSpan> Time(Action action) => Time(() =>
    {
        var watch = Stopwatch.StartNew();
        action();
        return watch.Elapsed;
    });

    /// <summary>One warm-up, then <see cref="Measurements"/> timed runs of what <paramref name="measure"/> times itself.</summary>
    private static List<TimeSpan> Time(Func<TimeSpan> measure)
    {
        measure();
        return [.. Enumerable.Range(0, Measurements).Select(_ => measure())];
    }

    private static double Median(List<TimeSpan> times)
        => Math.Round(Measure.Median([.. times.Select(t => t.TotalMilliseconds)]), 1);
}
