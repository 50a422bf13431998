using Scheduler.Jobs;
using Scheduler.Scheduling;
using Scheduler.Triggers;

namespace Scheduler.Benchmarks.Engine;

/// <summary>
/// <c>lateness-memory</c>: 2 000 jobs that all fire every second, on the second, for 20 s (5 s with
/// <c>--quick</c>); each run reads the clock as it starts and records how late it is against its
/// scheduled time (<c>JobContext.ScheduledTime</c>, Quartz's <c>ScheduledFireTimeUtc</c>). Reports
/// the median, the 99th percentile, the maximum, how many runs started before their time, and the CPU
/// time the process used from the start of the scheduler until the last run was recorded (punctuality
/// bought with a spinning core is not punctuality). A first line, <c>"system":"baseline"</c>, is a plain
/// timer-driven loop on the same machine in the same run (see <see cref="RunBaseline"/>): the issue set
/// its goals against one, and a machine's timers and wake-ups move all three systems alike.
/// </summary>
internal class LatenessMemoryWorkload : IWorkload
{
    private const int Jobs = 2_000;

    public virtual string Name => "lateness-memory";

    public virtual int Order => 12;

    /// <summary>Whether the jobs' fire times are spread evenly over each second (one every 0.5 ms) instead of all on the second.</summary>
    protected virtual bool Spread => false;

    public void Run(bool quick)
    {
        var seconds = quick ? 5 : 20;
        var ids = Measure.Ids("late-", Jobs);
        RunBaseline(200, 1);
        RunScheduler(ids, 200, 1);
        RunQuartz(ids, 200, 1);
        Report("baseline", seconds, RunBaseline(Jobs, seconds));
        Report("scheduler", seconds, RunScheduler(ids, Jobs, seconds));
        Report("quartz", seconds, RunQuartz(ids, Jobs, seconds));
    }

    /// <summary>When the job at <paramref name="index"/> of <paramref name="count"/> first fires.</summary>
    private DateTimeOffset FirstFire(DateTimeOffset start, int index, int count)
        => Spread ? start.AddTicks(TimeSpan.TicksPerSecond * index / count) : start;

    /// <summary>
    /// The floor of a timer-driven design: one thread, one heap of next fire times, a sleep until the
    /// next one (rounded up to its millisecond, so that nothing starts early), the due runs called on
    /// that thread. No workers, no run history, no events.
    /// </summary>
    private Probe RunBaseline(int count, int seconds)
    {
        var (start, probe) = Plan(count, seconds);
        var due = new PriorityQueue<int, long>(count);
        for (var i = 0; i < count; i++)
        {
            due.Enqueue(i, FirstFire(start, i, count).UtcTicks);
        }

        var loop = new Thread(() =>
        {
            while (!probe.IsDone)
            {
                due.TryPeek(out var job, out var next);
                var delay = next - DateTimeOffset.UtcNow.UtcTicks;
                if (delay > 0)
                {
                    Thread.Sleep(TimeSpan.FromMilliseconds(Math.Ceiling((double)delay / TimeSpan.TicksPerMillisecond)));
                    continue;
                }

                due.Dequeue();
                probe.Started(new DateTimeOffset(next, TimeSpan.Zero));
                due.Enqueue(job, next + TimeSpan.TicksPerSecond);
            }
        })
        {
            IsBackground = true,
            Name = "baseline loop",
        };
        return Measured(probe, seconds, loop.Start, loop.Join);
    }

    private Probe RunScheduler(string[] ids, int count, int seconds)
    {
        var (start, probe) = Plan(count, seconds);
        var scheduler = new JobScheduler();
        var second = TimeSpan.FromSeconds(1);
        Action<JobContext> started = context => probe.Started(context.ScheduledTime);
        for (var i = 0; i < count; i++)
        {
            scheduler.AddJob(ids[i], new IntervalTrigger(second, FirstFire(start, i, count)), started);
        }

        return Measured(probe, seconds, () => scheduler.Start(), () => scheduler.Shutdown());
    }

    private Probe RunQuartz(string[] ids, int count, int seconds)
    {
        var (start, probe) = Plan(count, seconds);
        Probe.Current = probe;
        var scheduler = QuartzHarness.CreateRam();
        var second = TimeSpan.FromSeconds(1);
        for (var i = 0; i < count; i++)
        {
            QuartzHarness.Schedule(scheduler, QuartzHarness.Job<LatenessJob>(ids[i]), QuartzHarness.Repeating(ids[i], FirstFire(start, i, count), second));
        }

        return Measured(probe, seconds, () => scheduler.Start().GetAwaiter().GetResult(), () => QuartzHarness.Shutdown(scheduler));
    }

    /// <summary>
    /// Starts a system once the process has settled, waits for the probe's runs, and records the CPU time
    /// and the collections of the window, from <paramref name="start"/> until the last run was recorded.
    /// </summary>
    private static Probe Measured(Probe probe, int seconds, Action start, Action stop)
    {
        Measure.Settle();
        var collections = Measure.Collections();
        var cpu = Measure.ProcessCpu();
        start();
        Await(probe, seconds);
        probe.Cpu = Measure.ProcessCpu() - cpu;
        probe.Collections = Measure.Collections() - collections;
        stop();
        return probe;
    }

    /// <summary>The first fire time, a whole second at least 1.5 s away, and a probe for the runs scheduled in the window.</summary>
    private static (DateTimeOffset Start, Probe Probe) Plan(int count, int seconds)
    {
        var soon = DateTimeOffset.UtcNow.AddSeconds(2.5);
        var start = new DateTimeOffset(soon.Ticks - (soon.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
        var runs = count * seconds;
        return (start, new Probe(runs, runs, start.AddSeconds(seconds).AddTicks(-1)));
    }

    private static void Await(Probe probe, int seconds)
    {
        if (!probe.Wait(TimeSpan.FromSeconds(seconds + 60)))
        {
            throw new TimeoutException($"Only {probe.Runs} of {probe.Expected} runs were recorded.");
        }
    }

    private void Report(string system, int seconds, Probe probe)
    {
        var lateness = probe.SortedLatenessMs();
        Json.Print(
            Name,
            system,
            ("jobs", Jobs),
            ("seconds", seconds),
            ("runs", lateness.Length),
            ("p50_ms", Measure.Percentile(lateness, 50)),
            ("p99_ms", Measure.Percentile(lateness, 99)),
            ("max_ms", lateness[^1]),
            ("early", lateness.Count(l => l < 0)),
            ("cpu_s", Math.Round(probe.Cpu.TotalSeconds, 3)),
            ("gcs", probe.Collections));
    }
}

/// <summary>
/// <c>lateness-spread</c>: as <c>lateness-memory</c>, but the 2 000 jobs' fire times are spread evenly
/// over each second, one every 0.5 ms: the loop is never more than a moment from its next due time,
/// which is where spinning for punctuality costs a core.
/// </summary>
internal sealed class LatenessSpreadWorkload : LatenessMemoryWorkload
{
    public override string Name => "lateness-spread";

    public override int Order => 13;

    protected override bool Spread => true;
}
