using System.Text.Json;
using Scheduler.Host;
using Scheduler.Scheduling;
using Scheduler.Stores;
using Scheduler.Tests.Support;

namespace Scheduler.Tests.Host;

/// <summary><c>schedhost status</c> on a SQLite file: the one running scheduler or none (a cluster: <see cref="PostgresHostCommandTests"/>).</summary>
public sealed class StatusCommandTests : IDisposable
{
    private readonly TempFolder folder = new();
    private readonly string store;

    public StatusCommandTests()
    {
        store = folder.File("jobs.db");
    }

    public void Dispose() => folder.Dispose();

    [Fact]
    public void Status_shows_the_file_and_that_no_scheduler_runs()
    {
        Host("add", "--id", "j", "--at", "2999-01-01T00:00:00Z", "--", "/bin/true");

        var (exit, output, _) = Host("status");

        Assert.Equal(0, exit);
        Assert.Equal(
            [$"Store:       {store} (SQLite)", "Jobs:        1, next run " + Scheduler.Host.Output.Describe.Time(new DateTimeOffset(2999, 1, 1, 0, 0, 0, TimeSpan.Zero)), "Schedulers:  none running (start one with 'schedhost run')"],
            output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void Status_shows_the_running_scheduler_without_a_clock_skew()
    {
        Host("add", "--id", "j", "--interval", "1h", "--", "/bin/true");
        using var file = JobStore.CreateSqlite(store);
        using var scheduler = new JobScheduler(SchedulerOptions.Default with { SchedulerId = "the-one" });
        scheduler.RemoveJobStore(JobScheduler.DefaultName);
        scheduler.AddJobStore(JobScheduler.DefaultName, file);
        scheduler.Start(paused: true);

        var lines = Host("status").Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        using var json = JsonDocument.Parse(Host("status", "--json").Output);

        Assert.Equal("Schedulers:  1 running", lines[2]);
        Assert.Equal(["SCHEDULER", "HOST", "PID", "SINCE"], lines[3].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"the-one    {Environment.MachineName}", lines[4], StringComparison.Ordinal);
        Assert.Equal(store, json.RootElement.GetProperty("store").GetString());
        Assert.Equal("sqlite", json.RootElement.GetProperty("kind").GetString());
        var running = Assert.Single(json.RootElement.GetProperty("schedulers").EnumerateArray());
        Assert.Equal("the-one", running.GetProperty("schedulerId").GetString());
        Assert.Equal(Environment.ProcessId, running.GetProperty("processId").GetInt32());
        Assert.Equal(JsonValueKind.Null, running.GetProperty("clockSkewSeconds").ValueKind);
    }

    [Fact]
    public void Status_of_a_missing_file_is_bad_input_and_creates_nothing()
    {
        var (exit, output, error) = Host("status");

        Assert.Equal(2, exit);
        Assert.Empty(output);
        Assert.Equal($"schedhost: the store '{store}' does not exist (schedhost add or run creates it)\n", error);
        Assert.False(File.Exists(store));
    }

    private (int Exit, string Output, string Error) Host(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var withStore = args.Contains("--store") ? args : [.. args.TakeWhile(a => a != "--"), "--store", store, .. args.SkipWhile(a => a != "--")];
        var exit = SchedHost.Run(withStore, output, error, TimeProvider.System);
        return (exit, output.ToString().Replace("\r", string.Empty, StringComparison.Ordinal), error.ToString().Replace("\r", string.Empty, StringComparison.Ordinal));
    }
}
