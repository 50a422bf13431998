using System.CommandLine;
using Scheduler.Jobs;
using Scheduler.Scheduling;
using Scheduler.Stores;

namespace Scheduler.Host;

/// <summary>A verb's open store and the (not started) scheduler over it; disposing closes both.</summary>
internal sealed class StoreSession : IDisposable
{
    private StoreSession(OpenedStore opened, ISharedJobStore shared, JobScheduler scheduler)
    {
        StoreName = opened.Name;
        IsPostgres = opened.IsPostgres;
        Store = opened.Store;
        Shared = shared;
        Scheduler = scheduler;
    }

    /// <summary>The store for messages: the file as the user gave it, or the PostgreSQL location without its password.</summary>
    public string StoreName { get; }

    /// <summary>Whether the store is in PostgreSQL (shared by a cluster of schedulers) rather than a SQLite file.</summary>
    public bool IsPostgres { get; }

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
        var opened = HostStore.Open(HostStore.Resolve(result, storeOption), use);
        try
        {
            // Every verb works across processes; SQLite and PostgreSQL stores always can.
            var shared = opened.Store as ISharedJobStore ?? throw new InvalidOperationException($"The store '{opened.Name}' cannot be shared with other processes.");
            return new StoreSession(opened, shared, HostScheduler.Create(opened.Store, maxWorkers, context.Time));
        }
        catch
        {
            opened.Store.Dispose();
            throw;
        }
    }

    /// <summary>The job with that id; an unknown id is bad input.</summary>
    public Job RequireJob(string id)
        => Scheduler.GetJob(id) ?? throw new BadInputException(Scheduler.GetEndedJobIds().Contains(id, StringComparer.Ordinal)
            ? $"the job '{id}' has ended (its trigger has no further fire times) and is no longer in the store '{StoreName}'; 'schedhost runs {id}' shows its runs"
            : $"there is no job with the id '{id}' in the store '{StoreName}'");

    public void Dispose()
    {
        Scheduler.Dispose();
        Store.Dispose();
    }
}
