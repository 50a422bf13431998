using System.Globalization;
using Scheduler.Triggers;

namespace Scheduler.Tests.Triggers;

public sealed class IntervalTriggerTests
{
    private static readonly DateTimeOffset Anchor = new(2024, 5, 1, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("2024-04-30T00:00:00+00:00", "2024-05-01T00:00:00+00:00")]
    [InlineData("2024-05-01T00:00:00+00:00", "2024-05-01T00:00:00+00:00")]
    [InlineData("2024-05-01T00:00:00.0000001+00:00", "2024-05-01T01:30:00+00:00")]
    [InlineData("2024-05-01T01:30:00+00:00", "2024-05-01T01:30:00+00:00")]
    [InlineData("2024-05-01T02:59:59+00:00", "2024-05-01T03:00:00+00:00")]
    public void Fires_on_the_grid_anchored_at_the_start(string instant, string expected)
    {
        var trigger = new IntervalTrigger(TimeSpan.FromMinutes(90), Anchor, timeZone: TimeZoneInfo.Utc);

        Assert.Equal(DateTimeOffset.Parse(expected, CultureInfo.InvariantCulture), trigger.GetFireTimeAtOrAfter(DateTimeOffset.Parse(instant, CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void Without_a_start_the_first_fire_is_one_interval_after_the_anchor()
    {
        var trigger = new IntervalTrigger(TimeSpan.FromHours(1), timeZone: TimeZoneInfo.Utc).AnchoredAt(Anchor);

        Assert.Equal(
            [Anchor.AddHours(1), Anchor.AddHours(2), Anchor.AddHours(3)],
            trigger.GetFireTimes(Anchor, 3));
    }

    [Fact]
    public void The_end_is_inclusive_and_ends_the_trigger()
    {
        var trigger = new IntervalTrigger(TimeSpan.FromHours(1), Anchor, Anchor.AddHours(2), TimeZoneInfo.Utc);

        Assert.Equal([Anchor, Anchor.AddHours(1), Anchor.AddHours(2)], trigger.GetFireTimes(Anchor, 10));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void A_zero_or_negative_interval_is_rejected(int seconds)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new IntervalTrigger(TimeSpan.FromSeconds(seconds)));

        Assert.Contains("must be positive", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Elapsed_time_moves_the_wall_clock_across_a_dst_change()
    {
        var berlin = TimeZones.Resolve("Europe/Berlin");
        var start = new DateTimeOffset(2024, 3, 31, 0, 0, 0, TimeSpan.FromHours(1));
        var trigger = new IntervalTrigger(TimeSpan.FromHours(1), start, timeZone: berlin);

        var times = trigger.GetFireTimes(start, 4).Select(t => t.ToString("HH:mm zzz", System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(["00:00 +01:00", "01:00 +01:00", "03:00 +02:00", "04:00 +02:00"], times);
    }
}
