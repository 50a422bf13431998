using Scheduler.Executors;
using Scheduler.Jobs;

namespace Scheduler.Scheduling;

/// <summary>
/// What to do once the scheduler's lock is released: executor calls and cancellation callbacks run
/// user code, so they are collected under the lock and carried out after it (<see cref="RunTracker.Perform"/>).
/// </summary>
internal sealed class RunWork
{
    public List<(JobExecution Execution, CancelReason Reason)> ToCancel { get; } = [];

    public List<(JobExecution Execution, JobRunOutcome Outcome, string Error)> ToEnd { get; } = [];

    public List<JobExecution> ToSubmit { get; } = [];

    public bool IsEmpty => ToCancel.Count == 0 && ToEnd.Count == 0 && ToSubmit.Count == 0;

    public void Clear()
    {
        ToCancel.Clear();
        ToEnd.Clear();
        ToSubmit.Clear();
    }
}
