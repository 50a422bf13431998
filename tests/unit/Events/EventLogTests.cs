using Scheduler.Events;
using Scheduler.Jobs;

namespace Scheduler.Tests.Events;

public sealed class EventLogTests
{
    private static readonly DateTimeOffset T0 = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void The_log_keeps_only_the_latest_events_up_to_its_capacity()
    {
        var log = Filled(capacity: 3, count: 5);

        Assert.Equal([3L, 4L, 5L], log.Read().Select(e => e.Sequence));
        Assert.Equal(5, log.LastSequence);
    }

    [Fact]
    public void An_event_reads_back_every_value_it_was_given_and_null_for_the_rest()
    {
        var log = new EventLog(10);
        var error = new InvalidOperationException("boom");
        var zoned = new DateTimeOffset(2024, 3, 31, 2, 30, 0, TimeSpan.FromHours(2));
        log.Append(new SchedulerEventData(SchedulerEventType.JobError, T0)
        {
            JobId = "a",
            ScheduledTime = zoned,
            StartTime = T0,
            Duration = TimeSpan.Zero,
            Attempt = 2,
            Outcome = JobRunOutcome.Failed,
            ReturnValue = 42,
            Exception = error,
            Error = "failed",
            Message = "it failed",
        });
        log.Append(new SchedulerEventData(SchedulerEventType.JobSubmitted, T0) { JobId = "b", Message = null, Error = null });

        var (full, bare) = (log.Read()[0], log.Read()[1]);
        Assert.Equal((zoned, TimeSpan.FromHours(2)), (full.ScheduledTime, full.ScheduledTime!.Value.Offset));
        Assert.Equal((T0, TimeSpan.Zero, 2, JobRunOutcome.Failed), (full.StartTime, full.Duration, full.Attempt, full.Outcome));
        Assert.Equal((42, "failed", "it failed"), (full.ReturnValue, full.Error, full.Message));
        Assert.Same(error, full.GetException());
        Assert.Equal("b", bare.JobId);
        Assert.Equal((null, null, null, null), (bare.ScheduledTime, bare.StartTime, bare.Duration, bare.Outcome));
        Assert.Equal((null, null, null, null), (bare.ReturnValue, bare.Error, bare.Message, bare.GetException()));
    }

    [Theory]
    [InlineData(1000, 700)]
    [InlineData(1000, 2500)]
    [InlineData(100, 129)]
    [InlineData(20000, 17000)]
    public void Events_keep_their_order_and_content_while_the_log_grows_to_its_capacity(int capacity, int count)
    {
        var log = Filled(capacity, count);

        var kept = log.Read();

        var first = Math.Max(1, count - capacity + 1);
        Assert.Equal(Enumerable.Range(first, count - first + 1).Select(s => (long)s), kept.Select(e => e.Sequence));
        Assert.All(kept, e => Assert.Equal(T0.AddSeconds(e.Sequence - 1), e.Timestamp));
    }

    [Fact]
    public void Reading_from_an_offset_returns_the_events_after_it_up_to_the_maximum()
    {
        var log = Filled(capacity: 10, count: 5);

        Assert.Equal([4L, 5L], log.Read(afterSequence: 3).Select(e => e.Sequence));
        Assert.Equal([2L, 3L], log.Read(afterSequence: 1, maxCount: 2).Select(e => e.Sequence));
        Assert.Empty(log.Read(afterSequence: 5));
    }

    [Fact]
    public void A_reader_that_fell_behind_gets_the_oldest_events_still_kept()
    {
        var log = Filled(capacity: 3, count: 10);

        Assert.Equal([8L, 9L, 10L], log.Read(afterSequence: 2).Select(e => e.Sequence));
    }

    [Fact]
    public async Task A_waiting_reader_is_woken_by_the_next_event()
    {
        var log = Filled(capacity: 10, count: 2);

        var waiting = log.WaitForEventsAsync(afterSequence: 2);
        Assert.False(waiting.IsCompleted);
        log.Append(new SchedulerEventData(SchedulerEventType.JobAdded, T0));
        var events = await waiting.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal([3L], events.Select(e => e.Sequence));
    }

