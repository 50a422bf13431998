using System.Globalization;
using Scheduler.Triggers;

namespace Scheduler.Tests.Triggers;

public sealed class WallClockTests
{
    [Theory]
    // Spring-forward gaps: a wall time inside the gap maps to the first instant after it.
    [InlineData("Europe/Berlin", "2024-03-31T02:30:00", "2024-03-31T03:00:00+02:00")]
    [InlineData("Europe/Berlin", "2024-03-31T02:00:00", "2024-03-31T03:00:00+02:00")]
    [InlineData("America/New_York", "2024-03-10T02:15:00", "2024-03-10T03:00:00-04:00")]
    [InlineData("Australia/Lord_Howe", "2024-10-06T02:10:00", "2024-10-06T02:30:00+11:00")]
    [InlineData("Pacific/Chatham", "2024-09-29T03:00:00", "2024-09-29T03:45:00+13:45")]
    // Fall-back overlaps: the first pass.
    [InlineData("Europe/Berlin", "2024-10-27T02:30:00", "2024-10-27T02:30:00+02:00")]
    [InlineData("America/New_York", "2024-11-03T01:30:00", "2024-11-03T01:30:00-04:00")]
    [InlineData("Australia/Lord_Howe", "2024-04-07T01:45:00", "2024-04-07T01:45:00+11:00")]
    [InlineData("Pacific/Chatham", "2024-04-07T03:00:00", "2024-04-07T03:00:00+13:45")]
    // Ordinary times.
    [InlineData("Europe/Berlin", "2024-07-01T09:00:00", "2024-07-01T09:00:00+02:00")]
    [InlineData("UTC", "2024-02-29T23:59:59", "2024-02-29T23:59:59+00:00")]
    public void First_instant_follows_the_dst_rules(string zone, string wall, string expected)
    {
        var instant = WallClock.FirstInstant(DateTime.Parse(wall, CultureInfo.InvariantCulture), TimeZones.Resolve(zone));

        Assert.Equal(DateTimeOffset.Parse(expected, CultureInfo.InvariantCulture), instant);
        Assert.Equal(DateTimeOffset.Parse(expected, CultureInfo.InvariantCulture).Offset, instant.Offset);
    }

    [Theory]
    [InlineData("Europe/Berlin", "2024-10-27T02:30:00", "2024-10-27T02:30:00+01:00")]
    [InlineData("America/New_York", "2024-11-03T01:30:00", "2024-11-03T01:30:00-05:00")]
    [InlineData("Australia/Lord_Howe", "2024-04-07T01:45:00", "2024-04-07T01:45:00+10:30")]
    [InlineData("Pacific/Chatham", "2024-04-07T03:00:00", "2024-04-07T03:00:00+12:45")]
    public void A_wall_time_in_an_overlap_has_a_second_instant(string zone, string wall, string expected)
    {
        Assert.True(WallClock.TryGetSecondInstant(DateTime.Parse(wall, CultureInfo.InvariantCulture), TimeZones.Resolve(zone), out var second));

        Assert.Equal(DateTimeOffset.Parse(expected, CultureInfo.InvariantCulture), second);
        Assert.Equal(DateTimeOffset.Parse(expected, CultureInfo.InvariantCulture).Offset, second.Offset);
    }

    [Fact]
    public void A_wall_time_that_happens_once_has_no_second_instant()
    {
        Assert.False(WallClock.TryGetSecondInstant(new DateTime(2024, 7, 1, 2, 30, 0), TimeZones.Resolve("Europe/Berlin"), out _));
    }
}
