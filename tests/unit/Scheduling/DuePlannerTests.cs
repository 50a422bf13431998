using Scheduler.Events;
using Scheduler.Jobs;
using Scheduler.Scheduling;
using Scheduler.Tests.Support;
using Scheduler.Triggers;

namespace Scheduler.Tests.Scheduling;

public sealed class DuePlannerTests
{
    private static readonly DateTimeOffset T0 = TestScheduler.Epoch;

    [Fact]
    public void The_latest_due_fire_time_after_a_year_of_one_second_fires_is_found_in_few_steps()
    {
        var trigger = new CountingTrigger(TimeSpan.FromSeconds(1), T0);
        var now = T0.AddDays(365).AddMilliseconds(500);

        var plan = DuePlanner.Plan(trigger, T0, T0, JobOptions.Default, now);

        Assert.Equal(T0.AddDays(365), plan.RunTime);
        Assert.Equal(T0.AddDays(365).AddSeconds(1), plan.NextFireTime);
        Assert.InRange(trigger.Calls, 1, 200);
    }

    [Fact]
    public void Coalesce_all_runs_at_most_a_bounded_number_per_pass_and_leaves_the_rest_due()
    {
        var trigger = new CountingTrigger(TimeSpan.FromSeconds(1), T0);
        var options = JobOptions.Default with { Coalesce = CoalescePolicy.All };

        var plan = DuePlanner.Plan(trigger, T0, T0, options, T0.AddDays(1));

        Assert.Equal(DuePlanner.MaxRunsPerPass, plan.RunTimes!.Count);
        Assert.Equal(T0.AddSeconds(DuePlanner.MaxRunsPerPass), plan.NextFireTime);
    }

    [Fact]
    public void A_single_due_fire_time_runs_with_its_jittered_time_and_the_next_follows_the_trigger()
    {
        var trigger = new IntervalTrigger(TimeSpan.FromMinutes(1), start: T0, timeZone: TimeZoneInfo.Utc);

        var plan = DuePlanner.Plan(trigger, T0, T0.AddSeconds(20), JobOptions.Default, T0.AddSeconds(21));

        Assert.Equal(T0.AddSeconds(20), plan.RunTime);
        Assert.Equal(T0.AddMinutes(1), plan.NextFireTime);
        Assert.Null(plan.MissedTime);
    }

    [Fact]
    public void When_every_due_fire_time_is_late_one_missed_run_is_planned_and_nothing_runs()
    {
        var trigger = new IntervalTrigger(TimeSpan.FromMinutes(1), start: T0, timeZone: TimeZoneInfo.Utc);
        var options = JobOptions.Default with { Coalesce = CoalescePolicy.Earliest, MisfireGraceTime = TimeSpan.FromSeconds(10) };

        var plan = DuePlanner.Plan(trigger, T0, T0, options, T0.AddMinutes(5).AddSeconds(30));

        Assert.Null(plan.RunTime);
        Assert.Equal(T0.AddMinutes(5), plan.MissedTime);
        Assert.Equal(T0.AddMinutes(6), plan.NextFireTime);
    }

    [Fact]
    public void A_trigger_without_further_fire_times_plans_no_next_fire()
    {
        var plan = DuePlanner.Plan(new DateTrigger(T0), T0, T0, JobOptions.Default, T0);

        Assert.Equal(T0, plan.RunTime);
        Assert.Null(plan.NextFireTime);
    }

    [Fact]
    public async Task Jitter_delays_each_run_but_the_schedule_follows_the_trigger_grid()
    {
        await using var test = new TestScheduler();
        var scheduled = new List<DateTimeOffset>();
        test.AddInline(
            "jittery",
            new IntervalTrigger(TimeSpan.FromMinutes(1), start: T0.AddMinutes(1), timeZone: TimeZoneInfo.Utc, jitter: TimeSpan.FromSeconds(30)),
            context => scheduled.Add(context.ScheduledTime));
        test.Scheduler.Start();

        for (var minute = 1; minute <= 5; minute++)
        {
            var next = test.Scheduler.GetJob("jittery")!.NextRunTime!.Value;
            Assert.InRange(next, T0.AddMinutes(minute), T0.AddMinutes(minute).AddSeconds(30));
            var after = test.Scheduler.Events.LastSequence;
            test.Time.Advance(next - test.Now);
            await test.WaitFor(SchedulerEventType.JobExecuted, "jittery", after);
        }

        Assert.Equal(5, scheduled.Count);
        Assert.All(scheduled.Select((time, i) => (time, minute: i + 1)), s => Assert.InRange(s.time, T0.AddMinutes(s.minute), T0.AddMinutes(s.minute).AddSeconds(30)));
    }

    /// <summary>Fires every interval from a start, counting how often it is asked.</summary>
    private sealed class CountingTrigger(TimeSpan every, DateTimeOffset start) : Trigger(TimeZoneInfo.Utc, null, null, null)
    {
        public int Calls { get; private set; }

        private protected override DateTimeOffset? FireTimeAtOrAfterCore(DateTimeOffset instant)
        {
            Calls++;
            if (instant <= start)
            {
                return start;
            }

            var steps = (instant.UtcTicks - start.UtcTicks + every.Ticks - 1) / every.Ticks;
            return start.AddTicks(steps * every.Ticks);
        }
    }
}
