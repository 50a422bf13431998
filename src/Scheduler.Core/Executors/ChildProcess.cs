using System.ComponentModel;
using System.Diagnostics;
using System.Reflection;
#if !NET
using System.Runtime.InteropServices;
#endif
using System.Text;

using Scheduler.Internal;

namespace Scheduler.Executors;

/// <summary>What to start: a program, its argument list, where and with which extra environment, and what to write to its standard input.</summary>
internal sealed record ChildProcessStart(
    string FileName,
    IReadOnlyList<string> Arguments,
    string? WorkingDirectory,
    IReadOnlyDictionary<string, string> Environment,
    string? StandardInput = null);

/// <summary>How a child process ended: its exit code and bounded output, or why it could not start.</summary>
internal sealed record ChildProcessResult(int? ExitCode, string Output, string Error, string? StartError, bool Killed);

/// <summary>
/// Runs one child process to its end: standard output and error captured up to a bound (the rest
/// is read and dropped, so the child never blocks on a full pipe), standard input closed after the
/// given text, and on cancellation the whole process tree killed.
/// </summary>
internal static class ChildProcess
{
    /// <summary>The marker that ends captured output that was cut.</summary>
    public const string TruncatedMarker = "...[truncated]";

    /// <summary>
    /// After the process has exited, how long its output pipes may stay open: a background
    /// grandchild that inherited them would otherwise hold the run open until it exits.
    /// </summary>
    private static readonly TimeSpan PipeGrace = TimeSpan.FromSeconds(2);

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

#if !NET
    // netstandard2.0 runs on .NET Framework (Windows PowerShell 5.1) and on modern .NET (PowerShell 7),
    // where Process.Kill(bool entireProcessTree) exists at run time though the contract lacks it.
    private static readonly MethodInfo? KillTreeMethod = typeof(Process).GetMethod("Kill", [typeof(bool)]);
#endif

    public static async Task<ChildProcessResult> RunAsync(ChildProcessStart start, int maxChars, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo
        {
            FileName = start.FileName,
            UseShellExecute = false,
            CreateNoWindow = true,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Utf8,
            StandardErrorEncoding = Utf8,
        };
#if NET
        info.StandardInputEncoding = Utf8;
        foreach (var argument in start.Arguments)
        {
            info.ArgumentList.Add(argument);
        }
#else
        info.Arguments = CommandLine.Join(start.Arguments);
#endif
        if (start.WorkingDirectory is { } folder)
        {
            if (!Directory.Exists(folder))
            {
                return NotStarted($"The working directory '{folder}' does not exist.");
            }

            info.WorkingDirectory = folder;
        }

        foreach (var variable in start.Environment)
        {
            info.Environment[variable.Key] = variable.Value;
        }

        using var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var exited = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.Exited += (_, _) => exited.TrySetResult(true);
        try
        {
            process.Start();
        }
        catch (Win32Exception error)
        {
            return NotStarted(DescribeStartFailure(start.FileName, error));
        }

        var output = new BoundedText(maxChars);
        var errors = new BoundedText(maxChars);
        var reading = Task.WhenAll(
            DrainAsync(process.StandardOutput, output),
            DrainAsync(process.StandardError, errors));
        var killed = 0;
        using (cancellationToken.Register(() =>
        {
            Interlocked.Exchange(ref killed, 1);
            KillTree(process);
        }))
        {
            await WriteInputAsync(process, start.StandardInput).ConfigureAwait(false);
            await exited.Task.ConfigureAwait(false);
        }

        // The Exited event can come before the exit code is readable; this returns at once after it.
        process.WaitForExit();

        // Real time on purpose: this waits on the operating system's pipes, not on a schedule.
        using (var grace = new CancellationTokenSource(PipeGrace))
        {
            try
            {
                await Signals.WaitAsync(reading, grace.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // A grandchild still holds the pipes: keep what was read.
            }
        }

        return new ChildProcessResult(process.ExitCode, output.ToString(), errors.ToString(), StartError: null, Killed: Volatile.Read(ref killed) == 1);
    }

    /// <summary>Kills the process and every process it started, as far as the runtime allows.</summary>
    public static void KillTree(Process process)
    {
        try
        {
#if NET
            process.Kill(entireProcessTree: true);
#else
            if (KillTreeMethod is not null)
            {
                KillTreeMethod.Invoke(process, [true]);
            }
            else if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
            {
                // .NET Framework: taskkill walks the tree by parent process id.
                using var taskkill = Process.Start(new ProcessStartInfo("taskkill", $"/PID {process.Id} /T /F") { UseShellExecute = false, CreateNoWindow = true });
                taskkill?.WaitForExit();
            }
            else
            {
                process.Kill();
            }
#endif
        }
        catch (Exception error) when (error is InvalidOperationException or Win32Exception or NotSupportedException or TargetInvocationException)
        {
            // It exited meanwhile, or it is beyond reach; either way there is nothing more to kill.
        }
    }

    private static ChildProcessResult NotStarted(string error) => new(ExitCode: null, string.Empty, string.Empty, error, Killed: false);

    private static string DescribeStartFailure(string fileName, Win32Exception error)
    {
        var isBareName = fileName.IndexOfAny([Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar]) < 0;
        if (isBareName && CommandLine.FindOnPath(fileName, Environment.GetEnvironmentVariable("PATH")) is null)
        {
            return $"The command '{fileName}' was not found on the PATH.";
        }

        if (!isBareName && !File.Exists(fileName))
        {
            return $"The command '{fileName}' does not exist.";
        }

        return $"The command '{fileName}' could not be started: {error.Message}";
    }

    private static async Task WriteInputAsync(Process process, string? input)
    {
        try
        {
            if (!string.IsNullOrEmpty(input))
            {
                await process.StandardInput.WriteAsync(input).ConfigureAwait(false);
                await process.StandardInput.FlushAsync().ConfigureAwait(false);
            }

            // Closed even when there is nothing to write: a job that reads its input gets end-of-file
            // instead of waiting forever.
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The process exited (or closed its input) before reading it all.
        }
    }

    private static async Task DrainAsync(StreamReader reader, BoundedText text)
    {
        var buffer = new char[4096];
        try
        {
            int count;
            while ((count = await reader.ReadAsync(buffer, 0, buffer.Length).ConfigureAwait(false)) > 0)
            {
                text.Append(buffer, count);
            }
        }
        catch (Exception error) when (error is IOException or ObjectDisposedException)
        {
            // The pipe broke or the process object was disposed after the grace period.
        }
    }

    /// <summary>Text kept up to a length; what comes later is dropped and the text ends with the marker.</summary>
    private sealed class BoundedText(int maxChars)
    {
        private readonly StringBuilder text = new();
        private bool truncated;

        public void Append(char[] buffer, int count)
        {
            lock (text)
            {
                if (truncated)
                {
                    return;
                }

                var room = maxChars - TruncatedMarker.Length - text.Length;
                if (count <= room)
                {
                    text.Append(buffer, 0, count);
                    return;
                }

                text.Append(buffer, 0, Math.Max(room, 0));
                text.Append(TruncatedMarker);
                truncated = true;
            }
        }

        public override string ToString()
        {
            lock (text)
            {
                return text.ToString();
            }
        }
    }
}