    [Fact]
    public async Task Waiting_returns_at_once_when_there_are_newer_events()
    {
        var log = Filled(capacity: 10, count: 4);

        var events = await log.WaitForEventsAsync(afterSequence: 1);

        Assert.Equal([2L, 3L, 4L], events.Select(e => e.Sequence));
    }

    [Fact]
    public async Task Waiting_can_be_cancelled()
    {
        var log = Filled(capacity: 10, count: 1);
        using var cancellation = new CancellationTokenSource();

        var waiting = log.WaitForEventsAsync(afterSequence: 1, cancellation.Token);
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
    }

    [Fact]
    public async Task Events_appended_from_many_threads_at_once_are_all_kept_whole_and_in_order()
    {
        const int Writers = 4;
        const int MaxEventsEach = 2_000_000;
        const int Passes = 3000;
        var log = new EventLog(1000);
        var names = Enumerable.Range(0, Writers + 1).Select(w => "writer" + w).ToArray();
        var torn = 0;
        var disordered = 0;
        var checkedEvents = 0L;
        var passes = 0;
        using var stop = new CancellationTokenSource();

        // A reader goes through the newest events while they are written: every event it gets must be
        // one event, not parts of two, and each writer's events must come in the order it wrote them
        // (an entry read before its writer filled it in would hold an older event).
        var reader = Task.Factory.StartNew(() =>
        {
            var lastOfWriter = new long[Writers + 1];
            while (!stop.IsCancellationRequested)
            {
                Array.Clear(lastOfWriter);
                foreach (var e in log.Read(afterSequence: log.LastSequence - 64))
                {
                    torn += e.JobId == names[e.Attempt] && e.ScheduledTime == e.Timestamp ? 0 : 1;
                    disordered += e.Timestamp.Ticks > lastOfWriter[e.Attempt] ? 0 : 1;
                    lastOfWriter[e.Attempt] = e.Timestamp.Ticks;
                    checkedEvents++;
                }

                if (checkedEvents > 0)
                {
                    Volatile.Write(ref passes, passes + 1);
                }
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        // The writers go on until the reader has looked often enough; all on threads of their own, so
        // none waits for another to finish.
        var written = await Task.WhenAll(Enumerable.Range(1, Writers).Select(writer => Task.Factory.StartNew(() =>
        {
            var i = 0;
            while (i < MaxEventsEach && Volatile.Read(ref passes) < Passes)
            {
                var time = T0.AddTicks(++i);
                log.Append(new SchedulerEventData(SchedulerEventType.JobExecuted, time) { Attempt = writer, JobId = names[writer], ScheduledTime = time });
            }

            return i;
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)));
        await stop.CancelAsync();
        await reader.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(checkedEvents > 0);
        Assert.Equal((0, 0), (torn, disordered));
        Assert.Equal(written.Sum(), log.LastSequence);
        Assert.Equal(Enumerable.Range(written.Sum() - 999, 1000).Select(s => (long)s), log.Read().Select(e => e.Sequence));
    }

    [Fact]
    public void A_capacity_below_one_is_rejected_naming_the_value()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new EventLog(0));

        Assert.Contains("not 0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_event_type_has_its_own_bit()
    {
        var types = Enum.GetValues<SchedulerEventType>().Where(t => t is not SchedulerEventType.None and not SchedulerEventType.All).ToList();

        Assert.All(types, t => Assert.True(((int)t & ((int)t - 1)) == 0, $"{t} is not a single bit"));
        Assert.Equal(types.Count, types.Select(t => (int)t).Distinct().Count());
        Assert.Equal(SchedulerEventType.All, types.Aggregate(SchedulerEventType.None, (all, t) => all | t));
    }

    private static EventLog Filled(int capacity, int count)
    {
        var log = new EventLog(capacity);
        for (var i = 0; i < count; i++)
        {
            log.Append(new SchedulerEventData(SchedulerEventType.JobAdded, T0.AddSeconds(i)));
        }

        return log;
    }
}
