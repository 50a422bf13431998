using Scheduler.Jobs;
using Scheduler.Scheduling;
using Scheduler.Tests.Support;
using Scheduler.Triggers;

namespace Scheduler.Tests.Scheduling;

public sealed class JobContextSchedulerTests
{
    [Fact]
    public async Task A_running_job_reaches_the_scheduler_that_runs_it()
    {
        await using var test = new TestScheduler();
        var seen = new TaskCompletionSource<JobScheduler>(TaskCreationOptions.RunContinuationsAsynchronously);
        test.Scheduler.AddJob("who", new DateTrigger(TestScheduler.Epoch.AddMinutes(1)), (JobContext context) => seen.TrySetResult(context.Scheduler));
        test.Scheduler.Start();

        test.Time.Advance(TimeSpan.FromMinutes(1));

        Assert.Same(test.Scheduler, await seen.Task.Within());
    }

    [Fact]
    public void A_missing_context_is_an_argument_error()
        => Assert.Throws<ArgumentNullException>(() => JobContextScheduler.get_Scheduler(null!));
}
