using System.Text.Json;
using Npgsql;
using Scheduler.Host;
using Scheduler.Scheduling;
using Scheduler.Stores;
using Scheduler.Tests.Support;

namespace Scheduler.Tests.Host;

/// <summary>
/// The verbs in-process on a PostgreSQL store, a schema of its own per test (several daemons as processes:
/// <see cref="SchedHostPostgresProcessTests"/>). The store is named in the connection string with its
/// schema, in both forms a user writes.
/// </summary>
public sealed class PostgresHostCommandTests : IDisposable
{
    private readonly string schema = PostgresServer.NewSchema();
    private readonly NpgsqlConnectionStringBuilder server = new(PostgresServer.ConnectionString);

    public void Dispose() => PostgresServer.DropSchema(schema);

    /// <summary>The store in Npgsql's form, with its password and schema.</summary>
    private string Store => $"{PostgresServer.ConnectionString};Schema={schema}";

    /// <summary>The same store as a URI.</summary>
    private string StoreUri => $"postgres://{Uri.EscapeDataString(server.Username!)}:{Uri.EscapeDataString(server.Password!)}@{server.Host}:{server.Port}/{server.Database}?schema={schema}";

    /// <summary>How the verbs name the store: without its password.</summary>
    private string Shown => $"Host={server.Host};Port={server.Port};Database={server.Database};Username={server.Username};Schema={schema}";

    [Fact]
    public void Jobs_are_added_listed_shown_paused_resumed_and_removed_through_either_form()
    {
        Assert.Equal(["Added job 'backup' (paused)."], Succeeds("add", "--store", Store, "--id", "backup", "--cron", "0 2 * * *", "--timezone", "UTC", "--paused", "--", "/bin/echo", "hi"));

        var list = Succeeds("list", "--store", StoreUri);
        Assert.StartsWith("ID ", list[0], StringComparison.Ordinal);
        Assert.StartsWith("backup  backup  Paused ", list[1], StringComparison.Ordinal);
        Assert.Contains("Id:            backup", Succeeds("show", "backup", "--store", StoreUri));

        Assert.StartsWith("Resumed job 'backup'; next run ", Succeeds("resume", "backup", "--store", Store)[0], StringComparison.Ordinal);
        Assert.Equal(["Paused job 'backup'."], Succeeds("pause", "backup", "--store", StoreUri));
        Assert.Equal(["Removed job 'backup'."], Succeeds("remove", "backup", "--store", Store));
        Assert.Equal([$"No jobs in {Shown}."], Succeeds("list", "--store", StoreUri));
    }

    [Fact]
    public void A_verb_that_only_reads_or_changes_creates_no_schema()
    {
        foreach (var args in new[] { ["list"], ["show", "x"], ["runs"], ["events"], ["status"], ["remove", "x"], ["pause", "x"], ["resume", "x"], new[] { "trigger", "x" } })
        {
            var error = Fails([.. args, "--store", Store]);
            Assert.Equal($"schedhost: the store '{Shown}' does not exist (schedhost add or run creates it)", error);
        }

        Assert.False(SchemaExists());
    }

