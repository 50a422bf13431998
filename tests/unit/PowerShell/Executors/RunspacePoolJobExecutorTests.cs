using System.Management.Automation;
using Scheduler.PowerShell.Tests.Hosting;

namespace Scheduler.PowerShell.Tests.Executors;

/// <summary>
/// The runspace-pool executor, driven as a user drives it: a job registered with Register-ScheduledJobEx,
/// run with Start-ScheduledJobEx -Wait on the scheduler of the session, its record read back.
/// </summary>
[Collection(ModuleCollection.Name)]
public sealed class RunspacePoolJobExecutorTests(ModuleSession session)
{
    [Fact]
    public void Output_warnings_and_information_are_the_run_output_in_order_and_the_run_succeeds()
    {
        using var store = new TestStore(session);

        var run = store.Run(
            """
            param($store)
            # Only Microsoft.PowerShell.Core exists in the test's runspaces: no Write-Warning, so $PSCmdlet writes.
            Register-ScheduledJobEx -Name report -Store $store -Interval 1h -ScriptBlock {
                [CmdletBinding()] param()
                'first'
                $PSCmdlet.WriteWarning('careful')
                $PSCmdlet.WriteInformation('note', [string[]]@())
                42
            }
            Start-Scheduler -Store $store
            Start-ScheduledJobEx -Name report -Wait
            """).Single();

        Assert.Equal("Succeeded", Outcome(run));
        Assert.Equal("first\nWARNING: careful\nnote\n42", run.Property<string>("Output"));
        Assert.Null(run.Property<string?>("Error"));
        Assert.Equal("report", run.Property<string>("JobName"));
    }

    [Fact]
    public void Using_values_are_read_at_registration_and_arguments_and_parameters_are_bound()
    {
        using var store = new TestStore(session);

        var result = store.Run(
            """
            param($store)
            $name = 'world'
            $count = 3
            $settings = @{ Path = '/tmp/x'; Depth = 2 }
            $list = @('a', 'b')
            Register-ScheduledJobEx -Name greet -Store $store -Interval 1h -ArgumentList 'positional', 7 -Parameters @{ Flag = $true } -ScriptBlock {
                param($First, $Second, [switch]$Flag)
                "hello $using:name"
                $using:count + 1
                $using:settings.Path
                $using:settings['Depth']
                $using:list[1]
                $using:list.Count
                "$First/$Second/$Flag"
            }
            $name = 'changed after registration'
            (Get-ScheduledJobEx -Name greet -Store $store).UsingValues['name']
            Start-Scheduler -Store $store
            Start-ScheduledJobEx -Name greet -Wait
            """).ShouldSucceed();

        Assert.Equal("world", result.Objects[0]);
        var run = result.Output[1];
        Assert.Equal("Succeeded", Outcome(run));
        Assert.Equal("hello world\n4\n/tmp/x\n2\nb\n2\npositional/7/True", run.Property<string>("Output"));
    }

    [Fact]
    public void A_terminating_error_fails_the_run_with_its_message_and_line_and_keeps_the_output_before_it()
    {
        using var store = new TestStore(session);

        var run = store.Run(
            """
            param($store)
            Register-ScheduledJobEx -Name broken -Store $store -Interval 1h -ScriptBlock {
                'before'
                throw 'boom'
                'never'
            }
            Start-Scheduler -Store $store
            Start-ScheduledJobEx -Name broken -Wait
            """).Single();

        Assert.Equal("Failed", Outcome(run));
        Assert.Equal("before", run.Property<string>("Output"));
        Assert.Equal("boom (line 3)", run.Property<string>("Error"));
    }

