namespace Scheduler.PowerShell.Tests.Hosting;

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
