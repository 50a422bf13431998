using Scheduler.Jobs;

namespace Scheduler.Scheduling;

/// <summary>The scheduler of a running job: <c>context.Scheduler</c>.</summary>
public static class JobContextScheduler
{
    extension(JobContext context)
    {
        /// <summary>The scheduler running the job.</summary>
        public JobScheduler Scheduler => (JobScheduler)(context ?? throw new ArgumentNullException(nameof(context))).Owner;
    }
}
