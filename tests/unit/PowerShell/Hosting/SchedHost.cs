using System.Diagnostics;

namespace Scheduler.PowerShell.Tests.Hosting;

/// <summary>
/// The built <c>schedhost</c> (src/Scheduler.Host, same configuration as the tests) run with <c>dotnet</c>
/// as a child process: a one-shot verb, or the daemon, whose log lines a test awaits. Disposing kills
/// what is left.
/// </summary>
public sealed class SchedHost : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly Process process;
    private readonly List<string> lines = [];
    private TaskCompletionSource<bool> lineAdded = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private SchedHost(Process process)
    {
        this.process = process;
        _ = Task.Run(ReadAsync);
        StandardError = process.StandardError.ReadToEndAsync();
    }

    public Task<string> StandardError { get; }

    public int ProcessId => process.Id;

    /// <summary>The schedhost.dll built next to these tests (Debug or Release, as they are).</summary>
    public static string Assembly
    {
        get
        {
            var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar)).Parent!.Name;
            var path = Path.Combine(Repository.Root, "src", "Scheduler.Host", "bin", configuration, "net10.0", "schedhost.dll");
            Assert.True(File.Exists(path), $"{path} is missing: building the test project builds src/Scheduler.Host.");
            return path;
        }
    }

    /// <summary>Runs one verb to its end: exit code, standard output, standard error.</summary>
    public static async Task<(int Exit, string Output, string Error)> RunAsync(params string[] args)
    {
        using var process = Process.Start(StartInfo(args, environment: null))!;
        using var limit = new CancellationTokenSource(Patience);
        try
        {
            var output = process.StandardOutput.ReadToEndAsync(limit.Token);
            var error = process.StandardError.ReadToEndAsync(limit.Token);
            await process.WaitForExitAsync(limit.Token);
            return (process.ExitCode, await output, await error);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    /// <summary>Starts <c>schedhost run --store STORE</c> and waits until it runs.</summary>
    public static async Task<SchedHost> StartDaemonAsync(string store, IDictionary<string, string>? environment = null)
    {
        var daemon = new SchedHost(Process.Start(StartInfo(["run", "--store", store], environment))!);
        await daemon.WaitForLineAsync("schedhost: running on ");
        return daemon;
    }

    public async Task<string> WaitForLineAsync(string contains)
    {
        using var limit = new CancellationTokenSource(Patience);
        while (true)
        {
            Task next;
            lock (lines)
            {
                if (lines.FirstOrDefault(line => line.Contains(contains, StringComparison.Ordinal)) is { } found)
                {
                    return found;
                }

                next = lineAdded.Task;
            }

            if (await Task.WhenAny(next, Task.Delay(Timeout.Infinite, limit.Token).ContinueWith(_ => { }, TaskScheduler.Default)) != next)
            {
                string[] written;
                lock (lines)
                {
                    written = [.. lines];
                }

                throw new TimeoutException($"schedhost wrote no line with '{contains}' (exited: {process.HasExited}):\n{string.Join("\n", written)}\n{(process.HasExited ? await StandardError : string.Empty)}");
            }
        }
    }

    public void Dispose()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }

        process.Dispose();
    }

    private static ProcessStartInfo StartInfo(string[] args, IDictionary<string, string>? environment)
    {
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Assembly);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        // Each test names its store; the session's default store is a test file, never the user's.
        info.Environment.Remove("SCHEDHOST_STORE");
        foreach (var pair in environment ?? new Dictionary<string, string>())
        {
            info.Environment[pair.Key] = pair.Value;
        }

        return info;
    }

    private async Task ReadAsync()
    {
        while (await process.StandardOutput.ReadLineAsync() is { } line)
        {
            TaskCompletionSource<bool> added;
            lock (lines)
            {
                lines.Add(line);
                added = lineAdded;
                lineAdded = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            added.TrySetResult(true);
        }
    }
}

/// <summary>
/// A stand-in for <c>pwsh</c> on the PATH (there is no PowerShell 7 executable here): a shell script
/// that reads the runner script the process executor writes to its standard input and prints a
/// fixed line, so a test sees that a job ran in a child process. Unix only.
/// </summary>
public static class FakePwsh
{
    /// <summary>What a run records as its output (the line as the child wrote it, line end included).</summary>
    public const string Output = "child pwsh -NoProfile -NonInteractive\n";

    /// <summary>Creates the script in <paramref name="folder"/>; returns the PATH with the folder first.</summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public static string Install(string folder)
    {
        var script = Path.Combine(folder, "pwsh");
        File.WriteAllText(script, "#!/bin/sh\ncat > /dev/null\necho \"child pwsh $1 $2\"\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return folder + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH");
    }
}
