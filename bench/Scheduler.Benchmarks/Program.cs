namespace Scheduler.Benchmarks;

/// <summary>
/// Benchmarks; not part of the test run. <c>--quick</c> runs every workload once with short settings;
/// a workload name runs only that one. Each workload prints one JSON line per system.
/// </summary>
internal static class Program
{
    public static int Main(string[] args)
    {
        var quick = args.Contains("--quick");
        var selected = args.Where(a => !a.StartsWith("--", StringComparison.Ordinal)).ToArray();
        foreach (var workload in Workloads.All)
        {
            if (selected.Length == 0 || selected.Contains(workload.Name, StringComparer.OrdinalIgnoreCase))
            {
                workload.Run(quick);
            }
        }

        return 0;
    }
}

/// <summary>A named measurement. Register new workloads in <see cref="Workloads.All"/>.</summary>
internal sealed record Workload(string Name, Action<bool> Run);

internal static partial class Workloads
{
    public static IReadOnlyList<Workload> All { get; } = [];
}
