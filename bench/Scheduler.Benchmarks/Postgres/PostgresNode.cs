using System.Diagnostics;
using System.Globalization;
using Quartz;
using Scheduler.Jobs;

namespace Scheduler.Benchmarks.Postgres;

/// <summary>
/// One node of a cluster in a process of its own: our scheduler or a clustered Quartz scheduler on the
/// workload's schema. The benchmark's processes talk over standard input and output, one line each:
/// the node says <c>READY</c> once built, starts on <c>START</c>, stops on <c>STOP</c> (or end of input),
/// and while it runs reports <c>COUNT runs last-run-ticks</c> every 10 ms when it ran something, and
/// <c>STARTED job-id ticks</c> at once for jobs whose id starts with <see cref="ReportedPrefix"/>.
/// Times are UTC ticks of the machine's clock, which all the processes share.
/// </summary>
internal static class PostgresNode
{
    public const string ChildArgument = "--postgres-node";

    /// <summary>Jobs whose start is reported one by one (the wake-up workload's).</summary>
    public const string ReportedPrefix = "wake";

    private static readonly object Output = new();
    private static int runs;
    private static long lastRunTicks;

    /// <summary>In the node's process: <c>--postgres-node system schema node-id</c>.</summary>
    public static int Child(string[] args)
    {
        var system = args[1];
        var schema = args[2];
        var nodeId = args[3];
        if (!PostgresBench.TryConnectionString("postgres-node", out var connectionString))
        {
            return 2;
        }

        Action start;
        Action stop;
        if (system == "scheduler")
        {
            var scheduler = PostgresBench.OpenScheduler(connectionString, schema, nodeId, (Action<JobContext>)(context => Ran(context.Job.Id)), out var store);
            start = () => scheduler.Start();
            stop = () =>
            {
                scheduler.Shutdown();
                scheduler.Dispose();
                store.Dispose();
            };
        }
        else
        {
            var quartz = QuartzPostgres.Create(connectionString, schema, nodeId);
            start = () => quartz.Start().GetAwaiter().GetResult();
            stop = () => quartz.Shutdown(waitForJobsToComplete: true).GetAwaiter().GetResult();
        }

        Say("READY");
        if (Console.ReadLine() != "START")
        {
            stop();
            return 0;
        }

        using var reporting = new CancellationTokenSource();
        var reporter = Task.Run(() => Report(reporting.Token));
        start();
        while (Console.ReadLine() is { } line && line != "STOP")
        {
        }

        stop();
        reporting.Cancel();
        reporter.Wait();
        return 0;
    }

    /// <summary>A job ran in this node.</summary>
    public static void Ran(string jobId)
    {
        var now = PostgresBench.Now();
        if (jobId.StartsWith(ReportedPrefix, StringComparison.Ordinal))
        {
            Say($"STARTED {jobId} {now.ToString(CultureInfo.InvariantCulture)}");
        }

        Interlocked.Exchange(ref lastRunTicks, now);
        Interlocked.Increment(ref runs);
    }

    private static async Task Report(CancellationToken cancellation)
    {
        var reported = 0;
        while (!cancellation.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(10, cancellation).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }

            var count = Volatile.Read(ref runs);
            if (count != reported)
            {
                reported = count;
                Say($"COUNT {count.ToString(CultureInfo.InvariantCulture)} {Interlocked.Read(ref lastRunTicks).ToString(CultureInfo.InvariantCulture)}");
            }
        }
    }

    private static void Say(string line)
    {
        lock (Output)
        {
            Console.Out.WriteLine(line);
            Console.Out.Flush();
        }
    }
}

/// <summary>A node process as the benchmark sees it: its lines, its run count and its last run.</summary>
internal sealed class NodeProcess : IDisposable
{
    private readonly Process process;
    private readonly TaskCompletionSource ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Action<string, long>? started;
    private int runs;
    private long lastRunTicks;

    private NodeProcess(Process process, Action<string, long>? started)
    {
        this.process = process;
        this.started = started;
        process.OutputDataReceived += (_, e) => Read(e.Data);
        process.BeginOutputReadLine();
    }

    public int Runs => Volatile.Read(ref runs);

    public long LastRunTicks => Interlocked.Read(ref lastRunTicks);

    /// <summary>Starts a node process of <paramref name="system"/> ("scheduler" or "quartz") and waits until it is built.</summary>
    public static NodeProcess Start(string connectionString, string system, string schema, string nodeId, Action<string, long>? started = null)
    {
        var host = Environment.ProcessPath ?? throw new InvalidOperationException("The path of this program is unknown.");
        var info = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardInput = true, UseShellExecute = false };
        if (string.Equals(Path.GetFileNameWithoutExtension(host), "dotnet", StringComparison.Ordinal))
        {
            info.ArgumentList.Add(typeof(PostgresNode).Assembly.Location);
        }

        info.ArgumentList.Add(PostgresNode.ChildArgument);
        info.ArgumentList.Add(system);
        info.ArgumentList.Add(schema);
        info.ArgumentList.Add(nodeId);
        info.Environment[PostgresBench.EnvironmentVariable] = connectionString;
        var node = new NodeProcess(Process.Start(info) ?? throw new InvalidOperationException("The node process did not start."), started);
        if (!node.ready.Task.Wait(TimeSpan.FromMinutes(1)))
        {
            node.Dispose();
            throw new TimeoutException($"The {system} node {nodeId} did not get ready within a minute.");
        }

        return node;
    }

    public void Send(string line)
    {
        process.StandardInput.WriteLine(line);
        process.StandardInput.Flush();
    }

    public void Dispose()
    {
        try
        {
            if (!process.HasExited)
            {
                Send("STOP");
                if (!process.WaitForExit(TimeSpan.FromSeconds(30)))
                {
                    process.Kill(entireProcessTree: true);
                }
            }
        }
        catch (IOException)
        {
        }

        process.Dispose();
    }

    private void Read(string? line)
    {
        if (line is null)
        {
            return;
        }

        var parts = line.Split(' ');
        switch (parts[0])
        {
            case "READY":
                ready.TrySetResult();
                break;
            case "COUNT":
                Interlocked.Exchange(ref lastRunTicks, long.Parse(parts[2], CultureInfo.InvariantCulture));
                Volatile.Write(ref runs, int.Parse(parts[1], CultureInfo.InvariantCulture));
                break;
            case "STARTED":
                started?.Invoke(parts[1], long.Parse(parts[2], CultureInfo.InvariantCulture));
                break;
            default:
                break;
        }
    }
}

/// <summary>The Quartz job of the node processes: reports its run to <see cref="PostgresNode"/>.</summary>
internal sealed class NodeJob : IJob
{
    public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        PostgresNode.Ran(context.JobDetail.Key.Name);
        return default;
    }
}
