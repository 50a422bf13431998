namespace Scheduler.Tests.Support;

/// <summary>Watching the child processes (and their children) that process tests start, through /proc.</summary>
internal static class ChildProcesses
{
    /// <summary>The trimmed content of a file a child writes (e.g. its pid), once it is there.</summary>
    public static async Task<string> WaitForFileAsync(string path, TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(15));
        while (true)
        {
            if (File.Exists(path) && (await File.ReadAllTextAsync(path, cancel.Token)).Trim() is { Length: > 0 } content)
            {
                return content;
            }

            await Task.Delay(20, cancel.Token);
        }
    }

    public static bool IsAlive(int pid)
    {
        try
        {
            // A killed process whose parent is gone may linger as a zombie until it is reaped: dead all the same.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..][0] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    public static async Task<bool> GoneWithinAsync(int pid)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        while (IsAlive(pid))
        {
            if (timeout.IsCancellationRequested)
            {
                return false;
            }

            await Task.Delay(20, CancellationToken.None);
        }

        return true;
    }

    /// <summary>Kills a stray process a test left behind; one already gone is fine.</summary>
    public static void Kill(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            process.Kill();
        }
        catch (Exception error) when (error is ArgumentException or InvalidOperationException)
        {
        }
    }
}
