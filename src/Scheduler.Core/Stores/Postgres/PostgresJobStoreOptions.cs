namespace Scheduler.Stores;

/// <summary>
/// How a PostgreSQL job store names its tables, keeps run history and events, and how the nodes of a
/// cluster that share it find each other dead; see <see cref="JobStore.CreatePostgres"/>. Immutable;
/// derive variants with <c>with</c>.
/// </summary>
public sealed record PostgresJobStoreOptions
{
    private readonly string schema = "scheduler";
    private readonly int runHistoryLimit = JobStore.DefaultRunHistoryLimit;
    private readonly int eventHistoryLimit = 10_000;
    private readonly TimeSpan leaseDuration = TimeSpan.FromSeconds(15);
    private readonly TimeSpan heartbeatInterval = TimeSpan.FromSeconds(3);
    private readonly TimeSpan pollInterval = TimeSpan.FromSeconds(1);
    private readonly TimeSpan claimDuration = TimeSpan.FromSeconds(2);
    private readonly TimeSpan maxClockSkew = TimeSpan.FromSeconds(1);

    /// <summary>The defaults.</summary>
    public static PostgresJobStoreOptions Default { get; } = new();

    /// <summary>
    /// The PostgreSQL schema that holds the store's tables; created when missing. Several independent
    /// stores (or clusters) share one database under different schemas. Default: <c>scheduler</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The name is empty or not a plain identifier (letters, digits, underscores; not starting with a digit).</exception>
    public string Schema
    {
        get => schema;
        init => schema = IsIdentifier(value)
            ? value
            : throw new ArgumentException($"The schema name '{value}' is not a plain identifier: use letters, digits and underscores, not starting with a digit, at most 63 characters.", nameof(Schema));
    }

    /// <summary>How many runs are kept per job, newest first (0 keeps none). Default: 20.</summary>
    public int RunHistoryLimit
    {
        get => runHistoryLimit;
        init => runHistoryLimit = value < 0
            ? throw new ArgumentOutOfRangeException(nameof(RunHistoryLimit), value, $"The run history limit must not be negative, not {value}.")
            : value;
    }

    /// <summary>How many events of the running schedulers the store keeps for other processes to read; 0 records none. Default: 10 000.</summary>
    public int EventHistoryLimit
    {
        get => eventHistoryLimit;
        init => eventHistoryLimit = value < 0
            ? throw new ArgumentOutOfRangeException(nameof(EventHistoryLimit), value, $"The event history limit must not be negative, not {value}.")
            : value;
    }

    /// <summary>
    /// How long a node's lease lasts without a heartbeat. A node whose lease has expired (by the
    /// database's clock) is dead: another node marks its running runs Abandoned, re-runs those of jobs
    /// that ask for recovery, and the dead node can no longer start or record runs. Default: 15 seconds.
    /// </summary>
    public TimeSpan LeaseDuration
    {
        get => leaseDuration;
        init => leaseDuration = value <= TimeSpan.Zero
            ? throw new ArgumentOutOfRangeException(nameof(LeaseDuration), value, $"The lease duration must be positive, not '{value}'.")
            : value;
    }

    /// <summary>How often a node renews its lease and looks for dead nodes; well below <see cref="LeaseDuration"/>. Default: 3 seconds.</summary>
    public TimeSpan HeartbeatInterval
    {
        get => heartbeatInterval;
        init => heartbeatInterval = value <= TimeSpan.Zero
            ? throw new ArgumentOutOfRangeException(nameof(HeartbeatInterval), value, $"The heartbeat interval must be positive, not '{value}'.")
            : value;
    }

    /// <summary>
    /// How often a node checks for changes made by others (jobs, run-now requests) when notifications do
    /// not reach it (<see cref="UseNotifications"/> off, or a transaction-mode pooler in between), and
    /// writes its recent events to the store. Default: 1 second.
    /// </summary>
    public TimeSpan PollInterval
    {
        get => pollInterval;
        init => pollInterval = value <= TimeSpan.Zero
            ? throw new ArgumentOutOfRangeException(nameof(PollInterval), value, $"The poll interval must be positive, not '{value}'.")
            : value;
    }

    /// <summary>
    /// How long a node holds the due jobs it read while it decides and commits their runs. A node that
    /// dies in between delays those jobs by at most this much. A node slower than this loses nothing
    /// but the work: its commit is refused when another node committed the job first. Default: 2 seconds.
    /// </summary>
    public TimeSpan ClaimDuration
    {
        get => claimDuration;
        init => claimDuration = value <= TimeSpan.Zero
            ? throw new ArgumentOutOfRangeException(nameof(ClaimDuration), value, $"The claim duration must be positive, not '{value}'.")
            : value;
    }

    /// <summary>
    /// How far a node's clock may differ from the database's before the node is warned (an event) and
    /// decides what is due by the database's clock instead of its own. Default: 1 second.
    /// </summary>
    public TimeSpan MaxClockSkew
    {
        get => maxClockSkew;
        init => maxClockSkew = value < TimeSpan.Zero
            ? throw new ArgumentOutOfRangeException(nameof(MaxClockSkew), value, $"The clock skew bound must not be negative, not '{value}'.")
            : value;
    }

    /// <summary>
    /// Whether nodes wake each other with LISTEN/NOTIFY (a change reaches them within milliseconds) in
    /// addition to polling every <see cref="PollInterval"/>. Turn it off behind a pooler in transaction
    /// mode, where LISTEN does not work. Default: true.
    /// </summary>
    public bool UseNotifications { get; init; } = true;

    /// <summary>Whether opening creates the schema and tables when they are missing. Default: true.</summary>
    public bool CreateIfMissing { get; init; } = true;

    private static bool IsIdentifier(string? value)
    {
        if (string.IsNullOrEmpty(value) || value!.Length > 63 || char.IsDigit(value[0]))
        {
            return false;
        }

        foreach (var character in value)
        {
            if (!(character is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9' or '_'))
            {
                return false;
            }
        }

        return true;
    }
}
