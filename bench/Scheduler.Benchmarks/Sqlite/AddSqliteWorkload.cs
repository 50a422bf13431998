using System.Diagnostics;
using Scheduler.Benchmarks.Engine;
using Scheduler.Scheduling;
using Scheduler.Triggers;

namespace Scheduler.Benchmarks.Sqlite;

/// <summary>
/// <c>add-sqlite</c>: adds interval jobs (first run an hour away) one by one to a SQLite file, each
/// add its own transaction: ours through <c>AddJob</c> into <c>JobStore.CreateSqlite</c>, Quartz
/// through <c>ScheduleJob(job, trigger)</c> into its ADO.NET job store (both durability settings,
/// see <see cref="QuartzSqlite"/>). Neither scheduler is started, so the figure is the store's.
/// 100 000 jobs for ours (10 000 with <c>--quick</c>); Quartz adds fewer (its rate would make
/// 100 000 take minutes; a smaller table only helps it).
/// </summary>
internal sealed class AddSqliteWorkload : IWorkload
{
    public string Name => "add-sqlite";

    public int Order => 20;

    public void Run(bool quick)
    {
        var ours = quick ? 10_000 : 100_000;
        var theirs = quick ? 2_000 : 10_000;
        var theirsSynced = theirs / 4;
        using var files = new SqliteFiles();
        var ids = Measure.Ids("job-", Math.Max(ours, theirs));

        // Warm-up: enough adds for tiered compilation to reach the optimized code.
        AddToScheduler(files, ids, 5_000);
        AddToQuartz(files, ids, 1_000, syncNormal: true);
        Json.Print(Name, "scheduler", ("n", ours), ("per_s", Math.Round(AddToScheduler(files, ids, ours))));
        Json.Print(Name, "quartz", ("n", theirsSynced), ("per_s", Math.Round(AddToQuartz(files, ids, theirsSynced, syncNormal: false))));
        Json.Print(Name, "quartz-sync-normal", ("n", theirs), ("per_s", Math.Round(AddToQuartz(files, ids, theirs, syncNormal: true))));
    }

    private static double AddToScheduler(SqliteFiles files, string[] ids, int count)
    {
        var scheduler = SqliteFiles.OpenScheduler(files.NewPath("scheduler"), static () => { });
        var hour = TimeSpan.FromHours(1);
        Measure.Settle();
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            scheduler.AddJob(new IntervalTrigger(hour), SqliteFiles.NoOpInvocation, ids[i], store: SqliteFiles.StoreName);
        }

        watch.Stop();
        scheduler.Dispose();
        return count / watch.Elapsed.TotalSeconds;
    }

    private static double AddToQuartz(SqliteFiles files, string[] ids, int count, bool syncNormal)
    {
        var path = files.NewPath("quartz");
        QuartzSqliteSchema.Create(path);
        var scheduler = QuartzSqlite.Create(path, syncNormal);
        var hour = TimeSpan.FromHours(1);
        Measure.Settle();
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            QuartzHarness.Schedule(scheduler, QuartzHarness.Job<NoOpJob>(ids[i]), QuartzHarness.Repeating(ids[i], DateTimeOffset.UtcNow + hour, hour));
        }

        watch.Stop();
        QuartzHarness.Shutdown(scheduler);
        return count / watch.Elapsed.TotalSeconds;
    }
}
