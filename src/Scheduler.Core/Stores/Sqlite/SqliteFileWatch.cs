namespace Scheduler.Stores;

/// <summary>
/// Watches a store's file and its write-ahead log for writes (inotify, ReadDirectoryChangesW, FSEvents
/// through <see cref="FileSystemWatcher"/>), so a store learns at once that some process committed,
/// instead of asking SQLite four times a second. Costs nothing while the files do not change.
/// </summary>
/// <remarks>
/// <para>Every write to the files is reported, the store's own too: the owner checks
/// <c>PRAGMA data_version</c>, which tells another connection's commit from its own, so a stray or
/// own event costs one cheap check and nothing else. Events are coalesced: at most one callback is
/// queued at a time, and an event that arrives while it runs queues the next.</para>
/// <para>The event comes when the writer writes the log, a moment before it publishes the commit in
/// the shared-memory index (<c>-shm</c>, which no watch reports), and <c>data_version</c> reads the
/// index: a check that runs in that moment sees nothing. So a check that saw no change is repeated
/// after <see cref="Rechecks"/>, on the real clock: the writer's progress is real time, whatever clock
/// the store runs on.</para>
/// <para>A watch is a hint, not a guarantee (a network share may report nothing, the OS may drop
/// events when its queue overflows): the owner keeps a slow poll, and polls at its full rate again
/// once <c>failed</c> is called.</para>
/// </remarks>
internal sealed class SqliteFileWatch : IDisposable
{
    /// <summary>The pauses before the checks repeated after an event whose check saw no change: about 1 s in all.</summary>
    internal static readonly TimeSpan[] Rechecks = [TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(750)];

    private readonly FileSystemWatcher watcher;
    private readonly Func<bool> changed;
    private readonly Action<Exception> failed;
    private readonly ITimer recheckTimer;
    private readonly object gate = new();
    private int queued;

    // The next of Rechecks after a check that saw nothing; Rechecks.Length when none is due.
    private int recheck = Rechecks.Length;
    private volatile bool disposed;

    private SqliteFileWatch(FileSystemWatcher watcher, Func<bool> changed, Action<Exception> failed)
    {
        this.watcher = watcher;
        this.changed = changed;
        this.failed = failed;
        recheckTimer = TimeProvider.System.CreateTimer(static state => ((SqliteFileWatch)state!).Queue(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>
    /// Starts watching the database file at <paramref name="path"/> and the files SQLite keeps next to it;
    /// null (and <paramref name="error"/>) when the platform or the folder cannot be watched.
    /// </summary>
    /// <param name="path">The full path of the database file.</param>
    /// <param name="changed">Called on the thread pool after one of the files was written, created or removed; returns whether it found a change.</param>
    /// <param name="failed">Called once when the watch stops working (events were lost); it reports nothing more.</param>
    /// <param name="error">Why the watch could not start.</param>
    public static SqliteFileWatch? TryStart(string path, Func<bool> changed, Action<Exception> failed, out Exception? error)
    {
        error = null;
        FileSystemWatcher? watcher = null;
        try
        {
            var folder = System.IO.Path.GetDirectoryName(path);
            if (string.IsNullOrEmpty(folder))
            {
                error = new IOException($"The folder of '{path}' cannot be watched.");
                return null;
            }

            // The file, its -wal (where other processes' commits land), -journal and the claim's .lock;
            // -shm changes through shared memory, which no watch reports.
            watcher = new FileSystemWatcher(folder, System.IO.Path.GetFileName(path) + "*")
            {
                NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.FileName,
                IncludeSubdirectories = false,
            };
            var watch = new SqliteFileWatch(watcher, changed, failed);
            watcher.Changed += watch.OnEvent;
            watcher.Created += watch.OnEvent;
            watcher.Deleted += watch.OnEvent;
            watcher.Renamed += watch.OnEvent;
            watcher.Error += watch.OnError;
            watcher.EnableRaisingEvents = true;
            return watch;
        }
        catch (Exception failure) when (failure is IOException or ArgumentException or PlatformNotSupportedException or UnauthorizedAccessException or InvalidOperationException)
        {
            // No watch where the OS refuses one (inotify limits, a folder gone, a platform without watches): the owner polls.
            watcher?.Dispose();
            error = failure;
            return null;
        }
    }

    public void Dispose()
    {
        // Under the gate: a run that saw nothing re-arms the timer under it, and a disposed timer would throw there.
        lock (gate)
        {
            disposed = true;
            recheckTimer.Dispose();
        }

        watcher.Dispose();
    }

    private void OnEvent(object sender, FileSystemEventArgs e)
    {
        lock (gate)
        {
            recheck = 0;
        }

        Queue();
    }

    private void Queue()
    {
        if (!disposed && Interlocked.Exchange(ref queued, 1) == 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static state => ((SqliteFileWatch)state!).Run(), this);
        }
    }

    private void Run()
    {
        // Cleared first: an event from here on queues another run, so none is lost while this one reads.
        Volatile.Write(ref queued, 0);
        if (disposed)
        {
            return;
        }

        var seen = changed();
        lock (gate)
        {
            if (seen)
            {
                recheck = Rechecks.Length;
            }
            else if (recheck < Rechecks.Length && !disposed)
            {
                recheckTimer.Change(Rechecks[recheck++], Timeout.InfiniteTimeSpan);
            }
        }
    }

    private void OnError(object sender, ErrorEventArgs e)
    {
        if (!disposed)
        {
            disposed = true;
            failed(e.GetException());
        }
    }
}
