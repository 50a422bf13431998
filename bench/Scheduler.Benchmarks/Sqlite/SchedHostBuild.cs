using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Scheduler.Benchmarks.Sqlite;

/// <summary>
/// <c>schedhost</c> published the way its documentation installs it (<c>dotnet publish -r RID</c>,
/// framework-dependent, ReadyToRun), once per benchmark run, into a temporary folder.
/// </summary>
internal static class SchedHostBuild
{
    /// <summary>The executor <c>schedhost</c> runs command jobs on.</summary>
    public const string ProcessExecutor = "process";

    private static readonly Lazy<string?> Published = new(PublishOnce);

    /// <summary>The path of the published <c>schedhost</c> executable, or null (with the reason on stderr) when it cannot be built here.</summary>
    public static string? Publish() => Published.Value;

    private static string? PublishOnce()
    {
        var repository = FindRepository(AppContext.BaseDirectory);
        if (repository is null)
        {
            Console.Error.WriteLine("restart-sqlite: schedhost not measured: the repository (Scheduler.sln) is not above " + AppContext.BaseDirectory);
            return null;
        }

        var output = Path.Combine(Path.GetTempPath(), "scheduler-bench-schedhost-" + Guid.NewGuid().ToString("N")[..8]);
        var publish = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[]
        {
            "publish", Path.Combine(repository, "src", "Scheduler.Host"), "-c", "Release", "-r", RuntimeInformation.RuntimeIdentifier,
            "--self-contained", "false", "-o", output, "--nologo",
        })
        {
            publish.ArgumentList.Add(argument);
        }

        using var process = Process.Start(publish) ?? throw new InvalidOperationException("dotnet publish did not start.");
        var log = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        var executable = Path.Combine(output, OperatingSystem.IsWindows() ? "schedhost.exe" : "schedhost");
        if (process.ExitCode != 0 || !File.Exists(executable))
        {
            Console.Error.WriteLine($"restart-sqlite: schedhost not measured: dotnet publish failed ({process.ExitCode}): {log.Result}{errors.Result}");
            return null;
        }

        AppDomain.CurrentDomain.ProcessExit += (_, _) => TryDelete(output);
        return executable;
    }

    private static string? FindRepository(string start)
    {
        for (var folder = new DirectoryInfo(start); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Scheduler.sln")))
            {
                return folder.FullName;
            }
        }

        return null;
    }

    private static void TryDelete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
