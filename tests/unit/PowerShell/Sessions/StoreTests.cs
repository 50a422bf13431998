using System.Runtime.Versioning;
using System.Text.Json;
using Scheduler.PowerShell.Tests.Hosting;
using Scheduler.Tests.Support;

namespace Scheduler.PowerShell.Tests.Sessions;

/// <summary>
/// The SQLite store behind the cmdlets: the default file, jobs that outlive the module, and the same file
/// shared with schedhost (its verbs and its daemon).
/// </summary>
[Collection(ModuleCollection.Name)]
public sealed class StoreTests(ModuleSession session)
{
    [Fact]
    public void Without_Store_and_a_running_scheduler_the_cmdlets_use_the_schedhost_default_file()
    {
        var result = session.Run(
            """
            Register-ScheduledJobEx -Name default-store-job -Interval 1h -ScriptBlock { 1 } -Force -PassThru | ForEach-Object Store
            Get-Scheduler | ForEach-Object Store
            Unregister-ScheduledJobEx -Name default-store-job
            """).ShouldSucceed();

        Assert.Equal([session.DefaultStore, session.DefaultStore], result.Objects);
        Assert.True(File.Exists(session.DefaultStore));
    }

    [Fact]
    public void A_store_that_cannot_be_opened_stops_the_cmdlet_with_StoreUnavailable()
    {
        using var store = new TestStore(session);
        var missing = Path.Combine(store.Folder, "no-such-folder", "jobs.db");

        var result = session.Run("param($path) Get-ScheduledJobEx -Store $path", ("path", missing));

        var error = result.SingleError("StoreUnavailable");
        Assert.Equal(System.Management.Automation.ErrorCategory.OpenError, error.CategoryInfo.Category);
        Assert.StartsWith($"The job store '{missing}' cannot be opened: ", error.Exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_folder_of_a_store_named_by_SCHEDHOST_STORE_is_not_created()
    {
        // The rule of DefaultStorePath, which schedhost follows too (Host/SchedHostProcessTests).
        using var store = new TestStore(session);
        var named = Path.Combine(store.Folder, "no-such-folder", "jobs.db");
        var dataHome = Path.Combine(store.Folder, "data");
        Directory.CreateDirectory(dataHome);

        PowerShellResult result;
        using (new EnvironmentScope(("SCHEDHOST_STORE", named), ("XDG_DATA_HOME", dataHome)))
        {
            result = session.Run("Register-ScheduledJobEx -Name named -Interval 1h -ScriptBlock { 1 }");
        }

        var error = result.SingleError("StoreUnavailable");
        Assert.StartsWith($"The job store '{named}' cannot be opened: ", error.Exception.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.GetDirectoryName(named)));
        Assert.Empty(Directory.GetFileSystemEntries(dataHome));
    }

    [LinuxFact("XDG_DATA_HOME places the per-user store only there.")]
    [SupportedOSPlatform("linux")]
    public void The_per_user_store_is_made_for_its_owner_only()
    {
        using var store = new TestStore(session);
        var dataHome = Path.Combine(store.Folder, "data");
        Directory.CreateDirectory(dataHome);

        PowerShellResult result;
        using (new EnvironmentScope(("SCHEDHOST_STORE", null), ("XDG_DATA_HOME", dataHome)))
        {
            result = session.Run("Register-ScheduledJobEx -Name private -Interval 1h -ScriptBlock { 1 } -PassThru | ForEach-Object Store").ShouldSucceed();
        }

        var storeFolder = Path.Combine(dataHome, "scheduler");
        Assert.Equal([Path.Combine(storeFolder, "scheduler.db")], result.Objects);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(storeFolder));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(storeFolder, "scheduler.db")));
    }

    [Fact]
    public void Jobs_and_runs_outlive_Remove_Module_and_Import_Module_on_the_same_store()
    {
        using var store = new TestStore(session);
        store.Run(
            """
            param($store)
            Register-ScheduledJobEx -Name kept -Store $store -Cron '0 9 * * *' -TimeZone UTC -MaxInstances 2 -ScriptBlock { 'line 1'; 'line 2' }
            Start-Scheduler -Store $store
            $null = Start-ScheduledJobEx -Name kept -Wait
            """).ShouldSucceed();

        var reloaded = store.Run(
            """
            param($store, $manifest)
            Remove-Module Scheduler
            @(Get-Command -Module Scheduler -ErrorAction Ignore).Count
            Import-Module $manifest
            (Get-Scheduler -Store $store).State
            $job = Get-ScheduledJobEx -Store $store
            "$($job.Name) $($job.Schedule) $($job.MaxInstances)"
            $run = Get-ScheduledJobExRun -Name kept -Store $store
            "$($run.Outcome) $($run.Output -replace "`n", '|')"
            # A run from before is not this session's: Receive-Job gives its recorded text, line by line.
            Receive-Job -Name kept -Keep
            """,
            ("manifest", Repository.StagedManifest)).ShouldSucceed();

        Assert.Equal([0, "Stopped", "kept 0 9 * * * 2", "Succeeded line 1|line 2", "line 1", "line 2"], reloaded.Objects.Select(item => item is int ? item : item.ToString()));
    }

    [Fact]
    public async Task A_job_registered_in_PowerShell_is_listed_by_schedhost_on_the_same_file()
    {
        using var store = new TestStore(session);
        store.Run("param($store) Register-ScheduledJobEx -Name from-powershell -Store $store -Cron '30 6 * * *' -TimeZone UTC -ScriptBlock { 'hi' }").ShouldSucceed();

        var (exit, output, error) = await SchedHostProcess.Cli("list", "--store", store.Path, "--json");

        Assert.True(exit == 0, error);
        using var json = JsonDocument.Parse(output);
        var job = Assert.Single(json.RootElement.EnumerateArray());
        Assert.Equal("from-powershell", job.GetProperty("id").GetString());
        Assert.Equal("from-powershell", job.GetProperty("name").GetString());
        Assert.Equal("runspace", job.GetProperty("executor").GetString());
        Assert.Contains("30 6 * * *", job.GetProperty("trigger").ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Jobs_schedhost_added_under_other_ids_are_found_by_name_pattern_in_next_run_order_and_counted()
    {
        using var store = new TestStore(session);
        foreach (var (id, name, at) in new[] { ("j1", "Weekly backup", "2999-01-03T00:00"), ("j2", "report", "2999-01-01T00:00"), ("j3", "Nightly BACKUP", "2999-01-02T00:00") })
        {
            var (exit, _, error) = await SchedHostProcess.Cli("add", "--store", store.Path, "--id", id, "--name", name, "--at", at, "--timezone", "UTC", "--", "echo", id);
            Assert.True(exit == 0, error);
        }

        var found = store.Run(
            """
            param($store)
            Get-ScheduledJobEx -Name '*backup', 'none*' -Store $store | ForEach-Object { "$($_.Id) $($_.Name)" }
            Suspend-ScheduledJobEx -Name 'nightly backup' -Store $store -PassThru | ForEach-Object { "$($_.Id) $($_.State)" }
            Get-Scheduler -Store $store | ForEach-Object { "$($_.JobCount) $($_.NextRunTime.UtcDateTime.ToString('s'))" }
            """).ShouldSucceed().Objects.Select(item => item.ToString());

        Assert.Equal(["j3 Nightly BACKUP", "j1 Weekly backup", "j3 Paused", "3 2999-01-01T00:00:00"], found);
    }

    [UnixFact("The stand-in pwsh is a shell script.")]
    [UnsupportedOSPlatform("windows")]
    public async Task With_schedhost_running_on_the_store_a_job_runs_there_on_request_and_its_events_are_read_from_the_store()
    {
        using var store = new TestStore(session);
        var path = FakePwsh.Install(store.Folder);
        store.Run("param($store) Register-ScheduledJobEx -Name elsewhere -Store $store -Interval 1h -Executor Process -ScriptBlock { 'ignored by the stand-in' }").ShouldSucceed();

        using var daemon = SchedHostProcess.StartDaemon(store.Path, new Dictionary<string, string> { ["PATH"] = path });
        await daemon.WaitForLine("schedhost: running on ");
        var result = store.Run(
            """
            param($store)
            Start-ScheduledJobEx -Name elsewhere -Store $store -Wait
            Get-SchedulerEvent -Store $store -Type JobExecuted -Name elsewhere | ForEach-Object { "$($_.Type) $($_.JobName)" }
            Start-Scheduler -Store $store
            """);

        var run = result.Output[0];
        Assert.Equal("Succeeded", run.Property<object>("Outcome").ToString());
        Assert.Equal(FakePwsh.Output, run.Property<string>("Output"));
        Assert.Equal(0, run.Property<int?>("ExitCode"));
        Assert.NotEqual(session.Run("param($store) (Get-Scheduler -Store $store).Id", ("store", store.Path)).Single().BaseObject, run.Property<string>("SchedulerId"));
        Assert.Equal("JobExecuted elsewhere", result.Objects[1]);

        var refused = result.SingleError("SchedulerAlreadyRunning");
        Assert.Contains(daemon.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), refused.Exception.Message, StringComparison.Ordinal);

        // This session's scheduler is stopped, and Get-Scheduler says who runs the store instead.
        var shown = store.Run("param($store) $s = Get-Scheduler -Store $store; $s.State; $s.RunningElsewhere").ShouldSucceed().Objects.Select(item => item.ToString()).ToList();
        Assert.Equal(2, shown.Count);
        Assert.Equal("Stopped", shown[0]);
        Assert.Matches($@"^'[^']+' \(pid {daemon.Id} on host [^ ]+ since \d{{4}}-\d{{2}}-\d{{2}} \d{{2}}:\d{{2}}:\d{{2}}Z\)$", shown[1]);
    }

    [UnixFact("The stand-in pwsh is a shell script.")]
    [UnsupportedOSPlatform("windows")]
    public void A_Process_job_runs_in_a_child_pwsh_of_the_session_scheduler()
    {
        using var store = new TestStore(session);
        var original = Environment.GetEnvironmentVariable("PATH");
        Environment.SetEnvironmentVariable("PATH", FakePwsh.Install(store.Folder));
        try
        {
            var run = store.Run(
                """
                param($store)
                Register-ScheduledJobEx -Name child -Store $store -Interval 1h -Executor Process -ScriptBlock { 'ignored by the stand-in' } -PassThru | ForEach-Object Executor
                Start-Scheduler -Store $store
                Start-ScheduledJobEx -Name child -Wait
                """).ShouldSucceed();

            Assert.Equal("Process", run.Objects[0]);
            Assert.Equal(FakePwsh.Output, run.Output[1].Property<string>("Output"));
            Assert.Equal(0, run.Output[1].Property<int?>("ExitCode"));
        }
        finally
        {
            Environment.SetEnvironmentVariable("PATH", original);
        }
    }

    /// <summary>Environment variables of the test process (which hosts the session) set for a while, then restored.</summary>
    private sealed class EnvironmentScope : IDisposable
    {
        private readonly (string Name, string? Value)[] saved;

        public EnvironmentScope(params (string Name, string? Value)[] variables)
        {
            saved = variables.Select(variable => (variable.Name, Environment.GetEnvironmentVariable(variable.Name))).ToArray();
            foreach (var (name, value) in variables)
            {
                Environment.SetEnvironmentVariable(name, value);
            }
        }

        public void Dispose()
        {
            foreach (var (name, value) in saved)
            {
                Environment.SetEnvironmentVariable(name, value);
            }
        }
    }
}
