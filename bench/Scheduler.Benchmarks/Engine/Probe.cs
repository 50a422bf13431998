using System.Diagnostics;

namespace Scheduler.Benchmarks.Engine;

/// <summary>
/// What the no-op jobs of both systems report to: a count of runs with a signal when the expected
/// number is reached, and optionally each run's lateness. Quartz creates its job objects itself,
/// so its jobs find the probe through <see cref="Current"/>.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "One probe per benchmark process; its event's wait handle is released with the process.")]
internal sealed class Probe
{
    private readonly ManualResetEventSlim done = new();
    private readonly long[]? latenessTicks;
    private readonly long lastScheduledTicks;
    private int runs;
    private int samples;

    public Probe(int expected, int latenessCapacity = 0, DateTimeOffset? lastScheduled = null)
    {
        Expected = expected;
        latenessTicks = latenessCapacity > 0 ? new long[latenessCapacity] : null;
        lastScheduledTicks = lastScheduled?.UtcTicks ?? long.MaxValue;
    }

    public static Probe Current { get; set; } = new(int.MaxValue);

    public int Expected { get; }

    /// <summary>Garbage collections (all generations) while the probe was recording.</summary>
    public int Collections { get; set; }

    /// <summary>The CPU time the whole process used over the measured window, when the workload measures it.</summary>
    public TimeSpan Cpu { get; set; }

    public int Runs => Volatile.Read(ref runs);

    /// <summary>The expected number of runs has been recorded.</summary>
    public bool IsDone => done.IsSet;

    /// <summary>A run happened.</summary>
    public void Ran()
    {
        if (Interlocked.Increment(ref runs) == Expected)
        {
            done.Set();
        }
    }

    /// <summary>A run scheduled for <paramref name="scheduled"/> started now; runs scheduled after the window are not counted.</summary>
    public void Started(DateTimeOffset scheduled)
    {
        var late = DateTimeOffset.UtcNow.UtcTicks - scheduled.UtcTicks;
        if (scheduled.UtcTicks > lastScheduledTicks)
        {
            return;
        }

        var index = Interlocked.Increment(ref samples) - 1;
        if (latenessTicks is not null && index < latenessTicks.Length)
        {
            latenessTicks[index] = late;
        }

        if (index + 1 == Expected)
        {
            done.Set();
        }
    }

    public bool Wait(TimeSpan timeout) => done.Wait(timeout);

    /// <summary>Runs per second over <paramref name="watch"/>; a timeout if the runs did not all happen (<paramref name="finished"/> false).</summary>
    public double Rate(bool finished, Stopwatch watch, TimeSpan timeout)
        => finished
            ? Expected / watch.Elapsed.TotalSeconds
            : throw new TimeoutException($"Only {Runs} of {Expected} jobs ran within {timeout}.");

    /// <summary>The recorded lateness in milliseconds, sorted.</summary>
    public double[] SortedLatenessMs()
    {
        var count = Math.Min(Volatile.Read(ref samples), latenessTicks?.Length ?? 0);
        var result = new double[count];
        for (var i = 0; i < count; i++)
        {
            result[i] = latenessTicks![i] / (double)TimeSpan.TicksPerMillisecond;
        }

        Array.Sort(result);
        return result;
    }
}
