using System.Diagnostics;
using Quartz;
using Scheduler.Benchmarks.Engine;
using Scheduler.Triggers;

namespace Scheduler.Benchmarks.Sqlite;

/// <summary>
/// <c>add-sqlite</c>: adds interval jobs (first run an hour away) to a SQLite file, in two modes,
/// each system through its own API for it:
/// <list type="bullet">
/// <item><c>"mode":"single"</c>: one by one, each add its own transaction: ours <c>AddJob</c>, Quartz
/// <c>ScheduleJob(job, trigger)</c>.</item>
/// <item><c>"mode":"batch"</c>: all at once: ours <c>AddJob</c> inside <c>BeginBatch()</c>, Quartz
/// <c>ScheduleJobs(jobs and triggers)</c>; one transaction each.</item>
/// </list>
/// Quartz on its ADO.NET job store at both durability settings (see <see cref="QuartzSqlite"/>).
/// Neither scheduler is started, so the figure is the store's. 100 000 jobs for ours (10 000 with
/// <c>--quick</c>); Quartz adds fewer one by one (at its rate 100 000 would take minutes; a smaller
/// table only helps it), and as many as ours in a batch.
/// </summary>
internal sealed class AddSqliteWorkload : IWorkload
{
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);

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
        AddToScheduler(files, ids, 5_000, batch: false);
        AddToScheduler(files, ids, 5_000, batch: true);
        AddToQuartz(files, ids, 1_000, syncNormal: true);
        AddToQuartzInBatch(files, ids, 5_000, syncNormal: true);

        Print("single", "scheduler", ours, AddToScheduler(files, ids, ours, batch: false));
        Print("single", "quartz", theirsSynced, AddToQuartz(files, ids, theirsSynced, syncNormal: false));
        Print("single", "quartz-sync-normal", theirs, AddToQuartz(files, ids, theirs, syncNormal: true));
        Print("batch", "scheduler", ours, AddToScheduler(files, ids, ours, batch: true));
        Print("batch", "quartz", ours, AddToQuartzInBatch(files, ids, ours, syncNormal: false));
        Print("batch", "quartz-sync-normal", ours, AddToQuartzInBatch(files, ids, ours, syncNormal: true));
    }

    private void Print(string mode, string system, int count, double perSecond)
        => Json.Print(Name, system, ("mode", mode), ("n", count), ("per_s", Math.Round(perSecond)));

    private static double AddToScheduler(SqliteFiles files, string[] ids, int count, bool batch)
    {
        var scheduler = SqliteFiles.OpenScheduler(files.NewPath("scheduler"), static () => { }, out var store);
        Measure.Settle();
        var watch = Stopwatch.StartNew();
        using (batch ? scheduler.BeginBatch() : null)
        {
            for (var i = 0; i < count; i++)
            {
                scheduler.AddJob(new IntervalTrigger(Hour), SqliteFiles.NoOpInvocation, ids[i], store: SqliteFiles.StoreName);
            }
        }

        watch.Stop();
        scheduler.Dispose();
        store.Dispose();
        return count / watch.Elapsed.TotalSeconds;
    }

    private static double AddToQuartz(SqliteFiles files, string[] ids, int count, bool syncNormal)
    {
        var path = files.NewPath("quartz");
        QuartzSqliteSchema.Create(path);
        var scheduler = QuartzSqlite.Create(path, syncNormal);
        Measure.Settle();
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            QuartzHarness.Schedule(scheduler, QuartzHarness.Job<NoOpJob>(ids[i]), QuartzHarness.Repeating(ids[i], DateTimeOffset.UtcNow + Hour, Hour));
        }

        watch.Stop();
        QuartzHarness.Shutdown(scheduler);
        return count / watch.Elapsed.TotalSeconds;
    }

    private static double AddToQuartzInBatch(SqliteFiles files, string[] ids, int count, bool syncNormal)
    {
        var path = files.NewPath("quartz");
        QuartzSqliteSchema.Create(path);
        var scheduler = QuartzSqlite.Create(path, syncNormal);
        Measure.Settle();

        // Building the job and trigger objects is part of adding, as it is for ours.
        var watch = Stopwatch.StartNew();
        var jobs = new Dictionary<IJobDetail, IReadOnlyCollection<ITrigger>>(count);
        for (var i = 0; i < count; i++)
        {
            jobs.Add(QuartzHarness.Job<NoOpJob>(ids[i]), [QuartzHarness.Repeating(ids[i], DateTimeOffset.UtcNow + Hour, Hour)]);
        }

        scheduler.ScheduleJobs(jobs, default).GetAwaiter().GetResult();
        watch.Stop();
        QuartzHarness.Shutdown(scheduler);
        return count / watch.Elapsed.TotalSeconds;
    }
}
