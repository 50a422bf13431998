using Scheduler.Events;
using Scheduler.Executors;
using Scheduler.Invocations;
using Scheduler.Tests.Support;
using Scheduler.Triggers;

namespace Scheduler.Tests.Executors;

/// <summary>The base of custom executors: its workers survive an executor whose run throws or fails.</summary>
public sealed class QueuedJobExecutorTests
{
    private static readonly DateTimeOffset T0 = TestScheduler.Epoch;

    [Fact]
    public async Task A_worker_lives_on_when_a_run_throws_or_returns_a_failed_task_and_runs_the_next_run()
    {
        // The documented contract: an exception that escapes is swallowed to keep the worker alive, and
        // that run never ends. With one worker, the third run shows the worker survived both.
        await using var test = new TestScheduler();
        var executor = new FaultyExecutor();
        test.Scheduler.AddExecutor("faulty", executor);
        string[] ids = ["throws", "fails", "runs"];
        for (var i = 0; i < ids.Length; i++)
        {
            test.Scheduler.AddJob(new DateTrigger(T0.AddMinutes(i + 1)), new DelegateInvocation((Action)(() => { })), ids[i], executor: "faulty");
        }

        test.Scheduler.Start();
        test.Time.Advance(TimeSpan.FromMinutes(3));
        await test.WaitFor(SchedulerEventType.JobExecuted, "runs");

        Assert.Equal(ids, executor.Taken);
        Assert.Empty(test.EventsOf(SchedulerEventType.JobStarted, "throws"));
        Assert.Empty(test.EventsOf(SchedulerEventType.JobStarted, "fails"));
    }

    private sealed class FaultyExecutor() : QueuedJobExecutor(maxWorkers: 1, flowExecutionContext: false)
    {
        private readonly List<string> taken = [];

        public IReadOnlyList<string> Taken
        {
            get
            {
                lock (taken)
                {
                    return [.. taken];
                }
            }
        }

        public override bool CanRun(InvocationKind kind) => true;

        protected override Task RunAsync(JobExecution execution)
        {
            lock (taken)
            {
                taken.Add(execution.Job.Id);
            }

            switch (execution.Job.Id)
            {
                case "throws":
                    throw new InvalidOperationException("The executor failed before the run began.");
                case "fails":
                    return Task.FromException(new InvalidOperationException("The executor failed after the call returned."));
                default:
                    if (execution.Begin())
                    {
                        execution.End(null, null);
                    }

                    return Task.CompletedTask;
            }
        }
    }
}
