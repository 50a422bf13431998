using System.Globalization;
using System.Text.Json;
using Npgsql;
using Scheduler.Tests.Support;

namespace Scheduler.Tests.Host;

/// <summary>
/// End to end on PostgreSQL: several <c>schedhost run</c> processes on one schema are the nodes of a
/// cluster, managed by other <c>schedhost</c> processes. Unix only (jobs run /bin/sh).
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class SchedHostPostgresProcessTests : IDisposable
{
    private readonly string schema = PostgresServer.NewSchema();
    private readonly NpgsqlConnectionStringBuilder server = new(PostgresServer.ConnectionString);
    private readonly TempFolder folder = new();

    public void Dispose()
    {
        PostgresServer.DropSchema(schema);
        folder.Dispose();
    }

    private string Store => $"postgres://{Uri.EscapeDataString(server.Username!)}:{Uri.EscapeDataString(server.Password!)}@{server.Host}:{server.Port}/{server.Database}?schema={schema}";

    [UnixFact("The jobs run /bin/sh.")]
    public async Task Two_daemons_share_the_store_and_a_triggered_job_runs_once_on_one_of_them()
    {
        var marks = folder.File("marks");
        var job = $"echo \"$SCHEDULER_RUN_ID\" >> '{marks}'";
        await SchedHostProcess.Succeeds("add", "--store", Store, "--id", "manual", "--at", "2999-01-01T00:00:00Z", "--", "/bin/sh", "-c", job);

        using var first = SchedHostProcess.StartDaemon(Store);
        using var second = SchedHostProcess.StartDaemon(Store);
        var ids = new[] { await SchedulerId(first), await SchedulerId(second) };
        Assert.NotEqual(ids[0], ids[1]);

        using (var status = JsonDocument.Parse(await SchedHostProcess.Succeeds("status", "--store", Store, "--json")))
        {
            Assert.Equal(ids.Order(StringComparer.Ordinal), status.RootElement.GetProperty("schedulers").EnumerateArray().Select(node => node.GetProperty("schedulerId").GetString()).Order(StringComparer.Ordinal));
        }

        using var follower = SchedHostProcess.Start(null, "events", "--follow", "--store", Store);
        var asked = await SchedHostProcess.Succeeds("trigger", "manual", "--store", Store);
        Assert.Equal("Asked the 2 schedulers running on the store to run 'manual' now; the first to take the request runs it.\n", asked);

        var ran = await Task.WhenAny(
            first.WaitForLine(" JobExecuted manual ", TimeSpan.FromSeconds(20)),
            second.WaitForLine(" JobExecuted manual ", TimeSpan.FromSeconds(20)));
        await ran;

        // Give the other node every chance to run it too: requests are polled each second.
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Single(File.ReadAllLines(marks));
        Assert.Equal(1, first.Lines.Count(l => l.Contains(" JobStarted manual ", StringComparison.Ordinal)) + second.Lines.Count(l => l.Contains(" JobStarted manual ", StringComparison.Ordinal)));
        var run = Assert.Single(await SchedHostProcess.Runs(Store, "manual"));
        Assert.Contains(run.GetProperty("schedulerId").GetString(), ids);
        Assert.Equal(File.ReadAllText(marks).Trim(), run.GetProperty("runId").GetString());

        // Both nodes' events are in the store, and followed as they come; no output of any verb shows the password.
        await follower.WaitForLine(" JobExecuted manual ", TimeSpan.FromSeconds(20));
        follower.Signal("TERM");
        Assert.Equal(0, await follower.WaitForExit());
        var events = await SchedHostProcess.Succeeds("events", "--store", Store);
        Assert.Equal(2, events.Split('\n').Count(l => l.Contains(" SchedulerStarted", StringComparison.Ordinal)));
        first.Signal("TERM");
        second.Signal("TERM");
        Assert.Equal(0, await first.WaitForExit());
        Assert.Equal(0, await second.WaitForExit());
        var everything = string.Join("\n", first.Lines.Concat(second.Lines).Concat(follower.Lines)) + await first.StandardError + await second.StandardError + await follower.StandardError + asked + events;
        Assert.DoesNotContain(server.Password!, everything, StringComparison.Ordinal);
        Assert.Contains($"schedhost: running on Host={server.Host};Port={server.Port};Database={server.Database};Username={server.Username};Schema={schema} as '", everything, StringComparison.Ordinal);
    }

    [UnixFact("The jobs run /bin/sh.")]
    public async Task A_job_due_now_runs_once_across_the_nodes()
    {
        var marks = folder.File("marks");
        using var first = SchedHostProcess.StartDaemon(Store);
        using var second = SchedHostProcess.StartDaemon(Store);
        await SchedulerId(first);
        await SchedulerId(second);

        await SchedHostProcess.Succeeds("add", "--store", Store, "--id", "every", "--interval", "1s", "--", "/bin/sh", "-c", $"echo \"$SCHEDULER_SCHEDULED_TIME\" >> '{marks}'");
        await Task.Delay(TimeSpan.FromSeconds(5));
        await SchedHostProcess.Succeeds("pause", "every", "--store", Store);
        await Task.Delay(TimeSpan.FromSeconds(1));

        var fireTimes = File.ReadAllLines(marks);
        Assert.True(fireTimes.Length >= 3, $"only {fireTimes.Length} runs in 5 s");
        Assert.Equal(fireTimes.Length, fireTimes.Distinct(StringComparer.Ordinal).Count());
    }

    [UnixFact("The password file is made private with Unix file modes.")]
    public async Task The_password_can_come_from_a_password_file_instead_of_the_store_location()
    {
        var passfile = folder.File("pgpass");
        await File.WriteAllTextAsync(passfile, $"{server.Host}:{server.Port}:{server.Database}:{server.Username}:{server.Password}\n");
        File.SetUnixFileMode(passfile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var withoutPassword = $"Host={server.Host};Port={server.Port};Database={server.Database};Username={server.Username};Schema={schema}";

        var (exit, output, error) = await SchedHostProcess.Cli(
            new Dictionary<string, string> { ["PGPASSFILE"] = passfile, ["SCHEDHOST_STORE"] = withoutPassword },
            "add", "--id", "j", "--interval", "1h", "--", "/bin/true");

        Assert.True(exit == 0, error);
        Assert.StartsWith("Added job 'j'", output, StringComparison.Ordinal);
        Assert.Contains("Id:            j", await SchedHostProcess.Succeeds("show", "j", "--store", Store), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("wrong password")]
    [InlineData("unreachable port")]
    [InlineData("unreadable URI")]
    public async Task A_store_that_cannot_be_used_is_bad_input_and_the_password_is_not_shown(string problem)
    {
        const string Secret = "Sw0rdfish-9e1c";
        var store = problem switch
        {
            "wrong password" => $"postgres://{server.Username}:{Secret}@{server.Host}:{server.Port}/{server.Database}?schema={schema}",
            "unreachable port" => $"Host={server.Host};Port=1;Username={server.Username};Password={Secret};Database={server.Database}",
            _ => $"postgres://{server.Username}:{Secret}@{server.Host}:notaport/{server.Database}",
        };

        foreach (var verb in new[] { new[] { "run" }, ["list"], ["trigger", "x"], ["status"] })
        {
            var (exit, output, error) = await SchedHostProcess.Cli(new Dictionary<string, string> { ["SCHEDHOST_STORE"] = store }, verb);

            Assert.True(exit == 2, $"{verb[0]}: exit {exit}: {error}");
            Assert.Empty(output);
            Assert.StartsWith("schedhost: ", Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
            Assert.DoesNotContain(Secret, error, StringComparison.Ordinal);
        }
    }

    /// <summary>The id a daemon announces once it runs on the store.</summary>
    private static async Task<string> SchedulerId(SchedHostProcess daemon)
    {
        var line = await daemon.WaitForLine("schedhost: running on ");
        var quoted = line.Substring(line.LastIndexOf(" as '", StringComparison.Ordinal) + 5);
        return quoted.Substring(0, quoted.IndexOf('\'', StringComparison.Ordinal)).ToString(CultureInfo.InvariantCulture);
    }
}
