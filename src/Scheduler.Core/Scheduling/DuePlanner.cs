using System.Runtime.CompilerServices;
using Scheduler.Internal;
using Scheduler.Jobs;
using Scheduler.Triggers;

namespace Scheduler.Scheduling;

/// <summary>What to do with one due job: the runs to start, the one run reported missed, the next fire time.</summary>
internal struct DuePlan
{
    /// <summary>The scheduled time of the single run to start (coalesce Latest or Earliest).</summary>
    public DateTimeOffset? RunTime;

    /// <summary>The scheduled times of the runs to start, in order (coalesce All).</summary>
    public List<DateTimeOffset>? RunTimes;

    /// <summary>The scheduled time of a run that was too late and is reported as missed instead of run.</summary>
    public DateTimeOffset? MissedTime;

    /// <summary>The trigger's next fire time (without jitter) after the runs decided here; null when the trigger is finished.</summary>
    public DateTimeOffset? NextFireTime;

    /// <summary>
    /// Why the trigger gave no next fire time, when it failed looking past the due ones (an all-trigger
    /// whose triggers agree no more): the due runs are decided all the same, and the job is then paused.
    /// </summary>
    public InvalidOperationException? NextFailure;
}

/// <summary>
/// The misfire and coalesce rule (docs/dotnet.md, "Late and missed runs"), written once: given a due job and the time now,
/// which runs start, which one is reported missed, and when the job is due next.
/// </summary>
/// <remarks>
/// <para>Fire times at or before now are the due ones. A due run is late when now is past its
/// scheduled time plus the misfire grace time (unlimited grace: never late).</para>
/// <para>Latest: one run for the latest due fire time; Earliest: one run for the earliest due fire
/// time that is not late. Other due fire times are coalesced into that run. When every due fire
/// time is late, nothing runs and one Missed run is reported.</para>
/// <para>All: late fire times are reported as one Missed run; every due fire time that is not late
/// runs, in order, at most <see cref="MaxRunsPerPass"/> per pass (the rest stay due for the next pass).</para>
/// <para>The work is bounded however long the scheduler was down: the latest due fire time is
/// found by bisection on "first fire time at or after", not by walking every missed fire time.</para>
/// </remarks>
internal static class DuePlanner
{
    public const int MaxRunsPerPass = 100;

    // Due fire times walked one by one before bisecting: the common case is a single due fire time.
    private const int WalkLimit = 16;

    /// <param name="trigger">The job's trigger.</param>
    /// <param name="firstFire">The job's stored next fire time (without jitter), at or before now.</param>
    /// <param name="firstRun">The job's stored next run time (with jitter), at or before now: the scheduled time of the first due run.</param>
    /// <param name="options">The job's options.</param>
    /// <param name="now">The time now.</param>
    [MethodImpl(DispatchPath.Optimized)]
    public static DuePlan Plan(Trigger trigger, DateTimeOffset firstFire, DateTimeOffset firstRun, JobOptions options, DateTimeOffset now)
    {
        var plan = default(DuePlan);
        if (options.Coalesce == CoalescePolicy.All)
        {
            PlanAll(trigger, firstFire, firstRun, options, now, ref plan);
            return plan;
        }

        var last = LatestAtOrBefore(trigger, firstFire, now, ref plan.NextFailure);
        plan.NextFireTime = plan.NextFailure is null ? After(trigger, last, ref plan.NextFailure) : null;
        var lastScheduled = last == firstFire ? firstRun : last;
        if (options.Coalesce == CoalescePolicy.Latest || options.IsOnTime(firstRun, now))
        {
            var chosen = options.Coalesce == CoalescePolicy.Latest ? lastScheduled : firstRun;
            if (options.IsOnTime(chosen, now))
            {
                plan.RunTime = chosen;
            }
            else
            {
                plan.MissedTime = chosen;
            }

            return plan;
        }

        // Earliest, and the first due fire time is late: the earliest one inside the grace window.
        var earliestOnTime = AtOrAfter(trigger, now - options.MisfireGraceTime!.Value, ref plan.NextFailure);
        if (earliestOnTime is { } onTime && onTime <= last)
        {
            plan.RunTime = onTime == last ? lastScheduled : onTime;
        }
        else
        {
            plan.MissedTime = lastScheduled;
        }

        return plan;
    }

