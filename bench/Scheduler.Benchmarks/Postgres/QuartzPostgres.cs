using Quartz;

namespace Scheduler.Benchmarks.Postgres;

/// <summary>
/// Quartz.NET clustered on PostgreSQL: its ADO.NET job store (<c>JobStoreTX</c>, <c>PostgreSQLDelegate</c>,
/// <c>quartz.jobStore.clustered = true</c>) through Npgsql (provider <c>Npgsql</c>), the tables in the
/// workload's schema (see <see cref="QuartzPostgresSchema"/>), 10 workers, other settings default
/// (among them: one trigger acquired per round, a 7.5 s cluster check-in, a 30 s idle wait).
/// </summary>
internal static class QuartzPostgres
{
    /// <summary>The scheduler name every instance of the cluster shares (Quartz's <c>SCHED_NAME</c>).</summary>
    public const string ClusterName = "bench-cluster";

    /// <summary>A new, not started instance <paramref name="instanceId"/> of the cluster in <paramref name="schema"/>.</summary>
    public static IScheduler Create(string connectionString, string schema, string instanceId)
        => Engine.QuartzHarness.Create(
        [
            new("quartz.scheduler.instanceName", ClusterName),
            new("quartz.scheduler.instanceId", instanceId),
            new("quartz.jobStore.type", "Quartz.Impl.AdoJobStore.JobStoreTX, Quartz"),
            new("quartz.jobStore.driverDelegateType", "Quartz.Impl.AdoJobStore.PostgreSQLDelegate, Quartz"),
            new("quartz.jobStore.clustered", "true"),
            new("quartz.jobStore.tablePrefix", schema + ".QRTZ_"),
            new("quartz.jobStore.dataSource", "bench"),
            new("quartz.dataSource.bench.connectionString", connectionString),
            new("quartz.dataSource.bench.provider", "Npgsql"),
            new("quartz.serializer.type", "stj"),
        ]);
}
