using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace Scheduler.Executors;

/// <summary>
/// The processes that runs of a dead scheduler left running on this machine. A scheduler killed
/// outright (a crash, <c>kill -9</c>, the machine's out-of-memory killer) cannot stop its children:
/// they run on, untracked, while their runs are recorded as abandoned, and a run that is recovered
/// would run beside its own leftover. Every process the process executor starts carries its run's id
/// in <c>SCHEDULER_RUN_ID</c>, and so does whatever that process starts (the environment is
/// inherited, even by a process that left the tree by a double fork), so they are found by it.
/// </summary>
/// <remarks>
/// Linux only: it reads <c>/proc/PID/environ</c>, which a process may read for its own user's
/// processes (all of them for root). Elsewhere nothing is found. Under systemd the service's control
/// group is killed with the daemon anyway.
/// </remarks>
internal static class LeftoverProcesses
{
    private const string RunIdVariable = "SCHEDULER_RUN_ID=";

    /// <summary>
    /// Kills every process of this machine whose environment names one of the runs; returns the ids
    /// of the processes killed for each run that had any, in ascending order.
    /// </summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<int>> Stop(IReadOnlyCollection<string> runIds)
    {
        var stopped = new Dictionary<string, IReadOnlyList<int>>(StringComparer.Ordinal);
        if (runIds.Count == 0 || !RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
        {
            return stopped;
        }

        var wanted = new HashSet<string>(runIds, StringComparer.Ordinal);
        var found = new SortedDictionary<int, string>();
        int self;
        using (var current = Process.GetCurrentProcess())
        {
            self = current.Id;
        }

        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(folder), out var pid) || pid == self)
            {
                continue;
            }

            if (RunIdOf(pid) is { } runId && wanted.Contains(runId))
            {
                found[pid] = runId;
            }
        }

        foreach (var pair in found)
        {
            if (TryKill(pair.Key))
            {
                if (!stopped.TryGetValue(pair.Value, out var pids))
                {
                    stopped[pair.Value] = pids = new List<int>();
                }

                ((List<int>)pids).Add(pair.Key);
            }
        }

        return stopped;
    }

    /// <summary>The run id in a process's environment, or null (none, gone, another user's, a kernel thread).</summary>
    private static string? RunIdOf(int pid)
    {
        byte[] environment;
        try
        {
            environment = File.ReadAllBytes($"/proc/{pid}/environ");
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        // NUL-separated NAME=value entries; the variable is looked for at the start of one.
        var start = 0;
        while (start < environment.Length)
        {
            var end = Array.IndexOf(environment, (byte)0, start);
            if (end < 0)
            {
                end = environment.Length;
            }

            if (end - start > RunIdVariable.Length && StartsWithVariable(environment, start))
            {
                return Encoding.UTF8.GetString(environment, start + RunIdVariable.Length, end - start - RunIdVariable.Length);
            }

            start = end + 1;
        }

        return null;
    }

    private static bool StartsWithVariable(byte[] environment, int start)
    {
        for (var i = 0; i < RunIdVariable.Length; i++)
        {
            if (environment[start + i] != RunIdVariable[i])
            {
                return false;
            }
        }

        return true;
    }

    private static bool TryKill(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            process.Kill();
            return true;
        }
        catch (Exception error) when (error is ArgumentException or InvalidOperationException or Win32Exception)
        {
            // Gone meanwhile, or not ours to kill.
            return false;
        }
    }
}
