namespace Scheduler.Scheduling;

/// <summary>Whether a scheduler runs jobs.</summary>
public enum SchedulerState
{
    /// <summary>Not started, or shut down. Jobs can be added; none run.</summary>
    Stopped = 0,

    /// <summary>Running due jobs.</summary>
    Running = 1,

    /// <summary>Started but running no scheduled jobs; runs that fall inside the pause are not made up.</summary>
    Paused = 2,
}
