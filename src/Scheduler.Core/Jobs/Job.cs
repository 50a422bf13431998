using System.Runtime.CompilerServices;
using Scheduler.Internal;
using Scheduler.Invocations;
using Scheduler.Triggers;

namespace Scheduler.Jobs;

/// <summary>
/// A job as the scheduler keeps it: what to run (<see cref="Invocation"/> with <see cref="Arguments"/>),
/// when (<see cref="Trigger"/>, <see cref="NextRunTime"/>), and how (<see cref="Options"/>).
/// </summary>
/// <remarks>
/// A job is an immutable snapshot: the scheduler's methods (<c>ModifyJob</c>, <c>PauseJob</c>...) store
/// a changed copy and return it. Jobs share their options, executor and store names, so a job costs a
/// few hundred bytes.
/// </remarks>
public sealed record Job
{
    /// <summary>The name of the store and of the executor a job uses when it names none: "default".</summary>
    internal const string DefaultComponentName = "default";

    internal Job(string id, string name, Trigger trigger, Invocation invocation, JobArguments arguments, JobOptions options, string executor, string store)
    {
        Id = id;
        Name = name;
        Trigger = trigger;
        Invocation = invocation;
        Arguments = arguments;
        Options = options;
        Executor = executor;
        Store = store;
    }

    /// <summary>The job's unique, stable id.</summary>
    public string Id { get; internal init; }

    /// <summary>A display name; the id when none was given.</summary>
    public string Name { get; internal init; }

    /// <summary>When the job fires.</summary>
    public Trigger Trigger { get; internal init; }

    /// <summary>What the job runs.</summary>
    public Invocation Invocation { get; internal init; }

    /// <summary>The arguments the invocation is called with.</summary>
    public JobArguments Arguments { get; internal init; }

    /// <summary>How the job runs (misfire grace, coalescing, concurrency, timeout, retry).</summary>
    public JobOptions Options { get; internal init; }

    /// <summary>
    /// When the job runs next (with jitter applied), or null when it is paused. Runs whose time falls
    /// inside a pause are not made up: resuming computes the next run from the time of resumption.
    /// </summary>
    public DateTimeOffset? NextRunTime { get; internal init; }

    /// <summary>The name of the executor that runs the job.</summary>
    public string Executor { get; internal init; }

    /// <summary>The name of the store that keeps the job.</summary>
    public string Store { get; internal init; }

    /// <summary>Whether the job is scheduled, paused or broken (could not be loaded).</summary>
    public JobState State { get; internal init; }

    /// <summary>Why the store could not load the job, when <see cref="State"/> is <see cref="JobState.Broken"/>.</summary>
    public string? LoadError { get; internal init; }

    /// <summary>The jitter added to the trigger's fire time to get <see cref="NextRunTime"/>, in ticks.</summary>
    /// <remarks>
    /// Kept so the following fire time is computed from the trigger's own time, not the jittered one.
    /// A store keeps it beside the definition (see <see cref="Stores.StoredJob"/>).
    /// </remarks>
    public long JitterTicks { get; internal init; }

    /// <summary>
    /// The version of the job's record in a persistent store when the job was read from it: a
    /// dispatch of a job whose record has changed since (another process changed it) is rejected.
    /// Set by the store that read the job (see <see cref="Stores.StoredJob.Restore"/>); 0 for a job not read from one.
    /// </summary>
    public long StoreVersion { get; internal init; }

    /// <summary>The trigger's fire time behind <see cref="NextRunTime"/> (without jitter).</summary>
    internal DateTimeOffset? NextFireTime
    {
        [MethodImpl(DispatchPath.Optimized)]
        get => NextRunTime is { } next && JitterTicks != 0 ? next.AddTicks(-JitterTicks) : NextRunTime;
    }

    /// <summary>
    /// Reads a job definition from its JSON form (docs/stores.md), as <see cref="ToJson"/> writes it. The
    /// job is in no store: it has no next run time and its state is <see cref="JobState.Scheduled"/>.
    /// Reading never instantiates a type named in the data.
    /// </summary>
    /// <param name="json">The definition.</param>
    /// <exception cref="ArgumentNullException"><paramref name="json"/> is null.</exception>
    /// <exception cref="FormatException">The JSON is not a job definition this version understands; the message names the field and value.</exception>
    public static Job FromJson(string json) => JobJson.Read(json);

    /// <summary>
    /// The job's definition as JSON: the versioned document a SQLite store keeps (docs/stores.md), which
    /// <see cref="FromJson"/> reads back. With <paramref name="includeSchedule"/>, also its next run time,
    /// state and load error, for display (reading ignores them).
    /// </summary>
    /// <param name="includeSchedule">Whether to add the schedule.</param>
    /// <exception cref="ArgumentException">The job runs a delegate bound in-process, which has no persistent form.</exception>
    public string ToJson(bool includeSchedule = false) => JobJson.Write(this, includeSchedule);

    /// <inheritdoc/>
    public override string ToString()
        => NextRunTime is { } next
            ? $"{Name} ({Id}): next run {next:O}"
            : $"{Name} ({Id}): {State}";
}
