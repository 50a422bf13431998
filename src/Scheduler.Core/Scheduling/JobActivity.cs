using Scheduler.Executors;
using Scheduler.Jobs;

namespace Scheduler.Scheduling;

/// <summary>The runs of one job in progress in this scheduler; exists only while there are some.</summary>
internal sealed class JobActivity
{
    /// <summary>Runs holding an instance slot: submitted, running, or waiting to be retried.</summary>
    public int Running { get; set; }

    /// <summary>The executor of the job as last submitted here: whose workers <see cref="Running"/> holds.</summary>
    public string Executor { get; set; } = Job.DefaultComponentName;

    /// <summary>The one run waiting for a slot (overlap policy Queue).</summary>
    public JobExecution? Queued { get; set; }

    /// <summary>Submitted runs that have not ended and were not replaced, oldest first.</summary>
    public List<JobExecution> Active { get; } = new(1);

    public bool IsIdle => Running == 0 && Queued is null && Active.Count == 0;
}

/// <summary>What the scheduler decided for one run of a due job.</summary>
internal enum RunDecision
{
    Start,
    Queue,
    Replace,
    Skip,
    Missed,
}

/// <summary>The runs of a job in progress plus those decided earlier in the same pass, for the overlap rule.</summary>
internal struct Tentative(JobActivity? activity)
{
    public int Running = activity?.Running ?? 0;

    public bool QueueTaken = activity?.Queued is not null;
}
