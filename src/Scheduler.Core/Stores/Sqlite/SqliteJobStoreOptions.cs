namespace Scheduler.Stores;

/// <summary>
/// How a SQLite job store keeps run history and events and how it watches for changes made by other
/// processes; see <see cref="JobStore.CreateSqlite(string, SqliteJobStoreOptions, TimeProvider)"/>. Immutable; derive variants with <c>with</c>.
/// </summary>
public sealed record SqliteJobStoreOptions
{
    private readonly int runHistoryLimit = JobStore.DefaultRunHistoryLimit;
    private readonly TimeSpan? runHistoryMaxAge;
    private readonly int eventHistoryLimit = 10_000;
    private readonly TimeSpan changeCheckInterval = TimeSpan.FromMilliseconds(250);
    private readonly TimeSpan busyTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The defaults.</summary>
    public static SqliteJobStoreOptions Default { get; } = new();

    /// <summary>How many runs are kept per job, newest first (0 keeps none). Default: 20.</summary>
    public int RunHistoryLimit
    {
        get => runHistoryLimit;
        init => runHistoryLimit = value < 0
            ? throw new ArgumentOutOfRangeException(nameof(RunHistoryLimit), value, $"The run history limit must not be negative, not {value}.")
            : value;
    }

    /// <summary>How long runs are kept after they ended; null (the default) keeps them regardless of age.</summary>
    public TimeSpan? RunHistoryMaxAge
    {
        get => runHistoryMaxAge;
        init => runHistoryMaxAge = value is { } age && age <= TimeSpan.Zero
            ? throw new ArgumentOutOfRangeException(nameof(RunHistoryMaxAge), age, $"The run history age must be positive, not '{age}'.")
            : value;
    }

    /// <summary>
    /// How many of the running scheduler's events the file keeps for other processes to read
    /// (<c>schedhost events</c>, <c>Get-SchedulerEvent</c> in another session); 0 records none. Default: 10 000.
    /// </summary>
    public int EventHistoryLimit
    {
        get => eventHistoryLimit;
        init => eventHistoryLimit = value < 0
            ? throw new ArgumentOutOfRangeException(nameof(EventHistoryLimit), value, $"The event history limit must not be negative, not {value}.")
            : value;
    }

    /// <summary>
    /// How often the store of a running scheduler checks whether another process changed the file
    /// (a cheap check that reads no table), and writes the scheduler's recent events to it. Default: 250 ms.
    /// Where the file can be watched, a change is noticed as it is written, and an idle scheduler checks
    /// less often, backing off up to 5 s while nothing happens (docs/stores.md).
    /// </summary>
    public TimeSpan ChangeCheckInterval
    {
        get => changeCheckInterval;
        init => changeCheckInterval = value <= TimeSpan.Zero
            ? throw new ArgumentOutOfRangeException(nameof(ChangeCheckInterval), value, $"The change check interval must be positive, not '{value}'.")
            : value;
    }

    /// <summary>
    /// Whether the running scheduler's store watches the file for other processes' writes (see
    /// <see cref="SqliteFileWatch"/>): null (the default) watches on the system clock only, so tests on a
    /// fake clock see changes exactly at the checks they drive; true and false force it (for tests).
    /// </summary>
    internal bool? WatchFile { get; init; }

    /// <summary>
    /// Whether opening creates the store when the file does not exist. Default: true. False opens only an
    /// existing store, and a missing file fails with <see cref="FileNotFoundException"/>: for a tool that
    /// reads or changes jobs and should not leave a new file behind a mistyped path.
    /// </summary>
    public bool CreateIfMissing { get; init; } = true;

    /// <summary>
    /// Whether the check of the whole file that must pass before the store's first write (<c>PRAGMA
    /// quick_check</c>) starts in the background as the file opens, so that it overlaps whatever the
    /// opener does before it writes. Default: true. False starts it at the first write instead: for an
    /// opener that only reads, which then never pays for it.
    /// </summary>
    public bool StartCheckAtOpen { get; init; } = true;

    /// <summary>How long a write waits for another process that is writing to the file. Default: 10 seconds.</summary>
    public TimeSpan BusyTimeout
    {
        get => busyTimeout;
        init => busyTimeout = value < TimeSpan.Zero || value.TotalMilliseconds > int.MaxValue
            ? throw new ArgumentOutOfRangeException(nameof(BusyTimeout), value, $"The busy timeout must be between zero and {TimeSpan.FromMilliseconds(int.MaxValue)}, not '{value}'.")
            : value;
    }
}
