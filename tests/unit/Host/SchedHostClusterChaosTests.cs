using System.Collections.Concurrent;
using System.Globalization;
using Npgsql;
using Scheduler.Executors;
using Scheduler.Invocations;
using Scheduler.Jobs;
using Scheduler.Scheduling;
using Scheduler.Stores;
using Scheduler.Tests.Support;
using Scheduler.Triggers;
using Xunit.Abstractions;

namespace Scheduler.Tests.Host;

/// <summary>Runs alone: its timing bounds are about the cluster, not about sharing two cores with the rest of the suite.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunsAlone
{
    public const string Name = "Runs alone";
}

/// <summary>
/// Three <c>schedhost run</c> processes on one PostgreSQL schema with the default cluster timings, killed
/// and restarted at random, and one frozen past its lease: every fire time runs once (or is abandoned by
/// a dead node and run again), checked from the runs table and from what the jobs wrote.
/// </summary>
[Collection(RunsAlone.Name)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class SchedHostClusterChaosTests : IDisposable
{
    private const int JobCount = 200;
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(60);

    // The jobs fire this long past the window, so a recovery of a fire time in it finds its job still
    // there (a job whose trigger ended is removed, and an abandoned run of it is not run again).
    private static readonly TimeSpan FiringAfterWindow = TimeSpan.FromSeconds(20);

    // Once the jobs stop firing, how long the cluster may take to work off what it fell behind by.
    private static readonly TimeSpan DrainBound = TimeSpan.FromMinutes(3);

    // Default timings: a dead node's claims return after 2 s, its lease expires after 15 s.
    private static readonly TimeSpan DueWorkBound = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan AbandonBound = TimeSpan.FromSeconds(30);

    private readonly string schema = PostgresServer.NewSchema();
    private readonly NpgsqlConnectionStringBuilder server = new(PostgresServer.ConnectionString);
    private readonly TempFolder folder = new();
    private readonly List<SchedHostProcess> started = [];
    private readonly ITestOutputHelper output;

    public SchedHostClusterChaosTests(ITestOutputHelper output) => this.output = output;

    public void Dispose()
    {
        foreach (var node in started)
        {
            node.Dispose();
        }

        PostgresServer.DropSchema(schema);
        folder.Dispose();
    }

    private string Store => $"Host={server.Host};Port={server.Port};Username={server.Username};Password={server.Password};Database={server.Database};Schema={schema}";

    /// <remarks>
    /// Two hundred process starts a second saturate a 2-core machine (half its time goes to the kernel
    /// creating processes), so how late the runs start says more about the machine than about takeover:
    /// the lateness is reported here, and the takeover bounds are checked under a load the machine
    /// carries (<see cref="A_killed_nodes_due_work_runs_on_another_node_within_10_s_and_its_runs_are_abandoned_within_30_s"/>).
    /// What must hold under any load is checked: every fire time runs exactly once, and a dead node's
    /// runs are abandoned within 30 s.
    /// </remarks>
    [UnixFact("The nodes are killed with signals; the jobs run /bin/sh.")]
    public async Task Nodes_killed_and_restarted_at_random_run_every_fire_time_exactly_once()
    {
        var marks = Directory.CreateDirectory(Path.Combine(folder.Path, "marks")).FullName;
        var firstFire = WholeSecondAfter(DateTimeOffset.UtcNow.AddSeconds(8));
        AddJobs(marks, firstFire, JobCount, firstFire + Window + FiringAfterWindow);

        var nodes = new SchedHostProcess[3];
        var names = new string[3];
        for (var i = 0; i < nodes.Length; i++)
        {
            (nodes[i], names[i]) = await StartNode();
        }

        using var runs = new RunsWatcher(PostgresServer.ConnectionString, schema);
        var seed = Environment.TickCount;
        var random = new Random(seed);
        var kills = new List<(string Node, DateTimeOffset Time)>();
        await DelayUntil(firstFire.AddSeconds(2));
        while (DateTimeOffset.UtcNow < firstFire + Window - TimeSpan.FromSeconds(3))
        {
            var victim = random.Next(nodes.Length);
            nodes[victim].Signal("KILL");
            kills.Add((names[victim], DateTimeOffset.UtcNow));
            await nodes[victim].WaitForExit();
            (nodes[victim], names[victim]) = await StartNode();
            await Task.Delay(TimeSpan.FromMilliseconds(random.Next(2_000, 5_000)));
        }

        // The window's fire times, and a dead node's runs abandoned (15 s lease) and run again.
        var lastFire = firstFire + Window - TimeSpan.FromSeconds(1);
        var fireTimes = Enumerable.Range(0, (int)Window.TotalSeconds).Select(s => firstFire.AddSeconds(s).UtcTicks).ToList();
        var deadline = firstFire + Window + FiringAfterWindow + DrainBound;
        while (DateTimeOffset.UtcNow < deadline && !runs.AllSucceeded(JobCount, fireTimes))
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
        }

        await Task.Delay(TimeSpan.FromSeconds(2));
        runs.Poll();
        foreach (var node in nodes)
        {
            node.Signal("TERM");
            await node.WaitForExit();
        }

        if (Environment.GetEnvironmentVariable("SCHEDULER_TEST_CHAOS_DUMP") is { Length: > 0 } dump)
        {
            // Every run and kill, in seconds from the first fire time, for a closer look at a failed run.
            File.WriteAllLines(dump, runs.All
                .Select(r => $"run {r.JobId} {(r.Scheduled - firstFire.UtcTicks) / (double)TimeSpan.TicksPerSecond:0.000} {(r.Start - firstFire).TotalSeconds:0.000} {(r.End - firstFire).TotalSeconds:0.000} {r.Outcome} {r.SchedulerId} {r.RunId}")
                .Concat(kills.Select(k => $"kill {k.Node} {(k.Time - firstFire).TotalSeconds:0.000}")));
        }

        var context = $"seed {seed}, {kills.Count} kills at {string.Join(", ", kills.Select(k => (k.Time - firstFire).TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + "s"))}";
        var inWindow = runs.All.Where(r => r.Scheduled >= firstFire.UtcTicks && r.Scheduled <= lastFire.UtcTicks).ToList();
        var byFireTime = inWindow.ToLookup(r => (r.JobId, r.Scheduled));
        var problems = new List<string>();
        for (var job = 0; job < JobCount; job++)
        {
            var id = JobId(job);
            foreach (var fire in fireTimes)
            {
                var these = byFireTime[(id, fire)].ToList();
                var succeeded = these.Count(r => r.Outcome == JobRunOutcome.Succeeded);
                if (succeeded != 1 || these.Any(r => r.Outcome is not (JobRunOutcome.Succeeded or JobRunOutcome.Abandoned)))
                {
                    problems.Add($"{id} at +{(fire - firstFire.UtcTicks) / TimeSpan.TicksPerSecond}s: {Describe(these)}");
                }
            }
        }

        if (problems.Count > 0)
        {
            // What the nodes said of the first of those runs, then of their leases, then other errors.
            var runIds = problems.Take(3).SelectMany(p => p.Split(' ')).Where(w => w.Length == 16 && w.All(char.IsAsciiHexDigitLower)).ToHashSet(StringComparer.Ordinal);
            var said = started
                .SelectMany(node => node.Lines
                    .Where(line => runIds.Any(id => line.Contains(id, StringComparison.Ordinal)) || line.Contains("lease", StringComparison.Ordinal) || line.Contains("rror", StringComparison.Ordinal))
                    .Select(line => node.Id + ": " + line))
                .OrderBy(line => runIds.Any(id => line.Contains(id, StringComparison.Ordinal)) ? 0 : line.Contains("lease", StringComparison.Ordinal) ? 1 : 2);
            Assert.Fail($"{problems.Count} fire times did not run exactly once ({context}):\n{string.Join("\n", problems.Take(20))}\n{string.Join("\n", said.Take(60))}");
        }

        // What the jobs wrote: every fire time, each run at most once, and a fire time twice only when a
        // dead node's run of it was abandoned (its process may have finished after the node died).
        var abandonedFireTimes = inWindow.Where(r => r.Outcome == JobRunOutcome.Abandoned).Select(r => (r.JobId, r.Scheduled)).ToHashSet();
        for (var job = 0; job < JobCount; job++)
        {
            var id = JobId(job);
            var written = File.ReadAllLines(Path.Combine(marks, id)).Select(line => line.Split(' ')).Select(parts => (Scheduled: DateTimeOffset.Parse(parts[0], CultureInfo.InvariantCulture).UtcTicks, RunId: parts[1])).ToList();
            Assert.Equal(written.Count, written.Select(w => w.RunId).Distinct(StringComparer.Ordinal).Count());
            foreach (var fire in fireTimes)
            {
                var times = written.Count(w => w.Scheduled == fire);
                Assert.True(times == 1 || (times > 1 && abandonedFireTimes.Contains((id, fire))), $"{id} at +{(fire - firstFire.UtcTicks) / TimeSpan.TicksPerSecond}s was written {times} times ({context}).");
            }
        }

        // Takeover within the bounds: a fire time runs within 10 s unless a dead node held it, and a dead
        // node's runs are abandoned within 30 s of its death.
        var abandoned = inWindow.Where(r => r.Outcome == JobRunOutcome.Abandoned).ToList();
        Assert.True(abandoned.Count > 0, $"No run was abandoned: the kills left nothing to take over ({context}).");
        foreach (var run in abandoned)
        {
            var death = kills.Where(k => k.Node == run.SchedulerId).Select(k => k.Time).DefaultIfEmpty(DateTimeOffset.MaxValue).Min();
            Assert.True(run.End - death <= AbandonBound, $"Run {run.RunId} of {run.SchedulerId} (killed +{(death - firstFire).TotalSeconds:0.0}s) was abandoned {(run.End - death).TotalSeconds:0.0} s after ({context}).");
        }

        // The figures, for the record (dotnet test --logger "console;verbosity=detailed").
        var delays = inWindow.Where(r => r.Outcome == JobRunOutcome.Succeeded && !abandonedFireTimes.Contains((r.JobId, r.Scheduled))).Select(r => (r.Start - new DateTimeOffset(r.Scheduled, TimeSpan.Zero)).TotalMilliseconds).Order().ToList();
        var abandonDelays = abandoned.Select(r => (r.End - kills.Where(k => k.Node == r.SchedulerId).Select(k => k.Time).Min()).TotalSeconds).Order().ToList();
        output.WriteLine($"{context}; {fireTimes.Count * JobCount} fire times; {abandoned.Count} runs abandoned (after {abandonDelays[0]:0.0}-{abandonDelays[^1]:0.0} s) and run again; start delay of the others p50 {delays[delays.Count / 2]:0} ms, p99 {delays[(int)(delays.Count * 0.99)]:0} ms, max {delays[^1]:0} ms");
    }

    [UnixFact("The node is killed with SIGKILL; the jobs run /bin/sh.")]
    public async Task A_killed_nodes_due_work_runs_on_another_node_within_10_s_and_its_runs_are_abandoned_within_30_s()
    {
        // Twenty process starts a second, which the machine carries: how late a run starts is the takeover's doing.
        const int jobs = 20;
        var marks = Directory.CreateDirectory(Path.Combine(folder.Path, "marks")).FullName;
        var firstFire = WholeSecondAfter(DateTimeOffset.UtcNow.AddSeconds(12));
        var lastFire = firstFire.AddSeconds(30);
        AddJobs(marks, firstFire, jobs, lastFire);
        using var runs = new RunsWatcher(PostgresServer.ConnectionString, schema);

        // The node to kill runs a long job when it dies, and claims and runs its share of the others. The
        // job outlasts the kill by far: it starts up to 20 s before it (as fast as the two nodes start),
        // and a job of 20 s once ended just before a kill that came late, so its run Succeeded. (Killing
        // the node leaves the sleep behind, which ends on its own.)
        var (doomed, doomedId) = await StartNode();
        await SchedHostProcess.Succeeds("add", "--store", Store, "--id", "hold", "--at", "2999-01-01T00:00:00Z", "--", "/bin/sh", "-c", "sleep 90");
        await SchedHostProcess.Succeeds("trigger", "hold", "--store", Store);
        await doomed.WaitForLine(" JobStarted hold ", TimeSpan.FromSeconds(20));
        var (survivor, survivorId) = await StartNode();
        await DelayUntil(firstFire.AddSeconds(8.3));
        doomed.Signal("KILL");
        var death = DateTimeOffset.UtcNow;
        await doomed.WaitForExit();

        var fireTimes = Enumerable.Range(0, 31).Select(s => firstFire.AddSeconds(s).UtcTicks).ToList();
        var deadline = death + AbandonBound + TimeSpan.FromSeconds(15);
        while (DateTimeOffset.UtcNow < deadline && !(runs.AllSucceeded(jobs, fireTimes) && runs.All.Any(r => r.JobId == "hold" && r.Outcome == JobRunOutcome.Abandoned)))
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
        }

        runs.Poll();
        survivor.Signal("TERM");
        await survivor.WaitForExit();

        var context = $"{doomedId} killed at +{(death - firstFire).TotalSeconds:0.0}s, {survivorId} lives";
        var hold = Assert.Single(runs.All, r => r.JobId == "hold");
        Assert.True(hold.Outcome == JobRunOutcome.Abandoned, $"The long run the dead node left is {hold.Outcome} ({context}).");
        Assert.True(hold.End - death <= AbandonBound, $"The dead node's run was abandoned {(hold.End - death).TotalSeconds:0.0} s after its death ({context}).");

        var periodic = runs.All.Where(r => r.JobId != "hold").ToList();
        var abandonedFireTimes = periodic.Where(r => r.Outcome == JobRunOutcome.Abandoned).Select(r => (r.JobId, r.Scheduled)).ToHashSet();
        var delays = new List<double>();
        for (var job = 0; job < jobs; job++)
        {
            var id = JobId(job);
            foreach (var fire in fireTimes)
            {
                var these = periodic.Where(r => r.JobId == id && r.Scheduled == fire).ToList();
                Assert.True(
                    these.Count(r => r.Outcome == JobRunOutcome.Succeeded) == 1,
                    $"{id} at +{(fire - firstFire.UtcTicks) / TimeSpan.TicksPerSecond}s did not run exactly once: {Describe(these)} ({context}).");
                if (!abandonedFireTimes.Contains((id, fire)))
                {
                    var run = these.Single(r => r.Outcome == JobRunOutcome.Succeeded);
                    var delay = run.Start - new DateTimeOffset(fire, TimeSpan.Zero);
                    delays.Add(delay.TotalMilliseconds);
                    Assert.True(delay <= DueWorkBound, $"{id} at +{(fire - firstFire.UtcTicks) / TimeSpan.TicksPerSecond}s started {delay.TotalSeconds:0.00} s late ({context}).");
                }
            }
        }

        delays.Sort();
        output.WriteLine($"{context}; hold abandoned {(hold.End - death).TotalSeconds:0.0} s after the kill; {abandonedFireTimes.Count} periodic runs abandoned; start delay p50 {delays[delays.Count / 2]:0} ms, max {delays[^1]:0} ms");
    }

    [UnixFact("The node is frozen with SIGSTOP; the jobs run /bin/sh.")]
    public async Task A_node_frozen_past_its_lease_records_nothing_of_the_run_it_lost_and_goes_on()
    {
        var marks = Directory.CreateDirectory(Path.Combine(folder.Path, "marks")).FullName;
        var (frozen, frozenId) = await StartNode();
        await SchedHostProcess.Succeeds("add", "--store", Store, "--id", "hold", "--at", "2999-01-01T00:00:00Z", "--recover", "--", "/bin/sh", "-c", $"sleep 2; echo \"$SCHEDULER_RUN_ID\" >> '{marks}/hold'");
        await SchedHostProcess.Succeeds("trigger", "hold", "--store", Store);
        var started = await frozen.WaitForLine(" JobStarted hold ", TimeSpan.FromSeconds(20));
        var lostRun = started[(started.IndexOf("run=", StringComparison.Ordinal) + 4)..].Split(' ')[0];
        var (other, otherId) = await StartNode();

        // Frozen with its run in progress, past the 15 s lease: the other node abandons the run and runs it again.
        frozen.Signal("STOP");
        var stoppedAt = DateTimeOffset.UtcNow;
        await other.WaitForLine(l => l.Contains(" JobAbandoned hold run=" + lostRun, StringComparison.Ordinal), TimeSpan.FromSeconds(40));
        var abandonedAfter = DateTimeOffset.UtcNow - stoppedAt;
        await other.WaitForLine(" JobExecuted hold ", TimeSpan.FromSeconds(20));
        frozen.Signal("CONT");

        // Awake, it learns that it lost its lease and the run, records nothing of it, and joins again.
        await frozen.WaitForLine("lost its lease", TimeSpan.FromSeconds(20));
        await frozen.WaitForLine(l => l.Contains("was not recorded", StringComparison.Ordinal) && l.Contains(lostRun, StringComparison.Ordinal), TimeSpan.FromSeconds(20));
        using var status = System.Text.Json.JsonDocument.Parse(await SchedHostProcess.Succeeds("status", "--store", Store, "--json"));
        var live = status.RootElement.GetProperty("schedulers").EnumerateArray().Select(node => node.GetProperty("schedulerId").GetString()).ToList();
        var runs = await SchedHostProcess.Runs(Store, "hold");
        frozen.Signal("TERM");
        other.Signal("TERM");
        await frozen.WaitForExit();
        await other.WaitForExit();

        Assert.InRange(abandonedAfter, TimeSpan.FromSeconds(14), AbandonBound);
        Assert.Equal(new[] { frozenId, otherId }.Order(StringComparer.Ordinal), live.Order(StringComparer.Ordinal));
        var lost = Assert.Single(runs, r => r.GetProperty("runId").GetString() == lostRun);
        Assert.Equal("Abandoned", lost.GetProperty("outcome").GetString());
        Assert.Equal(frozenId, lost.GetProperty("schedulerId").GetString());
        var again = Assert.Single(runs, r => r.GetProperty("scheduledTime").GetString() == lost.GetProperty("scheduledTime").GetString() && r.GetProperty("runId").GetString() != lostRun);
        Assert.Equal("Succeeded", again.GetProperty("outcome").GetString());
        Assert.Equal(otherId, again.GetProperty("schedulerId").GetString());

        // Its process finished while it was frozen (SIGSTOP does not stop children): the work was done twice, recorded once.
        Assert.Contains(lostRun, File.ReadAllLines(Path.Combine(marks, "hold")));
    }

    private void AddJobs(string marks, DateTimeOffset firstFire, int count, DateTimeOffset lastFire)
    {
        using var store = PostgresStoreLocation.Parse(Store).Open(PostgresJobStoreOptions.Default with { CreateIfMissing = true });
        using var scheduler = new JobScheduler();
        scheduler.RemoveJobStore(JobScheduler.DefaultName);
        scheduler.AddJobStore(JobScheduler.DefaultName, store);
        scheduler.AddExecutor("process", JobExecutor.CreateProcess(1));
        var options = JobOptions.Default with { Coalesce = CoalescePolicy.All, Recover = true, MaxInstances = 50 };
        using (scheduler.BeginBatch())
        {
            for (var i = 0; i < count; i++)
            {
                // One job in twenty runs for half a second, so a killed node always leaves runs to take over.
                var work = (i % 20 == 0 ? "sleep 0.5; " : string.Empty) + $"echo \"$SCHEDULER_SCHEDULED_TIME $SCHEDULER_RUN_ID\" >> '{marks}'/\"$SCHEDULER_JOB_ID\"";
                scheduler.AddJob(
                    new IntervalTrigger(TimeSpan.FromSeconds(1), start: firstFire, end: lastFire, timeZone: TimeZoneInfo.Utc),
                    new CommandInvocation("/bin/sh", ["-c", work]),
                    JobId(i),
                    options: options,
                    executor: "process");
            }
        }
    }

    private async Task<(SchedHostProcess Node, string SchedulerId)> StartNode()
    {
        var node = SchedHostProcess.StartDaemon(Store, "--max-workers", "32");
        started.Add(node);
        var line = await node.WaitForLine("schedhost: running on ", TimeSpan.FromSeconds(30));
        var quoted = line[(line.LastIndexOf(" as '", StringComparison.Ordinal) + 5)..];
        return (node, quoted[..quoted.IndexOf('\'', StringComparison.Ordinal)]);
    }

    private static string JobId(int index) => "chaos-" + index.ToString("000", CultureInfo.InvariantCulture);

    private static DateTimeOffset WholeSecondAfter(DateTimeOffset time) => new(time.UtcTicks - (time.UtcTicks % TimeSpan.TicksPerSecond) + TimeSpan.TicksPerSecond, TimeSpan.Zero);

    private static async Task DelayUntil(DateTimeOffset time)
    {
        var wait = time - DateTimeOffset.UtcNow;
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait);
        }
    }

    private static string Describe(IEnumerable<RunRow> runs)
        => string.Join("; ", runs.Select(r => $"{r.RunId} {r.Outcome} on {r.SchedulerId} (+{(r.Start - new DateTimeOffset(r.Scheduled, TimeSpan.Zero)).TotalSeconds:0.00}s)")) is { Length: > 0 } text ? text : "no run";

    private sealed record RunRow(string RunId, string JobId, long Scheduled, DateTimeOffset Start, DateTimeOffset End, JobRunOutcome Outcome, string? SchedulerId);

    /// <summary>
    /// Reads every run's latest state every second, from a copy of the runs table a trigger keeps: the
    /// store keeps only the newest 20 runs of a job, fewer than a minute of 1-second runs.
    /// </summary>
    private sealed class RunsWatcher : IDisposable
    {
        private readonly ConcurrentDictionary<string, RunRow> seen = new(StringComparer.Ordinal);
        private readonly string connectionString;
        private readonly string schema;
        private readonly CancellationTokenSource stop = new();
        private readonly Task loop;
        private readonly Lock polling = new();

        public RunsWatcher(string connectionString, string schema)
        {
            this.connectionString = connectionString;
            this.schema = schema;

            // Every state each run row takes, kept by the database itself: the store trims a job's history
            // to its newest 20 runs, and a run that ends and is trimmed between two looks would be seen
            // Running for ever.
            using (var connection = new NpgsqlConnection(connectionString))
            {
                connection.Open();
                using var keep = new NpgsqlCommand(
                    $"""
                    CREATE TABLE IF NOT EXISTS "{schema}".chaos_runs (run_id text PRIMARY KEY, job_id text, scheduled_time bigint, start_time bigint, end_time bigint, outcome int, scheduler_id text);
                    CREATE OR REPLACE FUNCTION "{schema}".chaos_keep() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN
                        INSERT INTO "{schema}".chaos_runs VALUES (NEW.run_id, NEW.job_id, NEW.scheduled_time, NEW.start_time, NEW.end_time, NEW.outcome, NEW.scheduler_id)
                        ON CONFLICT (run_id) DO UPDATE SET start_time = excluded.start_time, end_time = excluded.end_time, outcome = excluded.outcome, scheduler_id = excluded.scheduler_id;
                        RETURN NULL;
                    END $$;
                    DROP TRIGGER IF EXISTS chaos_keep ON "{schema}".runs;
                    CREATE TRIGGER chaos_keep AFTER INSERT OR UPDATE ON "{schema}".runs FOR EACH ROW EXECUTE FUNCTION "{schema}".chaos_keep();
                    """,
                    connection);
                keep.ExecuteNonQuery();
            }

            loop = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    Poll();
                    await Task.Delay(TimeSpan.FromSeconds(1), stop.Token).ContinueWith(_ => { }, TaskScheduler.Default);
                }
            });
        }

        public IReadOnlyCollection<RunRow> All => (IReadOnlyCollection<RunRow>)seen.Values;

        public void Poll()
        {
            lock (polling)
            {
                using var connection = new NpgsqlConnection(connectionString);
                connection.Open();
                using var command = new NpgsqlCommand($"""SELECT run_id, job_id, scheduled_time, start_time, end_time, outcome, scheduler_id FROM "{schema}".chaos_runs""", connection);
                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    var row = new RunRow(
                        reader.GetString(0),
                        reader.GetString(1),
                        reader.GetInt64(2),
                        reader.IsDBNull(3) ? DateTimeOffset.MinValue : new DateTimeOffset(reader.GetInt64(3), TimeSpan.Zero),
                        reader.IsDBNull(4) ? DateTimeOffset.MaxValue : new DateTimeOffset(reader.GetInt64(4), TimeSpan.Zero),
                        (JobRunOutcome)reader.GetInt32(5),
                        reader.IsDBNull(6) ? null : reader.GetString(6));
                    seen[row.RunId] = row;
                }
            }
        }

        public bool AllSucceeded(int jobs, IReadOnlyList<long> fireTimes)
        {
            var succeeded = seen.Values.Where(r => r.Outcome == JobRunOutcome.Succeeded).Select(r => (r.JobId, r.Scheduled)).ToHashSet();
            return Enumerable.Range(0, jobs).All(job => fireTimes.All(fire => succeeded.Contains((JobId(job), fire))));
        }

        public void Dispose()
        {
            stop.Cancel();
            loop.Wait();
            stop.Dispose();
        }
    }
}
