using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using Scheduler.Executors;
using Scheduler.Jobs;
using Scheduler.Scheduling;
using Scheduler.Triggers;

namespace Scheduler.Benchmarks.Engine;

/// <summary>
/// <c>fire-memory</c>: 20 000 one-off no-op jobs, all due now, in a stopped scheduler; the clock runs
/// from <c>Start()</c> until the last job has run (counted in the job), 10 workers on both sides.
/// A first line, <c>"system":"baseline"</c>, is a bare channel drained by 10 workers in the same run
/// (see <see cref="FireBaseline"/>): the issue set its goal next to one, and it is the most any design
/// that hands each run to one of 10 workers can do on the machine. A line <c>"system":"scheduler-inline"</c>
/// is the same scheduler with the inline executor: every run on the loop's thread, which is what the
/// scheduler's own work per run costs without workers.
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
        FireBaseline(2_000);
        FireScheduler(ids, 2_000, inline: true);
        FireScheduler(ids, 2_000);
        FireQuartz(ids, 2_000);

        var rounds = quick ? 1 : 5;
        var bare = new List<double>();
        var inline = new List<double>();
        var ours = new List<double>();
        var theirs = new List<double>();
        for (var round = 0; round < rounds; round++)
        {
            bare.Add(FireBaseline(Jobs));
            inline.Add(FireScheduler(ids, Jobs, inline: true));
            ours.Add(FireScheduler(ids, Jobs));
            theirs.Add(FireQuartz(ids, Jobs));
        }

        // Each round's figure, in thousands a second: the median hides how Quartz warms up over them.
        Console.Error.WriteLine($"{Name} rounds (k/s): baseline {string.Join(" ", bare.Select(Thousands))} | scheduler-inline {string.Join(" ", inline.Select(Thousands))} | scheduler {string.Join(" ", ours.Select(Thousands))} | quartz {string.Join(" ", theirs.Select(Thousands))}");
        Json.Print(Name, "baseline", ("n", Jobs), ("per_s", Math.Round(Measure.Median(bare))), ("rounds", rounds));
        Json.Print(Name, "scheduler-inline", ("n", Jobs), ("per_s", Math.Round(Measure.Median(inline))), ("rounds", rounds));
        Json.Print(Name, "scheduler", ("n", Jobs), ("per_s", Math.Round(Measure.Median(ours))), ("rounds", rounds));
        Json.Print(Name, "quartz", ("n", Jobs), ("per_s", Math.Round(Measure.Median(theirs))), ("rounds", rounds));
    }

    private static string Thousands(double perSecond) => Math.Round(perSecond / 1000).ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// The floor of handing runs to workers: the due runs written to an unbounded channel, which 10
    /// workers drain and call. No store, no planning, no run history, no events.
    /// </summary>
    private static double FireBaseline(int count)
    {
        var probe = new Probe(count);
        var channel = Channel.CreateUnbounded<Action>(new UnboundedChannelOptions { SingleWriter = true });
        Action ran = probe.Ran;

        Measure.Settle();
        var watch = Stopwatch.StartNew();
        var workers = new Task[10];
        for (var w = 0; w < workers.Length; w++)
        {
            workers[w] = Task.Run(async () =>
            {
                while (await channel.Reader.WaitToReadAsync().ConfigureAwait(false))
                {
                    while (channel.Reader.TryRead(out var run))
                    {
                        run();
                    }
                }
            });
        }

        for (var i = 0; i < count; i++)
        {
            channel.Writer.TryWrite(ran);
        }

        var finished = probe.Wait(Timeout);
        watch.Stop();
        channel.Writer.Complete();
        Task.WaitAll(workers);
        return probe.Rate(finished, watch, Timeout);
    }

    private static double FireScheduler(string[] ids, int count, bool inline = false)
    {
        var probe = new Probe(count);
        var scheduler = new JobScheduler();
        if (inline)
        {
            scheduler.RemoveExecutor("default");
            scheduler.AddExecutor("default", JobExecutor.CreateInline());
        }

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