    [Fact]
    public void Status_shows_the_store_and_each_running_node_with_its_clock_skew()
    {
        Succeeds("add", "--store", Store, "--id", "j", "--at", "2999-01-01T00:00:00Z", "--", "/bin/true");
        Assert.Equal([$"Store:       {Shown} (PostgreSQL)", "Jobs:        1, next run " + Scheduler.Host.Output.Describe.Time(new DateTimeOffset(2999, 1, 1, 0, 0, 0, TimeSpan.Zero)), "Schedulers:  none running (start one with 'schedhost run')"], Succeeds("status", "--store", Store));

        using var first = StartNode("node-a");
        using var second = StartNode("node-b");
        var status = Succeeds("status", "--store", StoreUri);
        Assert.Equal("Schedulers:  2 running", status[2]);
        Assert.Equal(["SCHEDULER", "HOST", "PID", "SINCE", "CLOCK", "SKEW"], status[3].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("node-a ", status[4], StringComparison.Ordinal);
        Assert.StartsWith("node-b ", status[5], StringComparison.Ordinal);
        Assert.Matches(@" [+-]\d+\.\d{3}s$", status[4]);

        using var json = JsonDocument.Parse(Succeeds("status", "--store", Store, "--json")[0]);
        var root = json.RootElement;
        Assert.Equal(Shown, root.GetProperty("store").GetString());
        Assert.Equal("postgresql", root.GetProperty("kind").GetString());
        Assert.Equal(1, root.GetProperty("jobs").GetInt32());
        var nodes = root.GetProperty("schedulers").EnumerateArray().ToList();
        Assert.Equal(["node-a", "node-b"], nodes.Select(node => node.GetProperty("schedulerId").GetString()));
        Assert.All(nodes, node =>
        {
            Assert.Equal(Environment.ProcessId, node.GetProperty("processId").GetInt32());
            Assert.Equal(Environment.MachineName, node.GetProperty("host").GetString());
            Assert.Equal(JsonValueKind.Number, node.GetProperty("clockSkewSeconds").ValueKind);
        });
    }

    [Fact]
    public async Task Trigger_asks_the_cluster_and_one_node_runs_the_job()
    {
        Succeeds("add", "--store", Store, "--id", "now", "--at", "2999-01-01T00:00:00Z", "--", "/bin/true");
        Assert.Equal($"schedhost: no scheduler is running on the store '{Shown}'; start one with 'schedhost run'", Host("trigger", "now", "--store", Store).Error.Trim());

        using var first = StartNode("node-a");
        using var second = StartNode("node-b");
        Assert.Equal(["Asked the 2 schedulers running on the store to run 'now' now; the first to take the request runs it."], Succeeds("trigger", "now", "--store", Store));

        using var json = JsonDocument.Parse(Succeeds("trigger", "now", "--store", StoreUri, "--json")[0]);
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("schedulerId").ValueKind);
        Assert.Equal(2, json.RootElement.GetProperty("schedulers").GetArrayLength());

        // Two requests, two runs, each on one node.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        List<JsonElement> runs;
        do
        {
            await Task.Delay(200);
            using var read = JsonDocument.Parse(Succeeds("runs", "now", "--store", Store, "--json")[0]);
            runs = read.RootElement.EnumerateArray().Select(run => run.Clone()).ToList();
        }
        while ((runs.Count < 2 || runs.Any(run => run.GetProperty("outcome").GetString() == "Running")) && DateTime.UtcNow < deadline);

        Assert.Equal(2, runs.Count);
        Assert.All(runs, run => Assert.Contains(run.GetProperty("schedulerId").GetString(), new[] { "node-a", "node-b" }));
        Assert.Contains("  SCHEDULER  ", Succeeds("runs", "--store", Store)[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Events_are_read_from_every_node()
    {
        Succeeds("add", "--store", Store, "--id", "j", "--at", "2999-01-01T00:00:00Z", "--", "/bin/true");
        using (StartNode("node-a"))
        using (StartNode("node-b"))
        {
        }

        using var json = JsonDocument.Parse(Succeeds("events", "--store", StoreUri, "--json")[0]);
        var started = json.RootElement.EnumerateArray()
            .Where(e => e.GetProperty("type").GetString() == "SchedulerStarted")
            .Select(e => e.GetProperty("schedulerId").GetString())
            .Order(StringComparer.Ordinal);
        Assert.Equal(["node-a", "node-b"], started);
    }

    public static TheoryData<string[]> EveryVerb => new()
    {
        new[] { "run" },
        new[] { "add", "--id", "x", "--interval", "1h", "--", "/bin/true" },
        new[] { "list" },
        new[] { "show", "x" },
        new[] { "remove", "x" },
        new[] { "pause", "x" },
        new[] { "resume", "x" },
        new[] { "trigger", "x" },
        new[] { "runs" },
        new[] { "events" },
        new[] { "status" },
        new[] { "status", "--json" },
    };

    [Theory]
    [MemberData(nameof(EveryVerb))]
    public void No_verb_shows_the_password_when_the_login_is_refused_the_server_is_unreachable_or_the_text_is_unreadable(string[] verb)
    {
        const string Secret = "Sw0rdfish-9e1c";
        var wrong = new NpgsqlConnectionStringBuilder(PostgresServer.ConnectionString) { Password = Secret };
        var unreachable = new NpgsqlConnectionStringBuilder(PostgresServer.ConnectionString) { Password = Secret, Port = 1 };
        var cases = new (string Store, string Expected)[]
        {
            (wrong.ConnectionString + $";Schema={schema}", "password authentication failed"),
            ($"postgres://{server.Username}:{Secret}@{server.Host}:{server.Port}/{server.Database}?schema={schema}", "password authentication failed"),
            (unreachable.ConnectionString, "Failed to connect"),
            ($"postgres://{server.Username}:{Secret}@[{server.Host}/{server.Database}", "is not a PostgreSQL connection string"),
            ($"Host={server.Host};Password={Secret};NoSuchKeyword=1", "is not a PostgreSQL connection string"),
            ($"Host={server.Host};Password={Secret};Schema=not-an-identifier", "is not a plain identifier"),
        };

        foreach (var (store, expected) in cases)
        {
            var (exit, output, error) = Host([.. verb.TakeWhile(a => a != "--"), "--store", store, .. verb.SkipWhile(a => a != "--")]);

            Assert.True(exit == 2, $"{string.Join(' ', verb)} on {store}: exit {exit}: {error}");
            Assert.Empty(output);
            Assert.Contains(expected, Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
            Assert.DoesNotContain(Secret, output + error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_successful_verb_never_shows_the_password()
    {
        var output = string.Join(
            "\n",
            new[]
            {
                Host("add", "--store", Store, "--id", "j", "--interval", "1h", "--", "/bin/true"),
                Host("list", "--store", StoreUri),
                Host("status", "--store", Store),
                Host("status", "--store", Store, "--json"),
                Host("trigger", "j", "--store", Store),
                Host("show", "j", "--store", Store, "--json"),
            }.Select(result => result.Output + result.Error));

        Assert.Contains(Shown, output, StringComparison.Ordinal);
        Assert.DoesNotContain(server.Password!, output, StringComparison.Ordinal);
    }

    /// <summary>A scheduler on the store in this process: a node of the cluster, as schedhost run would be.</summary>
    private Node StartNode(string id) => new(Store, id);

    private bool SchemaExists()
    {
        using var connection = new NpgsqlConnection(PostgresServer.ConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand("SELECT count(*) FROM pg_namespace WHERE nspname = @schema", connection);
        command.Parameters.AddWithValue("schema", schema);
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) > 0;
    }

    private static string[] Succeeds(params string[] args)
    {
        var (exit, output, error) = Host(args);
        Assert.True(exit == 0, $"schedhost {string.Join(' ', args)} exited {exit}: {error}");
        Assert.Empty(error);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    private static string Fails(params string[] args)
    {
        var (exit, output, error) = Host(args);
        Assert.True(exit == 2, $"schedhost {string.Join(' ', args)} exited {exit}: {error}");
        Assert.Empty(output);
        return Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    private static (int Exit, string Output, string Error) Host(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = SchedHost.Run(args, output, error, TimeProvider.System);
        return (exit, output.ToString().Replace("\r", string.Empty, StringComparison.Ordinal), error.ToString().Replace("\r", string.Empty, StringComparison.Ordinal));
    }

    /// <summary>A started scheduler and its store; disposing stops it (its lease is given up) and closes the store.</summary>
    private sealed class Node : IDisposable
    {
        private readonly JobStore store;
        private readonly JobScheduler scheduler;

        public Node(string location, string id)
        {
            store = PostgresStoreLocation.Parse(location).Open(PostgresJobStoreOptions.Default with { PollInterval = TimeSpan.FromMilliseconds(200) });
            scheduler = new JobScheduler(SchedulerOptions.Default with { SchedulerId = id });
            scheduler.RemoveJobStore(JobScheduler.DefaultName);
            scheduler.AddJobStore(JobScheduler.DefaultName, store);
            scheduler.AddExecutor(HostScheduler.ProcessExecutor, Scheduler.Executors.JobExecutor.CreateProcess(1));
            scheduler.Start();
        }

        public void Dispose()
        {
            scheduler.Shutdown(wait: true);
            scheduler.Dispose();
            store.Dispose();
        }
    }
}
