using System.Management.Automation;
using Scheduler.PowerShell.Tests.Hosting;

namespace Scheduler.PowerShell.Tests.Commands;

/// <summary>Register-, Get-, Set-, Unregister-, Suspend-, Resume- and Start-ScheduledJobEx, and Get-ScheduledJobExRun.</summary>
[Collection(ModuleCollection.Name)]
public sealed class JobCommandsTests(ModuleSession session)
{
    private const string RegisterType = "Scheduler.PowerShell.Commands.RegisterScheduledJobExCommand";

    [Fact]
    public void A_registered_job_is_stored_with_its_trigger_invocation_and_default_options()
    {
        using var store = new TestStore(session);

        var job = store.Run("param($store) Register-ScheduledJobEx -Name report -Store $store -Cron '0 9 * * *' -TimeZone Europe/Berlin -ScriptBlock { 'hi' } -PassThru").Single();

        Assert.Equal("Scheduler.PowerShell.ScheduledJob", job.TypeName());
        Assert.Equal("report", job.Property<string>("Name"));
        Assert.Equal("report", job.Property<string>("Id"));
        Assert.Equal("Scheduled", job.Property<object>("State").ToString());
        Assert.Equal("0 9 * * *", job.Property<string>("Schedule"));
        Assert.Equal("ScriptBlock", job.Property<string>("Kind"));
        Assert.Equal(" 'hi' ", job.Property<string>("Command"));
        Assert.Equal("Runspace", job.Property<string>("Executor"));
        Assert.Equal(store.Path, job.Property<string>("Store"));
        var next = job.Property<DateTimeOffset?>("NextRunTime")!.Value;
        Assert.Equal(new TimeSpan(9, 0, 0), next.TimeOfDay);
        Assert.Contains(next.Offset, new[] { TimeSpan.FromHours(1), TimeSpan.FromHours(2) });
        Assert.Null(job.Property<TimeSpan?>("MisfireGraceTime"));
        Assert.Equal("Latest", job.Property<object>("Coalesce").ToString());
        Assert.Equal(1, job.Property<int>("MaxInstances"));
        Assert.Equal("Skip", job.Property<object>("OverlapPolicy").ToString());
        Assert.Null(job.Property<TimeSpan?>("Timeout"));
        Assert.Equal(0, job.Property<int>("RetryCount"));
        Assert.False(job.Property<bool>("Recover"));

        var listed = store.Run("param($store) Get-ScheduledJobEx -Store $store").Single();
        Assert.Equal("report", listed.Property<string>("Name"));
    }

    [Fact]
    public void Every_job_option_is_stored()
    {
        using var store = new TestStore(session);

        var job = store.Run(
            """
            param($store)
            Register-ScheduledJobEx -Name tuned -Store $store -Interval 5m -ScriptBlock { 1 } -PassThru `
                -MisfireGraceTime 30s -Coalesce All -MaxInstances 3 -OverlapPolicy Queue -Timeout 10m -RetryCount 2 -RetryDelay 15s -Recover -Paused
            """).Single();

        Assert.Equal(TimeSpan.FromSeconds(30), job.Property<TimeSpan?>("MisfireGraceTime"));
        Assert.Equal("All", job.Property<object>("Coalesce").ToString());
        Assert.Equal(3, job.Property<int>("MaxInstances"));
        Assert.Equal("Queue", job.Property<object>("OverlapPolicy").ToString());
        Assert.Equal(TimeSpan.FromMinutes(10), job.Property<TimeSpan?>("Timeout"));
        Assert.Equal(2, job.Property<int>("RetryCount"));
        Assert.Equal(TimeSpan.FromSeconds(15), job.Property<TimeSpan>("RetryDelay"));
        Assert.True(job.Property<bool>("Recover"));
        Assert.Equal("Paused", job.Property<object>("State").ToString());
        Assert.Null(job.Property<DateTimeOffset?>("NextRunTime"));
    }

