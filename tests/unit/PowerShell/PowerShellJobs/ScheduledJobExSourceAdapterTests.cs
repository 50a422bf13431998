using System.Management.Automation;
using Scheduler.PowerShell.Tests.Hosting;

namespace Scheduler.PowerShell.Tests.PowerShellJobs;

/// <summary>Runs of scheduled jobs as PowerShell jobs: Get-Job, Wait-Job, Receive-Job, Stop-Job, Remove-Job.</summary>
[Collection(ModuleCollection.Name)]
public sealed class ScheduledJobExSourceAdapterTests(ModuleSession session)
{
    [Fact]
    public void A_finished_run_is_a_completed_job_whose_output_Receive_Job_returns_as_objects()
    {
        using var store = new TestStore(session);

        var result = store.Run(
            """
            param($store)
            Register-ScheduledJobEx -Name psjob-report -Store $store -Interval 1h -ScriptBlock { 'text'; 42 }
            Start-Scheduler -Store $store
            $run = Start-ScheduledJobEx -Name psjob-report -Wait
            $job = Get-Job -Name psjob-report
            $job
            $job.RunId -eq $run.RunId
            Receive-Job -Job $job -Keep
            """).ShouldSucceed();

        var job = result.Output[0];
        Assert.Equal("Scheduler.PowerShell.PowerShellJobs.ScheduledJobExJob", job.TypeName());
        Assert.Equal("ScheduledJobEx", job.Property<string>("PSJobTypeName"));
        Assert.Equal("Completed", job.Property<JobStateInfo>("JobStateInfo").State.ToString());
        Assert.Equal("'text'; 42", job.Property<string>("Command"));
        Assert.Equal("Succeeded", job.Property<string>("StatusMessage"));
        Assert.Equal(store.Path, job.Property<string>("Location"));
        Assert.Equal(true, result.Objects[1]);
        Assert.Equal(["text", 42], result.Objects.Skip(2));
    }

    [Fact]
    public void The_run_of_a_one_off_job_stays_a_job_and_a_run_after_the_job_is_gone()
    {
        using var store = new TestStore(session);

        var result = store.Run(
            """
            param($store)
            Register-ScheduledJobEx -Name psjob-once -Store $store -At ([datetime]::Now.AddMilliseconds(200)) -ScriptBlock { 'once' }
            Register-ScheduledJobEx -Name psjob-kept -Store $store -Interval 1h -ScriptBlock { 'kept' }
            Start-Scheduler -Store $store
            do {
                Get-SchedulerEvent -Type JobExecuted -Name psjob-once -Last 1 -Wait -Timeout 30s | ForEach-Object { break }
            } while ($false)
            @(Get-ScheduledJobEx -Name psjob-once -Store $store -ErrorAction SilentlyContinue -ErrorVariable gone).Count
            $gone[0].FullyQualifiedErrorId
            $gone[0].Exception.Message
            $job = Get-Job -Name psjob-once
            $job.State
            Receive-Job -Job $job -Keep
            (Get-ScheduledJobExRun -Store $store).JobName -join ','
            (Get-ScheduledJobExRun -Name psjob-on* -Store $store).Outcome
            (Get-ScheduledJobExRun -Name PSJOB-ONCE -Store $store).Outcome
            """).ShouldSucceed();

        Assert.Equal(
            [
                "0",
                "JobNotFound,Scheduler.PowerShell.Commands.GetScheduledJobExCommand",
                $"The job 'psjob-once' has ended (its trigger has no further fire times) and is no longer in the store '{store.Path}'; Get-ScheduledJobExRun -Name 'psjob-once' shows its runs.",
                "Completed",
                "once",
                "psjob-once",
                "Succeeded",
                "Succeeded",
            ],
            result.Objects.Select(item => item.ToString()));
    }

    [Fact]
    public void A_failed_run_is_a_failed_job_whose_error_Receive_Job_writes()
    {
        using var store = new TestStore(session);

        var result = store.Run(
            """
            param($store)
            Register-ScheduledJobEx -Name psjob-broken -Store $store -Interval 1h -ScriptBlock { 'partial'; throw 'boom' }
            Start-Scheduler -Store $store
            $null = Start-ScheduledJobEx -Name psjob-broken -Wait
            (Get-Job -Name psjob-broken).State
            Receive-Job -Name psjob-broken -ErrorVariable failures -ErrorAction SilentlyContinue
            $failures | ForEach-Object { $_.Exception.Message }
            """).ShouldSucceed();

        Assert.Equal(["Failed", "partial", "boom"], result.Objects.Select(item => item.ToString()));
    }

    [Fact]
    public void Wait_Job_waits_for_a_run_in_progress_and_Remove_Job_hides_it_from_this_session_only()
    {
        using var store = new TestStore(session);
        using var gate = new SemaphoreSlim(0);
        var key = "scheduler-test-gate-" + Guid.NewGuid().ToString("N");
        AppDomain.CurrentDomain.SetData(key, gate);
        try
        {
            var result = store.Run(
                """
                param($store, $key)
                Register-ScheduledJobEx -Name psjob-gated -Store $store -Interval 1h -ScriptBlock {
                    $null = [AppDomain]::CurrentDomain.GetData($using:key).Wait(30000)
                    'released'
                }
                Start-Scheduler -Store $store
                Start-ScheduledJobEx -Name psjob-gated
                do {
                    Get-SchedulerEvent -Type JobStarted -Name psjob-gated -Last 1 -Wait -Timeout 30s | ForEach-Object { break }
                } while ($false)
                $job = Get-Job -Name psjob-gated
                $job.State
                $null = [AppDomain]::CurrentDomain.GetData($key).Release()
                $job | Wait-Job -Timeout 30 | Receive-Job
                $job.State
                $job | Remove-Job
                @(Get-Job -Name psjob-gated -ErrorAction Ignore).Count
                @(Get-ScheduledJobExRun -Name psjob-gated).Count
                """,
                ("key", key)).ShouldSucceed();

            Assert.Equal(["Running", "released", "Completed", 0, 1], result.Objects.Select(item => item is int ? item : item.ToString()));
        }
        finally
        {
            gate.Release();
            AppDomain.CurrentDomain.SetData(key, null);
        }
    }

    [Fact]
    public void Stop_Job_stops_a_run_of_this_session_which_ends_as_cancelled_and_is_not_retried()
    {
        using var store = new TestStore(session);

        var result = store.Run(
            """
            param($store)
            Register-ScheduledJobEx -Name psjob-endless -Store $store -Interval 1h -RetryCount 2 -RetryDelay 0s -ScriptBlock { 'started'; while ($true) { $i++ } }
            Start-Scheduler -Store $store
            Start-ScheduledJobEx -Name psjob-endless
            do {
                Get-SchedulerEvent -Type JobStarted -Name psjob-endless -Last 1 -Wait -Timeout 30s | ForEach-Object { break }
            } while ($false)
            Get-Job -Name psjob-endless | Stop-Job
            $null = Get-Job -Name psjob-endless | Wait-Job -Timeout 30
            $run = Get-ScheduledJobExRun -Name psjob-endless
            $run.Outcome
            $run.Error
            (Get-Job -Name psjob-endless).State
            Get-SchedulerEvent -Name psjob-endless | Where-Object Type -in 'JobError', 'JobRetried', 'JobCancelled' | ForEach-Object Type
            """).ShouldSucceed();

        // A run stopped on purpose did not fail: no JobError (an alert's trigger), no retry.
        Assert.Equal(["Cancelled", "The run was stopped with Stop-Job.", "Stopped", "JobCancelled"], result.Objects.Select(item => item.ToString()));
    }
}
