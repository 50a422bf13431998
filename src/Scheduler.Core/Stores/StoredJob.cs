using Scheduler.Invocations;
using Scheduler.Jobs;
using Scheduler.Triggers;

namespace Scheduler.Stores;

/// <summary>
/// How a persistent store keeps a job: its definition as JSON (the format of docs/stores.md) plus the
/// scheduling state the store owns as separate values — next run time, jitter, state, version. One
/// place writes and reads the definition, for every store.
/// </summary>
/// <remarks>
/// A definition that can no longer be read (written by a newer version, damaged, naming a method
/// that is gone) gives a job in the <see cref="JobState.Broken"/> state that keeps its id, name and
/// version: a store lists and reports it, never runs it, and never deletes it on its own.
/// </remarks>
public static class StoredJob
{
    private static readonly Trigger BrokenTrigger = new DateTrigger(new DateTimeOffset(1970, 1, 1, 0, 0, 0, TimeSpan.Zero), TimeZoneInfo.Utc);
    private static readonly Invocation BrokenInvocation = new DelegateInvocation("(broken job)");

    /// <summary>The job's definition as JSON: everything but the store's scheduling state.</summary>
    /// <exception cref="InvalidOperationException">
    /// The job is a broken placeholder (its definition could not be read), or runs a delegate bound in-process,
    /// which cannot be stored.
    /// </exception>
    public static string Serialize(Job job)
    {
        if (job is null)
        {
            throw new ArgumentNullException(nameof(job));
        }

        if (IsBroken(job))
        {
            throw new InvalidOperationException(
                $"The job '{job.Id}' is broken (its stored definition cannot be loaded) and is kept as it is: remove it, or add a new definition under its id with replaceExisting.");
        }

        return JobJson.Write(job);
    }

    /// <summary>
    /// The job a store kept: its definition read back, with the scheduling state stored beside it. A
    /// definition that cannot be read gives a broken job, whose <see cref="Job.LoadError"/> says why.
    /// </summary>
    /// <param name="id">The id the job is stored under; a definition naming another id is broken.</param>
    /// <param name="name">The job's name as stored beside the definition (kept for a broken job).</param>
    /// <param name="definition">What <see cref="Serialize"/> wrote.</param>
    /// <param name="nextRunTime">The stored next run time, or null (paused or finished).</param>
    /// <param name="jitterTicks">How far the next run time lies after the fire time it stands for.</param>
    /// <param name="state">The stored state; a stored Broken state of a definition that now reads is Scheduled again.</param>
    /// <param name="version">The store's version of the row, compared by the store when it commits a dispatch.</param>
    /// <param name="loadFailure">Null when the definition was read; else what the reader threw.</param>
    public static Job Restore(
        string id,
        string name,
        string definition,
        DateTimeOffset? nextRunTime,
        long jitterTicks,
        JobState state,
        long version,
        out Exception? loadFailure)
    {
        Job parsed;
        try
        {
            parsed = JobJson.Read(definition);
            if (!string.Equals(parsed.Id, id, StringComparison.Ordinal))
            {
                throw new FormatException($"The job JSON field 'id' is '{parsed.Id}', but the job is stored under the id '{id}'.");
            }
        }
        // Whatever the data makes the reader throw, the job is kept as broken and reported.
        catch (Exception error) when (error is not OutOfMemoryException)
        {
            loadFailure = error;
            return new Job(id, name, BrokenTrigger, BrokenInvocation, JobArguments.None, JobOptions.Default, Job.DefaultComponentName, Job.DefaultComponentName)
            {
                State = JobState.Broken,
                LoadError = $"The stored definition of the job '{id}' cannot be loaded: {error.Message}",
                StoreVersion = version,
            };
        }

        loadFailure = null;
        return parsed with
        {
            NextRunTime = nextRunTime is { } next ? TimeZoneInfo.ConvertTime(next, parsed.Trigger.TimeZone) : null,
            JitterTicks = jitterTicks,
            State = state == JobState.Broken ? JobState.Scheduled : state,
            StoreVersion = version,
        };
    }

    /// <summary>Whether the job is the placeholder of a definition that could not be read.</summary>
    public static bool IsBroken(Job job)
        => ReferenceEquals((job ?? throw new ArgumentNullException(nameof(job))).Invocation, BrokenInvocation) || ReferenceEquals(job.Trigger, BrokenTrigger);
}
