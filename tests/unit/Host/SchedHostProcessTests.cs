using System.Globalization;
using System.Text.Json;
using Scheduler.Tests.Support;
using static Scheduler.Tests.Support.ChildProcesses;

namespace Scheduler.Tests.Host;

/// <summary>
/// End to end: <c>schedhost run</c> as a child process on a store file in a temporary folder, managed
/// by other <c>schedhost</c> processes, with real job processes. Unix only (jobs run /bin/sh).
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class SchedHostProcessTests : IDisposable
{
    private readonly TempFolder folder = new();
    private readonly string store;
    private readonly List<int> strayProcesses = [];

    public SchedHostProcessTests()
    {
        store = folder.File("jobs.db");
    }

    public void Dispose()
    {
        foreach (var pid in strayProcesses)
        {
            Kill(pid);
        }

        folder.Dispose();
    }

    [Fact]
    public void The_daemon_runs_with_thread_pool_workers_that_block_instead_of_spinning()
    {
        // What dotnet reads as it starts schedhost.dll: without it, a daemon running a job every few
        // milliseconds spins most of a core in idle pool workers (docs/benchmarks.md, lateness-spread).
        var config = Path.ChangeExtension(SchedHostProcess.Assembly, ".runtimeconfig.json");
        using var document = JsonDocument.Parse(File.ReadAllText(config));
        var properties = document.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");
        Assert.Equal(0, properties.GetProperty("System.Threading.ThreadPool.UnfairSemaphoreSpinLimit").GetInt32());
    }

    [Fact]
    public async Task A_job_added_by_another_process_fires_at_once_and_trigger_runs_a_job_now()
    {
        using var daemon = SchedHostProcess.StartDaemon(store);
        await daemon.WaitForLine("schedhost: running on");

        await Add("now", "--at", Iso(DateTimeOffset.UtcNow), "--", "/bin/echo", "hello from a job");
        Assert.EndsWith(": hello from a job", await daemon.WaitForLine(l => l.Contains(" JobExecuted now ", StringComparison.Ordinal), TimeSpan.FromSeconds(5)), StringComparison.Ordinal);

        await Add("manual", "--interval", "1h", "--", "/bin/echo", "run on request");
        var requested = await SchedHostProcess.Succeeds("trigger", "manual", "--store", store);
        Assert.StartsWith("Asked the scheduler '", requested, StringComparison.Ordinal);
        await daemon.WaitForLine(l => l.Contains(" JobExecuted manual ", StringComparison.Ordinal), TimeSpan.FromSeconds(5));

        // The daemon writes run ends with its next store check (within 250 ms), not one by one.
        var run = Assert.Single(await RunsOnceEnded(store, "manual"));
        Assert.Equal("Succeeded", run.GetProperty("outcome").GetString());
        Assert.Equal(0, run.GetProperty("exitCode").GetInt32());
        Assert.Equal("run on request\n", run.GetProperty("output").GetString());
    }

    [Fact]
    public async Task A_job_added_beside_a_running_daemon_is_in_the_database_file_itself_when_add_returns()
    {
        // The daemon keeps the file open, so the adder's closing is not the last and does not checkpoint by
        // itself; the daemon syncs what it notices only a second later. On disk means in the file, not only its log.
        using var daemon = SchedHostProcess.StartDaemon(store);
        await daemon.WaitForLine("schedhost: running on");

        await Add("synced", "--interval", "1h", "--", "/bin/true");

        Assert.Equal(1, Stores.SqliteJobStoreTests.JobsInCopy(store, folder.File("copy.db")));
    }

    [Fact]
    public async Task A_backup_taken_beside_a_running_daemon_is_restored_once_the_daemon_is_stopped()
    {
        var backup = folder.File("backup.db");
        using (var daemon = SchedHostProcess.StartDaemon(store))
        {
            await daemon.WaitForLine("schedhost: running on");
            await Add("nightly", "--cron", "0 2 * * *", "--", "/bin/true");

            Assert.Equal($"Backed up 1 job from '{store}' to '{backup}'.", (await SchedHostProcess.Succeeds("backup", backup, "--store", store)).TrimEnd());
            await Add("later", "--interval", "1h", "--", "/bin/true");

            // The daemon would go on from what it holds in memory: refused, and the store is left as it is.
            var (exit, _, error) = await SchedHostProcess.Cli("restore", backup, "--store", store);
            Assert.Equal(1, exit);
            Assert.StartsWith($"schedhost: A scheduler runs on the store '{store}' (pid {daemon.ProcessId} on host ", error, StringComparison.Ordinal);
            Assert.Equal(["later", "nightly"], (await Jobs()).Select(j => j.GetProperty("id").GetString()).Order(StringComparer.Ordinal));

            daemon.Signal("TERM");
            await daemon.WaitForExit();
        }

        Assert.Equal($"Restored 1 job from '{backup}' into '{store}'.", (await SchedHostProcess.Succeeds("restore", backup, "--store", store)).TrimEnd());
        Assert.Equal(["nightly"], (await Jobs()).Select(j => j.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task Adds_started_together_on_a_new_store_all_succeed()
    {
        for (var round = 0; round < 3; round++)
        {
            var fresh = folder.File($"fresh-{round}.db");

            var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(i =>
                SchedHostProcess.Cli("add", "--store", fresh, "--id", $"job-{i}", "--interval", "1h", "--", "/bin/true")));

            Assert.All(results, result => Assert.True(result.Exit == 0, $"exit {result.Exit}: {result.Error}"));
            using var jobs = JsonDocument.Parse(await SchedHostProcess.Succeeds("list", "--store", fresh, "--json"));
            Assert.Equal(4, jobs.RootElement.GetArrayLength());
        }
    }

    [Fact]
    public async Task Listing_a_per_user_store_that_was_never_made_creates_nothing()
    {
        var dataHome = folder.File("empty-data");
        Directory.CreateDirectory(dataHome);

        var (exit, _, error) = await SchedHostProcess.Cli(new Dictionary<string, string> { ["XDG_DATA_HOME"] = dataHome }, "list");

        Assert.Equal(2, exit);
        Assert.Equal($"schedhost: the store '{Path.Combine(dataHome, "scheduler", "scheduler.db")}' does not exist (schedhost add or run creates it)", error.Trim());
        Assert.Empty(Directory.GetFileSystemEntries(dataHome));
    }

    [Fact]
    public async Task A_backup_restored_on_a_machine_without_a_per_user_store_makes_it_for_its_owner_only()
    {
        var backup = folder.File("backup.db");
        await Add("nightly", "--cron", "0 2 * * *", "--", "/bin/true");
        await SchedHostProcess.Succeeds("backup", backup, "--store", store);
        var dataHome = folder.File("new-machine");
        Directory.CreateDirectory(dataHome);

        var (exit, output, error) = await SchedHostProcess.Cli(new Dictionary<string, string> { ["XDG_DATA_HOME"] = dataHome }, "restore", backup);

        var restored = Path.Combine(dataHome, "scheduler", "scheduler.db");
        Assert.True(exit == 0, error);
        Assert.Equal($"Restored 1 job from '{backup}' into '{restored}'.", output.TrimEnd());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(restored)!));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(restored));
    }

    [Fact]
    public async Task The_per_user_store_is_made_for_its_owner_only()
    {
        var dataHome = folder.File("data");
        Directory.CreateDirectory(dataHome);

        var (exit, _, error) = await SchedHostProcess.Cli(
            new Dictionary<string, string> { ["XDG_DATA_HOME"] = dataHome },
            "add", "--id", "token", "--interval", "1h", "--env", "TOKEN=secret", "--", "/bin/true");

        Assert.True(exit == 0, error);
        var storeFolder = Path.Combine(dataHome, "scheduler");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(storeFolder));
        Assert.Equal(["scheduler.db"], Directory.GetFiles(storeFolder).Select(Path.GetFileName));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(storeFolder, "scheduler.db")));
    }

    [Fact]
    public async Task The_folder_of_a_store_named_by_SCHEDHOST_STORE_is_not_created()
    {
        // The rule of DefaultStorePath, which the module follows too (PowerShell/Sessions/StoreTests).
        var dataHome = folder.File("data-unused");
        Directory.CreateDirectory(dataHome);
        var named = Path.Combine(folder.Path, "no-such-folder", "jobs.db");

        var (exit, _, error) = await SchedHostProcess.Cli(
            new Dictionary<string, string> { ["SCHEDHOST_STORE"] = named, ["XDG_DATA_HOME"] = dataHome },
            "add", "--id", "named", "--interval", "1h", "--", "/bin/true");

        Assert.Equal(2, exit);
        Assert.Equal($"schedhost: the folder of the store '{named}' does not exist", error.Trim());
        Assert.False(Directory.Exists(Path.GetDirectoryName(named)));
        Assert.Empty(Directory.GetFileSystemEntries(dataHome));
    }

    [Fact]
    public async Task A_store_damaged_inside_is_refused_by_add_and_run_and_reported_by_list_and_left_as_it_was()
    {
        // 4 KiB of random bytes in the middle of a valid store: SQLite opens it, and notices only where it reads.
        using (var seeded = Scheduler.Stores.JobStore.CreateSqlite(store))
        using (var scheduler = Scheduler.Host.HostScheduler.Create(seeded, null, TimeProvider.System))
        using (scheduler.BeginBatch())
        {
            for (var i = 0; i < 400; i++)
            {
                scheduler.AddJob(
                    new Scheduler.Triggers.IntervalTrigger(TimeSpan.FromHours(1)),
                    new Scheduler.Invocations.CommandInvocation("/bin/true"),
                    $"job-{i:D3}",
                    $"job {i} " + new string('x', 200),
                    executor: Scheduler.Host.HostScheduler.ProcessExecutor);
            }
        }

        var bytes = await File.ReadAllBytesAsync(store);
        new Random(4).NextBytes(bytes.AsSpan((bytes.Length / 2) + 123, 4096));
        await File.WriteAllBytesAsync(store, bytes);

        var add = await SchedHostProcess.Cli("add", "--store", store, "--id", "more", "--interval", "1h", "--", "/bin/true");
        var run = await SchedHostProcess.Cli("run", "--store", store);
        var list = await SchedHostProcess.Cli("list", "--store", store);

        foreach (var (exit, output, error) in new[] { add, run, list })
        {
            Assert.Equal(2, exit);
            Assert.StartsWith($"schedhost: The store '{store}' is damaged (", error, StringComparison.Ordinal);
            Assert.DoesNotContain("Exception", error, StringComparison.Ordinal);
            Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.DoesNotContain("running on", output, StringComparison.Ordinal);
        }

        Assert.Equal(bytes, await File.ReadAllBytesAsync(store));
    }

    [Fact]
    public async Task A_second_daemon_on_the_same_store_is_refused()
    {
        using var daemon = SchedHostProcess.StartDaemon(store);
        await daemon.WaitForLine("schedhost: running on");

        var (exit, _, error) = await SchedHostProcess.Cli("run", "--store", store);

        Assert.Equal(1, exit);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("schedhost: ", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_daemon_killed_during_a_run_leaves_it_abandoned_and_the_schedule_continues(bool recover)
    {
        // Fires first at --start, soon (later than a loaded machine takes to start schedhost add), then
        // hourly. The first run records its pid and hangs; a recovered run finds the marker and ends at once.
        var marker = folder.File("marker");
        var pidFile = folder.File("job.pid");
        string[] recoverFlag = recover ? ["--recover"] : [];
        await Add(
            "slow",
            ["--interval", "1h", "--start", Iso(DateTimeOffset.UtcNow.AddSeconds(2.5)), .. recoverFlag],
            "/bin/sh", "-c", $"if [ -e '{marker}' ]; then echo recovered; else touch '{marker}'; echo $$ > '{pidFile}'; exec sleep 60; fi");

        int jobPid;
        using (var first = SchedHostProcess.StartDaemon(store))
        {
            await first.WaitForLine(l => l.Contains(" JobStarted slow ", StringComparison.Ordinal));
            jobPid = int.Parse(await WaitForFileAsync(pidFile), CultureInfo.InvariantCulture);
            strayProcesses.Add(jobPid);
            first.Signal("KILL");
            await first.WaitForExit();
        }

        // The job's process outlives a killed daemon (nothing was left to kill it): the next daemon on
        // the store stops it as it takes the run over, before a recovered run starts beside it.
        Assert.True(IsAlive(jobPid));
        using var second = SchedHostProcess.StartDaemon(store);
        var abandonedLine = await second.WaitForLine(l => l.Contains(" JobAbandoned slow ", StringComparison.Ordinal));
        Assert.Contains($"; the process it left running on this machine ({jobPid}) was stopped", abandonedLine, StringComparison.Ordinal);
        Assert.True(await GoneWithinAsync(jobPid));
        if (recover)
        {
            await second.WaitForLine(l => l.Contains(" JobExecuted slow ", StringComparison.Ordinal) && l.EndsWith(": recovered", StringComparison.Ordinal));
        }
        else
        {
            await second.WaitForLine("schedhost: running on");
        }

        var runs = await RunsOnceEnded(store, "slow");
        Assert.Equal("Abandoned", runs[0].GetProperty("outcome").GetString());
        if (recover)
        {
            Assert.Equal(2, runs.Count);
            Assert.Equal("Succeeded", runs[1].GetProperty("outcome").GetString());
            Assert.Equal(runs[0].GetProperty("scheduledTime").GetString(), runs[1].GetProperty("scheduledTime").GetString());
        }
        else
        {
            Assert.Single(runs);
        }

        // The schedule goes on: the next fire, an hour after the abandoned one.
        var job = await Job("slow");
        Assert.Equal("Scheduled", job.GetProperty("state").GetString());
        Assert.Equal(
            DateTimeOffset.Parse(runs[0].GetProperty("scheduledTime").GetString()!, CultureInfo.InvariantCulture).AddHours(1),
            DateTimeOffset.Parse(job.GetProperty("nextRunTime").GetString()!, CultureInfo.InvariantCulture));
    }

    [LinuxFact("tells a replaced file from /proc/self/fd")]
    public async Task A_daemon_whose_store_file_is_replaced_stops_with_exit_code_1_and_leaves_the_new_file_whole()
    {
        await Add("old", ["--interval", "1h"], "/bin/true");
        var other = folder.File("other.db");
        var added = await SchedHostProcess.Cli("add", "--store", other, "--id", "replacement", "--interval", "1h", "--", "/bin/true");
        Assert.Equal(0, added.Exit);

        using var daemon = SchedHostProcess.StartDaemon(store);
        await daemon.WaitForLine("schedhost: running on ");

        // mv other.db jobs.db while the daemon runs on jobs.db (its log and index stay beside the new file).
        File.Move(other, store, overwrite: true);
        Assert.Equal(1, await daemon.WaitForExit());
        Assert.Contains($"schedhost: the store file '{store}' was replaced by another file; stopping", await daemon.StandardError, StringComparison.Ordinal);
        Assert.Contains(daemon.Lines, line => line.Contains("SchedulerError: The store file", StringComparison.Ordinal) && line.Contains("was replaced by another file", StringComparison.Ordinal));

        // The file at the path is the one put there, whole: the old file's pages stayed out of it.
        var list = await SchedHostProcess.Cli("list", "--store", store, "--json");
        Assert.Equal(0, list.Exit);
        using var jobs = JsonDocument.Parse(list.Output);
        Assert.Equal(["replacement"], jobs.RootElement.EnumerateArray().Select(job => job.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task After_downtime_over_several_fire_times_latest_coalescing_runs_once()
    {
        // Added while no daemon runs; the downtime is real time passing over four fire times.
        await Add("tick", ["--interval", "1s", "--coalesce", "latest"], "/bin/echo", "tick");
        var firstDue = DateTimeOffset.Parse((await Job("tick")).GetProperty("nextRunTime").GetString()!, CultureInfo.InvariantCulture);
        var restart = firstDue.AddSeconds(3.5);
        if (restart > DateTimeOffset.UtcNow)
        {
            await Task.Delay(restart - DateTimeOffset.UtcNow);
        }

        using (var daemon = SchedHostProcess.StartDaemon(store))
        {
            await daemon.WaitForLine(l => l.Contains(" JobExecuted tick ", StringComparison.Ordinal));
            daemon.Signal("TERM");
            Assert.Equal(0, await daemon.WaitForExit());
        }

        // The first run stands for every fire time missed in the downtime (four or more): the latest
        // of them; none of the earlier ones ran, nor was any recorded.
        var runs = await RunsOnceEnded(store, "tick");
        Assert.Equal("Succeeded", runs[0].GetProperty("outcome").GetString());
        var catchUp = DateTimeOffset.Parse(runs[0].GetProperty("scheduledTime").GetString()!, CultureInfo.InvariantCulture);
        Assert.True(catchUp >= firstDue.AddSeconds(3), $"The first run was for {catchUp:O}, an earlier fire time than the latest missed one (first due {firstDue:O}).");
    }

    [Fact]
    public async Task A_job_whose_command_does_not_exist_fails_with_a_message_and_the_daemon_goes_on()
    {
        using var daemon = SchedHostProcess.StartDaemon(store);
        await daemon.WaitForLine("schedhost: running on");

        await Add("missing", "--at", Iso(DateTimeOffset.UtcNow), "--", "no-such-command-4711", "arg");
        var failed = await daemon.WaitForLine(l => l.Contains(" JobError missing ", StringComparison.Ordinal));
        Assert.Contains(" outcome=Failed ", failed, StringComparison.Ordinal);
        Assert.EndsWith(": The command 'no-such-command-4711' was not found on the PATH.", failed, StringComparison.Ordinal);

        await Add("after", "--at", Iso(DateTimeOffset.UtcNow), "--", "/bin/echo", "still here");
        await daemon.WaitForLine(l => l.Contains(" JobExecuted after ", StringComparison.Ordinal));
        var (exit, output, _) = await SchedHostProcess.Cli("runs", "--store", store, "--json");
        Assert.Equal(0, exit);
        using var runs = JsonDocument.Parse(output);
        var missing = runs.RootElement.EnumerateArray().Single(r => r.GetProperty("jobId").GetString() == "missing");
        Assert.Equal("Failed", missing.GetProperty("outcome").GetString());
        Assert.Equal("The command 'no-such-command-4711' was not found on the PATH.", missing.GetProperty("error").GetString());
        Assert.Equal(JsonValueKind.Null, missing.GetProperty("exitCode").ValueKind);
    }

    [Fact]
    public async Task A_timed_out_jobs_process_tree_is_killed()
    {
        var pidFile = folder.File("grandchild.pid");
        using var daemon = SchedHostProcess.StartDaemon(store);
        await daemon.WaitForLine("schedhost: running on");

        await Add("stuck", ["--at", Iso(DateTimeOffset.UtcNow), "--timeout", "1s"], "/bin/sh", "-c", $"sleep 60 & echo $! > '{pidFile}'; wait");
        var grandchild = int.Parse(await WaitForFileAsync(pidFile), CultureInfo.InvariantCulture);
        strayProcesses.Add(grandchild);

        await daemon.WaitForLine(l => l.Contains(" JobTimedOut stuck ", StringComparison.Ordinal));
        Assert.True(await GoneWithinAsync(grandchild), $"The job's grandchild {grandchild} still runs.");
    }

    [Fact]
    public async Task Sigterm_lets_the_running_job_finish_and_exits_0()
    {
        var startedFile = folder.File("started");
        using var daemon = SchedHostProcess.StartDaemon(store);
        await daemon.WaitForLine("schedhost: running on");
        await Add("graceful", ["--at", Iso(DateTimeOffset.UtcNow)], "/bin/sh", "-c", $"echo yes > '{startedFile}'; sleep 1; echo finished");
        await WaitForFileAsync(startedFile);

        daemon.Signal("TERM");

        Assert.Equal(0, await daemon.WaitForExit());
        Assert.Contains(daemon.Lines, l => l.Contains(" JobExecuted graceful ", StringComparison.Ordinal) && l.EndsWith(": finished", StringComparison.Ordinal));
        Assert.Equal("schedhost: stopped.", daemon.Lines[^1]);
        Assert.Equal(string.Empty, await daemon.StandardError);
    }

    [Fact]
    public async Task Bad_input_from_the_executable_exits_2_with_one_line_and_leaves_the_store_unchanged()
    {
        // The store named by SCHEDHOST_STORE, as a service's environment would.
        var environment = new Dictionary<string, string> { ["SCHEDHOST_STORE"] = store };
        Assert.Equal(0, (await SchedHostProcess.Cli(environment, "add", "--id", "kept", "--interval", "1h", "--", "/bin/true")).Exit);
        var before = await File.ReadAllBytesAsync(store);

        foreach (var args in new[]
        {
            new[] { "add", "--id", "x", "--cron", "not cron", "--", "/bin/true" },
            ["add", "--id", "kept", "--interval", "1h", "--", "/bin/true"],
            ["remove", "nope"],
            ["pause", "nope"],
        })
        {
            var (exit, output, error) = await SchedHostProcess.Cli(environment, args);
            Assert.Equal(2, exit);
            Assert.Empty(output);
            Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }

        Assert.Equal(before, await File.ReadAllBytesAsync(store));
    }

    private static string Iso(DateTimeOffset value) => value.ToString("O", CultureInfo.InvariantCulture);

    private Task Add(string id, params string[] triggerAndCommand)
    {
        var split = Array.IndexOf(triggerAndCommand, "--");
        return Add(id, triggerAndCommand[..split], triggerAndCommand[(split + 1)..]);
    }

    private async Task Add(string id, string[] flags, params string[] command)
        => await SchedHostProcess.Succeeds(["add", "--store", store, "--id", id, .. flags, "--", .. command]);

    private async Task<List<JsonElement>> Jobs()
    {
        using var json = JsonDocument.Parse(await SchedHostProcess.Succeeds("list", "--store", store, "--json"));
        return [.. json.RootElement.EnumerateArray().Select(j => j.Clone())];
    }

    private async Task<JsonElement> Job(string id)
    {
        using var json = JsonDocument.Parse(await SchedHostProcess.Succeeds("list", "--store", store, "--json"));
        return json.RootElement.EnumerateArray().Single(j => j.GetProperty("id").GetString() == id).Clone();
    }

    private static async Task<IReadOnlyList<System.Text.Json.JsonElement>> RunsOnceEnded(string store, string id)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(5);
        while (true)
        {
            var runs = await SchedHostProcess.Runs(store, id);
            if (runs.All(r => r.GetProperty("outcome").GetString() != "Running") || DateTimeOffset.UtcNow > deadline)
            {
                return runs;
            }

            await Task.Delay(50);
        }
    }
}