    [Fact]
    public void Any_error_record_fails_the_run_even_when_the_script_goes_on()
    {
        using var store = new TestStore(session);

        var run = store.Run(
            """
            param($store)
            Register-ScheduledJobEx -Name partial -Store $store -Interval 1h -ScriptBlock {
                [CmdletBinding()] param()
                'before'
                $PSCmdlet.WriteError([System.Management.Automation.ErrorRecord]::new([System.Exception]::new('disk full'), 'DiskFull', 'WriteError', $null))
                'after'
            }
            Start-Scheduler -Store $store
            Start-ScheduledJobEx -Name partial -Wait
            """).Single();

        Assert.Equal("Failed", Outcome(run));
        Assert.Equal("before\nafter", run.Property<string>("Output"));
        Assert.Equal("disk full", run.Property<string>("Error"));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void What_a_native_command_writes_to_stderr_is_error_text_and_its_exit_code_decides()
    {
        using var store = new TestStore(session);

        var runs = store.Run(
            """
            param($store)
            Register-ScheduledJobEx -Name progress -Store $store -Interval 1h -ScriptBlock { sh -c 'echo fetching >&2; echo 50% >&2; echo done' }
            Register-ScheduledJobEx -Name failing -Store $store -Interval 1h -ScriptBlock { sh -c 'exit 3' }
            Register-ScheduledJobEx -Name recovered -Store $store -Interval 1h -ScriptBlock { sh -c 'exit 3'; 'retried'; sh -c 'exit 0' }
            Start-Scheduler -Store $store
            Start-ScheduledJobEx -Name progress -Wait
            Start-ScheduledJobEx -Name failing -Wait
            Start-ScheduledJobEx -Name recovered -Wait
            """).Output;

        Assert.Equal(["Succeeded", "Failed", "Succeeded"], runs.Select(Outcome));
        Assert.Equal("done", runs[0].Property<string>("Output"));
        // The tool's own lines, as it wrote them: a script line would be read as part of its text.
        Assert.Equal("fetching\n50%", runs[0].Property<string>("Error"));
        Assert.Equal("The last native command the job ran exited with code 3.", runs[1].Property<string>("Error"));
        Assert.Equal("retried", runs[2].Property<string>("Output"));
    }

    [Fact]
    public void A_run_past_its_timeout_has_its_pipeline_stopped_and_is_recorded_as_timed_out()
    {
        using var store = new TestStore(session);

        var run = store.Run(
            """
            param($store)
            Register-ScheduledJobEx -Name endless -Store $store -Interval 1h -Timeout 300ms -ScriptBlock {
                'started'
                while ($true) { $i++ }
            }
            Start-Scheduler -Store $store
            Start-ScheduledJobEx -Name endless -Wait
            """).Single();

        Assert.Equal("TimedOut", Outcome(run));
        Assert.Equal("started", run.Property<string>("Output"));
        Assert.Equal("The run took longer than its timeout of 00:00:00.3000000.", run.Property<string>("Error"));
    }

    [Fact]
    public void Each_run_starts_in_a_clean_runspace_without_what_an_earlier_run_left()
    {
        using var store = new TestStore(session);

        var runs = store.Run(
            """
            param($store)
            Register-ScheduledJobEx -Name leaky -Store $store -Interval 1h -ScriptBlock {
                $state = if ($global:seen) { 'variable leaked' } elseif (Get-Command Leak -ErrorAction Ignore) { 'function leaked' } else { 'clean' }
                $state
                $global:seen = 1
                function global:Leak { }
            }
            Start-Scheduler -Store $store
            Start-ScheduledJobEx -Name leaky -Wait
            Start-ScheduledJobEx -Name leaky -Wait
            """).ShouldSucceed().Output;

        Assert.Equal(["clean", "clean"], runs.Select(run => run.Property<string>("Output")));
        Assert.All(runs, run => Assert.Equal("Succeeded", Outcome(run)));
    }

    [Fact]
    public void The_initialization_script_runs_first_in_the_same_runspace_for_a_command_with_parameters()
    {
        using var store = new TestStore(session);

        var result = store.Run(
            """
            param($store)
            Register-ScheduledJobEx -Name hello -Store $store -Interval 1h -Command Get-Greeting -Parameters @{ Name = 'Ada' } -ArgumentList 'Dr.' -InitializationScript {
                function Get-Greeting([string]$Title, [string]$Name) { "Hello $Title $Name" }
            }
            Start-Scheduler -Store $store
            Start-ScheduledJobEx -Name hello -Wait
            """).ShouldSucceed();

        var run = Assert.Single(result.Output);
        Assert.Equal("Hello Dr. Ada", run.Property<string>("Output"));
        Assert.Empty(result.Warnings);
    }

    [Fact]
    public void A_script_file_runs_with_its_arguments_by_full_path()
    {
        using var store = new TestStore(session);
        var script = Path.Combine(store.Folder, "backup.ps1");
        File.WriteAllText(script, "param($Target, $Days) \"backup of $Target, $Days days\"; $PSCommandPath");

        var result = store.Run(
            """
            param($store, $folder)
            $here = $ExecutionContext.SessionState.Path.CurrentLocation
            $null = $ExecutionContext.SessionState.Path.SetLocation($folder)
            try {
                Register-ScheduledJobEx -Name backup -Store $store -Interval 1h -FilePath ./backup.ps1 -ArgumentList '/srv', 7 -PassThru | ForEach-Object Command
            } finally {
                $null = $ExecutionContext.SessionState.Path.SetLocation($here)
            }
            Start-Scheduler -Store $store
            Start-ScheduledJobEx -Name backup -Wait
            """,
            ("folder", store.Folder)).ShouldSucceed();

        Assert.Equal(script, result.Objects[0]);
        Assert.Equal($"backup of /srv, 7 days\n{script}", result.Output[1].Property<string>("Output"));
    }

    [Fact]
    public void The_job_sees_its_run_through_JobContext()
    {
        using var store = new TestStore(session);

        var run = store.Run(
            """
            param($store)
            Register-ScheduledJobEx -Name context -Store $store -Interval 1h -ScriptBlock {
                "$($JobContext.Job.Name) $($JobContext.RunId) $($JobContext.Attempt)"
            }
            Start-Scheduler -Store $store
            Start-ScheduledJobEx -Name context -Wait
            """).Single();

        Assert.Equal($"context {run.Property<string>("RunId")} 1", run.Property<string>("Output"));
    }

    [Theory]
    [InlineData("Register-ScheduledJobEx -Name j -Store $store -Interval 1h -ScriptBlock { $using:notSet }", "The variable '$using:notSet' is not set in this session: set $notSet before registering the job, or pass the value with -ArgumentList.")]
    [InlineData("$action = { 1 }; Register-ScheduledJobEx -Name j -Store $store -Interval 1h -ScriptBlock { & $using:action }", "The value of $using:action is a script block, which is bound to the session that created it: pass its text and create it in the job with [scriptblock]::Create().")]
    [InlineData("$me = [System.Diagnostics.Process]::GetCurrentProcess(); Register-ScheduledJobEx -Name j -Store $store -Interval 1h -ScriptBlock { $using:me }", "The value of $using:me is a System.Diagnostics.Process, which cannot be stored with the job: pass data (text, numbers, booleans, dates, arrays, hashtables, [pscustomobject]s), such as one of its properties.")]
    [InlineData("Register-ScheduledJobEx -Name j -Store $store -Interval 1h -ScriptBlock { 1 } -ArgumentList 1, ([System.Diagnostics.Process]::GetCurrentProcess())", "The argument 1 is a System.Diagnostics.Process, which cannot be stored with the job: pass data (text, numbers, booleans, dates, arrays, hashtables, [pscustomobject]s), such as one of its properties.")]
    public void A_value_that_cannot_travel_with_the_job_is_refused_by_name_and_nothing_is_registered(string script, string message)
    {
        using var store = new TestStore(session);

        var result = store.Run("param($store) " + script);

        var error = result.SingleError("InvalidJobValue");
        Assert.Equal(message, error.Exception.Message);
        Assert.Empty(store.Run("param($store) Get-ScheduledJobEx -Store $store").ShouldSucceed().Output);
    }

    [Fact]
    public void A_secure_string_is_refused_rather_than_written_to_the_store_in_clear_text()
    {
        using var store = new TestStore(session);

        var result = store.Run("param($store) $secret = [System.Security.SecureString]::new(); Register-ScheduledJobEx -Name j -Store $store -Interval 1h -Parameters @{ Key = 1 } -ScriptBlock { $using:secret }");

        Assert.StartsWith("The value of $using:secret is a secret (SecureString), which would be written to the job store in clear text", result.SingleError("InvalidJobValue").Exception.Message, StringComparison.Ordinal);
    }

    private static string Outcome(PSObject run) => run.Property<object>("Outcome").ToString()!;
}
