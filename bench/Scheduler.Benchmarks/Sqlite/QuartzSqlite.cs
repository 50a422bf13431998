using System.Data.Common;
using Microsoft.Data.Sqlite;
using Quartz;
using Quartz.Impl.AdoJobStore.Common;

namespace Scheduler.Benchmarks.Sqlite;

/// <summary>
/// Quartz.NET on its ADO.NET job store (<c>JobStoreTX</c>, <c>SQLiteDelegate</c>) over a SQLite file
/// through Microsoft.Data.Sqlite (<c>SQLite-Microsoft</c>), 10 workers, other settings default.
/// </summary>
/// <remarks>
/// The file is in WAL mode (see <see cref="QuartzSqliteSchema"/>). Two settings of durability:
/// Quartz's default, SQLite's <c>synchronous = FULL</c>, which syncs the disk at every commit
/// (<c>"system":"quartz"</c>), and <c>synchronous = NORMAL</c> on every connection, what the
/// scheduler's own store uses (<c>"system":"quartz-sync-normal"</c>): the same durability on both sides.
/// </remarks>
internal static class QuartzSqlite
{
    public static string ConnectionString(string path) => $"Data Source={path};Pooling=true";

    /// <summary>A new, not started scheduler on the file (which must have the tables; see <see cref="QuartzSqliteSchema"/>).</summary>
    public static IScheduler Create(string path, bool syncNormal, string name = "bench")
    {
        IReadOnlyList<KeyValuePair<string, string>> properties =
        [
            new("quartz.scheduler.instanceName", name),
            new("quartz.jobStore.type", "Quartz.Impl.AdoJobStore.JobStoreTX, Quartz"),
            new("quartz.jobStore.driverDelegateType", "Quartz.Impl.AdoJobStore.SQLiteDelegate, Quartz"),
            new("quartz.jobStore.tablePrefix", "QRTZ_"),
            new("quartz.jobStore.dataSource", "bench"),
            new("quartz.dataSource.bench.connectionString", ConnectionString(path)),
            new("quartz.dataSource.bench.provider", "SQLite-Microsoft"),
            new("quartz.serializer.type", "stj"),
        ];
        if (!syncNormal)
        {
            return Engine.QuartzHarness.Create(properties);
        }

        var connectionString = ConnectionString(path);
        return Engine.QuartzHarness.Create(
            properties,
            quartz => quartz.UsePersistentStore(store => store.UseConnectionProvider(_ => new NormalSyncProvider(connectionString))));
    }

    /// <summary>Microsoft.Data.Sqlite as Quartz describes it, with connections that sync like the scheduler's store.</summary>
    private sealed class NormalSyncProvider(string connectionString) : IDbProvider
    {
        private readonly DbProvider inner = new("SQLite-Microsoft", connectionString);

        public string ConnectionString => inner.ConnectionString;

        public DbMetadata Metadata => inner.Metadata;

        public DbCommand CreateCommand() => inner.CreateCommand();

        public DbConnection CreateConnection() => new NormalSyncConnection(inner.ConnectionString);

        public void Shutdown() => inner.Shutdown();
    }

    private sealed class NormalSyncConnection(string connectionString) : SqliteConnection(connectionString)
    {
        public override void Open()
        {
            base.Open();
            using var command = CreateCommand();
            command.CommandText = "PRAGMA synchronous = NORMAL";
            command.ExecuteNonQuery();
        }
    }
}
