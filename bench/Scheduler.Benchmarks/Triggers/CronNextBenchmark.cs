using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using NCrontab;
using Scheduler.Triggers;

namespace Scheduler.Benchmarks.Triggers;

/// <summary>
/// The cost of "next fire time" for a cron trigger in a zone, against raw NCrontab (which knows no
/// zones) for the same expression and the same inputs: each call starts from the previous fire time,
/// as the scheduler does, over a walk of a few weeks that crosses a DST change in Berlin.
/// </summary>
[MemoryDiagnoser]
public class CronNextBenchmark
{
    /// <summary>A weekday business-hours schedule, plain enough for NCrontab alone.</summary>
    public const string Plain = "*/5 9-17 * * MON-FRI";

    /// <summary>The same with a seconds field.</summary>
    public const string WithSeconds = "30 */5 9-17 * * MON-FRI";

    /// <summary>POSIX either-match of the two day fields, which NCrontab cannot express.</summary>
    public const string EitherMatch = "*/5 9-17 13 * FRI";

    /// <summary>Last Friday of the month: a jump of weeks per call.</summary>
    public const string LastFriday = "0 12 * * FRIL";

    private const int Inputs = 4096;

    private Case plain = null!;
    private Case withSeconds = null!;
    private Case eitherMatch = null!;
    private Case lastFriday = null!;
    private int index;

    [GlobalSetup]
    public void Setup()
    {
        var berlin = TimeZones.Resolve("Europe/Berlin");
        var start = new DateTimeOffset(2024, 3, 11, 0, 0, 0, TimeSpan.FromHours(1));
        plain = new Case(Plain, berlin, start, includingSeconds: false);
        withSeconds = new Case(WithSeconds, berlin, start, includingSeconds: true);
        eitherMatch = new Case(EitherMatch, berlin, start, includingSeconds: null);
        lastFriday = new Case(LastFriday, berlin, start, includingSeconds: null);
    }

    [Benchmark(Baseline = true, Description = "NCrontab, 5 fields")]
    public DateTime NCrontabPlain() => plain.Raw!.GetNextOccurrence(plain.Walls[Next()], DateTime.MaxValue);

    [Benchmark(Description = "CronTrigger, 5 fields, Berlin")]
    public DateTimeOffset? SchedulerPlain() => plain.Trigger.GetFireTimeAfter(plain.Instants[Next()]);

    [Benchmark(Description = "NCrontab, 6 fields")]
    public DateTime NCrontabSeconds() => withSeconds.Raw!.GetNextOccurrence(withSeconds.Walls[Next()], DateTime.MaxValue);

    [Benchmark(Description = "CronTrigger, 6 fields, Berlin")]
    public DateTimeOffset? SchedulerSeconds() => withSeconds.Trigger.GetFireTimeAfter(withSeconds.Instants[Next()]);

    [Benchmark(Description = "CronTrigger, either-match, Berlin")]
    public DateTimeOffset? SchedulerEitherMatch() => eitherMatch.Trigger.GetFireTimeAfter(eitherMatch.Instants[Next()]);

    [Benchmark(Description = "CronTrigger, last Friday, Berlin")]
    public DateTimeOffset? SchedulerLastFriday() => lastFriday.Trigger.GetFireTimeAfter(lastFriday.Instants[Next()]);

    private int Next() => index = (index + 1) & (Inputs - 1);

    /// <summary>One expression: the trigger, raw NCrontab where it can read it, and the walk of inputs.</summary>
    internal sealed class Case
    {
        public Case(string expression, TimeZoneInfo zone, DateTimeOffset start, bool? includingSeconds)
        {
            Trigger = new CronTrigger(expression, zone);
            if (includingSeconds is { } seconds)
            {
                Raw = CrontabSchedule.Parse(expression, new CrontabSchedule.ParseOptions { IncludingSeconds = seconds });
            }

            Instants = new DateTimeOffset[Inputs];
            Walls = new DateTime[Inputs];
            var instant = start;
            for (var i = 0; i < Inputs; i++)
            {
                Instants[i] = instant;
                Walls[i] = TimeZoneInfo.ConvertTime(instant, zone).DateTime;
                instant = Trigger.GetFireTimeAfter(instant) ?? throw new InvalidOperationException($"'{expression}' stopped firing.");
            }
        }

        public CronTrigger Trigger { get; }

        public CrontabSchedule? Raw { get; }

