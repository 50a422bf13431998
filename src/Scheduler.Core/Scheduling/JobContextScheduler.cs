using Scheduler.Jobs;

namespace Scheduler.Scheduling;

/// <summary>The scheduler of a running job: <c>context.Scheduler</c>.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1034:Nested types should not be visible", Justification = "A C# 14 extension block, compiled as a nested type; callers see context.Scheduler, not the type.")]
public static class JobContextScheduler
{
    extension(JobContext context)
    {
        /// <summary>The scheduler running the job.</summary>
        [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1065:Do not raise exceptions in unexpected locations", Justification = "An extension property called on a null context: the argument is what is wrong.")]
        public JobScheduler Scheduler => (JobScheduler)(context ?? throw new ArgumentNullException(nameof(context))).Owner;
    }
}