    /// <summary>The latest fire time at or before <paramref name="now"/>, given one such fire time.</summary>
    [MethodImpl(DispatchPath.Optimized)]
    public static DateTimeOffset LatestAtOrBefore(Trigger trigger, DateTimeOffset known, DateTimeOffset now)
    {
        InvalidOperationException? failure = null;
        var latest = LatestAtOrBefore(trigger, known, now, ref failure);
        return failure is null ? latest : throw failure;
    }

    /// <summary>
    /// As <see cref="LatestAtOrBefore(Trigger, DateTimeOffset, DateTimeOffset)"/>; a trigger that fails
    /// looking further leaves the latest fire time found so far, and its failure in <paramref name="failure"/>.
    /// </summary>
    [MethodImpl(DispatchPath.Optimized)]
    private static DateTimeOffset LatestAtOrBefore(Trigger trigger, DateTimeOffset known, DateTimeOffset now, ref InvalidOperationException? failure)
    {
        var current = known;
        for (var i = 0; i < WalkLimit; i++)
        {
            if (After(trigger, current, ref failure) is not { } next || next > now)
            {
                return current;
            }

            current = next;
        }

        // Many fire times are due. "Some fire time lies in [t, now]" holds for t = current and fails
        // for t = now + 1 tick, and flips once in between: at the latest fire time. Bisect for it.
        var low = current.UtcTicks;
        var high = now.UtcTicks + 1;
        while (high - low > 1)
        {
            var middle = low + ((high - low) / 2);
            if (AtOrAfter(trigger, new DateTimeOffset(middle, TimeSpan.Zero), ref failure) is { } found && found <= now)
            {
                low = found.UtcTicks;
            }
            else
            {
                high = middle;
            }
        }

        return AtOrAfter(trigger, new DateTimeOffset(low, TimeSpan.Zero), ref failure) ?? current;
    }

    /// <summary>The trigger's first fire time after <paramref name="time"/>; null, with the failure kept, when the trigger fails to find one.</summary>
    private static DateTimeOffset? After(Trigger trigger, DateTimeOffset time, ref InvalidOperationException? failure)
    {
        try
        {
            return trigger.GetFireTimeAfter(time);
        }
        catch (InvalidOperationException error)
        {
            failure ??= error;
            return null;
        }
    }

    /// <summary>The trigger's first fire time at or after <paramref name="time"/>; null, with the failure kept, when the trigger fails to find one.</summary>
    private static DateTimeOffset? AtOrAfter(Trigger trigger, DateTimeOffset time, ref InvalidOperationException? failure)
    {
        try
        {
            return trigger.GetFireTimeAtOrAfter(time);
        }
        catch (InvalidOperationException error)
        {
            failure ??= error;
            return null;
        }
    }

    private static void PlanAll(Trigger trigger, DateTimeOffset firstFire, DateTimeOffset firstRun, JobOptions options, DateTimeOffset now, ref DuePlan plan)
    {
        DateTimeOffset? fire = firstFire;
        if (!options.IsOnTime(firstRun, now))
        {
            // The late fire times are reported once, as one missed run, and skipped in one step.
            plan.MissedTime = firstRun;
            var windowStart = now - options.MisfireGraceTime!.Value;
            fire = AtOrAfter(trigger, windowStart > firstFire ? windowStart : firstFire.AddTicks(1), ref plan.NextFailure);
        }

        var runs = new List<DateTimeOffset>();
        while (fire is { } f && f <= now && runs.Count < MaxRunsPerPass)
        {
            runs.Add(f == firstFire ? firstRun : f);
            fire = After(trigger, f, ref plan.NextFailure);
        }

        plan.RunTimes = runs;
        plan.NextFireTime = fire;
    }
}
