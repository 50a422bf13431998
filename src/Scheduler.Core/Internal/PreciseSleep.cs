using System.Runtime.InteropServices;

namespace Scheduler.Internal;

/// <summary>
/// Sleeps for less than a millisecond, to the tens of microseconds, where the system offers it
/// (Linux: nanosleep on its high-resolution timers). .NET waits only in whole milliseconds, and a
/// timer's callback comes a millisecond or more late on a busy thread pool; the dispatch loop sleeps
/// the last moment before a due time here instead of spinning a core through it.
/// </summary>
internal static class PreciseSleep
{
    /// <summary>Whether <see cref="For"/> sleeps precisely here; elsewhere it must not be called.</summary>
    public static readonly bool IsAvailable = RuntimeInformation.IsOSPlatform(OSPlatform.Linux) && IntPtr.Size == 8 && Probe();

    /// <summary>Blocks the calling thread for <paramref name="span"/> (a moment: under a few milliseconds).</summary>
    public static void For(TimeSpan span)
    {
        if (span <= TimeSpan.Zero)
        {
            return;
        }

        var request = new NativeMethods.Timespec { Seconds = span.Ticks / TimeSpan.TicksPerSecond, Nanoseconds = span.Ticks % TimeSpan.TicksPerSecond * 100 };

        // An interruption by a signal ends the sleep early: the caller finishes the wait by spinning.
        _ = NativeMethods.nanosleep(ref request, IntPtr.Zero);
    }

    private static bool Probe()
    {
        try
        {
            For(TimeSpan.FromTicks(10));
            return true;
        }
        catch (Exception error) when (error is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    private static class NativeMethods
    {
        [StructLayout(LayoutKind.Sequential)]
        internal struct Timespec
        {
            public long Seconds;
            public long Nanoseconds;
        }

        [DllImport("libc", SetLastError = false)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
#pragma warning disable SA1300, IDE1006 // The C library's name.
        internal static extern int nanosleep(ref Timespec request, IntPtr remaining);
#pragma warning restore SA1300, IDE1006
    }
}
