using System.Diagnostics;
using System.Globalization;
using Quartz;
using Scheduler.Benchmarks.Engine;
using Scheduler.Triggers;

namespace Scheduler.Benchmarks.Sqlite;

/// <summary>
/// <c>idle-sqlite</c>: a SQLite file with 100 000 jobs (20 000 with <c>--quick</c>) whose first run is an
/// hour away, a started scheduler on it, and the CPU time the whole process uses over 10 s (5 s with
/// <c>--quick</c>) once start-up is over (the JIT has gone quiet, a full collection done). Each
/// measurement is a fresh child process, so the three systems start from the same floor:
/// <list type="bullet">
/// <item><c>baseline</c>: a child that starts no scheduler (the runtime's own housekeeping);</item>
/// <item><c>scheduler</c>: our scheduler on our SQLite store;</item>
/// <item><c>quartz</c>: Quartz.NET on its ADO.NET SQLite store (<see cref="QuartzSqlite"/>).</item>
/// </list>
/// Three interleaved rounds (one with <c>--quick</c>); the median, the lowest and the highest are
/// reported, with the machine's load average, and, to tell what the CPU went to: collections,
/// thread-pool work items and methods compiled in the window (medians). Start-up is over when the
/// JIT went quiet and one unmeasured window passed: code that runs every few seconds is compiled,
/// and recompiled by tiering, in that one. The scheduler's child then measures how long another
/// connection's new, due job takes to run (<c>notice_ms</c>): a scheduler that idles cheaply must still
/// notice other processes' changes within a second.
/// </summary>
internal sealed class IdleSqliteWorkload : IWorkload
{
    /// <summary>The hidden first argument that makes this program the child.</summary>
    public const string ChildArgument = "--idle-sqlite-child";

    private const string ResultMarker = "IDLE ";

    public string Name => "idle-sqlite";

    public int Order => 23;

    public void Run(bool quick)
    {
        var jobs = quick ? 20_000 : 100_000;
        var window = TimeSpan.FromSeconds(quick ? 5 : 10);
        var rounds = quick ? 1 : 3;
        using var files = new SqliteFiles();
        var ours = files.NewPath("scheduler");
        PrepareScheduler(ours, jobs);
        var theirs = files.NewPath("quartz");
        PrepareQuartz(theirs, jobs);

        var systems = new[] { ("baseline", string.Empty), ("scheduler", ours), ("quartz", theirs) };
        var results = systems.ToDictionary(s => s.Item1, _ => new List<Dictionary<string, double>>());
        var load = new List<double>();
        for (var round = 0; round < rounds; round++)
        {
            foreach (var (system, path) in systems)
            {
                load.Add(LoadAverage());
                results[system].Add(StartChild(system, path, window));
            }
        }

        foreach (var (system, _) in systems)
        {
            var measured = results[system];
            var cpu = measured.Select(m => m["cpu_s"]).ToList();
            var fields = new List<(string, object)>
            {
                ("jobs", system == "baseline" ? 0 : jobs),
                ("seconds", window.TotalSeconds),
                ("cpu_s", Math.Round(Measure.Median(cpu), 4)),
                ("cpu_s_min", Math.Round(cpu.Min(), 4)),
                ("cpu_s_max", Math.Round(cpu.Max(), 4)),
                ("runs", cpu.Count),
                ("gcs", Measure.Median(measured.Select(m => m["gcs"]))),
                ("work_items", Measure.Median(measured.Select(m => m["work_items"]))),
                ("jitted", Measure.Median(measured.Select(m => m["jitted"]))),
            };
            if (measured.All(m => m.ContainsKey("notice_ms")))
            {
                fields.Add(("notice_ms_max", Math.Round(measured.Max(m => m["notice_ms"]), 1)));
            }

            fields.Add(("load1", Math.Round(load.Average(), 1)));
            Json.Print(Name, system, [.. fields]);
        }
    }

    /// <summary>The child: starts the system on the file, waits for start-up to settle, measures the window and prints the result line.</summary>
    public static int Child(string[] args)
    {
        var system = args[1];
        var path = args[2];
        var window = TimeSpan.FromSeconds(double.Parse(args[3], CultureInfo.InvariantCulture));
        var result = new List<(string Name, double Value)>();
        if (system == "baseline")
        {
            result.AddRange(Idle(window));
        }
        else if (system == "scheduler")
        {
            using var fired = new ManualResetEventSlim();
            var scheduler = SqliteFiles.OpenScheduler(path, () => fired.Set(), out var store);
            scheduler.Start();
            result.AddRange(Idle(window));
            result.Add(("notice_ms", NoticeMs(path, fired)));
            scheduler.Shutdown();
            scheduler.Dispose();
            store.Dispose();
        }
        else
        {
            var scheduler = QuartzSqlite.Create(path, syncNormal: true);
            scheduler.Start().GetAwaiter().GetResult();
            result.AddRange(Idle(window));
            QuartzHarness.Shutdown(scheduler);
        }

        Console.WriteLine(ResultMarker + string.Join(' ', result.Select(r => r.Name + "=" + r.Value.ToString("R", CultureInfo.InvariantCulture))));
        return 0;
    }

