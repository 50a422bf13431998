using System.CommandLine;
using Scheduler.Jobs;
using Scheduler.Scheduling;
using Scheduler.Stores;

namespace Scheduler.Host;

/// <summary>A verb's open store and the (not started) scheduler over it; disposing closes both.</summary>
internal sealed class StoreSession : IDisposable
{
    private StoreSession(StoreLocation location, JobStore store, JobScheduler scheduler)
    {
        Location = location;
        Store = store;
        Scheduler = scheduler;
    }

    public StoreLocation Location { get; }

    public JobStore Store { get; }

    public JobScheduler Scheduler { get; }

    /// <summary>The SQLite store's own operations (run requests, persisted events, the running scheduler).</summary>
    public SqliteJobStore Sqlite => (SqliteJobStore)Store;

    /// <param name="result">The parsed command line.</param>
    /// <param name="storeOption">The verb's --store option.</param>
    /// <param name="context">Where the verb writes, and its clock.</param>
    /// <param name="use">What the verb does with the store: only the verbs that add or run jobs create it.</param>
    /// <param name="maxWorkers">The daemon's bound on runs at once per executor.</param>
    public static StoreSession Open(ParseResult result, Option<string> storeOption, HostContext context, StoreUse use, int? maxWorkers = null)
    {
        var location = HostStore.Resolve(result, storeOption);
        var store = HostStore.Open(location, use);
        try
        {
            return new StoreSession(location, store, HostScheduler.Create(store, maxWorkers, context.Time));
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    /// <summary>The job with that id; an unknown id is bad input.</summary>
    public Job RequireJob(string id)
        => Scheduler.GetJob(id) ?? throw new BadInputException($"there is no job with the id '{id}' in the store '{Location.Path}'");

    public void Dispose()
    {
        Scheduler.Dispose();
        Store.Dispose();
    }
}
