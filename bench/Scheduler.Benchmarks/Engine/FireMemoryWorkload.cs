using System.Diagnostics;
using System.Globalization;
using Scheduler.Jobs;
using Scheduler.Scheduling;
using Scheduler.Triggers;

namespace Scheduler.Benchmarks.Engine;

/// <summary>
/// <c>fire-memory</c>: 20 000 one-off no-op jobs, all due now, in a stopped scheduler; the clock runs
/// from <c>Start()</c> until the last job has run (counted in the job), 10 workers on both sides.
/// </summary>
internal sealed class FireMemoryWorkload : IWorkload
{
    private const int Jobs = 20_000;

    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    public string Name => "fire-memory";

    public int Order => 11;

    public void Run(bool quick)
    {
        var ids = Measure.Ids("fire-", Jobs);
        FireScheduler(ids, 2_000);
        FireQuartz(ids, 2_000);

        var rounds = quick ? 1 : 5;
        var ours = new List<double>();
        var theirs = new List<double>();
        for (var round = 0; round < rounds; round++)
        {
            ours.Add(FireScheduler(ids, Jobs));
            theirs.Add(FireQuartz(ids, Jobs));
        }

        // Each round's figure, in thousands a second: the median hides how Quartz warms up over them.
        Console.Error.WriteLine($"{Name} rounds (k/s): scheduler {string.Join(" ", ours.Select(Thousands))} | quartz {string.Join(" ", theirs.Select(Thousands))}");
        Json.Print(Name, "scheduler", ("n", Jobs), ("per_s", Math.Round(Measure.Median(ours))), ("rounds", rounds));
        Json.Print(Name, "quartz", ("n", Jobs), ("per_s", Math.Round(Measure.Median(theirs))), ("rounds", rounds));
    }

    private static string Thousands(double perSecond) => Math.Round(perSecond / 1000).ToString(CultureInfo.InvariantCulture);

    private static double FireScheduler(string[] ids, int count)
    {
        var probe = new Probe(count);
        var scheduler = new JobScheduler();
        var now = DateTimeOffset.UtcNow;
        Action<JobContext> ran = _ => probe.Ran();
        for (var i = 0; i < count; i++)
        {
            scheduler.AddJob(ids[i], new DateTrigger(now), ran);
        }

        Measure.Settle();
        var watch = Stopwatch.StartNew();
        scheduler.Start();
        var finished = probe.Wait(Timeout);
        watch.Stop();
        scheduler.Shutdown();
        return probe.Rate(finished, watch, Timeout);
    }

    private static double FireQuartz(string[] ids, int count)
    {
        var probe = new Probe(count);
        Probe.Current = probe;
        var scheduler = QuartzHarness.CreateRam();
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < count; i++)
        {
            QuartzHarness.Schedule(scheduler, QuartzHarness.Job<CountingJob>(ids[i]), QuartzHarness.Once(ids[i], now));
        }

        Measure.Settle();
        var watch = Stopwatch.StartNew();
        scheduler.Start().GetAwaiter().GetResult();
        var finished = probe.Wait(Timeout);
        watch.Stop();
        QuartzHarness.Shutdown(scheduler);
        return probe.Rate(finished, watch, Timeout);
    }
}
