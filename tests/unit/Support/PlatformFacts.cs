using System.Runtime.Versioning;

namespace Scheduler.Tests.Support;

/// <summary>
/// A fact that can only run on Unix (Linux, macOS): on Windows it is reported as skipped, with the
/// reason, never as passed without having run. Pair it with <see cref="UnsupportedOSPlatformAttribute"/>
/// ("windows") on the test when it calls Unix-only APIs. Shared by the core and the PowerShell test projects.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
internal sealed class UnixFactAttribute : FactAttribute
{
    /// <param name="reason">Why the test needs Unix; shown as the skip reason on Windows.</param>
    public UnixFactAttribute(string reason)
    {
        Reason = reason;
        if (OperatingSystem.IsWindows())
        {
            Skip = "Unix only: " + reason;
        }
    }

    public string Reason { get; }
}

/// <summary>
/// A fact that can only run on Linux: elsewhere it is reported as skipped, with the reason, never as
/// passed without having run. Pair it with <see cref="SupportedOSPlatformAttribute"/> ("linux") on the
/// test when it calls platform-specific APIs.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
internal sealed class LinuxFactAttribute : FactAttribute
{
    /// <param name="reason">Why the test needs Linux; shown as the skip reason elsewhere.</param>
    public LinuxFactAttribute(string reason)
    {
        Reason = reason;
        if (!OperatingSystem.IsLinux())
        {
            Skip = "Linux only: " + reason;
        }
    }

    public string Reason { get; }
}

/// <summary>
/// A fact that needs a small file system of its own to fill: a tmpfs it mounts, which takes Linux and
/// root. Elsewhere it is reported as skipped, with the reason.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
internal sealed class SmallFileSystemFactAttribute : FactAttribute
{
    public SmallFileSystemFactAttribute()
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root")
        {
            Skip = "Mounts a small tmpfs to fill: Linux, as root, only.";
        }
    }
}
