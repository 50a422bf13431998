using System.Text;
using Scheduler.Events;
using Scheduler.Executors;
using Scheduler.Invocations;
using Scheduler.Jobs;
using Scheduler.Tests.Support;
using Scheduler.Triggers;
using static Scheduler.Tests.Support.ChildProcesses;

namespace Scheduler.Tests.Executors;

/// <summary>The process executor with real child processes (Unix: /bin/sh), on a fake clock that decides timeouts.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ProcessJobExecutorTests : IAsyncLifetime, IDisposable
{
    private const SchedulerEventType RunEnded = SchedulerEventType.JobExecuted | SchedulerEventType.JobError | SchedulerEventType.JobTimedOut | SchedulerEventType.JobCancelled;

    private readonly TestScheduler test = new();
    private readonly JobExecutor executor = JobExecutor.CreateProcess(2);
    private readonly string folder = Directory.CreateTempSubdirectory("sched-process-").FullName;

    public Task InitializeAsync()
    {
        test.Scheduler.AddExecutor("process", executor);
        test.Scheduler.Start();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await test.DisposeAsync();

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public async Task Exit_code_zero_succeeds_with_the_standard_output_as_the_run_output()
    {
        var run = await RunAsync(Shell("echo hello; echo warning >&2"));

        Assert.Equal(JobRunOutcome.Succeeded, run.Outcome);
        Assert.Equal("hello\n", run.Output);
        Assert.Equal("warning\n", run.Error);
        Assert.Equal(0, run.ExitCode);
    }

    [Fact]
    public async Task A_non_zero_exit_code_fails_the_run_and_is_recorded()
    {
        var run = await RunAsync(Shell("echo partial; echo 'disk full' >&2; exit 3"));

        Assert.Equal(JobRunOutcome.Failed, run.Outcome);
        Assert.Equal(3, run.ExitCode);
        Assert.Equal("partial\n", run.Output);
        Assert.Equal("The process exited with code 3.\ndisk full\n", run.Error);
    }

    [Fact]
    public async Task Arguments_are_passed_as_a_list_without_any_shell_splitting()
    {
        string[] arguments = ["a b", "", "'quoted'", "\"double\"", "$HOME", "back\\slash\\", "*"];
        var run = await RunAsync(new CommandInvocation("/bin/sh", ["-c", "for a; do printf '[%s]\\n' \"$a\"; done", "sh", .. arguments]));

        Assert.Equal(string.Concat(arguments.Select(a => $"[{a}]\n")), run.Output);
    }

    [Fact]
    public async Task The_jobs_positional_arguments_follow_the_commands_own()
    {
        var run = await RunAsync(
            new CommandInvocation("/bin/sh", ["-c", "echo \"$@\"", "sh", "first"]),
            JobArguments.FromValues("second", 3, true));

        Assert.Equal("first second 3 true\n", run.Output);
    }

    [Fact]
    public void Named_arguments_for_a_command_are_refused_when_the_job_is_added()
    {
        var error = Assert.Throws<ArgumentException>(() => test.Scheduler.AddJob(
            new IntervalTrigger(TimeSpan.FromHours(1)),
            new CommandInvocation("/bin/true"),
            "named",
            arguments: JobArguments.FromNamed([new KeyValuePair<string, object?>("Verbose", true)]),
            executor: "process"));

        Assert.Contains("positional arguments only", error.Message, StringComparison.Ordinal);
        Assert.Contains("Verbose", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_working_directory_and_extra_environment_apply_and_the_run_is_described_in_the_environment()
    {
        var run = await RunAsync(new CommandInvocation(
            "/bin/sh",
            ["-c", "pwd; echo \"$GREETING\"; echo \"$SCHEDULER_JOB_ID\"; echo \"$SCHEDULER_ATTEMPT\"; test -n \"$PATH\" && echo inherited"],
            folder,
            [new KeyValuePair<string, string>("GREETING", "hello there")]));

        Assert.Equal($"{Path.GetFullPath(folder)}\nhello there\njob\n1\ninherited\n", run.Output);
    }

    [Fact]
    public async Task A_missing_working_directory_fails_the_run_naming_it()
    {
        var missing = Path.Combine(folder, "missing");
        var run = await RunAsync(new CommandInvocation("/bin/true", workingDirectory: missing));

        Assert.Equal(JobRunOutcome.Failed, run.Outcome);
        Assert.Equal($"The working directory '{missing}' does not exist.", run.Error);
        Assert.Null(run.ExitCode);
    }

    [Fact]
    public async Task A_command_that_does_not_exist_fails_with_a_clear_message()
    {
        var run = await RunAsync(new CommandInvocation("no-such-command-4711"));

        Assert.Equal(JobRunOutcome.Failed, run.Outcome);
        Assert.Equal("The command 'no-such-command-4711' was not found on the PATH.", run.Error);
        Assert.Null(run.ExitCode);
    }

    [Fact]
    public async Task A_path_that_does_not_exist_fails_with_a_clear_message()
    {
        var missing = Path.Combine(folder, "tool");
        var run = await RunAsync(new CommandInvocation(missing));

        Assert.Equal($"The command '{missing}' does not exist.", run.Error);
    }

    [Fact]
    public async Task Output_beyond_the_bound_is_cut_and_marked()
    {
        var run = await RunAsync(Shell("head -c 100000 /dev/zero | tr '\\0' 'x'; head -c 100000 /dev/zero | tr '\\0' 'y' >&2; echo done > marker"));

        Assert.Equal(JobRunOutcome.Succeeded, run.Outcome);
        Assert.Equal(ProcessJobExecutor.MaxCapturedChars, run.Output!.Length);
        Assert.EndsWith("x" + ChildProcess.TruncatedMarker, run.Output, StringComparison.Ordinal);
        Assert.EndsWith("y" + ChildProcess.TruncatedMarker, run.Error, StringComparison.Ordinal);

        // The rest was read and dropped, so the process was never blocked on a full pipe.
        Assert.True(File.Exists(Path.Combine(folder, "marker")));
    }

    [Fact]
    public async Task A_job_reading_its_input_gets_end_of_file_instead_of_hanging()
    {
        var run = await RunAsync(Shell("cat; echo read-all"));

        Assert.Equal("read-all\n", run.Output);
    }

    [Fact]
    public async Task A_timeout_kills_the_whole_process_tree_and_the_run_is_timed_out()
    {
        var pidFile = Path.Combine(folder, "grandchild.pid");
        var after = test.Scheduler.Events.LastSequence;
        AddPaused(Shell($"sleep 300 & echo $! > '{pidFile}'; echo started; wait"), options: JobOptions.Default with { Timeout = TimeSpan.FromSeconds(30) });
        test.Scheduler.RunJobNow("job");
        var grandchild = int.Parse(await WaitForFileAsync(pidFile), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(IsAlive(grandchild));

        test.Time.Advance(TimeSpan.FromSeconds(30));
        var ended = await test.WaitFor(e => (e.Type & RunEnded) != 0, after);

        Assert.Equal(SchedulerEventType.JobTimedOut, ended.Type);
        Assert.True(await GoneWithinAsync(grandchild), $"The grandchild {grandchild} is still running.");
        var run = test.Scheduler.GetJobRuns("job", 1)[0];
        Assert.Equal(JobRunOutcome.TimedOut, run.Outcome);
        Assert.StartsWith("The run took longer than its timeout of 00:00:30.", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_background_grandchild_holding_the_output_open_does_not_hold_the_run_open()
    {
        var pidFile = Path.Combine(folder, "background.pid");
        try
        {
            var run = await RunAsync(Shell($"sleep 300 & echo $! > '{pidFile}'; echo parent-done"));

            Assert.Equal(JobRunOutcome.Succeeded, run.Outcome);
            Assert.Equal("parent-done\n", run.Output);
        }
        finally
        {
            if (File.Exists(pidFile))
            {
                Kill(int.Parse(File.ReadAllText(pidFile), System.Globalization.CultureInfo.InvariantCulture));
            }
        }
    }

    [Fact]
    public async Task At_most_max_workers_processes_run_at_once()
    {
        // Each job holds its slot until its release file appears; with 2 workers the third waits.
        for (var i = 1; i <= 3; i++)
        {
            AddPaused(Shell($"cd '{folder}'; echo {i} > started-{i}; while [ ! -e release ]; do sleep 0.05; done"), id: $"job{i}");
        }

        var after = test.Scheduler.Events.LastSequence;
        test.Scheduler.RunJobNow("job1");
        test.Scheduler.RunJobNow("job2");
        await WaitForFileAsync(Path.Combine(folder, "started-1"));
        await WaitForFileAsync(Path.Combine(folder, "started-2"));
        test.Scheduler.RunJobNow("job3");

        Assert.Equal(2, executor.ActiveWorkers);
        Assert.False(File.Exists(Path.Combine(folder, "started-3")));
        await File.WriteAllTextAsync(Path.Combine(folder, "release"), "");
        for (var i = 0; i < 3; i++)
        {
            after = (await test.WaitFor(e => (e.Type & RunEnded) != 0, after)).Sequence;
        }

        Assert.True(File.Exists(Path.Combine(folder, "started-3")));
    }

    [Fact]
    public async Task Without_pwsh_on_the_path_a_powershell_job_fails_saying_so()
    {
        test.Scheduler.AddExecutor("no-pwsh", new ProcessJobExecutor(1, searchPath: string.Empty));

        var run = await RunAsync(PowerShellInvocation.FromScript("'hello'"), executor: "no-pwsh");

        Assert.Equal(JobRunOutcome.Failed, run.Outcome);
        Assert.Equal("pwsh was not found on the PATH; PowerShell jobs need PowerShell 7 installed.", run.Error);
    }

    [Fact]
    public async Task Pwsh_gets_a_fixed_command_line_and_the_runner_script_on_its_input()
    {
        // A stand-in pwsh that records what it was given.
        var bin = Directory.CreateDirectory(Path.Combine(folder, "bin")).FullName;
        var fake = Path.Combine(bin, "pwsh");
        await File.WriteAllTextAsync(fake, $"#!/bin/sh\nprintf '%s\\n' \"$@\" > '{folder}/args'\ncat > '{folder}/stdin'\necho from-pwsh\n");
        File.SetUnixFileMode(fake, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        test.Scheduler.AddExecutor("fake-pwsh", new ProcessJobExecutor(1, searchPath: bin));

        var run = await RunAsync(
            PowerShellInvocation.FromScript("param($Name) \"Hello $Name\""),
            executor: "fake-pwsh",
            arguments: JobArguments.Create(["it's"], [new KeyValuePair<string, object?>("Count", 2)]));

        Assert.Equal(JobRunOutcome.Succeeded, run.Outcome);
        Assert.Equal("from-pwsh\n", run.Output);
        var commandLine = (await File.ReadAllLinesAsync(Path.Combine(folder, "args"))).ToList();
        Assert.Equal(["-NoProfile", "-NonInteractive", "-OutputFormat", "Text", "-EncodedCommand"], commandLine.Take(5));
        Assert.Contains("[Console]::In.ReadToEnd()", Encoding.Unicode.GetString(Convert.FromBase64String(commandLine[5])), StringComparison.Ordinal);
        var runner = Encoding.UTF8.GetString(Convert.FromBase64String(await File.ReadAllTextAsync(Path.Combine(folder, "stdin"))));
        Assert.Contains("$__schedText = 'param($Name) \"Hello $Name\"'", runner, StringComparison.Ordinal);
        Assert.Contains("$__schedArguments = @(,'it''s')", runner, StringComparison.Ordinal);
        Assert.Contains("$__schedParameters = @{ 'Count' = 2 }", runner, StringComparison.Ordinal);
    }

    private static CommandInvocation Shell(string script) => new("/bin/sh", ["-c", script]);

    private Job AddPaused(Invocation invocation, string id = "job", JobOptions? options = null, string executor = "process", JobArguments? arguments = null)
        => test.Scheduler.AddJob(
            new IntervalTrigger(TimeSpan.FromDays(1)),
            invocation,
            id,
            arguments: arguments,
            options: options,
            executor: executor,
            paused: true);

    /// <summary>Runs the job once now (in the test's folder) and returns its recorded run.</summary>
    private async Task<JobRun> RunAsync(Invocation invocation, JobArguments? arguments = null, string executor = "process")
    {
        if (invocation is CommandInvocation { WorkingDirectory: null } command)
        {
            invocation = new CommandInvocation(command.Executable, command.Arguments, folder, command.Environment);
        }

        var after = test.Scheduler.Events.LastSequence;
        AddPaused(invocation, executor: executor, arguments: arguments);
        test.Scheduler.RunJobNow("job");
        await test.WaitFor(e => (e.Type & RunEnded) != 0, after);
        return test.Scheduler.GetJobRuns("job", 1)[0];
    }
}
