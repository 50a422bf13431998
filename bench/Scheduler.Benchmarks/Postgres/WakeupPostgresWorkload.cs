using System.Collections.Concurrent;
using Quartz;
using Scheduler.Benchmarks.Engine;
using Scheduler.Stores;
using Scheduler.Triggers;

namespace Scheduler.Benchmarks.Postgres;

/// <summary>
/// <c>wakeup-postgres</c>: how long a run-now asked for on one node takes to start on another. Node B, a
/// process of its own (<see cref="PostgresNode"/>), runs the cluster's scheduler with one job that is not
/// due for a day; node A, this process, asks for a run now (ours: <c>RequestRun</c> on its own store
/// object, what <c>schedhost trigger</c> does; Quartz: <c>TriggerJob</c> on a standby instance of the
/// cluster), and the time is taken from the request until the job starts on B, by the machine's clock.
/// The requests are a random 0.2 to 1 s apart. 50 tries for ours (10 with <c>--quick</c>); Quartz has no
/// cross-node signal, so its node finds the request at its next poll (up to its 30 s idle wait): 8 tries
/// (2).
/// </summary>
internal sealed class WakeupPostgresWorkload : IWorkload
{
    private const string JobId = PostgresNode.ReportedPrefix;

    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(1);

    public string Name => "wakeup-postgres";

    public int Order => 32;

    public void Run(bool quick)
    {
        if (!PostgresBench.TryConnectionString(Name, out var connectionString))
        {
            return;
        }

        var ours = WakeScheduler(connectionString, quick ? 10 : 50, out var oursLoad);
        Print("scheduler", ours, oursLoad);
        var theirs = WakeQuartz(connectionString, quick ? 2 : 8, out var theirsLoad);
        Print("quartz", theirs, theirsLoad);
        Json.Print(
            Name,
            "ratio",
            ("quartz_over_scheduler_p50", Math.Round(Measure.Percentile(theirs, 50) / Measure.Percentile(ours, 50), 1)));
    }

    private void Print(string system, double[] sorted, double load)
        => Json.Print(
            Name,
            system,
            ("n", sorted.Length),
            ("p50_ms", Math.Round(Measure.Percentile(sorted, 50), 2)),
            ("p99_ms", Math.Round(Measure.Percentile(sorted, 99), 2)),
            ("max_ms", Math.Round(sorted[^1], 2)),
            ("load", load));

    private static double[] WakeScheduler(string connectionString, int tries, out double load)
    {
        var schema = PostgresBench.NewSchema("bench");
        try
        {
            var requester = PostgresBench.OpenScheduler(connectionString, schema, "node-a", static () => { }, out var store);
            requester.AddJob(new IntervalTrigger(TimeSpan.FromDays(1)), PostgresBench.NoOpInvocation, JobId);
            var shared = (ISharedJobStore)store;
            try
            {
                return Ask(connectionString, "scheduler", schema, tries, () => shared.RequestRun(JobId), out load);
            }
            finally
            {
                requester.Dispose();
                store.Dispose();
            }
        }
        finally
        {
            PostgresBench.DropSchema(connectionString, schema);
        }
    }

    private static double[] WakeQuartz(string connectionString, int tries, out double load)
    {
        var schema = PostgresBench.NewSchema("quartz");
        try
        {
            QuartzPostgresSchema.Create(connectionString, schema);
            var requester = QuartzPostgres.Create(connectionString, schema, "node-a");
            var job = JobBuilder.Create<NodeJob>().WithIdentity(JobId).StoreDurably().Build();
            requester.AddJob(job, default).GetAwaiter().GetResult();
            try
            {
                return Ask(connectionString, "quartz", schema, tries, () => requester.TriggerJob(job.Key).GetAwaiter().GetResult(), out load);
            }
            finally
            {
                QuartzHarness.Shutdown(requester);
            }
        }
        finally
        {
            PostgresBench.DropSchema(connectionString, schema);
        }
    }

    /// <summary>Starts node B and asks <paramref name="tries"/> times; the latencies in milliseconds, sorted.</summary>
    private static double[] Ask(string connectionString, string system, string schema, int tries, Action request, out double load)
    {
        var starts = new BlockingCollection<long>();
        using var node = NodeProcess.Start(connectionString, system, schema, "node-b", (_, ticks) => starts.Add(ticks));
        node.Send("START");
        Thread.Sleep(2000);
        var latencies = new double[tries];
        for (var i = 0; i < tries; i++)
        {
            Thread.Sleep(Random.Shared.Next(200, 1000));
            var asked = PostgresBench.Now();
            request();
            if (!starts.TryTake(out var started, Timeout))
            {
                throw new TimeoutException($"A run-now asked of {system} did not start on the other node within {Timeout}.");
            }

            latencies[i] = PostgresBench.Milliseconds(asked, started);
        }

        load = PostgresBench.LoadAverage() ?? double.NaN;
        Array.Sort(latencies);
        return latencies;
    }
}
