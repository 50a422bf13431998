using System.Globalization;
using Scheduler.Triggers;

namespace Scheduler.Tests.Triggers;

public sealed class CompositeTriggerTests
{
    private static readonly DateTimeOffset Midnight = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void All_fires_when_every_trigger_fires_at_the_same_instant()
    {
        var trigger = new AllTrigger([Every(2, Midnight), Every(3, Midnight)], timeZone: TimeZoneInfo.Utc);

        Assert.Equal(
            ["2024-01-01T00:00:00+00:00", "2024-01-01T06:00:00+00:00", "2024-01-01T12:00:00+00:00"],
            Format(trigger.GetFireTimes(Midnight, 3)));
    }

    [Fact]
    public void All_mixes_kinds_of_triggers()
    {
        var weekly = new CalendarIntervalTrigger(weeks: 1, timeOfDay: TimeSpan.FromHours(9), start: Midnight, timeZone: TimeZoneInfo.Utc);
        var everySixHoursFromThree = Every(6, Midnight.AddHours(3));

        var trigger = new AllTrigger([weekly, everySixHoursFromThree], timeZone: TimeZoneInfo.Utc);

        Assert.Equal(
            ["2024-01-01T09:00:00+00:00", "2024-01-08T09:00:00+00:00"],
            Format(trigger.GetFireTimes(Midnight, 2)));
    }

    [Fact]
    public void All_ends_when_one_trigger_ends()
    {
        var trigger = new AllTrigger(
            [Every(2, Midnight), new IntervalTrigger(TimeSpan.FromHours(3), Midnight, Midnight.AddHours(7), TimeZoneInfo.Utc)],
            timeZone: TimeZoneInfo.Utc);

        Assert.Equal(["2024-01-01T00:00:00+00:00", "2024-01-01T06:00:00+00:00"], Format(trigger.GetFireTimes(Midnight, 10)));
    }

    [Fact]
    public void All_fails_with_a_clear_error_when_the_triggers_never_agree()
    {
        var trigger = new AllTrigger([Every(2, Midnight), Every(2, Midnight.AddHours(1))], timeZone: TimeZoneInfo.Utc);

        var error = Assert.Throws<InvalidOperationException>(() => trigger.GetFireTimeAtOrAfter(Midnight));

        Assert.Equal(
            "The triggers of this all-trigger never agree on a fire time (checked 10000 candidates up to 2025-02-20T15:00:00+00:00).",
            error.Message);
    }

    [Fact]
    public void Listing_fire_times_looks_no_further_than_the_last_one_asked_for()
    {
        // Even hours, and (at four o'clock or on odd hours): they agree at four and never again.
        var atFourOrOddHours = new AnyTrigger([new DateTrigger(Midnight.AddHours(4), TimeZoneInfo.Utc), Every(2, Midnight.AddHours(1))], timeZone: TimeZoneInfo.Utc);
        var trigger = new AllTrigger([Every(2, Midnight), atFourOrOddHours], timeZone: TimeZoneInfo.Utc);

        Assert.Equal(["2024-01-01T04:00:00+00:00"], Format(trigger.GetFireTimes(Midnight, 1)));
        Assert.Throws<InvalidOperationException>(() => trigger.GetFireTimes(Midnight, 2).ToList());
    }

    [Fact]
    public void All_anchors_the_triggers_that_start_when_the_job_is_added()
    {
        var now = new DateTimeOffset(2024, 5, 10, 8, 0, 0, TimeSpan.Zero);
        var hourly = new IntervalTrigger(TimeSpan.FromHours(1), timeZone: TimeZoneInfo.Utc);
        var dailyAtTen = new CalendarIntervalTrigger(days: 1, timeOfDay: TimeSpan.FromHours(10), timeZone: TimeZoneInfo.Utc);

        var trigger = new AllTrigger([hourly, dailyAtTen], timeZone: TimeZoneInfo.Utc);

        Assert.Equal(["2024-05-10T10:00:00+00:00", "2024-05-11T10:00:00+00:00"], Format(trigger.GetFireTimes(now, 2)));
        var anchored = Assert.IsType<AllTrigger>(trigger.AnchoredAt(now));
        Assert.All(anchored.Triggers, child => Assert.Equal(now.AddHours(child is IntervalTrigger ? 1 : 0), child.Start));
    }

    [Fact]
    public void Any_fires_at_the_earliest_of_its_triggers_and_once_when_they_coincide()
    {
        var trigger = new AnyTrigger(
            [Every(4, Midnight), new DateTrigger(Midnight.AddHours(6), TimeZoneInfo.Utc), new DateTrigger(Midnight.AddHours(8), TimeZoneInfo.Utc)],
            timeZone: TimeZoneInfo.Utc);

        Assert.Equal(
            ["2024-01-01T00:00:00+00:00", "2024-01-01T04:00:00+00:00", "2024-01-01T06:00:00+00:00", "2024-01-01T08:00:00+00:00", "2024-01-01T12:00:00+00:00"],
            Format(trigger.GetFireTimes(Midnight, 5)));
    }

    [Fact]
    public void Any_ends_when_every_trigger_has_ended()
    {
        var trigger = new AnyTrigger([new DateTrigger(Midnight, TimeZoneInfo.Utc), new DateTrigger(Midnight.AddDays(1), TimeZoneInfo.Utc)], timeZone: TimeZoneInfo.Utc);

        Assert.Equal(["2024-01-01T00:00:00+00:00", "2024-01-02T00:00:00+00:00"], Format(trigger.GetFireTimes(Midnight, 10)));
        Assert.Null(trigger.GetFireTimeAfter(Midnight.AddDays(1)));
    }

    [Fact]
    public void The_own_start_end_and_zone_apply_on_top_of_the_triggers()
    {
        var berlin = TimeZones.Resolve("Europe/Berlin");
        var trigger = new AnyTrigger([Every(1, Midnight)], start: Midnight.AddHours(5), end: Midnight.AddHours(7), timeZone: berlin);

        Assert.Equal(
            ["2024-01-01T06:00:00+01:00", "2024-01-01T07:00:00+01:00", "2024-01-01T08:00:00+01:00"],
            Format(trigger.GetFireTimes(Midnight, 10)));
    }

    [Fact]
    public void A_composite_needs_at_least_one_trigger()
    {
        var all = Assert.Throws<ArgumentException>(() => new AllTrigger([]));
        var any = Assert.Throws<ArgumentException>(() => new AnyTrigger([]));

        Assert.StartsWith("An all-trigger needs at least one trigger.", all.Message, StringComparison.Ordinal);
        Assert.StartsWith("An any-trigger needs at least one trigger.", any.Message, StringComparison.Ordinal);
    }

    private static IntervalTrigger Every(int hours, DateTimeOffset start) => new(TimeSpan.FromHours(hours), start, timeZone: TimeZoneInfo.Utc);

    private static string[] Format(IEnumerable<DateTimeOffset> times) => times.Select(t => t.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture)).ToArray();
}
