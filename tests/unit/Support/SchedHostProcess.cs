using System.Diagnostics;
using System.Text.Json;

namespace Scheduler.Tests.Support;

/// <summary>
/// The built <c>schedhost</c> started with <c>dotnet</c> as a child process: a one-shot verb
/// (<see cref="Cli(string[])"/>) or the daemon, whose log lines the test awaits. Disposing kills what is left
/// (the daemon and the jobs it started). Shared by the core and the PowerShell test projects.
/// </summary>
internal sealed class SchedHostProcess : IDisposable
{
    private static readonly TimeSpan FailAfter = TimeSpan.FromSeconds(30);

    private readonly Process process;
    private readonly List<string> lines = [];
    private readonly Task reading;
    private TaskCompletionSource<bool> lineAdded = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private SchedHostProcess(Process process)
    {
        this.process = process;
        reading = Task.Run(ReadAsync);
        StandardError = process.StandardError.ReadToEndAsync();
    }

    public int Id => process.Id;

    public Task<string> StandardError { get; }

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (lines)
            {
                return lines.ToList();
            }
        }
    }

    /// <summary>Starts <c>schedhost run --store STORE ARGS...</c>.</summary>
    public static SchedHostProcess StartDaemon(string store, params string[] args)
        => StartDaemon(store, environment: null, args);

    /// <summary>Starts <c>schedhost run --store STORE ARGS...</c> with these environment variables changed.</summary>
    public static SchedHostProcess StartDaemon(string store, IDictionary<string, string>? environment, params string[] args)
        => new(Process.Start(StartInfo(["run", "--store", store, .. args], environment))!);

    /// <summary>Starts a long-running verb (<c>events --follow</c>) whose lines the test awaits.</summary>
    public static SchedHostProcess Start(IDictionary<string, string>? environment, params string[] args)
        => new(Process.Start(StartInfo(args, environment))!);

    /// <summary>The schedhost.dll next to the tests, else the one built in src/Scheduler.Host in the tests' configuration.</summary>
    public static string Assembly
    {
        get
        {
            var beside = Path.Combine(AppContext.BaseDirectory, "schedhost.dll");
            if (File.Exists(beside))
            {
                return beside;
            }

            var binFolder = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar));
            var configuration = binFolder.Parent!.Name;
            var root = binFolder;
            while (root is not null && !File.Exists(Path.Combine(root.FullName, "Scheduler.sln")))
            {
                root = root.Parent;
            }

            var built = Path.Combine(root?.FullName ?? ".", "src", "Scheduler.Host", "bin", configuration, "net10.0", "schedhost.dll");
            Assert.True(File.Exists(built), $"{built} is missing: building the test project builds src/Scheduler.Host.");
            return built;
        }
    }

    /// <summary>Runs one verb to its end.</summary>
    public static async Task<(int Exit, string Output, string Error)> Cli(IDictionary<string, string>? environment, params string[] args)
    {
        using var process = Process.Start(StartInfo(args, environment))!;
        using var timeout = new CancellationTokenSource(FailAfter);
        try
        {
            var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var error = process.StandardError.ReadToEndAsync(timeout.Token);
            await process.WaitForExitAsync(timeout.Token);
            return (process.ExitCode, (await output).Replace("\r", string.Empty, StringComparison.Ordinal), (await error).Replace("\r", string.Empty, StringComparison.Ordinal));
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    public static Task<(int Exit, string Output, string Error)> Cli(params string[] args) => Cli(null, args);

    /// <summary>Runs a verb that must succeed and returns its standard output.</summary>
    public static async Task<string> Succeeds(params string[] args)
    {
        var (exit, output, error) = await Cli(args);
        Assert.True(exit == 0, $"schedhost {string.Join(' ', args)} exited {exit}: {error}");
        return output;
    }

    /// <summary>The runs of a job as <c>runs ID --json</c> prints them, oldest first.</summary>
    public static async Task<List<JsonElement>> Runs(string store, string jobId)
    {
        using var json = JsonDocument.Parse(await Succeeds("runs", jobId, "--store", store, "--last", "100", "--json"));
        return json.RootElement.EnumerateArray().Select(e => e.Clone()).Reverse().ToList();
    }

    /// <summary>Waits for the first line (from the start) that matches; fails the test after a timeout.</summary>
    public async Task<string> WaitForLine(Func<string, bool> match, TimeSpan? timeout = null)
    {
        using var limit = new CancellationTokenSource(timeout ?? FailAfter);
        while (true)
        {
            Task next;
            lock (lines)
            {
                if (lines.FirstOrDefault(match) is { } found)
                {
                    return found;
                }

                next = lineAdded.Task;
            }

            if (await Task.WhenAny(next, Task.Delay(Timeout.Infinite, limit.Token).ContinueWith(_ => { }, TaskScheduler.Default)) != next)
            {
                throw new TimeoutException($"No such line from schedhost run (exited: {process.HasExited}). It wrote:\n{string.Join("\n", Lines)}\n{(process.HasExited ? await StandardError : string.Empty)}");
            }
        }
    }

    public Task<string> WaitForLine(string contains, TimeSpan? timeout = null) => WaitForLine(l => l.Contains(contains, StringComparison.Ordinal), timeout);

    public int ProcessId => process.Id;

    /// <summary>Sends a signal (TERM, INT, KILL) by the <c>kill</c> command.</summary>
    public void Signal(string name)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", $"-{name} {process.Id}") { UseShellExecute = false })!;
        kill.WaitForExit();
    }

    public async Task<int> WaitForExit()
    {
        using var limit = new CancellationTokenSource(FailAfter);
        await process.WaitForExitAsync(limit.Token);
        await reading;
        return process.ExitCode;
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

    private static ProcessStartInfo StartInfo(string[] args, IDictionary<string, string>? environment = null)
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

        // The tests choose their store explicitly; the per-user default must never be touched.
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
