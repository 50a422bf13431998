using System.Diagnostics;
using Scheduler.Jobs;
using Scheduler.Scheduling;
using Scheduler.Triggers;

namespace Scheduler.Benchmarks.Engine;

/// <summary>
/// <c>add-memory</c>: adds 100 000 interval jobs, first run an hour away, to a running scheduler's
/// memory store, against Quartz's <c>ScheduleJob(job, trigger)</c> with a simple trigger repeating
/// every hour into its RAM job store. Each job gets its own trigger object, as in an application.
/// </summary>
internal sealed class AddMemoryWorkload : IWorkload
{
    private const int Jobs = 100_000;

    public string Name => "add-memory";

    public int Order => 10;

    public void Run(bool quick)
    {
        var ids = Measure.Ids("job-", Jobs);
        AddToScheduler(ids, 10_000);
        AddToQuartz(ids, 10_000);

        // Rounds alternate the systems so that load from elsewhere on the machine hits both alike.
        var rounds = quick ? 1 : 5;
        var ours = new List<double>();
        var theirs = new List<double>();
        for (var round = 0; round < rounds; round++)
        {
            ours.Add(AddToScheduler(ids, Jobs));
            theirs.Add(AddToQuartz(ids, Jobs));
        }

        Json.Print(Name, "scheduler", ("n", Jobs), ("per_s", Math.Round(Measure.Median(ours))), ("rounds", rounds));
        Json.Print(Name, "quartz", ("n", Jobs), ("per_s", Math.Round(Measure.Median(theirs))), ("rounds", rounds));
    }

    private static double AddToScheduler(string[] ids, int count)
    {
        var scheduler = new JobScheduler();
        scheduler.Start();
        Action<JobContext> noOp = static _ => { };
        var hour = TimeSpan.FromHours(1);
        Measure.Settle();
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            scheduler.AddJob(ids[i], new IntervalTrigger(hour), noOp);
        }

        watch.Stop();
        scheduler.Shutdown();
        return count / watch.Elapsed.TotalSeconds;
    }

    private static double AddToQuartz(string[] ids, int count)
    {
        var scheduler = QuartzHarness.CreateRam();
        scheduler.Start().GetAwaiter().GetResult();
        var hour = TimeSpan.FromHours(1);
        Measure.Settle();
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            QuartzHarness.Schedule(scheduler, QuartzHarness.Job<NoOpJob>(ids[i]), QuartzHarness.Repeating(ids[i], DateTimeOffset.UtcNow + hour, hour));
        }

        watch.Stop();
        QuartzHarness.Shutdown(scheduler);
        return count / watch.Elapsed.TotalSeconds;
    }
}
