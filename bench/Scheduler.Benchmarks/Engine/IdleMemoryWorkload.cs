using Scheduler.Jobs;
using Scheduler.Scheduling;
using Scheduler.Triggers;

namespace Scheduler.Benchmarks.Engine;

/// <summary>
/// <c>idle-memory</c>: 100 000 jobs whose first run is an hour away, 10 s (5 s with <c>--quick</c>) of a running scheduler:
/// the CPU time the whole process uses meanwhile (<c>Process.TotalProcessorTime</c>), once the JIT
/// has gone quiet and after a full garbage collection. A scheduler that sleeps until the next due time
/// uses next to nothing; one that polls does not. A first line, <c>"system":"baseline"</c>, is the
/// same window with no scheduler: the floor of the runtime's own housekeeping.
/// </summary>
internal sealed class IdleMemoryWorkload : IWorkload
{
    private const int Jobs = 100_000;


    public string Name => "idle-memory";

    // First of all: the workloads before it would leave threads and a larger heap behind, which
    // raise the process's floor (the baseline line) for both systems alike.
    public int Order => -10;

    public void Run(bool quick)
    {
        // --quick measures 5 s windows, so that the whole quick run stays under two minutes.
        var window = TimeSpan.FromSeconds(quick ? 5 : 10);
        var ids = Measure.Ids("idle-", Jobs);
        var hour = TimeSpan.FromHours(1);

        // The floor: the same window in this process with no scheduler at all (runtime housekeeping).
        Report("baseline", 0, window, CpuWhileIdle(window));
        var scheduler = new JobScheduler();
        Action<JobContext> noOp = static _ => { };
        for (var i = 0; i < Jobs; i++)
        {
            scheduler.AddJob(ids[i], new IntervalTrigger(hour), noOp);
        }

        scheduler.Start();
        Report("scheduler", Jobs, window, CpuWhileIdle(window));
        scheduler.Shutdown();

        var quartz = QuartzHarness.CreateRam();
        for (var i = 0; i < Jobs; i++)
        {
            QuartzHarness.Schedule(quartz, QuartzHarness.Job<NoOpJob>(ids[i]), QuartzHarness.Repeating(ids[i], DateTimeOffset.UtcNow + hour, hour));
        }

        quartz.Start().GetAwaiter().GetResult();
        Report("quartz", Jobs, window, CpuWhileIdle(window));
        QuartzHarness.Shutdown(quartz);
    }

    private static TimeSpan CpuWhileIdle(TimeSpan window)
    {
        Measure.Quiesce(TimeSpan.FromSeconds(20));
        var before = Measure.ProcessCpu();
        Thread.Sleep(window);
        return Measure.ProcessCpu() - before;
    }

    private void Report(string system, int jobs, TimeSpan window, TimeSpan cpu)
        => Json.Print(Name, system, ("jobs", jobs), ("seconds", window.TotalSeconds), ("cpu_s", cpu.TotalSeconds));
}