        public DateTimeOffset[] Instants { get; }

        public DateTime[] Walls { get; }
    }
}

/// <summary>
/// <c>cron-next</c>: runs <see cref="CronNextBenchmark"/> with BenchmarkDotNet (in process), or with
/// <c>--quick</c> a plain timed loop; prints one JSON line per system and case.
/// </summary>
internal sealed class CronNextWorkload : IWorkload
{
    public string Name => "cron-next";

    public void Run(bool quick)
    {
        if (quick)
        {
            RunQuick();
            return;
        }

        var config = ManualConfig.CreateMinimumViable()
            .AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance))
            .WithOptions(ConfigOptions.DisableOptimizationsValidator);
        var summary = BenchmarkRunner.Run<CronNextBenchmark>(config);
        foreach (var report in summary.Reports)
        {
            if (report.ResultStatistics is not { } statistics)
            {
                continue;
            }

            var method = report.BenchmarkCase.Descriptor.WorkloadMethod.Name;
            Print(System(method), Case(method), statistics.Mean, report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase) ?? 0);
        }
    }

    private static void RunQuick()
    {
        var benchmark = new CronNextBenchmark();
        benchmark.Setup();
        (string Method, Func<long> Call)[] calls =
        [
            (nameof(CronNextBenchmark.NCrontabPlain), () => benchmark.NCrontabPlain().Ticks),
            (nameof(CronNextBenchmark.SchedulerPlain), () => benchmark.SchedulerPlain()!.Value.UtcTicks),
            (nameof(CronNextBenchmark.NCrontabSeconds), () => benchmark.NCrontabSeconds().Ticks),
            (nameof(CronNextBenchmark.SchedulerSeconds), () => benchmark.SchedulerSeconds()!.Value.UtcTicks),
            (nameof(CronNextBenchmark.SchedulerEitherMatch), () => benchmark.SchedulerEitherMatch()!.Value.UtcTicks),
            (nameof(CronNextBenchmark.SchedulerLastFriday), () => benchmark.SchedulerLastFriday()!.Value.UtcTicks),
        ];

        // Rounds interleave the cases, so that load from elsewhere on the machine hits all of them alike;
        // each case reports its median round. Round 0 warms up (tiered compilation, offset tables).
        const int Rounds = 9;
        const int Calls = 500_000;
        var nanoseconds = new double[calls.Length][];
        var bytes = new double[calls.Length];
        for (var c = 0; c < calls.Length; c++)
        {
            nanoseconds[c] = new double[Rounds - 1];
        }

        for (var round = 0; round < Rounds; round++)
        {
            for (var c = 0; c < calls.Length; c++)
            {
                var call = calls[c].Call;
                var allocated = GC.GetAllocatedBytesForCurrentThread();
                var watch = Stopwatch.StartNew();
                long sink = 0;
                for (var i = 0; i < Calls; i++)
                {
                    sink ^= call();
                }

                watch.Stop();
                GC.KeepAlive(sink);
                if (round > 0)
                {
                    nanoseconds[c][round - 1] = watch.Elapsed.TotalMilliseconds * 1_000_000 / Calls;
                    bytes[c] = Math.Max(bytes[c], (double)(GC.GetAllocatedBytesForCurrentThread() - allocated) / Calls);
                }
            }
        }

        for (var c = 0; c < calls.Length; c++)
        {
            Array.Sort(nanoseconds[c]);
            Print(System(calls[c].Method), Case(calls[c].Method), nanoseconds[c][nanoseconds[c].Length / 2], bytes[c]);
        }
    }

    private static string System(string method) => method.StartsWith("NCrontab", StringComparison.Ordinal) ? "ncrontab" : "scheduler";

    private static string Case(string method) => method switch
    {
        nameof(CronNextBenchmark.NCrontabPlain) or nameof(CronNextBenchmark.SchedulerPlain) => "5-field",
        nameof(CronNextBenchmark.NCrontabSeconds) or nameof(CronNextBenchmark.SchedulerSeconds) => "6-field",
        nameof(CronNextBenchmark.SchedulerEitherMatch) => "either-match",
        _ => "last-friday",
    };

    private static void Print(string system, string benchmarkCase, double nanoseconds, double bytes)
        => Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $$"""{"workload":"cron-next","system":"{{system}}","case":"{{benchmarkCase}}","ns_per_call":{{nanoseconds:F1}},"bytes_per_call":{{bytes:0.##}}}"""));
}