    [Theory]
    [InlineData("-Cron '30 7 * * MON-FRI' -TimeZone UTC", "30 7 * * MON-FRI", "cron")]
    [InlineData("-Interval 90m -StartDate '2024-01-01T00:00' -TimeZone UTC", "every PT1H30M", "interval")]
    [InlineData("-At '2999-07-01T10:00' -TimeZone Europe/Berlin", "at 2999-07-01T10:00:00+02:00", "date")]
    [InlineData("-CalendarInterval P1M -TimeOfDay 09:00 -StartDate 2024-01-31 -TimeZone UTC", "every P1M at 09:00:00", "calendarInterval")]
    [InlineData("-Trigger (New-SchedulerTrigger -Any (New-SchedulerTrigger -Cron '0 9 * * *'), (New-SchedulerTrigger -Interval 1h))", "any of 2 triggers", "any")]
    [InlineData("-Cron '0 9 * * *' -TimeZone UTC -EndDate 2999-01-01 -Jitter 30s", "0 9 * * *", "cron")]
    public void Each_kind_of_trigger_can_be_given(string trigger, string schedule, string kind)
    {
        using var store = new TestStore(session);

        var job = store.Run($"param($store) Register-ScheduledJobEx -Name t -Store $store -ScriptBlock {{ 1 }} -PassThru {trigger}").Single();

        Assert.Equal(schedule, job.Property<string>("Schedule"));
        Assert.Equal(kind, session.Run("param($j) [Scheduler.PowerShell.TriggerDisplay]::Kind($j.Trigger)", ("j", job)).Single().BaseObject);
    }

    [Fact]
    public void A_duplicate_name_is_refused_without_Force_in_any_case_and_replaced_with_it()
    {
        using var store = new TestStore(session);
        store.Run("param($store) Register-ScheduledJobEx -Name Report -Store $store -Interval 1h -ScriptBlock { 'old' }").ShouldSucceed();

        var refused = store.Run("param($store) Register-ScheduledJobEx -Name report -Store $store -Interval 1h -ScriptBlock { 'new' }");
        var error = refused.SingleError("DuplicateJobName");
        Assert.Equal($"A job named 'report' already exists in the store '{store.Path}': use -Force to replace it, or Set-ScheduledJobEx to change it.", error.Exception.Message);
        Assert.Equal(ErrorCategory.ResourceExists, error.CategoryInfo.Category);

        var replaced = store.Run("param($store) Register-ScheduledJobEx -Name Report -Store $store -Interval 1h -ScriptBlock { 'new' } -Force; Get-ScheduledJobEx -Store $store").Single();
        Assert.Equal(" 'new' ", replaced.Property<string>("Command"));
    }

    [Fact]
    public void A_bad_cron_expression_is_an_InvalidCronExpression_error_and_nothing_is_registered()
    {
        using var store = new TestStore(session);

        var result = store.Run("param($store) Register-ScheduledJobEx -Name bad -Store $store -Cron '61 * * * *' -TimeZone UTC -ScriptBlock { 1 }");

        var error = result.SingleError("InvalidCronExpression");
        Assert.Equal("InvalidCronExpression," + RegisterType, error.FullyQualifiedErrorId);
        Assert.Contains("'61 * * * *'", error.Exception.Message, StringComparison.Ordinal);
        Assert.Equal(session.Run("New-SchedulerTrigger -Cron '61 * * * *' -TimeZone UTC").Errors[0].Exception.Message, error.Exception.Message);
        Assert.Empty(store.Run("param($store) Get-ScheduledJobEx -Store $store").ShouldSucceed().Output);
    }

