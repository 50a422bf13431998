using System.Management.Automation;
using Npgsql;
using Scheduler.PowerShell.Tests.Hosting;
using Scheduler.Tests.Support;

namespace Scheduler.PowerShell.Tests.Sessions;

/// <summary>
/// A PostgreSQL store behind the cmdlets: -Store takes a connection string in either form (with its
/// schema), the session becomes a node of the cluster with Start-Scheduler, and a job runs on whichever
/// node another process runs. The password never shows. Each test has a schema of its own.
/// </summary>
[Collection(ModuleCollection.Name)]
public sealed class PostgresStoreTests(ModuleSession session) : IDisposable
{
    private const string Secret = "Sw0rdfish-9e1c";

    private readonly string schema = PostgresServer.NewSchema();
    private readonly NpgsqlConnectionStringBuilder server = new(PostgresServer.ConnectionString);

    /// <summary>The store as a URI, with its password and schema.</summary>
    private string Store => $"postgres://{Uri.EscapeDataString(server.Username!)}:{Uri.EscapeDataString(server.Password!)}@{server.Host}:{server.Port}/{server.Database}?schema={schema}";

    /// <summary>The same store in Npgsql's form.</summary>
    private string StoreKeywords => $"{PostgresServer.ConnectionString};Schema={schema}";

    /// <summary>How the module names the store: without its password.</summary>
    private string Shown => $"Host={server.Host};Port={server.Port};Database={server.Database};Username={server.Username};Schema={schema}";

    public void Dispose()
    {
        session.Run("Stop-Scheduler -NoWait").ShouldSucceed();
        PostgresServer.DropSchema(schema);
    }

    [Fact]
    public void Jobs_are_registered_found_and_changed_through_either_form_and_piped_jobs_find_their_store()
    {
        var result = session.Run(
            """
            param($store, $keywords)
            Register-ScheduledJobEx -Name pg-job -Store $store -Cron '0 9 * * *' -TimeZone UTC -ScriptBlock { 'hi' } -PassThru | ForEach-Object Store
            Get-ScheduledJobEx -Store $keywords | ForEach-Object { "$($_.Name) $($_.Schedule)" }
            Get-ScheduledJobEx -Name pg-job -Store $store | Suspend-ScheduledJobEx -PassThru | ForEach-Object { "$($_.State)" }
            (Get-Scheduler -Store $keywords).Store
            """,
            ("store", Store),
            ("keywords", StoreKeywords)).ShouldSucceed();

        Assert.Equal([Shown, "pg-job 0 9 * * *", "Paused", Shown], result.Objects.Select(item => item.ToString()));
    }

    [Fact]
    public void Start_Scheduler_makes_the_session_a_node_that_runs_the_jobs()
    {
        var result = session.Run(
            """
            param($store)
            Register-ScheduledJobEx -Name pg-run -Store $store -Interval 1h -ScriptBlock { "ran $($args.Count)" }
            Start-Scheduler -Store $store
            $run = Start-ScheduledJobEx -Name pg-run -Wait
            "$($run.Outcome) $($run.Output) $($run.Store)"
            $run.SchedulerId -eq (Get-Scheduler).Id
            (Get-ScheduledJobExRun -Name pg-run).Count
            """,
            ("store", Store)).ShouldSucceed();

        Assert.Equal([$"Succeeded ran 0 {Shown}", true, 1], result.Objects);
        Assert.Equal(1L, CountRows("runs"));
        Assert.Equal(1L, CountRows("nodes"));
    }

