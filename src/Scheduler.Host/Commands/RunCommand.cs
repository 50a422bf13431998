using System.CommandLine;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Hosting.WindowsServices;
using Scheduler.Events;
using Scheduler.Host.Output;
using Scheduler.Invocations;
using Scheduler.Scheduling;
using Scheduler.Triggers;

namespace Scheduler.Host.Commands;

/// <summary>
/// <c>schedhost run</c>: the daemon. Runs the scheduler on the store in the foreground and logs one
/// line per event on standard output, until Ctrl+C or SIGTERM: then running jobs get a bounded time
/// to finish (a second Ctrl+C, or the bound, cancels them and kills their process trees) and it exits 0.
/// </summary>
internal static class RunCommand
{
    public static readonly TimeSpan DefaultStopTimeout = TimeSpan.FromSeconds(30);

    public static Command Create(HostContext context)
    {
        var store = HostStore.CreateOption();
        var maxWorkers = new Option<int?>("--max-workers")
        {
            HelpName = "N",
            Description = "How many jobs run at once per executor (default: one process per processor core, 10 .NET jobs).",
        };
        var stopTimeout = new Option<string>("--stop-timeout")
        {
            HelpName = "DURATION",
            Description = "On Ctrl+C or SIGTERM, how long running jobs may take to finish before they are cancelled (default: 30s).",
        };
        var demo = new Option<bool>("--demo")
        {
            Description = "Add two sample jobs first (an echo every 5 seconds, a cron job every minute) to see jobs fire.",
        };
        var command = new Command("run", "Run the scheduler on the store in the foreground (the daemon); Ctrl+C or SIGTERM stops it.")
        {
            store, maxWorkers, stopTimeout, demo,
        };
        command.SetAction((result, _) => RunAsync(context, result, store, result.GetValue(maxWorkers), result.GetValue(stopTimeout), result.GetValue(demo)));
        return command;
    }

    private static async Task<int> RunAsync(HostContext context, ParseResult result, Option<string> storeOption, int? maxWorkers, string? stopTimeoutText, bool demo)
    {
        if (maxWorkers < 1)
        {
            throw new BadInputException($"--max-workers must be at least 1, not '{maxWorkers}'");
        }

        var stopTimeout = stopTimeoutText is null
            ? DefaultStopTimeout
            : TriggerOptions.Parse(new Option<string>("--stop-timeout"), stopTimeoutText, TriggerText.ParseDuration);
        if (stopTimeout < TimeSpan.Zero)
        {
            throw new BadInputException($"--stop-timeout '{stopTimeoutText}' must not be negative");
        }

        using var session = StoreSession.Open(result, storeOption, context, StoreUse.Create, maxWorkers);
        if (OperatingSystem.IsWindows() && WindowsServiceHelpers.IsWindowsService())
        {
            return await WindowsService.RunAsync(session, demo, stopTimeout, context).ConfigureAwait(false);
        }

        var log = new LineLog(context.Output);
        var stopNow = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var signals = StopSignals.Register(context.Stopping, count =>
        {
            if (count > 1)
            {
                stopNow.TrySetResult(true);
            }
        });
        return await RunDaemonAsync(session, log.Write, context.Error, demo, stopTimeout, context.Time, stopNow.Task, signals.Token).ConfigureAwait(false);
    }

