using System.Runtime.InteropServices;

namespace Scheduler.Internal;

/// <summary>
/// Sleeps for less than a millisecond where the platform can: on 64-bit Linux through
/// <c>nanosleep</c>, whose high-resolution timers wake within tens of microseconds (the kernel's
/// default timer slack is 50 µs). .NET's own timers and <c>Thread.Sleep</c> count whole
/// milliseconds, which is why the dispatch loop would otherwise spin through the last stretch before
/// a due time.
/// </summary>
internal static class PreciseSleep
{
    private static volatile bool available = RuntimeInformation.IsOSPlatform(OSPlatform.Linux) && IntPtr.Size == 8;

    /// <summary>Whether <see cref="TrySleep"/> sleeps here; false once the call failed.</summary>
    public static bool IsAvailable => available;

    /// <summary>
    /// Blocks the calling thread for about <paramref name="duration"/> (never less, seldom more than
    /// 0.1 ms more); false, without sleeping, where the platform has no such sleep.
    /// </summary>
    public static bool TrySleep(TimeSpan duration)
    {
        if (!available)
        {
            return false;
        }

        if (duration <= TimeSpan.Zero)
        {
            return true;
        }

        var request = new NativeMethods.TimeSpec
        {
            Seconds = duration.Ticks / TimeSpan.TicksPerSecond,
            Nanoseconds = duration.Ticks % TimeSpan.TicksPerSecond * 100,
        };
        try
        {
            // An interruption by a signal (EINTR) returns early; the caller measures the clock anyway.
            _ = NativeMethods.nanosleep(ref request, IntPtr.Zero);
            return true;
        }
        catch (Exception error) when (error is DllNotFoundException or EntryPointNotFoundException)
        {
            // A libc without nanosleep under this name (an unusual distribution): spin as before.
            available = false;
            return false;
        }
    }

    private static class NativeMethods
    {
        [StructLayout(LayoutKind.Sequential)]
        public struct TimeSpec
        {
            // time_t and long, both 64 bits on 64-bit Linux (the only platform this is used on).
            public long Seconds;
            public long Nanoseconds;
        }

#pragma warning disable SYSLIB1054 // LibraryImport is not on netstandard2.0, which shares this code; the signature is blittable.
        [DllImport("libc", ExactSpelling = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int nanosleep(ref TimeSpec request, IntPtr remaining);
#pragma warning restore SYSLIB1054
    }
}
