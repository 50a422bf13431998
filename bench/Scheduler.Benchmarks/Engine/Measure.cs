using System.Diagnostics;

namespace Scheduler.Benchmarks.Engine;

/// <summary>Helpers shared by the engine workloads.</summary>
internal static class Measure
{
    /// <summary>Ids "job-0" ... for <paramref name="count"/> jobs, made before timing starts.</summary>
    public static string[] Ids(string prefix, int count)
    {
        var ids = new string[count];
        for (var i = 0; i < count; i++)
        {
            ids[i] = prefix + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return ids;
    }

    /// <summary>Collects garbage left by earlier work, so that it is not collected on the clock of the next measurement.</summary>
    public static void Settle()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    /// <summary>
    /// Waits until the JIT has compiled nothing new for a second (tiered compilation re-compiles hot
    /// methods in the background for a while after they ran), then collects garbage: what follows
    /// measures the code, not the runtime warming up or tidying up.
    /// </summary>
    public static void Quiesce(TimeSpan limit)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var compiled = System.Runtime.JitInfo.GetCompiledMethodCount();
        while (watch.Elapsed < limit)
        {
            Thread.Sleep(1000);
            var now = System.Runtime.JitInfo.GetCompiledMethodCount();
            if (now == compiled)
            {
                break;
            }

            compiled = now;
        }

        // After a full collection the collector returns freed memory to the system in steps for a
        // while; that too is settling, not the code being measured.
        Settle();
        Thread.Sleep(2000);
    }

    /// <summary>The median of the values (the upper one of an even count).</summary>
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        return sorted[sorted.Length / 2];
    }

    /// <summary>The value at percentile <paramref name="p"/> (0-100) of sorted values, nearest rank.</summary>
    public static double Percentile(double[] sorted, double p)
    {
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        var rank = (int)Math.Ceiling(p / 100 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    /// <summary>Garbage collections so far, of any generation (a gen 1 collection counts once).</summary>
    public static int Collections() => GC.CollectionCount(0);

    /// <summary>CPU time used by this process so far.</summary>
    public static TimeSpan ProcessCpu()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }
}
