using System.Diagnostics;
using System.Globalization;
using Scheduler.Executors;
using Scheduler.Tests.Support;
using static Scheduler.Tests.Support.ChildProcesses;

namespace Scheduler.Tests.Executors;

/// <summary>Finding and stopping what runs of a dead scheduler left running, by the run id in their environment.</summary>
public sealed class LeftoverProcessesTests : IDisposable
{
    private readonly TempFolder folder = new();
    private readonly List<int> started = [];

    public void Dispose()
    {
        foreach (var pid in started)
        {
            Kill(pid);
        }

        folder.Dispose();
    }

    [LinuxFact("reads /proc/PID/environ")]
    public async Task The_processes_of_the_named_runs_are_killed_with_what_they_started_and_nothing_else()
    {
        var runId = "run-" + Guid.NewGuid().ToString("N");
        var otherRunId = "run-" + Guid.NewGuid().ToString("N");

        // The run's process leaves a background child (which keeps its environment), then becomes a sleep itself.
        var (leader, child) = await StartAsync(runId, "sleep 60 & echo $! > '{0}'; exec sleep 60");
        var (otherLeader, otherChild) = await StartAsync(otherRunId, "sleep 60 & echo $! > '{0}'; exec sleep 60");

        var stopped = LeftoverProcesses.Stop([runId, "run-with-no-process"]);

        var pids = Assert.Single(stopped, pair => pair.Key == runId).Value;
        Assert.Equal(new[] { leader, child }.Order(), pids);
        Assert.True(await GoneWithinAsync(leader));
        Assert.True(await GoneWithinAsync(child));
        Assert.True(IsAlive(otherLeader));
        Assert.True(IsAlive(otherChild));
        Assert.Empty(LeftoverProcesses.Stop([runId]));
    }

    private async Task<(int Leader, int Child)> StartAsync(string runId, string script)
    {
        var childPidFile = folder.File(Guid.NewGuid().ToString("N"));
        var info = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(string.Format(CultureInfo.InvariantCulture, script, childPidFile));
        info.Environment["SCHEDULER_RUN_ID"] = runId;
        using var process = Process.Start(info)!;
        started.Add(process.Id);
        var child = int.Parse(await WaitForFileAsync(childPidFile), CultureInfo.InvariantCulture);
        started.Add(child);
        return (process.Id, child);
    }
}