    /// <summary>
    /// Starts the scheduler, logs its events, and on <paramref name="stop"/> shuts it down: running jobs
    /// get <paramref name="stopTimeout"/> to finish (less if <paramref name="stopNow"/> completes first),
    /// then they are cancelled.
    /// </summary>
    internal static async Task<int> RunDaemonAsync(
        StoreSession session, Action<string> log, TextWriter error, bool demo, TimeSpan stopTimeout, TimeProvider time, Task stopNow, CancellationToken stop)
    {
        var scheduler = session.Scheduler;
        var replaced = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = scheduler.Subscribe(e =>
        {
            log(EventLine.Format(e));

            // A store file replaced under the daemon (mv other.db jobs.db): it would go on with the old file's
            // jobs, in a log the file now at the path reads as its own. It stops instead (exit code 1: a service
            // manager starts it again, on the file at the path), and closing the old file empties that log.
            // A file only deleted or moved away it keeps running on, to be put back (docs/stores.md).
            if (e.Type == SchedulerEventType.SchedulerError && !session.IsPostgres && File.Exists(session.StoreName) && session.Store.IsOrphaned)
            {
                replaced.TrySetResult(true);
            }
        });
        if (demo)
        {
            AddDemoJobs(scheduler);
        }

        try
        {
            scheduler.Start();
        }
        catch (InvalidOperationException refused)
        {
            error.WriteLine("schedhost: " + refused.Message);
            return SchedHost.Failure;
        }

        log($"schedhost: running on {session.StoreName} as '{scheduler.Id}'; Ctrl+C stops.");
        var stopping = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        using (stop.Register(() => stopping.TrySetResult(true)))
        {
            await Task.WhenAny(stopping.Task, replaced.Task).ConfigureAwait(false);
        }

        var exitCode = SchedHost.Success;
        if (replaced.Task.IsCompleted && !stopping.Task.IsCompleted)
        {
            error.WriteLine($"schedhost: the store file '{session.StoreName}' was replaced by another file; stopping, so that the daemon started next runs the file now at the path.");
            exitCode = SchedHost.Failure;
        }

        log($"schedhost: stopping; running jobs have {Describe.Duration(stopTimeout)} to finish (Ctrl+C again cancels them).");
        var shutdown = scheduler.ShutdownAsync(wait: true);
        var first = await Task.WhenAny(shutdown, stopNow, Task.Delay(stopTimeout, time, CancellationToken.None)).ConfigureAwait(false);
        if (first != shutdown)
        {
            log("schedhost: cancelling the running jobs.");
            _ = scheduler.ShutdownAsync(wait: false);
            await shutdown.ConfigureAwait(false);
        }

        log("schedhost: stopped.");
        return exitCode;
    }

    /// <summary>Two command jobs that fire within seconds, so a new user sees the daemon work; added again (replaced) on each --demo.</summary>
    private static void AddDemoJobs(JobScheduler scheduler)
    {
        var windows = RuntimeInformation.IsOSPlatform(OSPlatform.Windows);
        var hello = windows
            ? new CommandInvocation("cmd.exe", ["/d", "/c", "echo Hello from %SCHEDULER_JOB_ID% (run %SCHEDULER_RUN_ID%)"])
            : new CommandInvocation("/bin/sh", ["-c", "echo \"Hello from $SCHEDULER_JOB_ID (run $SCHEDULER_RUN_ID)\""]);
        var minute = windows
            ? new CommandInvocation("cmd.exe", ["/d", "/c", "echo The minute job ran at %TIME%"])
            : new CommandInvocation("/bin/sh", ["-c", "echo \"The minute job ran at $(date +%H:%M:%S)\""]);
        scheduler.AddJob(new IntervalTrigger(TimeSpan.FromSeconds(5)), hello, "demo-hello", "Demo: hello every 5 seconds", executor: HostScheduler.ProcessExecutor, replaceExisting: true);
        scheduler.AddJob(new CronTrigger("* * * * *"), minute, "demo-minute", "Demo: every minute (cron)", executor: HostScheduler.ProcessExecutor, replaceExisting: true);
    }

    /// <summary>Whole lines, flushed one by one: a service manager's log (journald) shows each event as it happens.</summary>
    private sealed class LineLog(TextWriter output)
    {
        private readonly object sync = new();

        public void Write(string line)
        {
            lock (sync)
            {
                output.WriteLine(TerminalText.Escape(line));
                output.Flush();
            }
        }
    }
}