    /// <summary>The process's CPU time, collections and thread-pool work items over the window, after start-up settled.</summary>
    private static (string, double)[] Idle(TimeSpan window)
    {
        // Start-up settles, then a first window runs unmeasured: code that runs only every few seconds
        // is compiled (and recompiled by tiering) in it rather than in the measured one.
        Measure.Quiesce(TimeSpan.FromSeconds(20));
        Thread.Sleep(window);
        Measure.Quiesce(TimeSpan.FromSeconds(20));
        var gcs = Measure.Collections();
        var items = ThreadPool.CompletedWorkItemCount;
        var jitted = System.Runtime.JitInfo.GetCompiledMethodCount();
        var before = Measure.ProcessCpu();
        WindowStarts();
        Thread.Sleep(window);
        WindowEnds();
        var cpu = Measure.ProcessCpu() - before;
        jitted = System.Runtime.JitInfo.GetCompiledMethodCount() - jitted;
        return
        [
            ("cpu_s", cpu.TotalSeconds),
            ("gcs", Measure.Collections() - gcs),
            ("work_items", ThreadPool.CompletedWorkItemCount - items),
            ("jitted", jitted),
        ];
    }

    // Called once each, so they are compiled where the window starts and ends: with
    // DOTNET_JitStdOutFile and DOTNET_JitDisasmSummary=1 they mark what the JIT compiled in the window.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void WindowStarts()
    {
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void WindowEnds()
    {
    }

    /// <summary>Another store on the file adds a job that is due now; milliseconds until it ran (the scheduler noticed).</summary>
    private static double NoticeMs(string path, ManualResetEventSlim fired)
    {
        // Another process adding a job: a scheduler that is not started writes straight into the file.
        var other = SqliteFiles.OpenScheduler(path, static () => { }, out var store);
        other.AddJob(new DateTrigger(DateTimeOffset.UtcNow), SqliteFiles.NoOpInvocation, "notice", store: SqliteFiles.StoreName);

        // From the commit on: the add itself waits for the other store's check of the whole file (docs/stores.md).
        var watch = Stopwatch.StartNew();
        other.Dispose();
        store.Dispose();
        return fired.Wait(TimeSpan.FromSeconds(30)) ? watch.Elapsed.TotalMilliseconds : double.NaN;
    }

    private static void PrepareScheduler(string path, int jobs)
    {
        var scheduler = SqliteFiles.OpenScheduler(path, static () => { }, out var store);
        var hour = TimeSpan.FromHours(1);
        using (scheduler.BeginBatch())
        {
            for (var i = 0; i < jobs; i++)
            {
                scheduler.AddJob(new IntervalTrigger(hour), SqliteFiles.NoOpInvocation, "job-" + i.ToString(CultureInfo.InvariantCulture), store: SqliteFiles.StoreName);
            }
        }

        scheduler.Dispose();
        store.Dispose();
    }

    private static void PrepareQuartz(string path, int jobs)
    {
        QuartzSqliteSchema.Create(path);
        var scheduler = QuartzSqlite.Create(path, syncNormal: true);
        var start = DateTimeOffset.UtcNow.AddHours(1);
        var hour = TimeSpan.FromHours(1);
        var all = new Dictionary<IJobDetail, IReadOnlyCollection<ITrigger>>();
        for (var i = 0; i < jobs; i++)
        {
            var id = "job-" + i.ToString(CultureInfo.InvariantCulture);
            all.Add(QuartzHarness.Job<NoOpJob>(id), [QuartzHarness.Repeating(id, start, hour)]);
        }

        scheduler.ScheduleJobs(all, default).GetAwaiter().GetResult();
        QuartzHarness.Shutdown(scheduler);
    }

    private static Dictionary<string, double> StartChild(string system, string path, TimeSpan window)
    {
        var host = Environment.ProcessPath ?? throw new InvalidOperationException("The path of this program is unknown.");
        var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, UseShellExecute = false };
        if (string.Equals(Path.GetFileNameWithoutExtension(host), "dotnet", StringComparison.Ordinal))
        {
            start.ArgumentList.Add(typeof(IdleSqliteWorkload).Assembly.Location);
        }

        start.ArgumentList.Add(ChildArgument);
        start.ArgumentList.Add(system);
        start.ArgumentList.Add(path.Length == 0 ? "-" : path);
        start.ArgumentList.Add(window.TotalSeconds.ToString(CultureInfo.InvariantCulture));
        using var child = Process.Start(start) ?? throw new InvalidOperationException("The child process did not start.");
        string? line;
        while ((line = child.StandardOutput.ReadLine()) is not null && !line.StartsWith(ResultMarker, StringComparison.Ordinal))
        {
        }

        if (!child.WaitForExit(60_000))
        {
            child.Kill(entireProcessTree: true);
        }

        if (line is null)
        {
            throw new InvalidOperationException($"The {system} child ended without a result (exit code {(child.HasExited ? child.ExitCode : -1)}).");
        }

        return line[ResultMarker.Length..]
            .Split(' ')
            .Select(pair => pair.Split('='))
            .ToDictionary(pair => pair[0], pair => double.Parse(pair[1], CultureInfo.InvariantCulture), StringComparer.Ordinal);
    }

    /// <summary>The one-minute load average (Linux); NaN elsewhere.</summary>
    private static double LoadAverage()
    {
        try
        {
            var text = File.ReadAllText("/proc/loadavg");
            return double.Parse(text.Split(' ')[0], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return double.NaN;
        }
        catch (UnauthorizedAccessException)
        {
            return double.NaN;
        }
    }
}
