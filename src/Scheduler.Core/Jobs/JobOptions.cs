using System.Runtime.CompilerServices;
using Scheduler.Internal;

namespace Scheduler.Jobs;

/// <summary>
/// How the scheduler runs a job: misfire grace, coalescing, concurrency, timeout and retry.
/// Immutable; <see cref="Default"/> is shared by every job that does not change a value, so a million
/// jobs carry one options object. Derive variants with <c>with</c>:
/// <c>JobOptions.Default with { MaxInstances = 3 }</c>.
/// </summary>
public sealed record JobOptions
{
    private readonly TimeSpan? misfireGraceTime;
    private readonly int maxInstances = 1;
    private readonly TimeSpan? timeout;
    private readonly int retryCount;
    private readonly TimeSpan retryDelay;
    private readonly CoalescePolicy coalesce;
    private readonly OverlapPolicy overlap;

    /// <summary>The defaults: unlimited grace, coalesce to the latest run, one instance, skip overlaps, no timeout, no retry.</summary>
    public static JobOptions Default { get; } = new();

    /// <summary>
    /// How late a run may start and still run; a later run is recorded as Missed. Null (the default)
    /// means unlimited: a late run always runs.
    /// </summary>
    public TimeSpan? MisfireGraceTime
    {
        get => misfireGraceTime;
        init => misfireGraceTime = value is { } grace && grace < TimeSpan.Zero
            ? throw new ArgumentOutOfRangeException(nameof(MisfireGraceTime), grace, $"The misfire grace time must not be negative, not '{grace}'.")
            : value;
    }

    /// <summary>
    /// Whether a run scheduled at <paramref name="scheduled"/> may still start at <paramref name="now"/>
    /// (unlimited grace: always). The one misfire rule, applied when a run is dispatched and again when a
    /// worker takes it up.
    /// </summary>
    [MethodImpl(DispatchPath.Optimized)]
    internal bool IsOnTime(DateTimeOffset scheduled, DateTimeOffset now)
        => misfireGraceTime is not { } grace || now - scheduled <= grace;

    /// <summary>Which runs run when several are due at once. Default: <see cref="CoalescePolicy.Latest"/>.</summary>
    public CoalescePolicy Coalesce
    {
        get => coalesce;
        init => coalesce = Enum.IsDefined(typeof(CoalescePolicy), value)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(Coalesce), value, $"Unknown coalesce policy '{value}'.");
    }

    /// <summary>How many runs of the job may be in progress at once. Default: 1.</summary>
    public int MaxInstances
    {
        get => maxInstances;
        init => maxInstances = value < 1
            ? throw new ArgumentOutOfRangeException(nameof(MaxInstances), value, $"The maximum number of instances must be at least 1, not {value}.")
            : value;
    }

    /// <summary>What happens when <see cref="MaxInstances"/> runs are in progress. Default: <see cref="OverlapPolicy.Skip"/>.</summary>
    public OverlapPolicy Overlap
    {
        get => overlap;
        init => overlap = Enum.IsDefined(typeof(OverlapPolicy), value)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(Overlap), value, $"Unknown overlap policy '{value}'.");
    }

    /// <summary>
    /// How long a run may take; then its cancellation token is cancelled and the run is recorded as
    /// TimedOut. .NET code stops when it observes the token. Null (the default): no limit.
    /// </summary>
    public TimeSpan? Timeout
    {
        get => timeout;
        init => timeout = value is { } limit && limit <= TimeSpan.Zero
            ? throw new ArgumentOutOfRangeException(nameof(Timeout), limit, $"The timeout must be positive, not '{limit}'.")
            : value;
    }

    /// <summary>How many times a failed run is run again (each attempt is recorded and reported). Default: 0.</summary>
    public int RetryCount
    {
        get => retryCount;
        init => retryCount = value < 0
            ? throw new ArgumentOutOfRangeException(nameof(RetryCount), value, $"The retry count must not be negative, not {value}.")
            : value;
    }

    /// <summary>The wait between a failed attempt and the next one. Default: none.</summary>
    public TimeSpan RetryDelay
    {
        get => retryDelay;
        init => retryDelay = value < TimeSpan.Zero
            ? throw new ArgumentOutOfRangeException(nameof(RetryDelay), value, $"The retry delay must not be negative, not '{value}'.")
            : value;
    }

    /// <summary>
    /// Whether a run that a stopped scheduler left unfinished (recorded as Abandoned when a scheduler
    /// next opens the store) is run again. Default: false.
    /// </summary>
    public bool Recover { get; init; }
}
