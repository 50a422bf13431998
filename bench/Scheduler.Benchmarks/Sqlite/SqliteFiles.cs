using Microsoft.Data.Sqlite;
using Scheduler.Invocations;
using Scheduler.Scheduling;
using Scheduler.Stores;

namespace Scheduler.Benchmarks.Sqlite;

/// <summary>Temporary database files for the SQLite workloads, and a scheduler on one.</summary>
internal sealed class SqliteFiles : IDisposable
{
    /// <summary>The store's name in the scheduler.</summary>
    public const string StoreName = "sqlite";

    /// <summary>The name of the no-op delegate the stored jobs run (a store keeps names, not delegates).</summary>
    public const string NoOp = "noop";

    private readonly string folder = Path.Combine(Path.GetTempPath(), "scheduler-bench-" + Guid.NewGuid().ToString("N")[..8]);
    private int count;

    public SqliteFiles()
    {
        Directory.CreateDirectory(folder);
    }

    public static Invocation NoOpInvocation { get; } = new DelegateInvocation(NoOp);

    /// <summary>A path for a new file.</summary>
    public string NewPath(string name) => Path.Combine(folder, $"{name}-{++count}.db");

    /// <summary>
    /// A stopped scheduler with the SQLite store at <paramref name="path"/> and <paramref name="noOp"/>
    /// registered as <see cref="NoOp"/>. The caller disposes <paramref name="store"/> after the
    /// scheduler (a scheduler does not own the stores it is given): that closes the file as a stopped
    /// service leaves it, its write-ahead log folded in.
    /// </summary>
    public static JobScheduler OpenScheduler(string path, Delegate noOp, out JobStore store)
    {
        var scheduler = new JobScheduler();
        scheduler.RegisterDelegate(NoOp, noOp);
        store = JobStore.CreateSqlite(path);
        scheduler.AddJobStore(StoreName, store);
        return scheduler;
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
