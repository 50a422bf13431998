namespace Scheduler.Benchmarks;

/// <summary>
/// Benchmarks; not part of the test run. <c>--quick</c> runs every workload with short settings; names
/// select workloads. Each workload prints one JSON line per system it measures.
/// </summary>
internal static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == Sqlite.RestartSqliteWorkload.ChildArgument)
        {
            return Sqlite.RestartSqliteWorkload.Child(args);
        }

        if (args.Length > 0 && args[0] == Postgres.PostgresNode.ChildArgument)
        {
            return Postgres.PostgresNode.Child(args);
        }

        if (args.Length > 0 && args[0] == Sqlite.IdleSqliteWorkload.ChildArgument)
        {
            return Sqlite.IdleSqliteWorkload.Child(args);
        }

        var quick = args.Contains("--quick");
        var selected = args.Where(a => !a.StartsWith("--", StringComparison.Ordinal)).ToArray();
        var workloads = typeof(Program).Assembly.GetTypes()
            .Where(t => typeof(IWorkload).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
            .Select(t => (IWorkload)Activator.CreateInstance(t)!)
            .OrderBy(w => w.Order)
            .ThenBy(w => w.Name, StringComparer.Ordinal);
        foreach (var workload in workloads)
        {
            if (selected.Length == 0 || selected.Any(s => workload.Name.StartsWith(s, StringComparison.OrdinalIgnoreCase)))
            {
                workload.Run(quick);
            }
        }

        return 0;
    }
}

/// <summary>A measurement; every non-abstract implementation in this assembly is discovered and run.</summary>
internal interface IWorkload
{
    string Name { get; }

    int Order => 0;

    void Run(bool quick);
}
