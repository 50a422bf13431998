using Scheduler.Jobs;
using Scheduler.Scheduling;
using Scheduler.Triggers;

namespace Scheduler.Benchmarks.Engine;

/// <summary>
/// <c>bytes-per-job</c>: the growth of the managed heap (<c>GC.GetTotalMemory(true)</c>) from adding
/// 100 000 interval jobs to a scheduler that is not started, divided by the number of jobs. Counts
/// everything a job brings: its id, trigger, the store's index entries, and the scheduler's bounded
/// event log (its JobAdded events). Quartz's RAM job store for comparison.
/// </summary>
internal sealed class BytesPerJobWorkload : IWorkload
{
    private const int Jobs = 100_000;

    public string Name => "bytes-per-job";

    public int Order => 14;

    public void Run(bool quick)
    {
        SchedulerBytes(1_000);
        QuartzBytes(1_000);
        Json.Print(Name, "scheduler", ("jobs", Jobs), ("bytes", SchedulerBytes(Jobs)));
        Json.Print(Name, "quartz", ("jobs", Jobs), ("bytes", QuartzBytes(Jobs)));
    }

    private static double SchedulerBytes(int count)
    {
        var scheduler = new JobScheduler();
        Action<JobContext> noOp = static _ => { };
        var hour = TimeSpan.FromHours(1);
        var before = GC.GetTotalMemory(forceFullCollection: true);
        for (var i = 0; i < count; i++)
        {
            scheduler.AddJob("job-" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), new IntervalTrigger(hour), noOp);
        }

        var after = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(scheduler);
        return (after - before) / (double)count;
    }

    private static double QuartzBytes(int count)
    {
        var scheduler = QuartzHarness.CreateRam();
        var hour = TimeSpan.FromHours(1);
        var before = GC.GetTotalMemory(forceFullCollection: true);
        for (var i = 0; i < count; i++)
        {
            var id = "job-" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            QuartzHarness.Schedule(scheduler, QuartzHarness.Job<NoOpJob>(id), QuartzHarness.Repeating(id, DateTimeOffset.UtcNow + hour, hour));
        }

        var after = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(scheduler);
        QuartzHarness.Shutdown(scheduler);
        return (after - before) / (double)count;
    }
}
