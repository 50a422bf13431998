using System.Collections.Specialized;
using System.Globalization;
using Quartz;

namespace Scheduler.Benchmarks.Engine;

/// <summary>Quartz.NET schedulers as the benchmarks use them: RAM job store, 10 concurrent jobs, other settings default.</summary>
internal static class QuartzHarness
{
    private static int instances;

    /// <summary>A new, not started Quartz scheduler with the RAM job store (its default) and 10 workers.</summary>
    public static IScheduler CreateRam() => Create([]);

    /// <summary>A new, not started Quartz scheduler with 10 workers, the given extra properties and configuration in code.</summary>
    public static IScheduler Create(IEnumerable<KeyValuePair<string, string>> extra, Action<IQuartzBuilder>? configure = null)
    {
        // A unique name per scheduler: a process keeps a registry of them by name.
        var properties = new NameValueCollection
        {
            ["quartz.scheduler.instanceName"] = "bench-" + Interlocked.Increment(ref instances).ToString(CultureInfo.InvariantCulture),
            ["quartz.threadPool.maxConcurrency"] = "10",
        };
        foreach (var (key, value) in extra)
        {
            properties[key] = value;
        }

        // The scheduler outlives the builder's container, which is fine for a benchmark: Shutdown stops it.
        return QuartzSchedulerBuilder.Create(configure).UseProperties(properties).BuildScheduler().GetAwaiter().GetResult();
    }

    public static IJobDetail Job<TJob>(string id)
        where TJob : IJob
        => JobBuilder.Create<TJob>().WithIdentity(id).Build();

    /// <summary>A simple trigger that fires at <paramref name="start"/> and then every <paramref name="every"/>.</summary>
    public static ITrigger Repeating(string id, DateTimeOffset start, TimeSpan every)
        => TriggerBuilder.Create().WithIdentity(id).StartAt(start).WithSimpleSchedule(s => s.WithInterval(every).RepeatForever()).Build();

    /// <summary>A simple trigger that fires once at <paramref name="at"/>.</summary>
    public static ITrigger Once(string id, DateTimeOffset at)
        => TriggerBuilder.Create().WithIdentity(id).StartAt(at).Build();

    public static void Schedule(IScheduler scheduler, IJobDetail job, ITrigger trigger)
        => scheduler.ScheduleJob(job, trigger).GetAwaiter().GetResult();

    public static void Shutdown(IScheduler scheduler, bool waitForJobs = true)
        => scheduler.Shutdown(waitForJobs).GetAwaiter().GetResult();
}

/// <summary>Counts its runs.</summary>
internal sealed class CountingJob : IJob
{
    public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        Probe.Current.Ran();
        return default;
    }
}

/// <summary>Records how late it started.</summary>
internal sealed class LatenessJob : IJob
{
    public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        Probe.Current.Started(context.ScheduledFireTimeUtc ?? throw new InvalidOperationException("Quartz gave no scheduled fire time."));
        return default;
    }
}

/// <summary>Does nothing.</summary>
internal sealed class NoOpJob : IJob
{
    public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) => default;
}
