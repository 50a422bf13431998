using System.Diagnostics;
using Quartz;
using Scheduler.Benchmarks.Engine;
using Scheduler.Executors;
using Scheduler.Invocations;
using Scheduler.Scheduling;
using Scheduler.Stores;
using Scheduler.Triggers;

namespace Scheduler.Benchmarks.Sqlite;

/// <summary>
/// <c>restart-sqlite</c>: a SQLite file with 100 000 jobs (20 000 with <c>--quick</c>), one of them
/// due: the time from starting a new process until that job has run, which the process reports by
/// printing a line. Everything a restarted service does is inside: runtime start, opening the file,
/// starting the scheduler, finding the due job, running it. Three systems:
/// <list type="bullet">
/// <item><c>scheduler</c> and <c>quartz</c>: this program as the child, the library in a plain .NET
/// program (compiled at run time), the due job a no-op .NET job;</item>
/// <item><c>schedhost</c>: the shipped service, published as its documentation says
/// (<c>dotnet publish -r RID</c>, which compiles it ReadyToRun), <c>schedhost run --store FILE</c>
/// until it logs the due job's <c>JobExecuted</c> line; its jobs are commands, so the due job also
/// starts a process (<c>/bin/true</c>).</item>
/// </list>
/// Each measurement runs on a fresh copy of the prepared file, closed as a stopped service leaves it;
/// the median of three (after one to warm the disk cache) is reported.
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

        if (SchedHostBuild.Publish() is { } schedhost)
        {
            var hosted = files.NewPath("schedhost");
            PrepareSchedHost(hosted, jobs);
            Report("schedhost", jobs, Restarts(files, hosted, "schedhost", schedhost));
        }
    }

    /// <summary>The child: starts a scheduler of the given system on the file and prints the marker when the due job runs.</summary>
    public static int Child(string[] args)
    {
        var system = args[1];
        var path = args[2];
        using var fired = new ManualResetEventSlim();
        if (system == "scheduler")
        {
            var scheduler = SqliteFiles.OpenScheduler(path, () => fired.Set(), out var store);
            scheduler.Start();
            fired.Wait();
            WriteMarker();
            scheduler.Shutdown(wait: false);
            store.Dispose();
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
        var scheduler = SqliteFiles.OpenScheduler(path, static () => { }, out var store);
        AddJobs(scheduler, jobs, SqliteFiles.NoOpInvocation, executor: null, SqliteFiles.StoreName);
        scheduler.Dispose();
        store.Dispose();
    }

    /// <summary>The same jobs as commands, in the store's default name and on the executor <c>schedhost</c> runs commands on.</summary>
    private static void PrepareSchedHost(string path, int jobs)
    {
        var scheduler = new JobScheduler();
        scheduler.AddExecutor(SchedHostBuild.ProcessExecutor, JobExecutor.CreateProcess());
        using var store = JobStore.CreateSqlite(path);
        scheduler.RemoveJobStore(JobScheduler.DefaultName);
        scheduler.AddJobStore(JobScheduler.DefaultName, store);
        var succeed = OperatingSystem.IsWindows() ? new CommandInvocation("cmd.exe", ["/d", "/c", "exit 0"]) : new CommandInvocation("/bin/true");
        AddJobs(scheduler, jobs, succeed, SchedHostBuild.ProcessExecutor, store: null);
        scheduler.Dispose();
    }

    /// <summary>All but one of <paramref name="jobs"/> an hour away, and the due one, in one batch.</summary>
    private static void AddJobs(JobScheduler scheduler, int jobs, Invocation invocation, string? executor, string? store)
    {
        var hour = TimeSpan.FromHours(1);
        using (scheduler.BeginBatch())
        {
            for (var i = 1; i < jobs; i++)
            {
                scheduler.AddJob(new IntervalTrigger(hour), invocation, "job-" + i, executor: executor, store: store);
            }

            scheduler.AddJob(new DateTrigger(DateTimeOffset.UtcNow), invocation, DueJob, executor: executor, store: store);
        }
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

    private static List<double> Restarts(SqliteFiles files, string template, string system, string? schedhost = null)
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

            var elapsed = schedhost is null ? StartChild(system, copy) : StartSchedHost(schedhost, copy);
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

    private static double StartSchedHost(string schedhost, string path)
    {
        var start = new ProcessStartInfo(schedhost) { RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add("run");
        start.ArgumentList.Add("--store");
        start.ArgumentList.Add(path);
        var watch = Stopwatch.StartNew();
        using var child = Process.Start(start) ?? throw new InvalidOperationException("schedhost did not start.");
        string? line;
        while ((line = child.StandardOutput.ReadLine()) is not null && !(line.Contains(" JobExecuted " + DueJob + " ", StringComparison.Ordinal)))
        {
        }

        watch.Stop();
        child.Kill(entireProcessTree: true);
        child.WaitForExit(30_000);
        return line is null
            ? throw new InvalidOperationException($"schedhost ended without running the due job (exit code {child.ExitCode}).")
            : watch.Elapsed.TotalSeconds;
    }

    private void Report(string system, int jobs, List<double> seconds)
        => Json.Print(Name, system, ("jobs", jobs), ("seconds", Math.Round(Measure.Median(seconds), 4)), ("best_seconds", Math.Round(seconds.Min(), 4)), ("runs", seconds.Count));
}
