using Quartz;
using Scheduler.Benchmarks.Engine;
using Scheduler.Triggers;

namespace Scheduler.Benchmarks.Postgres;

/// <summary>
/// <c>fire-postgres</c>: one-off no-op jobs, all due now, in one PostgreSQL database, drained by a cluster
/// of 3 nodes, each in a process of its own (<see cref="PostgresNode"/>): 3 of our schedulers sharing the
/// store, or 3 instances of clustered Quartz. The jobs are added before the nodes start (one transaction
/// each side; not measured); the clock runs from the moment the nodes are told to start until the last
/// run began on any of them. Ours records every run in its history and the nodes' events; Quartz records
/// none. 20 000 jobs for ours (2 000 with <c>--quick</c>); Quartz fires fewer at its rate (2 000; 300),
/// since its rate does not grow with the count and 20 000 would take many minutes.
/// </summary>
internal sealed class FirePostgresWorkload : IWorkload
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    public string Name => "fire-postgres";

    public int Order => 30;

    public void Run(bool quick)
    {
        if (!PostgresBench.TryConnectionString(Name, out var connectionString))
        {
            return;
        }

        var ours = quick ? 2_000 : 20_000;
        var theirs = quick ? 300 : 2_000;
        var ids = Measure.Ids("fire-", Math.Max(ours, theirs));
        var oursRate = FireScheduler(connectionString, ids, ours, out var oursLoad);
        Json.Print(Name, "scheduler", ("nodes", 3), ("processes", 3), ("n", ours), ("per_s", Math.Round(oursRate)), ("load", oursLoad));
        var theirsRate = FireQuartz(connectionString, ids, theirs, out var theirsLoad);
        Json.Print(Name, "quartz", ("nodes", 3), ("processes", 3), ("n", theirs), ("per_s", Math.Round(theirsRate)), ("load", theirsLoad));
        Json.Print(Name, "ratio", ("scheduler_over_quartz", Math.Round(oursRate / theirsRate, 1)));
    }

    private static double FireScheduler(string connectionString, string[] ids, int count, out double load)
    {
        var schema = PostgresBench.NewSchema("bench");
        try
        {
            var loader = PostgresBench.OpenScheduler(connectionString, schema, "loader", static () => { }, out var store);
            var trigger = new DateTrigger(DateTimeOffset.UtcNow);
            using (loader.BeginBatch())
            {
                for (var i = 0; i < count; i++)
                {
                    loader.AddJob(trigger, PostgresBench.NoOpInvocation, ids[i]);
                }
            }

            loader.Dispose();
            store.Dispose();
            return Drain(connectionString, "scheduler", schema, count, out load);
        }
        finally
        {
            PostgresBench.DropSchema(connectionString, schema);
        }
    }

    private static double FireQuartz(string connectionString, string[] ids, int count, out double load)
    {
        var schema = PostgresBench.NewSchema("quartz");
        try
        {
            QuartzPostgresSchema.Create(connectionString, schema);
            var loader = QuartzPostgres.Create(connectionString, schema, "loader");
            var now = DateTimeOffset.UtcNow;
            var jobs = new Dictionary<IJobDetail, IReadOnlyCollection<ITrigger>>(count);
            for (var i = 0; i < count; i++)
            {
                jobs.Add(QuartzHarness.Job<NodeJob>(ids[i]), [QuartzHarness.Once(ids[i], now)]);
            }

            loader.ScheduleJobs(jobs, default).GetAwaiter().GetResult();
            QuartzHarness.Shutdown(loader);
            return Drain(connectionString, "quartz", schema, count, out load);
        }
        finally
        {
            PostgresBench.DropSchema(connectionString, schema);
        }
    }

    /// <summary>Starts 3 nodes of <paramref name="system"/> and times them until <paramref name="count"/> runs began; fires per second.</summary>
    private static double Drain(string connectionString, string system, string schema, int count, out double load)
    {
        var nodes = new List<NodeProcess>();
        try
        {
            foreach (var id in new[] { "node-a", "node-b", "node-c" })
            {
                nodes.Add(NodeProcess.Start(connectionString, system, schema, id));
            }

            Measure.Settle();
            var started = PostgresBench.Now();
            foreach (var node in nodes)
            {
                node.Send("START");
            }

            var deadline = started + Timeout.Ticks;
            while (nodes.Sum(n => n.Runs) < count)
            {
                if (PostgresBench.Now() > deadline)
                {
                    throw new TimeoutException($"Only {nodes.Sum(n => n.Runs)} of {count} {system} jobs ran within {Timeout}.");
                }

                Thread.Sleep(20);
            }

            load = PostgresBench.LoadAverage() ?? double.NaN;
            var last = nodes.Max(n => n.LastRunTicks);

            // A fire time run twice would show as more runs than jobs, a little later.
            Thread.Sleep(500);
            if (nodes.Sum(n => n.Runs) != count)
            {
                throw new InvalidOperationException($"{nodes.Sum(n => n.Runs)} {system} runs for {count} jobs: some ran twice.");
            }

            return count / PostgresBench.Seconds(started, last);
        }
        finally
        {
            foreach (var node in nodes)
            {
                node.Dispose();
            }
        }
    }
}
