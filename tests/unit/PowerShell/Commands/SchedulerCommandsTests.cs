using System.Management.Automation;
using Scheduler.PowerShell.Tests.Hosting;

namespace Scheduler.PowerShell.Tests.Commands;

/// <summary>Start-, Stop-, Suspend-, Resume-, Get- and Wait-Scheduler on the session's scheduler.</summary>
[Collection(ModuleCollection.Name)]
public sealed class SchedulerCommandsTests(ModuleSession session)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public void The_start_time_Get_Scheduler_shows_is_the_one_the_scheduler_recorded_as_it_started()
    {
        using var store = new TestStore(session);

        var started = store.Run("param($store) Start-Scheduler -Store $store -PassThru").Single();
        var recorded = session.Run("Get-SchedulerEvent -Type SchedulerStarted -Last 1").Single();
        session.Run("Stop-Scheduler").ShouldSucceed();

        // Instants, whatever offset each is shown in: the scheduler's clock, not a second reading of the system's.
        Assert.Equal(recorded.Property<DateTimeOffset>("Timestamp"), started.Property<DateTimeOffset?>("StartTime"));
    }

    [Fact]
    public void A_store_has_a_stopped_scheduler_until_started_and_the_session_runs_one_at_a_time()
    {
        using var store = new TestStore(session);
        using var other = new TestStore(session);

        var before = store.Run("param($store) Register-ScheduledJobEx -Name a -Store $store -Cron '0 9 * * *' -TimeZone UTC -ScriptBlock { 1 }; Get-Scheduler -Store $store").Single();
        Assert.Equal("Stopped", State(before));
        Assert.Equal(store.Path, before.Property<string>("Store"));
        Assert.Equal(1, before.Property<int>("JobCount"));
        Assert.Null(before.Property<DateTimeOffset?>("StartTime"));

        var started = store.Run("param($store) Start-Scheduler -Store $store -MaxWorkers 2 -PassThru").Single();
        Assert.Equal("Running", State(started));
        Assert.Equal(2, started.Property<int>("MaxWorkers"));
        Assert.NotNull(started.Property<DateTimeOffset?>("StartTime"));

        // Without -Store, the cmdlets use the running scheduler's store.
        Assert.Equal(store.Path, session.Run("Get-Scheduler").Single().Property<string>("Store"));
        Assert.Equal(["a"], session.Run("Get-ScheduledJobEx | ForEach-Object Name").ShouldSucceed().Objects);

        var second = session.Run("param($other) Start-Scheduler -Store $other", ("other", other.Path));
        var error = second.SingleError("SchedulerAlreadyRunning");
        Assert.Equal($"A scheduler already runs in this session, on the store '{store.Path}': stop it with Stop-Scheduler first.", error.Exception.Message);

        var stopped = session.Run("Stop-Scheduler -PassThru").Single();
        Assert.Equal("Stopped", State(stopped));
        Assert.Empty(session.Run("Stop-Scheduler").ShouldSucceed().Output);
    }

    [Fact]
    public void Suspend_and_resume_pause_the_running_scheduler()
    {
        using var store = new TestStore(session);

        var states = store.Run(
            """
            param($store)
            Start-Scheduler -Store $store -Paused -PassThru
            Resume-Scheduler -PassThru
            Suspend-Scheduler -PassThru
            Resume-Scheduler -PassThru
            """).ShouldSucceed().Output.Select(State);

        Assert.Equal(["Paused", "Running", "Paused", "Running"], states);
    }

    [Theory]
    [InlineData("Suspend-Scheduler", "suspending it")]
    [InlineData("Resume-Scheduler", "resuming it")]
    [InlineData("Wait-Scheduler", "waiting for it")]
    public void Commands_on_the_running_scheduler_fail_with_SchedulerNotRunning_when_none_runs(string command, string what)
    {
        var error = session.Run(command).SingleError("SchedulerNotRunning");

        Assert.Equal($"No scheduler runs in this session: start one with Start-Scheduler before {what}.", error.Exception.Message);
        Assert.Equal(ErrorCategory.InvalidOperation, error.CategoryInfo.Category);
    }

    [Fact]
    public void WhatIf_changes_nothing()
    {
        using var store = new TestStore(session);

        Assert.Equal("Stopped", State(store.Run("param($store) Start-Scheduler -Store $store -WhatIf; Get-Scheduler -Store $store").Single()));
        Assert.Equal(
            ["Running", "Running", "Running"],
            store.Run(
                """
                param($store)
                Start-Scheduler -Store $store
                Suspend-Scheduler -WhatIf
                Get-Scheduler
                Stop-Scheduler -WhatIf
                Get-Scheduler
                Stop-Scheduler -NoWait -WhatIf
                Get-Scheduler
                """).ShouldSucceed().Output.Select(State));
        Assert.Equal(
            ["Paused", "Paused"],
            session.Run("Suspend-Scheduler; Resume-Scheduler -WhatIf; Get-Scheduler; Start-ScheduledJobEx -Name nothing -ErrorAction Ignore; Get-Scheduler").ShouldSucceed().Output.Select(State));
    }

    [Fact]
    public void Wait_Scheduler_returns_nothing_after_its_timeout_and_the_scheduler_goes_on()
    {
        using var store = new TestStore(session);

        var result = store.Run("param($store) Start-Scheduler -Store $store; Wait-Scheduler -Timeout 100ms; Get-Scheduler").ShouldSucceed();

        Assert.Equal("Running", State(Assert.Single(result.Output)));
    }

    [Fact]
    public void Wait_Scheduler_returns_the_stopped_scheduler_when_a_job_shuts_it_down()
    {
        using var store = new TestStore(session);

        var result = store.Run(
            """
            param($store)
            Register-ScheduledJobEx -Name last -Store $store -At '2000-01-01T00:00:00Z' -ScriptBlock { $null = $JobContext.Scheduler.ShutdownAsync() }
            Start-Scheduler -Store $store
            Wait-Scheduler -Timeout 30s
            Get-ScheduledJobExRun -Name last -Store $store | ForEach-Object Outcome
            """).ShouldSucceed();

        Assert.Equal("Stopped", State(result.Output[0]));
        Assert.Equal("Succeeded", result.Objects[1].ToString());
    }

    [Fact]
    public async Task Wait_Scheduler_ends_on_Ctrl_C_and_leaves_the_scheduler_running()
    {
        using var store = new TestStore(session);
        store.Run("param($store) Start-Scheduler -Store $store").ShouldSucceed();

        using (var waiting = session.Start("Wait-Scheduler"))
        {
            await waiting.StopAsync(Patience);
            Assert.Empty(waiting.Output);
        }

        Assert.Equal("Running", State(session.Run("Get-Scheduler").Single()));
    }

    [Fact]
    public void Stop_Scheduler_waits_for_running_jobs_and_NoWait_stops_their_pipelines()
    {
        using var store = new TestStore(session);

        // JobStarted comes before the script's first line; the job leaves a file once it has written
        // its output, so the stop cannot land before that output exists.
        var result = store.Run(
            """
            param($store, $marker)
            Register-ScheduledJobEx -Name endless -Store $store -Interval 1h -ScriptBlock { 'started'; [IO.File]::WriteAllText($using:marker, ''); while ($true) { $i++ } }
            Start-Scheduler -Store $store
            Start-ScheduledJobEx -Name endless
            $deadline = [DateTime]::UtcNow.AddSeconds(30)
            while (-not [IO.File]::Exists($marker) -and [DateTime]::UtcNow -lt $deadline) { [Threading.Thread]::Sleep(10) }
            Stop-Scheduler -NoWait -PassThru
            Get-ScheduledJobExRun -Name endless -Store $store
            """,
            ("marker", System.IO.Path.Combine(store.Folder, "started"))).ShouldSucceed();

        Assert.Equal("Stopped", State(result.Output[0]));
        var run = result.Output[1];
        Assert.Equal("Cancelled", run.Property<object>("Outcome").ToString());
        Assert.Equal("started", run.Property<string>("Output"));
        Assert.Equal("The run was cancelled: the scheduler shut down.", run.Property<string>("Error"));
    }

    private static string State(PSObject scheduler) => scheduler.Property<object>("State").ToString()!;
}
