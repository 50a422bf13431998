using System.Diagnostics;
using Quartz;
using Scheduler.Benchmarks.Engine;
using Scheduler.Triggers;

namespace Scheduler.Benchmarks.Sqlite;

/// <summary>
/// <c>restart-sqlite</c>: a SQLite file with 100 000 jobs (20 000 with <c>--quick</c>), one of them
/// due: the time from starting a new process (this program, as a child) until that job has run,
/// which the child reports by printing a line. Everything a restarted service does is inside:
/// runtime start, opening the file, starting the scheduler, finding the due job, running it. Each
/// measurement runs on a fresh copy of the prepared file; the median of three (after one to warm
/// the disk cache) is reported.
/// </summary>
internal sealed class RestartSqliteWorkload : IWorkload
{
    /// <summary>The hidden first argument that makes this program the child.</summary>
    public const string ChildArgument = "--restart-sqlite-child";

    private const string FiredMarker = "FIRED";
    private const string DueJob = "due-now";
    private const int Measurements = 3;

    public string Name => "restart-sqlite";

    public int Order => 22;

    public void Run(bool quick)
    {
        var jobs = quick ? 20_000 : 100_000;
        using var files = new SqliteFiles();

        var ours = files.NewPath("scheduler");
        PrepareScheduler(ours, jobs);
        Report("scheduler", jobs, Restarts(files, ours, "scheduler"));

        var theirs = files.NewPath("quartz");
        PrepareQuartz(theirs, jobs);
        Report("quartz", jobs, Restarts(files, theirs, "quartz"));
    }

    /// <summary>The child: starts a scheduler of the given system on the file and prints the marker when the due job runs.</summary>
    public static int Child(string[] args)
    {
        var system = args[1];
        var path = args[2];
        using var fired = new ManualResetEventSlim();
        if (system == "scheduler")
        {
            var scheduler = SqliteFiles.OpenScheduler(path, () => fired.Set());
            scheduler.Start();
            fired.Wait();
            WriteMarker();
            scheduler.Shutdown(wait: false);
        }
        else
        {
            Probe.Current = new Probe(1);
            var scheduler = QuartzSqlite.Create(path, syncNormal: false);
            scheduler.Start().GetAwaiter().GetResult();
            Probe.Current.Wait(Timeout.InfiniteTimeSpan);
            WriteMarker();
            QuartzHarness.Shutdown(scheduler, waitForJobs: false);
        }

        return 0;
    }

    /// <summary>Straight to the standard output stream: the console's writer would add its own start-up to the measurement.</summary>
    private static void WriteMarker()
    {
        using var output = Console.OpenStandardOutput();
        output.Write("FIRED\n"u8);
        output.Flush();
    }

    private static void PrepareScheduler(string path, int jobs)
    {
        var scheduler = SqliteFiles.OpenScheduler(path, static () => { });
        var hour = TimeSpan.FromHours(1);
        for (var i = 1; i < jobs; i++)
        {
            scheduler.AddJob(new IntervalTrigger(hour), SqliteFiles.NoOpInvocation, "job-" + i, store: SqliteFiles.StoreName);
        }

        scheduler.AddJob(new DateTrigger(DateTimeOffset.UtcNow), SqliteFiles.NoOpInvocation, DueJob, store: SqliteFiles.StoreName);
        scheduler.Dispose();
    }

    private static void PrepareQuartz(string path, int jobs)
    {
        QuartzSqliteSchema.Create(path);
        var scheduler = QuartzSqlite.Create(path, syncNormal: true);
        var hour = TimeSpan.FromHours(1);
        var all = new Dictionary<IJobDetail, IReadOnlyCollection<ITrigger>>();
        for (var i = 1; i < jobs; i++)
        {
            var id = "job-" + i;
            all.Add(QuartzHarness.Job<NoOpJob>(id), [QuartzHarness.Repeating(id, DateTimeOffset.UtcNow + hour, hour)]);
        }

        // Due from now on; the measurements follow within Quartz's misfire threshold (a minute), so it fires as due, not as misfired.
        all.Add(QuartzHarness.Job<CountingJob>(DueJob), [QuartzHarness.Once(DueJob, DateTimeOffset.UtcNow)]);
        scheduler.ScheduleJobs(all, default).GetAwaiter().GetResult();
        QuartzHarness.Shutdown(scheduler);
    }

    private static List<double> Restarts(SqliteFiles files, string template, string system)
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var seconds = new List<double>();
        for (var i = 0; i <= Measurements; i++)
        {
            var copy = files.NewPath(system + "-copy");
            foreach (var suffix in new[] { string.Empty, "-wal", "-shm" })
            {
                if (File.Exists(template + suffix))
                {
                    File.Copy(template + suffix, copy + suffix);
                }
            }

            var elapsed = StartChild(system, copy);
            if (i > 0)
            {
                seconds.Add(elapsed);
            }
        }

        return seconds;
    }

    private static double StartChild(string system, string path)
    {
        var host = Environment.ProcessPath ?? throw new InvalidOperationException("The path of this program is unknown.");
        var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, UseShellExecute = false };
        if (string.Equals(Path.GetFileNameWithoutExtension(host), "dotnet", StringComparison.Ordinal))
        {
            start.ArgumentList.Add(typeof(RestartSqliteWorkload).Assembly.Location);
        }

        start.ArgumentList.Add(ChildArgument);
        start.ArgumentList.Add(system);
        start.ArgumentList.Add(path);
        var watch = Stopwatch.StartNew();
        using var child = Process.Start(start) ?? throw new InvalidOperationException("The child process did not start.");
        string? line;
        while ((line = child.StandardOutput.ReadLine()) is not null && line != FiredMarker)
        {
        }

        watch.Stop();
        if (line is null)
        {
            throw new InvalidOperationException($"The {system} child ended without running the due job (exit code {(child.WaitForExit(10_000) ? child.ExitCode : -1)}).");
        }

        if (!child.WaitForExit(30_000))
        {
            child.Kill(entireProcessTree: true);
        }

        return watch.Elapsed.TotalSeconds;
    }

    private void Report(string system, int jobs, List<double> seconds)
        => Json.Print(Name, system, ("jobs", jobs), ("seconds", Math.Round(Measure.Median(seconds), 4)), ("best_seconds", Math.Round(seconds.Min(), 4)), ("runs", seconds.Count));
}
