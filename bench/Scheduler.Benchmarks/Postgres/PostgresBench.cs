using System.Diagnostics;
using Npgsql;
using Scheduler.Benchmarks.Engine;
using Scheduler.Invocations;
using Scheduler.Scheduling;
using Scheduler.Stores;

namespace Scheduler.Benchmarks.Postgres;

/// <summary>
/// The PostgreSQL server of the PostgreSQL workloads (named by <c>SCHEDULER_BENCH_POSTGRES</c>, else
/// <c>SCHEDULER_TEST_POSTGRES</c>), a schema of their own per measurement, our scheduler on it, and the
/// node processes of a cluster (see <see cref="PostgresNode"/>).
/// </summary>
internal static class PostgresBench
{
    public const string EnvironmentVariable = "SCHEDULER_BENCH_POSTGRES";

    public const string TestEnvironmentVariable = "SCHEDULER_TEST_POSTGRES";

    /// <summary>The name of the no-op delegate the stored jobs run (a store keeps names, not delegates).</summary>
    public const string NoOp = "noop";

    public static Invocation NoOpInvocation { get; } = new DelegateInvocation(NoOp);

    /// <summary>The server's connection string; when none is named, prints the workload's one line saying it was skipped.</summary>
    public static bool TryConnectionString(string workload, out string connectionString)
    {
        connectionString = Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } bench
            ? bench
            : Environment.GetEnvironmentVariable(TestEnvironmentVariable) ?? string.Empty;
        if (connectionString.Length > 0)
        {
            return true;
        }

        Json.Print(workload, "none", ("skipped", true), ("reason", $"no PostgreSQL server: set {EnvironmentVariable} or {TestEnvironmentVariable}"));
        return false;
    }

    /// <summary>A new schema name.</summary>
    public static string NewSchema(string prefix) => prefix + "_" + Guid.NewGuid().ToString("N")[..10];

    public static void DropSchema(string connectionString, string schema)
    {
        Execute(connectionString, $"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE");
        NpgsqlConnection.ClearAllPools();
    }

    public static void Execute(string connectionString, string sql)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
#pragma warning disable CA2100 // The benchmark's own SQL, with its own schema names.
        using var command = new NpgsqlCommand(sql, connection);
#pragma warning restore CA2100
        command.ExecuteNonQuery();
    }

    /// <summary>
    /// A stopped scheduler named <paramref name="schedulerId"/> with the PostgreSQL store in
    /// <paramref name="schema"/> as its default store and <paramref name="noOp"/> registered as
    /// <see cref="NoOp"/>. The caller disposes <paramref name="store"/> after the scheduler.
    /// </summary>
    public static JobScheduler OpenScheduler(string connectionString, string schema, string schedulerId, Delegate noOp, out JobStore store)
    {
        var scheduler = new JobScheduler(new SchedulerOptions { SchedulerId = schedulerId });
        scheduler.RegisterDelegate(NoOp, noOp);
        store = JobStore.CreatePostgres(connectionString, new PostgresJobStoreOptions { Schema = schema });
        scheduler.RemoveJobStore(JobScheduler.DefaultName);
        scheduler.AddJobStore(JobScheduler.DefaultName, store);
        return scheduler;
    }

    /// <summary>The load average over the last minute, as <c>uptime</c> shows it (null where there is none).</summary>
    public static double? LoadAverage()
    {
        try
        {
            var text = File.ReadAllText("/proc/loadavg");
            return double.Parse(text.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Elapsed seconds between two UTC tick counts.</summary>
    public static double Seconds(long fromTicks, long toTicks) => (toTicks - fromTicks) / (double)TimeSpan.TicksPerSecond;

    /// <summary>Milliseconds between two UTC tick counts.</summary>
    public static double Milliseconds(long fromTicks, long toTicks) => (toTicks - fromTicks) / (double)TimeSpan.TicksPerMillisecond;

    /// <summary>A stopwatch-free wall-clock reading shared by all processes on the machine.</summary>
    public static long Now() => DateTime.UtcNow.Ticks;

    /// <summary>Runs <paramref name="action"/>, returning the elapsed seconds.</summary>
    public static double Time(Action action)
    {
        var watch = Stopwatch.StartNew();
        action();
        return watch.Elapsed.TotalSeconds;
    }
}
