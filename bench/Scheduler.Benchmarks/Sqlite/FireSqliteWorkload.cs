using System.Diagnostics;
using Quartz;
using Scheduler.Benchmarks.Engine;
using Scheduler.Triggers;

namespace Scheduler.Benchmarks.Sqlite;

/// <summary>
/// <c>fire-sqlite</c>: one-off no-op jobs, all due now, in a SQLite file; the clock runs from
/// <c>Start()</c> until the last one has run, 10 workers. Our store records every run in its history
/// (and the events for other processes); Quartz's records none (its default). 20 000 jobs for ours
/// (2 000 with <c>--quick</c>); Quartz fires fewer, at its rate (its rate does not depend on the count).
/// </summary>
internal sealed class FireSqliteWorkload : IWorkload
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    public string Name => "fire-sqlite";

    public int Order => 21;

    public void Run(bool quick)
    {
        var ours = quick ? 2_000 : 20_000;
        var theirs = quick ? 1_000 : 5_000;
        var theirsSynced = theirs / 5;
        using var files = new SqliteFiles();
        var ids = Measure.Ids("fire-", Math.Max(ours, theirs));
        FireScheduler(files, ids, 1_000);
        FireQuartz(files, ids, 500, syncNormal: true);
        Json.Print(Name, "scheduler", ("n", ours), ("per_s", Math.Round(FireScheduler(files, ids, ours))));
        Json.Print(Name, "quartz", ("n", theirsSynced), ("per_s", Math.Round(FireQuartz(files, ids, theirsSynced, syncNormal: false))));
        Json.Print(Name, "quartz-sync-normal", ("n", theirs), ("per_s", Math.Round(FireQuartz(files, ids, theirs, syncNormal: true))));
    }

    private static double FireScheduler(SqliteFiles files, string[] ids, int count)
    {
        var probe = new Probe(count);
        var scheduler = SqliteFiles.OpenScheduler(files.NewPath("scheduler"), () => probe.Ran(), out var store);
        var now = DateTimeOffset.UtcNow;
        var trigger = new DateTrigger(now);

        // One transaction for all, as for Quartz below: the setup is not what is measured.
        using (scheduler.BeginBatch())
        {
            for (var i = 0; i < count; i++)
            {
                scheduler.AddJob(trigger, SqliteFiles.NoOpInvocation, ids[i], store: SqliteFiles.StoreName);
            }
        }

        Measure.Settle();
        var watch = Stopwatch.StartNew();
        scheduler.Start();
        var finished = probe.Wait(Timeout);
        watch.Stop();
        scheduler.Shutdown();
        scheduler.Dispose();
        store.Dispose();
        return probe.Rate(finished, watch, Timeout);
    }

    private static double FireQuartz(SqliteFiles files, string[] ids, int count, bool syncNormal)
    {
        var probe = new Probe(count);
        Probe.Current = probe;
        var path = files.NewPath("quartz");
        QuartzSqliteSchema.Create(path);
        var scheduler = QuartzSqlite.Create(path, syncNormal);
        var now = DateTimeOffset.UtcNow;
        var jobs = new Dictionary<IJobDetail, IReadOnlyCollection<ITrigger>>();
        for (var i = 0; i < count; i++)
        {
            jobs.Add(QuartzHarness.Job<CountingJob>(ids[i]), [QuartzHarness.Once(ids[i], now)]);
        }

        // One transaction for all: the setup is not what is measured.
        scheduler.ScheduleJobs(jobs, default).GetAwaiter().GetResult();
        Measure.Settle();
        var watch = Stopwatch.StartNew();
        scheduler.Start().GetAwaiter().GetResult();
        var finished = probe.Wait(Timeout);
        watch.Stop();
        QuartzHarness.Shutdown(scheduler);
        return probe.Rate(finished, watch, Timeout);
    }
}
