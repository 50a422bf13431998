using System.Diagnostics;
using Quartz;
using Scheduler.Benchmarks.Engine;
using Scheduler.Triggers;

namespace Scheduler.Benchmarks.Postgres;

/// <summary>
/// <c>add-postgres</c>: adds interval jobs (first run an hour away) to a PostgreSQL database, in two
/// modes, each system through its own API for it, neither started (the figure is the store's):
/// <list type="bullet">
/// <item><c>"mode":"single"</c>: one by one, each add its own transaction: ours <c>AddJob</c>, Quartz
/// <c>ScheduleJob(job, trigger)</c>.</item>
/// <item><c>"mode":"batch"</c>: all at once: ours <c>AddJob</c> inside <c>BeginBatch()</c>, Quartz
/// <c>ScheduleJobs(jobs and triggers)</c>; one transaction each.</item>
/// </list>
/// Quartz is a clustered instance (see <see cref="QuartzPostgres"/>). 5 000 jobs one by one and 50 000
/// in a batch for ours (1 000 and 5 000 with <c>--quick</c>); Quartz adds 2 000 one by one and 10 000 in
/// a batch (500 and 2 000): a smaller table only helps it.
/// </summary>
internal sealed class AddPostgresWorkload : IWorkload
{
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    public string Name => "add-postgres";

    public int Order => 31;

    public void Run(bool quick)
    {
        if (!PostgresBench.TryConnectionString(Name, out var connectionString))
        {
            return;
        }

        var oursSingle = quick ? 1_000 : 5_000;
        var oursBatch = quick ? 5_000 : 50_000;
        var theirsSingle = quick ? 500 : 2_000;
        var theirsBatch = quick ? 2_000 : 10_000;
        var ids = Measure.Ids("job-", oursBatch);

        // Warm-up: enough adds for tiered compilation to reach the optimized code.
        AddToScheduler(connectionString, ids, 2_000, batch: false);
        AddToScheduler(connectionString, ids, 2_000, batch: true);
        AddToQuartz(connectionString, ids, 500, batch: false);
        AddToQuartz(connectionString, ids, 1_000, batch: true);

        var single = AddToScheduler(connectionString, ids, oursSingle, batch: false);
        var quartzSingle = AddToQuartz(connectionString, ids, theirsSingle, batch: false);
        var batched = AddToScheduler(connectionString, ids, oursBatch, batch: true);
        var quartzBatched = AddToQuartz(connectionString, ids, theirsBatch, batch: true);
        var load = PostgresBench.LoadAverage() ?? double.NaN;
        Print("single", "scheduler", oursSingle, single, load);
        Print("single", "quartz", theirsSingle, quartzSingle, load);
        Json.Print(Name, "ratio", ("mode", "single"), ("scheduler_over_quartz", Math.Round(single / quartzSingle, 1)));
        Print("batch", "scheduler", oursBatch, batched, load);
        Print("batch", "quartz", theirsBatch, quartzBatched, load);
        Json.Print(Name, "ratio", ("mode", "batch"), ("scheduler_over_quartz", Math.Round(batched / quartzBatched, 1)));
    }

    private void Print(string mode, string system, int count, double perSecond, double load)
        => Json.Print(Name, system, ("mode", mode), ("n", count), ("per_s", Math.Round(perSecond)), ("load", load));

    private static double AddToScheduler(string connectionString, string[] ids, int count, bool batch)
    {
        var schema = PostgresBench.NewSchema("bench");
        try
        {
            var scheduler = PostgresBench.OpenScheduler(connectionString, schema, "adder", static () => { }, out var store);
            Measure.Settle();
            var watch = Stopwatch.StartNew();
            using (batch ? scheduler.BeginBatch() : null)
            {
                for (var i = 0; i < count; i++)
                {
                    scheduler.AddJob(new IntervalTrigger(Hour), PostgresBench.NoOpInvocation, ids[i]);
                }
            }

            watch.Stop();
            scheduler.Dispose();
            store.Dispose();
            return count / watch.Elapsed.TotalSeconds;
        }
        finally
        {
            PostgresBench.DropSchema(connectionString, schema);
        }
    }

    private static double AddToQuartz(string connectionString, string[] ids, int count, bool batch)
    {
        var schema = PostgresBench.NewSchema("quartz");
        try
        {
            QuartzPostgresSchema.Create(connectionString, schema);
            var scheduler = QuartzPostgres.Create(connectionString, schema, "adder");
            Measure.Settle();

            // Building the job and trigger objects is part of adding, as it is for ours.
            var watch = Stopwatch.StartNew();
            if (batch)
            {
                var jobs = new Dictionary<IJobDetail, IReadOnlyCollection<ITrigger>>(count);
                for (var i = 0; i < count; i++)
                {
                    jobs.Add(QuartzHarness.Job<NoOpJob>(ids[i]), [QuartzHarness.Repeating(ids[i], DateTimeOffset.UtcNow + Hour, Hour)]);
                }

                scheduler.ScheduleJobs(jobs, default).GetAwaiter().GetResult();
            }
            else
            {
                for (var i = 0; i < count; i++)
                {
                    QuartzHarness.Schedule(scheduler, QuartzHarness.Job<NoOpJob>(ids[i]), QuartzHarness.Repeating(ids[i], DateTimeOffset.UtcNow + Hour, Hour));
                }
            }

            watch.Stop();
            QuartzHarness.Shutdown(scheduler);
            return count / watch.Elapsed.TotalSeconds;
        }
        finally
        {
            PostgresBench.DropSchema(connectionString, schema);
        }
    }
}
