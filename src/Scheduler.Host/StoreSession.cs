using System.CommandLine;
using Scheduler.Jobs;
using Scheduler.Scheduling;
using Scheduler.Stores;

namespace Scheduler.Host;

/// <summary>A verb's open store and the (not started) scheduler over it; disposing closes both.</summary>
internal sealed class StoreSession : IDisposable
{
    private StoreSession(string storePath, JobStore store, ISharedJobStore shared, JobScheduler scheduler)
    {
        StorePath = storePath;
        Store = store;
        Shared = shared;
        Scheduler = scheduler;
    }

    /// <summary>The store's file, as the user gave it (for messages).</summary>
    public string StorePath { get; }

    public JobStore Store { get; }

    /// <summary>What the store shares with other processes: the running scheduler, run requests, recorded events.</summary>
    public ISharedJobStore Shared { get; }

    public JobScheduler Scheduler { get; }

    /// <param name="result">The parsed command line.</param>
    /// <param name="storeOption">The verb's --store option.</param>
    /// <param name="context">Where the verb writes, and its clock.</param>
    /// <param name="use">What the verb does with the store: only the verbs that add or run jobs create it.</param>
    /// <param name="maxWorkers">The daemon's bound on runs at once per executor.</param>
    public static StoreSession Open(ParseResult result, Option<string> storeOption, HostContext context, StoreUse use, int? maxWorkers = null)
    {
        var path = HostStore.Resolve(result, storeOption);
        var store = HostStore.Open(path, use);
        try
        {
            // Every verb works across processes; a SQLite store always can.
            var shared = store as ISharedJobStore ?? throw new InvalidOperationException($"The store '{path}' cannot be shared with other processes.");
            return new StoreSession(path, store, shared, HostScheduler.Create(store, maxWorkers, context.Time));
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    /// <summary>The job with that id; an unknown id is bad input.</summary>
    public Job RequireJob(string id)
        => Scheduler.GetJob(id) ?? throw new BadInputException($"there is no job with the id '{id}' in the store '{StorePath}'");

    public void Dispose()
    {
        Scheduler.Dispose();
        Store.Dispose();
    }
}
