using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;

namespace Scheduler.PowerShell.Sessions;

/// <summary>
/// The module's state in one PowerShell session (runspace): the scheduler of each store the session
/// used, and which of them runs. A session runs at most one scheduler (Start-Scheduler); the other
/// cmdlets default to its store while it runs, and to the default store (schedhost's) otherwise.
/// </summary>
/// <remarks>
/// Kept per runspace, not per process: two runspaces of one process (a job's runspace among them) each
/// have their own schedulers, as two processes would, and removing the module from one session ends
/// only that session's scheduler.
/// </remarks>
internal sealed class ModuleState
{
    private static readonly ConditionalWeakTable<Runspace, ModuleState> States = new();

    private readonly object sync = new();
    private readonly Dictionary<string, SessionScheduler> schedulers = new(StoreLocation.NameComparer);
    private PSEventManager? sessionEvents;

    /// <summary>The state of the session the calling pipeline runs in.</summary>
    public static ModuleState Current
        => States.GetValue(
            Runspace.DefaultRunspace ?? throw new InvalidOperationException("The Scheduler cmdlets run only inside a PowerShell session."),
            static _ => new ModuleState());

    /// <summary>The scheduler running in this session, if any.</summary>
    public SessionScheduler? Running
    {
        get
        {
            lock (sync)
            {
                return schedulers.Values.FirstOrDefault(scheduler => scheduler.IsRunning);
            }
        }
    }

    /// <summary>
    /// The scheduler of a store (<paramref name="location"/>), or else of the store of the scheduler running
    /// in this session, or else of the default store. The store is opened on first use.
    /// </summary>
    public SessionScheduler For(StoreLocation? location, PSCmdlet cmdlet)
    {
        lock (sync)
        {
            // The first cmdlet that runs in the session lends its event manager to every scheduler of it.
            sessionEvents ??= cmdlet.Events;
        }

        return For(location);
    }

    /// <summary>The scheduler of a store (null: the running one's, else the default store), opened on first use.</summary>
    public SessionScheduler For(StoreLocation? location)
    {
        location ??= Running?.Location ?? StoreLocation.Default();
        bool stale;
        lock (sync)
        {
            stale = schedulers.TryGetValue(location.Name, out var opened) && opened.StoreOrphaned;
        }

        // A store file deleted, moved away or replaced since the session opened it: the open handle would go on
        // writing into the orphaned file, and every job registered through it would vanish with the
        // session. The handle is closed before the store is opened again (the last connection's close
        // removes the orphaned log, beside which a new store refuses to be created), and the store at the
        // path is opened afresh, created there anew as a missing store is. A running scheduler keeps its
        // handle (Close leaves it); its store reports the file missing or replaced.
        if (stale)
        {
            Close(location);
        }

        lock (sync)
        {
            if (!schedulers.TryGetValue(location.Name, out var scheduler))
            {
                scheduler = new SessionScheduler(location, location.Open(), sessionEvents);
                schedulers.Add(location.Name, scheduler);
            }

            return scheduler;
        }
    }

    /// <summary>The scheduler of a store this session has opened already, or null.</summary>
    public SessionScheduler? Opened(StoreLocation location)
    {
        lock (sync)
        {
            return schedulers.TryGetValue(location.Name, out var scheduler) ? scheduler : null;
        }
    }

    /// <summary>
    /// Closes this session's handle on a store it opened and does not run a scheduler on (before its
    /// content is replaced: what the handle learned about the file, a damage found in it among them, would
    /// be stale); the next cmdlet that uses the store opens it afresh. False when the session runs its
    /// scheduler on the store.
    /// </summary>
    public bool Close(StoreLocation location)
    {
        SessionScheduler? closing;
        lock (sync)
        {
            if (!schedulers.TryGetValue(location.Name, out closing))
            {
                return true;
            }

            if (closing.IsRunning)
            {
                return false;
            }

            schedulers.Remove(location.Name);
        }

        closing.Dispose();
        return true;
    }

    /// <summary>The schedulers of the stores this session has used.</summary>
    public IReadOnlyList<SessionScheduler> All
    {
        get
        {
            lock (sync)
            {
                return schedulers.Values.ToList();
            }
        }
    }

    /// <summary>
    /// Forgets the state of the calling session (the module is being removed): a running scheduler
    /// stops (its running jobs finish in the background), and every store is closed. Importing the
    /// module again opens the stores afresh.
    /// </summary>
    public static void Release()
    {
        if (Runspace.DefaultRunspace is not { } runspace || !States.TryGetValue(runspace, out var state))
        {
            return;
        }

        States.Remove(runspace);
        foreach (var scheduler in state.All)
        {
            scheduler.Dispose();
        }
    }
}