    [Fact]
    public async Task With_schedhost_running_on_the_store_a_job_runs_there_on_request()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // The stand-in pwsh is a shell script.
        }

        var folder = Path.Combine(Path.GetTempPath(), "scheduler-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            var path = FakePwsh.Install(folder);
            session.Run(
                "param($store) Register-ScheduledJobEx -Name elsewhere -Store $store -Interval 1h -Executor Process -ScriptBlock { 'ignored by the stand-in' }",
                ("store", Store)).ShouldSucceed();

            using var daemon = SchedHostProcess.StartDaemon(StoreKeywords, new Dictionary<string, string> { ["PATH"] = path });
            await daemon.WaitForLine("schedhost: running on ");
            var result = session.Run("param($store) Start-ScheduledJobEx -Name elsewhere -Store $store -Wait -Verbose", ("store", Store));

            var run = result.ShouldSucceed().Single();
            Assert.Equal("Succeeded", run.Property<object>("Outcome").ToString());
            Assert.Equal(FakePwsh.Output, run.Property<string>("Output"));
            Assert.Contains(daemon.Lines, line => line.Contains(" JobExecuted elsewhere run=" + run.Property<string>("RunId"), StringComparison.Ordinal));
            Assert.Contains(result.Verbose, record => record.Message.StartsWith("Asked the scheduler '", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void A_connection_string_in_SCHEDHOST_STORE_is_the_default_store()
    {
        var saved = Environment.GetEnvironmentVariable("SCHEDHOST_STORE");
        Environment.SetEnvironmentVariable("SCHEDHOST_STORE", Store);
        try
        {
            var result = session.Run("Register-ScheduledJobEx -Name by-default -Interval 1h -ScriptBlock { 1 } -PassThru | ForEach-Object Store").ShouldSucceed();

            Assert.Equal([Shown], result.Objects);
            Assert.Equal(1L, CountRows("jobs"));
        }
        finally
        {
            Environment.SetEnvironmentVariable("SCHEDHOST_STORE", saved);
        }
    }

    [Fact]
    public void A_store_that_cannot_be_used_stops_the_cmdlet_with_StoreUnavailable_and_no_password()
    {
        var wrongPassword = $"postgres://{server.Username}:{Secret}@{server.Host}:{server.Port}/{server.Database}?schema={schema}";
        var unreachable = $"Host={server.Host};Port=1;Username={server.Username};Password={Secret};Database={server.Database}";
        var unreadable = $"postgres://{server.Username}:{Secret}@[{server.Host}/{server.Database}";

        foreach (var (store, expected) in new[] { (wrongPassword, "password authentication failed"), (unreachable, "Failed to connect"), (unreadable, "is not a PostgreSQL connection string") })
        {
            var result = session.Run("param($store) Get-ScheduledJobEx -Store $store", ("store", store));

            var error = result.SingleError("StoreUnavailable");
            Assert.Equal(ErrorCategory.OpenError, error.CategoryInfo.Category);
            Assert.Contains(expected, error.Exception.Message, StringComparison.Ordinal);
            var shown = string.Join("\n", error.ToString(), error.Exception.ToString(), error.CategoryInfo.GetMessage(System.Globalization.CultureInfo.InvariantCulture), error.TargetObject);
            Assert.DoesNotContain(Secret, shown, StringComparison.Ordinal);
        }

        Assert.Equal(0L, CountRows("pg_namespace WHERE nspname = @schema", catalog: true));
    }

    [Fact]
    public void The_engine_reaches_PostgreSQL_with_the_Npgsql_of_the_module_context()
    {
        session.Run("param($store) Get-ScheduledJobEx -Store $store", ("store", Store)).ShouldSucceed();

        var npgsql = AppDomain.CurrentDomain.GetAssemblies()
            .Where(assembly => assembly.GetName().Name == "Npgsql" && assembly.Location.StartsWith(Repository.DependencyFolder + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            .ToList();

        var loaded = Assert.Single(npgsql);
        Assert.Equal("Scheduler.PowerShell.Loader.DependencyLoadContext", System.Runtime.Loader.AssemblyLoadContext.GetLoadContext(loaded)!.GetType().FullName);
    }

    private long CountRows(string table, bool catalog = false)
    {
        using var connection = new NpgsqlConnection(PostgresServer.ConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand(catalog ? $"SELECT count(*) FROM {table}" : $"SELECT count(*) FROM \"{schema}\".{table}", connection);
        command.Parameters.AddWithValue("schema", schema);
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
