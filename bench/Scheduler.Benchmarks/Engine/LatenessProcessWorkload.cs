using System.Collections.Concurrent;
using System.Globalization;
using Scheduler.Events;
using Scheduler.Executors;
using Scheduler.Invocations;
using Scheduler.Scheduling;
using Scheduler.Triggers;

namespace Scheduler.Benchmarks.Engine;

/// <summary>
/// <c>lateness-process</c>: 200 command jobs that fire every second for 10 s (5 s with <c>--quick</c>)
/// on the process executor with its default bound (one process per core): 200 process starts a second,
/// in two shapes: <c>burst</c>, all on the second, and <c>spread</c>, one every 5 ms; the burst also
/// with 8 workers, to show what the bound costs (a burst waits for the slots). Each job is
/// <c>/bin/date +%s%N</c>, which prints the instant it runs. Two
/// latenesses per run against its scheduled time: <c>start</c>, when the executor began the run (its
/// worker slot taken, just before the process is created: the scheduler's and the executor's queueing),
/// and <c>exec</c>, when the child itself ran (adds creating the process and loading the program).
/// Unix only (GNU date).
/// </summary>
internal sealed class LatenessProcessWorkload : IWorkload
{
    private const int Jobs = 200;

    public string Name => "lateness-process";

    public int Order => 13;

    public void Run(bool quick)
    {
        if (OperatingSystem.IsWindows() || !File.Exists("/bin/date"))
        {
            Console.Error.WriteLine("lateness-process: not measured here (needs /bin/date with %N).");
            return;
        }

        var seconds = quick ? 5 : 10;
        var cores = Environment.ProcessorCount;
        Measure(20, 1, spread: false, cores);
        foreach (var (spread, workers) in new[] { (false, cores), (false, 8), (true, cores) })
        {
            Report(spread ? "spread" : "burst", workers, seconds, Measure(Jobs, seconds, spread, workers));
        }
    }

    private void Report(string shape, int workers, int seconds, (double[] Start, double[] Exec, int Count) measured)
    {
        var (start, exec, count) = measured;
        Json.Print(
            Name,
            "scheduler",
            ("shape", shape),
            ("jobs", Jobs),
            ("seconds", seconds),
            ("workers", workers),
            ("runs", count),
            ("start_p50_ms", Engine.Measure.Percentile(start, 50)),
            ("start_p99_ms", Engine.Measure.Percentile(start, 99)),
            ("start_max_ms", start[^1]),
            ("exec_p50_ms", Engine.Measure.Percentile(exec, 50)),
            ("exec_p99_ms", Engine.Measure.Percentile(exec, 99)),
            ("exec_max_ms", exec[^1]));
    }

    private static (double[] Start, double[] Exec, int Count) Measure(int jobs, int seconds, bool spread, int workers)
    {
        var soon = DateTimeOffset.UtcNow.AddSeconds(2.5);
        var first = new DateTimeOffset(soon.Ticks - (soon.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
        var last = first.AddSeconds(seconds);
        var expected = jobs * seconds;
        var ended = new ConcurrentQueue<SchedulerEvent>();
        using var all = new CountdownEvent(expected);
        using var scheduler = new JobScheduler();
        scheduler.AddExecutor("process", JobExecutor.CreateProcess(workers));
        using var subscription = scheduler.Subscribe(
            e =>
            {
                if (e.ScheduledTime is { } scheduled && scheduled < last)
                {
                    ended.Enqueue(e);
                    all.Signal();
                }
            },
            SchedulerEventType.JobExecuted | SchedulerEventType.JobError);
        var date = new CommandInvocation("/bin/date", ["+%s%N"]);
        for (var i = 0; i < jobs; i++)
        {
            var offset = spread ? TimeSpan.FromTicks(TimeSpan.TicksPerSecond * i / jobs) : TimeSpan.Zero;
            scheduler.AddJob(new IntervalTrigger(TimeSpan.FromSeconds(1), first + offset), date, "date-" + i.ToString(CultureInfo.InvariantCulture), executor: "process");
        }

        scheduler.Start();
        if (!all.Wait(TimeSpan.FromSeconds(seconds + 60)))
        {
            throw new TimeoutException($"Only {expected - all.CurrentCount} of {expected} runs ended.");
        }

        scheduler.Shutdown(wait: true);
        var start = new List<double>();
        var exec = new List<double>();
        foreach (var e in ended)
        {
            var scheduled = e.ScheduledTime!.Value;
            start.Add((e.StartTime!.Value - scheduled).TotalMilliseconds);
            if (e.ReturnValue is string output && long.TryParse(output.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var nanoseconds))
            {
                exec.Add(((nanoseconds / 100) - (scheduled.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks)) / (double)TimeSpan.TicksPerMillisecond);
            }
        }

        start.Sort();
        exec.Sort();
        return ([.. start], [.. exec], ended.Count);
    }
}
