using Scheduler.Events;
using Scheduler.Host.Output;
using Scheduler.Jobs;

namespace Scheduler.Tests.Host.Output;

public sealed class EventLineTests
{
    private static readonly DateTimeOffset At = new(2024, 5, 1, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_failed_runs_line_says_why_after_the_exit_code()
    {
        var line = EventLine.Format(Event(SchedulerEventType.JobError, "The process exited with code 1.\nCannot find path '/data' because it does not exist.\nsecond error\n"));

        Assert.EndsWith(" JobError report run=r1 outcome=Failed: The process exited with code 1. Cannot find path '/data' because it does not exist.", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Other_events_show_the_first_line_of_their_text()
    {
        var line = EventLine.Format(Event(SchedulerEventType.JobMissed, "The run was 00:05:00 late.\nmore"));

        Assert.EndsWith(" JobMissed report run=r1 outcome=Failed: The run was 00:05:00 late.", line, StringComparison.Ordinal);
    }

    private static SchedulerEvent Event(SchedulerEventType type, string error) => new(
        new SchedulerEventData(type, At) { JobId = "report", RunKey = RunKey.From("r1"), Outcome = JobRunOutcome.Failed, Error = error },
        sequence: 1);
}