    [Fact]
    public void An_unknown_zone_fails_binding_with_the_UnknownTimeZone_id_inside()
    {
        using var store = new TestStore(session);

        var result = session.Invoke("Register-ScheduledJobEx", ("Name", "z"), ("Store", store.Path), ("Cron", "0 9 * * *"), ("TimeZone", "Mars/Olympus_Mons"), ("ScriptBlock", ScriptBlock.Create("1")));

        var error = result.SingleError("ParameterArgumentTransformationError");
        Assert.Equal("UnknownTimeZone", PowerShellResult.InnerIdOf(error));
        Assert.Contains("Unknown time zone 'Mars/Olympus_Mons': use an IANA id such as 'Europe/Berlin'", error.Exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-ScriptBlock { 1 }", "TriggerRequired", "The job 'j' needs a trigger: -Cron, -Interval, -At, -CalendarInterval or -Trigger.")]
    [InlineData("-ScriptBlock { 1 } -TimeZone UTC", "TriggerRequired", "-TimeZone shapes a trigger given with -Cron, -Interval, -At or -CalendarInterval, and none was given.")]
    [InlineData("-ScriptBlock { 1 } -Cron '0 9 * * *' -Interval 1h", "ConflictingTriggers", "A job has one trigger, but -Cron, -Interval were given: combine triggers with New-SchedulerTrigger -Any or -All and pass it with -Trigger.")]
    [InlineData("-ScriptBlock { 1 } -Trigger (New-SchedulerTrigger -Interval 1h) -Jitter 5s", "ConflictingTriggers", "-Jitter cannot change a ready-made -Trigger: give them to New-SchedulerTrigger instead.")]
    [InlineData("-ScriptBlock { 1 } -Interval 1h -TimeOfDay 09:00", "ConflictingTriggers", "-TimeOfDay applies only to -CalendarInterval.")]
    [InlineData("-ScriptBlock { 1 } -Cron '0 9 * * *' -TimeZone UTC -EndDate 2001-01-01", "TriggerNeverFires", null)]
    [InlineData("-ScriptBlock { 1 } -Interval 1h -MisfireGraceTime ([timespan]'-00:00:05')", "InvalidJobOption", "The misfire grace time must not be negative, not '-00:00:05'.")]
    [InlineData("-FilePath ./no-such-script.ps1 -Interval 1h", "ScriptFileNotFound", null)]
    public void Bad_registrations_are_errors_with_stable_ids_and_nothing_is_registered(string arguments, string errorId, string? message)
    {
        using var store = new TestStore(session);

        var result = store.Run($"param($store) Register-ScheduledJobEx -Name j -Store $store {arguments}");

        var error = result.SingleError(errorId);
        if (message is not null)
        {
            Assert.Equal(message, error.Exception.Message);
        }
        else
        {
            Assert.Matches(errorId == "TriggerNeverFires" ? "^The trigger has no fire time at or after .*: the job would never run\\.$" : "^The script file '.*no-such-script\\.ps1' does not exist\\.$", error.Exception.Message);
        }

        Assert.Empty(store.Run("param($store) Get-ScheduledJobEx -Store $store").ShouldSucceed().Output);
    }

    [Fact]
    public void Set_with_a_new_schedule_and_no_time_zone_keeps_each_jobs_zone()
    {
        using var store = new TestStore(session);
        store.Run(
            """
            param($store)
            Register-ScheduledJobEx -Name berlin -Store $store -Cron '0 9 * * *' -TimeZone Europe/Berlin -ScriptBlock { 1 }
            Register-ScheduledJobEx -Name tokyo -Store $store -Cron '0 9 * * *' -TimeZone Asia/Tokyo -ScriptBlock { 1 }
            """).ShouldSucceed();

        var changed = store.Run("param($store) Get-ScheduledJobEx -Store $store | Set-ScheduledJobEx -Cron '30 18 * * *' -PassThru").ShouldSucceed().Output;

        Assert.Equal(["Europe/Berlin", "Asia/Tokyo"], changed.Select(job => job.Property<string>("TimeZone")));
        Assert.All(changed, job =>
        {
            var zone = TimeZoneInfo.FindSystemTimeZoneById(job.Property<string>("TimeZone"));
            Assert.Equal(new TimeSpan(18, 30, 0), TimeZoneInfo.ConvertTime(job.Property<DateTimeOffset?>("NextRunTime")!.Value, zone).TimeOfDay);
        });
    }

    [Fact]
    public void An_all_trigger_whose_triggers_never_agree_is_TriggerNeverFires_not_a_taken_name()
    {
        using var store = new TestStore(session);
        store.Run("param($store) Register-ScheduledJobEx -Name j -Store $store -Interval 1h -ScriptBlock { 1 }").ShouldSucceed();

        var result = store.Run(
            """
            param($store)
            $never = New-SchedulerTrigger -All (New-SchedulerTrigger -Cron '0 9 * * *' -TimeZone UTC), (New-SchedulerTrigger -Cron '0 10 * * *' -TimeZone UTC)
            Register-ScheduledJobEx -Name fresh -Store $store -Trigger $never -ScriptBlock { 1 }
            Register-ScheduledJobEx -Name j -Store $store -Trigger $never -ScriptBlock { 2 } -Force
            """);

        Assert.Equal(2, result.Errors.Count);
        Assert.All(result.Errors, error =>
        {
            Assert.Equal("TriggerNeverFires", PowerShellResult.IdOf(error));
            Assert.StartsWith("The triggers of this all-trigger never agree on a fire time", error.Exception.Message, StringComparison.Ordinal);
        });
        Assert.Equal(["every PT1H"], store.Run("param($store) Get-ScheduledJobEx -Store $store | ForEach-Object Schedule").ShouldSucceed().Objects);
    }

    [Theory]
    [InlineData("-Interval '-90m'", "-90m")]
    [InlineData("-Interval 1h -MisfireGraceTime -5s", "-5s")]
    [InlineData("-Interval 1h -Timeout '-5s'", "-5s")]
    [InlineData("-Interval 1h -RetryCount 1 -RetryDelay '-1m'", "-1m")]
    public void A_negative_duration_fails_binding_naming_it_as_typed_and_nothing_is_registered(string arguments, string typed)
    {
        using var store = new TestStore(session);

        var result = store.Run($"param($store) Register-ScheduledJobEx -Name j -Store $store -ScriptBlock {{ 1 }} {arguments}");

        var error = result.SingleError("ParameterArgumentTransformationError");
        Assert.Contains($"The duration '{typed}' is negative; give a positive one such as 90s.", error.Exception.Message, StringComparison.Ordinal);
        Assert.Equal("InvalidDuration", PowerShellResult.InnerIdOf(error));
        Assert.Empty(store.Run("param($store) Get-ScheduledJobEx -Store $store").ShouldSucceed().Output);
    }

    [Fact]
    public void A_command_this_session_cannot_find_is_registered_with_a_warning()
    {
        using var store = new TestStore(session);

        var result = store.Run("param($store) Register-ScheduledJobEx -Name c -Store $store -Interval 1h -Command 'Contoso\\Invoke-Backup' -PassThru");

        Assert.Equal("Command", result.Single().Property<string>("Kind"));
        Assert.Equal("The command 'Contoso\\Invoke-Backup' is not found in this session; it must exist where the job runs (import its module with -InitializationScript).", Assert.Single(result.Warnings).Message);
    }

    [Fact]
    public void Names_take_wildcards_when_reading_and_an_exact_name_that_is_missing_is_JobNotFound()
    {
        using var store = new TestStore(session);
        store.Run("param($store) 'report', 'reindex', 'backup' | ForEach-Object { Register-ScheduledJobEx -Name $_ -Store $store -Interval 1h -ScriptBlock { 1 } }").ShouldSucceed();

        Assert.Equal(["reindex", "report"], Names(store.Run("param($store) Get-ScheduledJobEx -Name 're*' -Store $store")).Order());
        Assert.Equal(["backup"], Names(store.Run("param($store) Get-ScheduledJobEx -Name BACKUP -Store $store")));
        Assert.Empty(store.Run("param($store) Get-ScheduledJobEx -Name 'x*' -Store $store").ShouldSucceed().Output);

        var missing = store.Run("param($store) Get-ScheduledJobEx -Name nope -Store $store");
        var error = missing.SingleError("JobNotFound");
        Assert.Equal($"There is no job named 'nope' in the store '{store.Path}'.", error.Exception.Message);
        Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
    }

    [Theory]
    [InlineData("Set-ScheduledJobEx -Name nope -Store $store -MaxInstances 2")]
    [InlineData("Unregister-ScheduledJobEx -Name nope -Store $store")]
    [InlineData("Suspend-ScheduledJobEx -Name nope -Store $store")]
    [InlineData("Resume-ScheduledJobEx -Name nope -Store $store")]
    [InlineData("Start-Scheduler -Store $store; Start-ScheduledJobEx -Name nope")]
    [InlineData("Get-ScheduledJobExRun -Name nope -Store $store")]
    [InlineData("Get-SchedulerFireTime -Name nope -Store $store")]
    public void Every_job_command_reports_an_unknown_job_as_JobNotFound(string script)
    {
        using var store = new TestStore(session);

        var error = store.Run("param($store) " + script).SingleError("JobNotFound");

        Assert.Equal($"There is no job named 'nope' in the store '{store.Path}'.", error.Exception.Message);
    }

    [Fact]
    public void Jobs_come_in_by_value_as_job_objects_or_names_and_by_property_name()
    {
        using var store = new TestStore(session);
        store.Run("param($store) 'a', 'b' | ForEach-Object { Register-ScheduledJobEx -Name $_ -Store $store -Interval 1h -ScriptBlock { 1 } }").ShouldSucceed();

        var paused = store.Run("param($store) Get-ScheduledJobEx -Store $store | Suspend-ScheduledJobEx -PassThru").ShouldSucceed().Output;
        Assert.Equal(["Paused", "Paused"], paused.Select(job => job.Property<object>("State").ToString()));

        var resumed = store.Run("param($store) 'a', 'b' | Resume-ScheduledJobEx -Store $store -PassThru").ShouldSucceed().Output;
        Assert.Equal(["Scheduled", "Scheduled"], resumed.Select(job => job.Property<object>("State").ToString()));

        var byProperty = store.Run("param($store) [pscustomobject]@{ Name = 'b'; Store = $store } | Suspend-ScheduledJobEx -PassThru").Single();
        Assert.Equal("b", byProperty.Property<string>("Name"));
        Assert.Equal("Paused", byProperty.Property<object>("State").ToString());

        Assert.Equal(["b"], Names(store.Run("param($store) [pscustomobject]@{ Name = 'b'; Store = $store } | Get-ScheduledJobEx")));
        store.Run("param($store) Get-ScheduledJobEx -Name a -Store $store | Unregister-ScheduledJobEx").ShouldSucceed();
        Assert.Equal(["b"], Names(store.Run("param($store) Get-ScheduledJobEx -Store $store")));
    }

    [Theory]
    [InlineData("Register-ScheduledJobEx -Name other -Store $store -Interval 1h -ScriptBlock { 2 } -WhatIf")]
    [InlineData("Register-ScheduledJobEx -Name job -Store $store -Interval 5m -ScriptBlock { 2 } -Force -WhatIf")]
    [InlineData("Set-ScheduledJobEx -Name job -Store $store -Cron '0 0 * * *' -MaxInstances 5 -ScriptBlock { 2 } -WhatIf")]
    [InlineData("Unregister-ScheduledJobEx -Name job -Store $store -WhatIf")]
    [InlineData("Suspend-ScheduledJobEx -Name job -Store $store -WhatIf")]
    [InlineData("Start-Scheduler -Store $store; Start-ScheduledJobEx -Name job -WhatIf; Stop-Scheduler")]
    public void WhatIf_changes_no_job(string script)
    {
        using var store = new TestStore(session);
        var before = Describe(store.Run("param($store) Register-ScheduledJobEx -Name job -Store $store -Interval 1h -ScriptBlock { 1 } -PassThru").Single());

        store.Run("param($store) " + script).ShouldSucceed();

        var after = store.Run("param($store) Get-ScheduledJobEx -Store $store").Single();
        Assert.Equal(before, Describe(after));
        Assert.Empty(store.Run("param($store) Get-ScheduledJobExRun -Store $store").ShouldSucceed().Output);
    }

    [Fact]
    public void Set_changes_what_is_given_and_keeps_the_rest()
    {
        using var store = new TestStore(session);
        store.Run("param($store) Register-ScheduledJobEx -Name job -Store $store -Interval 1h -ScriptBlock { 'v1' } -ArgumentList 1 -Parameters @{ Mode = 'a' } -Timeout 5m -RetryCount 1").ShouldSucceed();

        var changed = store.Run(
            """
            param($store)
            $suffix = '!'
            Set-ScheduledJobEx -Name job -Store $store -Cron '0 6 * * *' -TimeZone UTC -ScriptBlock { "v2$using:suffix" } -ArgumentList 2, 3 -MaxInstances 2 -Timeout $null -PassThru
            """).Single();

        Assert.Equal("0 6 * * *", changed.Property<string>("Schedule"));
        Assert.Equal(new TimeSpan(6, 0, 0), changed.Property<DateTimeOffset?>("NextRunTime")!.Value.TimeOfDay);
        Assert.Equal(" \"v2$using:suffix\" ", changed.Property<string>("Command"));
        Assert.Equal("!", changed.Property<System.Collections.Hashtable>("UsingValues")["suffix"]);
        Assert.Equal([2, 3], changed.Property<object?[]>("ArgumentList"));
        Assert.Equal("a", changed.Property<System.Collections.Hashtable>("Parameters")["Mode"]);
        Assert.Equal(2, changed.Property<int>("MaxInstances"));
        Assert.Null(changed.Property<TimeSpan?>("Timeout"));
        Assert.Equal(1, changed.Property<int>("RetryCount"));

        var run = store.Run("param($store) Start-Scheduler -Store $store; Start-ScheduledJobEx -Name job -Wait").Single();
        Assert.Equal("v2!", run.Property<string>("Output"));
    }

    [Fact]
    public void Set_changes_the_source_initialization_parameters_executor_and_trigger_of_piped_jobs()
    {
        using var store = new TestStore(session);
        var script = Path.Combine(store.Folder, "job.ps1");
        File.WriteAllText(script, "param($Greeting) \"$Greeting from the file\"");

        var result = store.Run(
            """
            param($store, $script)
            Register-ScheduledJobEx -Name a -Store $store -Interval 1h -ScriptBlock { 'script' } -InitializationScript { $x = 1 } -Parameters @{ Old = 1 }
            Register-ScheduledJobEx -Name b -Store $store -Interval 1h -ScriptBlock { 'script' }
            Get-ScheduledJobEx -Name a -Store $store | Set-ScheduledJobEx -FilePath $script -Parameters @{ Greeting = 'hello' } -InitializationScript $null -PassThru
            Get-ScheduledJobEx -Name b -Store $store | Set-ScheduledJobEx -Command Get-Greeting -InitializationScript { function Get-Greeting { 'hi' } } -Executor Process -Trigger (New-SchedulerTrigger -Cron '15 4 * * *' -TimeZone UTC) -PassThru
            Get-ScheduledJobEx -Name b -Store $store | Set-ScheduledJobEx -Executor Runspace
            Start-Scheduler -Store $store
            Get-ScheduledJobEx -Store $store | Start-ScheduledJobEx -Wait | ForEach-Object { "$($_.JobName): $($_.Output)" }
            """,
            ("script", script)).ShouldSucceed();

        var fileJob = result.Output[0];
        Assert.Equal("File", fileJob.Property<string>("Kind"));
        Assert.Equal(script, fileJob.Property<string>("Command"));
        Assert.Null(fileJob.Property<string?>("InitializationScript"));
        Assert.Equal(["Greeting"], fileJob.Property<System.Collections.Hashtable>("Parameters").Keys.Cast<string>());
        var commandJob = result.Output[1];
        Assert.Equal("Command", commandJob.Property<string>("Kind"));
        Assert.Equal("Process", commandJob.Property<string>("Executor"));
        Assert.Equal("15 4 * * *", commandJob.Property<string>("Schedule"));
        Assert.Equal(["a: hello from the file", "b: hi"], result.Objects.Skip(2).Select(item => item.ToString()).Order());
    }

    [Fact]
    public void Resume_and_Start_take_piped_job_objects()
    {
        using var store = new TestStore(session);

        var result = store.Run(
            """
            param($store)
            Register-ScheduledJobEx -Name piped -Store $store -Interval 1h -ScriptBlock { 'ran' } -Paused
            Start-Scheduler -Store $store
            (Get-ScheduledJobEx -Name piped | Resume-ScheduledJobEx -PassThru).State
            (Get-ScheduledJobEx -Name piped | Start-ScheduledJobEx -Wait).Output
            """).ShouldSucceed();

        Assert.Equal(["Scheduled", "ran"], result.Objects.Select(item => item.ToString()));
    }

    [Fact]
    public void A_failed_run_is_retried_as_a_run_of_its_own()
    {
        using var store = new TestStore(session);

        var result = store.Run(
            """
            param($store)
            Register-ScheduledJobEx -Name flaky -Store $store -Interval 1h -RetryCount 1 -ScriptBlock { throw "attempt $($JobContext.Attempt)" }
            Start-Scheduler -Store $store
            $null = Start-ScheduledJobEx -Name flaky -Wait
            do {
                Get-SchedulerEvent -Type JobError -Name flaky -Since '2000-01-01' -Wait -Timeout 30s | ForEach-Object { if ($_.Attempt -eq 2) { break } }
            } while ($false)
            Get-ScheduledJobExRun -Name flaky | ForEach-Object { "$($_.Attempt) $($_.Outcome) $($_.Error)" }
            """).ShouldSucceed();

        Assert.Equal(["2 Failed attempt 2 (line 1)", "1 Failed attempt 1 (line 1)"], result.Objects);
    }

    [Fact]
    public void Suspend_and_resume_clear_and_recompute_the_next_run_time()
    {
        using var store = new TestStore(session);

        var states = store.Run(
            """
            param($store)
            Register-ScheduledJobEx -Name job -Store $store -Cron '0 9 * * *' -TimeZone UTC -ScriptBlock { 1 }
            Suspend-ScheduledJobEx -Name job -Store $store -PassThru
            Resume-ScheduledJobEx -Name job -Store $store -PassThru
            """).ShouldSucceed().Output;

        Assert.Equal("Paused", states[0].Property<object>("State").ToString());
        Assert.Null(states[0].Property<DateTimeOffset?>("NextRunTime"));
        Assert.Equal("Scheduled", states[1].Property<object>("State").ToString());
        Assert.Equal(new TimeSpan(9, 0, 0), states[1].Property<DateTimeOffset?>("NextRunTime")!.Value.TimeOfDay);
    }

    [Fact]
    public void Unregister_removes_the_job_and_PassThru_writes_what_was_removed()
    {
        using var store = new TestStore(session);

        var removed = store.Run(
            """
            param($store)
            Register-ScheduledJobEx -Name job -Store $store -Interval 1h -ScriptBlock { 1 }
            Unregister-ScheduledJobEx -Name job -Store $store -PassThru
            """).Single();

        Assert.Equal("job", removed.Property<string>("Name"));
        Assert.Empty(store.Run("param($store) Get-ScheduledJobEx -Store $store").ShouldSucceed().Output);
    }

    [Fact]
    public void Register_with_RunNow_and_no_scheduler_on_the_store_registers_nothing()
    {
        using var store = new TestStore(session);

        var error = store.Run("param($store) Register-ScheduledJobEx -Name job -Store $store -Interval 1h -RunNow -ScriptBlock { 'new' }").SingleError("SchedulerNotRunning");
        Assert.Equal($"No scheduler runs on the store '{store.Path}', in this session or another process: start one with Start-Scheduler (or schedhost run) to run the job 'job' now. The job was not registered.", error.Exception.Message);
        Assert.Empty(store.Run("param($store) Get-ScheduledJobEx -Store $store").ShouldSucceed().Output);

        // Replacing a job is refused whole too: the job stays as it was.
        store.Run("param($store) Register-ScheduledJobEx -Name job -Store $store -Interval 1h -ScriptBlock { 'old' }").ShouldSucceed();
        error = store.Run("param($store) Register-ScheduledJobEx -Name job -Store $store -Interval 2h -RunNow -Force -ScriptBlock { 'new' }").SingleError("SchedulerNotRunning");
        Assert.EndsWith("now. The job was not replaced.", error.Exception.Message, StringComparison.Ordinal);
        var kept = store.Run("param($store) Get-ScheduledJobEx -Name job -Store $store").Single();
        Assert.Equal("every PT1H", kept.Property<string>("Schedule"));
    }

    [Fact]
    public void Start_runs_a_job_now_on_the_running_scheduler_and_needs_one()
    {
        using var store = new TestStore(session);
        store.Run("param($store) Register-ScheduledJobEx -Name job -Store $store -Interval 1h -MaxInstances 2 -ScriptBlock { 'ran' }").ShouldSucceed();

        var error = store.Run("param($store) Start-ScheduledJobEx -Name job -Store $store").SingleError("SchedulerNotRunning");
        Assert.Equal($"No scheduler runs on the store '{store.Path}', in this session or another process: start one with Start-Scheduler (or schedhost run) to run the job 'job' now.", error.Exception.Message);

        var started = store.Run("param($store) Start-Scheduler -Store $store; Start-ScheduledJobEx -Name job -PassThru").Single();
        Assert.Equal("job", started.Property<string>("JobName"));

        var waited = session.Run("Start-ScheduledJobEx -Name job -Wait").Single();
        Assert.Equal("Succeeded", waited.Property<object>("Outcome").ToString());
        Assert.Equal("ran", waited.Property<string>("Output"));
        Assert.Equal(1, waited.Property<int>("Attempt"));
        Assert.True(waited.Property<DateTimeOffset?>("EndTime") >= waited.Property<DateTimeOffset?>("StartTime"));
    }

    [Fact]
    public void RunNow_registers_and_runs_the_job_at_once()
    {
        using var store = new TestStore(session);

        var result = store.Run(
            """
            param($store)
            Start-Scheduler -Store $store
            Register-ScheduledJobEx -Name now -Cron '0 0 1 1 *' -TimeZone UTC -ScriptBlock { 'now' } -RunNow
            do {
                Get-SchedulerEvent -Type JobExecuted -Name now -Last 1 -Wait -Timeout 30s | ForEach-Object { break }
            } while ($false)
            Get-ScheduledJobExRun -Name now
            """).ShouldSucceed();

        Assert.Equal("now", Assert.Single(result.Output).Property<string>("Output"));
    }

    [Fact]
    public void The_run_history_is_listed_newest_first_and_filtered_by_outcome_and_count()
    {
        using var store = new TestStore(session);

        var result = store.Run(
            """
            param($store)
            Register-ScheduledJobEx -Name good -Store $store -Interval 1h -ScriptBlock { "run $($JobContext.RunId)" }
            Register-ScheduledJobEx -Name bad -Store $store -Interval 1h -ScriptBlock { throw 'nope' }
            Start-Scheduler -Store $store
            $first = Start-ScheduledJobEx -Name good -Wait
            $second = Start-ScheduledJobEx -Name good -Wait
            $null = Start-ScheduledJobEx -Name bad -Wait
            $first.RunId, $second.RunId
            '--'
            Get-ScheduledJobExRun -Name good | ForEach-Object RunId
            '--'
            Get-ScheduledJobExRun -Name good -Last 1 | ForEach-Object RunId
            '--'
            Get-ScheduledJobExRun -Outcome Failed | ForEach-Object { "$($_.JobName) $($_.Outcome) $($_.Error)" }
            '--'
            Get-ScheduledJobExRun -Name '*' | ForEach-Object JobName
            """).ShouldSucceed();

        var parts = string.Join("|", result.Objects).Split("|--|");
        var ids = parts[0].Split('|');
        Assert.Equal($"{ids[1]}|{ids[0]}", parts[1]);
        Assert.Equal(ids[1], parts[2]);
        Assert.Equal("bad Failed nope (line 1)", parts[3]);
        Assert.Equal(["bad", "good", "good"], parts[4].Split('|').Order());
    }

    [Fact]
    public void Fire_times_of_stored_jobs_are_listed_by_name_with_the_job_name()
    {
        using var store = new TestStore(session);

        var times = store.Run(
            """
            param($store)
            Register-ScheduledJobEx -Name hourly -Store $store -Interval 1h -StartDate '2024-01-01T00:00Z' -TimeZone UTC -ScriptBlock { 1 }
            Register-ScheduledJobEx -Name daily -Store $store -Cron '0 9 * * *' -TimeZone UTC -ScriptBlock { 1 }
            Get-SchedulerFireTime -Name hour* -Store $store -Count 2 -After 2024-05-01T10:30Z
            Get-SchedulerFireTime -Name daily -Store $store -Count 1 -After 2024-05-01
            # Piped, a job's Trigger property binds: the same times, without the job's name.
            Get-ScheduledJobEx -Name daily -Store $store | Get-SchedulerFireTime -Count 1 -After 2024-05-01
            """).ShouldSucceed().Output;

        Assert.Equal(
            ["hourly 2024-05-01T11:00:00+00:00", "hourly 2024-05-01T12:00:00+00:00", "daily 2024-05-01T09:00:00+00:00", " 2024-05-01T09:00:00+00:00"],
            times.Select(time => $"{time.Property<string?>("JobName")} {time}"));
    }

    [Fact]
    public void Job_names_complete_from_the_store_the_command_names()
    {
        using var store = new TestStore(session);
        store.Run("param($store) 'report', 'reindex', 'backup' | ForEach-Object { Register-ScheduledJobEx -Name $_ -Store $store -Interval 1h -ScriptBlock { 1 } }").ShouldSucceed();

        Assert.Equal(["reindex", "report"], session.Complete($"Get-ScheduledJobEx -Store '{store.Path}' -Name re"));
        Assert.Equal(["backup"], session.Complete($"Suspend-ScheduledJobEx -Store '{store.Path}' -Name b"));
        Assert.Equal(["backup", "reindex", "report"], session.Complete($"Get-ScheduledJobExRun -Store '{store.Path}' -Name "));
        Assert.Contains("Europe/Berlin", session.Complete("Register-ScheduledJobEx -TimeZone Berl"));

        var missing = Path.Combine(store.Folder, "typo.db");
        Assert.Empty(session.Complete($"Get-ScheduledJobEx -Store '{missing}' -Name "));
        Assert.False(File.Exists(missing));
    }

    private static IEnumerable<string> Names(PowerShellResult result) => result.ShouldSucceed().Output.Select(job => job.Property<string>("Name"));

    private static string Describe(PSObject job)
        => string.Join(
            ";",
            new[] { "Name", "State", "NextRunTime", "Schedule", "Command", "MaxInstances", "Timeout" }.Select(name => $"{name}={job.Properties[name].Value}"));
}
