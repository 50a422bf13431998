using System.Globalization;
using Scheduler.Triggers;

namespace Scheduler.Tests.Triggers;

public sealed class CalendarIntervalTriggerTests
{
    [Theory]
    // Months lacking the anchor's day are skipped, never moved to the month's end.
    [InlineData("P1M", "2024-01-31T09:00:00+00:00", "2024-01-31T09:00:00+00:00 2024-03-31T09:00:00+00:00 2024-05-31T09:00:00+00:00 2024-07-31T09:00:00+00:00 2024-08-31T09:00:00+00:00 2024-10-31T09:00:00+00:00")]
    [InlineData("P1M", "2023-01-30T09:00:00+00:00", "2023-01-30T09:00:00+00:00 2023-03-30T09:00:00+00:00 2023-04-30T09:00:00+00:00")]
    [InlineData("P1M", "2024-01-30T09:00:00+00:00", "2024-01-30T09:00:00+00:00 2024-03-30T09:00:00+00:00")]
    [InlineData("P3M", "2024-11-30T00:00:00+00:00", "2024-11-30T00:00:00+00:00 2025-05-30T00:00:00+00:00 2025-08-30T00:00:00+00:00")]
    // February 29 yearly fires in leap years only; 2100 is not one.
    [InlineData("P1Y", "2024-02-29T12:00:00+00:00", "2024-02-29T12:00:00+00:00 2028-02-29T12:00:00+00:00 2032-02-29T12:00:00+00:00")]
    [InlineData("P4Y", "2096-02-29T12:00:00+00:00", "2096-02-29T12:00:00+00:00 2104-02-29T12:00:00+00:00")]
    [InlineData("P1Y6M", "2016-03-31T00:00:00+00:00", "2016-03-31T00:00:00+00:00 2019-03-31T00:00:00+00:00 2022-03-31T00:00:00+00:00")]
    [InlineData("P1Y6M", "2016-03-15T00:00:00+00:00", "2016-03-15T00:00:00+00:00 2017-09-15T00:00:00+00:00 2019-03-15T00:00:00+00:00")]
    // Weeks and days never skip.
    [InlineData("P2W", "2024-02-26T08:00:00+00:00", "2024-02-26T08:00:00+00:00 2024-03-11T08:00:00+00:00 2024-03-25T08:00:00+00:00")]
    [InlineData("P3D", "2024-02-27T08:00:00+00:00", "2024-02-27T08:00:00+00:00 2024-03-01T08:00:00+00:00 2024-03-04T08:00:00+00:00")]
    // The k-th fire is k months and then k days after the anchor; skipped months still count.
    [InlineData("P1M1D", "2024-01-31T06:00:00+00:00", "2024-01-31T06:00:00+00:00 2024-04-02T06:00:00+00:00 2024-06-04T06:00:00+00:00")]
    public void Keeps_the_day_of_month_and_skips_months_without_it(string period, string start, string expected)
    {
        var trigger = Create(period, start: Parse(start), zone: TimeZoneInfo.Utc);

        Assert.Equal(Times(expected), Format(trigger.GetFireTimes(Parse(start), Times(expected).Length)));
    }

    [Theory]
    // America/New_York: spring forward 2024-03-10 02:00 -> 03:00, fall back 2024-11-03 02:00 -> 01:00.
    [InlineData("America/New_York", "2024-03-09", "02:30", "2024-03-09T02:30:00-05:00 2024-03-10T03:00:00-04:00 2024-03-11T02:30:00-04:00")]
    [InlineData("America/New_York", "2024-11-02", "01:30", "2024-11-02T01:30:00-04:00 2024-11-03T01:30:00-04:00 2024-11-04T01:30:00-05:00")]
    // Europe/Berlin: spring forward 2024-03-31 02:00 -> 03:00, fall back 2024-10-27 03:00 -> 02:00.
    [InlineData("Europe/Berlin", "2024-03-30", "02:30", "2024-03-30T02:30:00+01:00 2024-03-31T03:00:00+02:00 2024-04-01T02:30:00+02:00")]
    [InlineData("Europe/Berlin", "2024-10-26", "02:30", "2024-10-26T02:30:00+02:00 2024-10-27T02:30:00+02:00 2024-10-28T02:30:00+01:00")]
    // Australia/Lord_Howe shifts by half an hour: 2024-10-06 02:00 -> 02:30, 2024-04-07 02:00 -> 01:30.
    [InlineData("Australia/Lord_Howe", "2024-10-05", "02:10", "2024-10-05T02:10:00+10:30 2024-10-06T02:30:00+11:00 2024-10-07T02:10:00+11:00")]
    [InlineData("Australia/Lord_Howe", "2024-04-06", "01:45", "2024-04-06T01:45:00+11:00 2024-04-07T01:45:00+11:00 2024-04-08T01:45:00+10:30")]
    // Pacific/Chatham, at +12:45/+13:45: 2024-09-29 02:45 -> 03:45, 2024-04-07 03:45 -> 02:45.
    [InlineData("Pacific/Chatham", "2024-09-28", "03:00", "2024-09-28T03:00:00+12:45 2024-09-29T03:45:00+13:45 2024-09-30T03:00:00+13:45")]
    [InlineData("Pacific/Chatham", "2024-04-06", "03:00", "2024-04-06T03:00:00+13:45 2024-04-07T03:00:00+13:45 2024-04-08T03:00:00+12:45")]
    public void Keeps_the_wall_clock_time_across_dst(string zoneId, string startDate, string timeOfDay, string expected)
    {
        var zone = TimeZones.Resolve(zoneId);
        var start = TriggerText.ParseDateTime(startDate, zone);
        var trigger = new CalendarIntervalTrigger(days: 1, timeOfDay: TriggerText.ParseTimeOfDay(timeOfDay), start: start, timeZone: zone);

        Assert.Equal(Times(expected), Format(trigger.GetFireTimes(start, 3)));
    }

    [Theory]
    [InlineData("Europe/Berlin", "2024-01-15T09:00:00+01:00 2024-02-15T09:00:00+01:00 2024-03-15T09:00:00+01:00 2024-04-15T09:00:00+02:00")]
    [InlineData("America/New_York", "2024-01-15T09:00:00-05:00 2024-02-15T09:00:00-05:00 2024-03-15T09:00:00-04:00 2024-04-15T09:00:00-04:00")]
    public void A_monthly_trigger_keeps_the_time_of_day_in_summer_and_winter(string zoneId, string expected)
    {
        var zone = TimeZones.Resolve(zoneId);
        var start = TriggerText.ParseDateTime("2024-01-15", zone);
        var trigger = new CalendarIntervalTrigger(months: 1, timeOfDay: TimeSpan.FromHours(9), start: start, timeZone: zone);

        Assert.Equal(Times(expected), Format(trigger.GetFireTimes(start, 4)));
    }

    [Theory]
    [InlineData("2024-03-31T09:00:00+00:00", "2024-03-31T09:00:00+00:00")]
    [InlineData("2024-03-31T09:00:00.0000001+00:00", "2024-05-31T09:00:00+00:00")]
    [InlineData("2024-04-15T00:00:00+00:00", "2024-05-31T09:00:00+00:00")]
    [InlineData("2023-01-01T00:00:00+00:00", "2024-01-31T09:00:00+00:00")]
    public void The_fire_time_at_or_after_an_instant_is_inclusive(string instant, string expected)
    {
        var trigger = Create("P1M", start: Parse("2024-01-31T09:00:00+00:00"), zone: TimeZoneInfo.Utc);

        Assert.Equal(expected, Format(trigger.GetFireTimeAtOrAfter(Parse(instant))));
    }

    [Fact]
    public void The_time_of_day_defaults_to_the_wall_clock_time_of_the_start()
    {
        var berlin = TimeZones.Resolve("Europe/Berlin");
        var start = Parse("2024-03-01T07:15:00+01:00");
        var trigger = new CalendarIntervalTrigger(months: 1, start: start, timeZone: berlin);

        Assert.Equal(
            ["2024-03-01T07:15:00+01:00", "2024-04-01T07:15:00+02:00"],
            Format(trigger.GetFireTimes(start, 2)));
    }

    [Fact]
    public void A_time_of_day_before_the_start_time_moves_the_first_fire_one_period_on()
    {
        var trigger = new CalendarIntervalTrigger(weeks: 1, timeOfDay: TimeSpan.FromHours(9), start: Parse("2024-05-01T10:00:00+00:00"), timeZone: TimeZoneInfo.Utc);

        Assert.Equal(["2024-05-08T09:00:00+00:00"], Format(trigger.GetFireTimes(Parse("2024-01-01T00:00:00+00:00"), 1)));
    }

    [Theory]
    [InlineData("09:00", "2024-05-11T09:00:00+00:00 2024-05-12T09:00:00+00:00")]
    [InlineData("11:00", "2024-05-10T11:00:00+00:00 2024-05-11T11:00:00+00:00")]
    [InlineData(null, "2024-05-10T10:00:00+00:00 2024-05-11T10:00:00+00:00")]
    public void Without_a_start_the_trigger_is_anchored_on_the_date_it_is_added(string? timeOfDay, string expected)
    {
        var now = Parse("2024-05-10T10:00:00+00:00");
        var trigger = new CalendarIntervalTrigger(days: 1, timeOfDay: timeOfDay is null ? null : TriggerText.ParseTimeOfDay(timeOfDay), timeZone: TimeZoneInfo.Utc);

        var anchored = trigger.AnchoredAt(now);

        Assert.Equal(now, anchored.Start);
        Assert.Equal(Times(expected), Format(trigger.GetFireTimes(now, 2)));
        Assert.Equal(Times(expected), Format(anchored.GetFireTimes(now.AddDays(-30), 2)));
    }

    [Fact]
    public void A_monthly_anchor_without_a_start_keeps_the_day_of_the_date_it_is_added()
    {
        var trigger = new CalendarIntervalTrigger(months: 1, timeOfDay: TimeSpan.FromHours(8), timeZone: TimeZoneInfo.Utc)
            .AnchoredAt(Parse("2024-01-31T06:00:00+00:00"));

        Assert.Equal(
            ["2024-01-31T08:00:00+00:00", "2024-03-31T08:00:00+00:00"],
            Format(trigger.GetFireTimes(Parse("2024-01-31T06:00:00+00:00"), 2)));
    }

    [Fact]
    public void The_end_is_inclusive_and_ends_the_trigger()
    {
        var start = Parse("2024-01-01T09:00:00+00:00");
        var trigger = new CalendarIntervalTrigger(months: 1, start: start, end: Parse("2024-03-01T09:00:00+00:00"), timeZone: TimeZoneInfo.Utc);

        Assert.Equal(
            ["2024-01-01T09:00:00+00:00", "2024-02-01T09:00:00+00:00", "2024-03-01T09:00:00+00:00"],
            Format(trigger.GetFireTimes(start, 10)));
    }

    [Theory]
    [InlineData("2500-06-15T12:00:00+00:00", "2500-06-16T09:00:00+02:00")]
    [InlineData("9999-12-20T00:00:00+00:00", "9999-12-20T09:00:00+01:00")]
    [InlineData("9999-12-31T00:00:00+00:00", null)]
    public void Far_future_lookups_are_exact_and_end_with_the_calendar(string instant, string? expected)
    {
        var berlin = TimeZones.Resolve("Europe/Berlin");
        var trigger = new CalendarIntervalTrigger(days: 1, timeOfDay: TimeSpan.FromHours(9), start: Parse("2000-01-01T00:00:00+01:00"), timeZone: berlin);

        Assert.Equal(expected, trigger.GetFireTimeAtOrAfter(Parse(instant)) is { } next ? Format(next) : null);
    }

    [Theory]
    [InlineData("P1M", "Europe/Berlin", "2016-01-31T02:30:00")]
    [InlineData("P1Y", "America/New_York", "2024-02-29T02:30:00")]
    [InlineData("P1Y6M", "Pacific/Chatham", "2016-03-31T03:00:00")]
    [InlineData("P2M10D", "Australia/Lord_Howe", "2015-12-31T02:15:00")]
    [InlineData("P5D", "Europe/Berlin", "2017-03-26T02:30:00")]
    [InlineData("P1W", "America/New_York", "2016-11-06T01:30:00")]
    public void Lookups_from_any_instant_agree_with_stepping_from_the_anchor(string period, string zoneId, string anchorWall)
    {
        var zone = TimeZones.Resolve(zoneId);
        var anchor = DateTime.Parse(anchorWall, CultureInfo.InvariantCulture);
        var parsed = TriggerText.ParsePeriod(period);
        var start = WallClock.FirstInstant(anchor.Date, zone);
        var trigger = new CalendarIntervalTrigger(parsed.Years, parsed.Months, parsed.Weeks, parsed.Days, anchor.TimeOfDay, start, timeZone: zone);
        var expected = SteppedFireTimes(parsed, anchor, zone, 150);
        var random = new Random(period.Length + zoneId.Length);

        for (var i = 0; i < 300; i++)
        {
            var instant = start.AddTicks((long)(random.NextDouble() * (expected[^1] - start).Ticks));
            var next = expected.First(t => t >= instant);

            Assert.Equal(next, trigger.GetFireTimeAtOrAfter(instant));
        }

        Assert.Equal(expected, trigger.GetFireTimes(start, expected.Count));
    }

    [Theory]
    [InlineData(0, 0, 0, 0)]
    [InlineData(0, -1, 0, 0)]
    [InlineData(1, 0, 0, -3)]
    public void A_zero_or_negative_period_is_rejected(int years, int months, int weeks, int days)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new CalendarIntervalTrigger(years, months, weeks, days));

        Assert.Contains("The period must be positive", error.Message, StringComparison.Ordinal);
        Assert.Contains($"'{new CalendarPeriod(years, months, weeks, days)}'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(24 * 60)]
    public void A_time_of_day_outside_the_day_is_rejected(int minutes)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new CalendarIntervalTrigger(days: 1, timeOfDay: TimeSpan.FromMinutes(minutes)));

        Assert.Contains("time of day must lie in [00:00, 24:00)", error.Message, StringComparison.Ordinal);
    }

    private static List<DateTimeOffset> SteppedFireTimes(CalendarPeriod period, DateTime anchor, TimeZoneInfo zone, int count)
    {
        var result = new List<DateTimeOffset>();
        var months = (period.Years * 12) + period.Months;
        var days = (period.Weeks * 7) + period.Days;
        for (var k = 0; result.Count < count; k++)
        {
            var monthPart = anchor.Date.AddMonths(k * months);
            if (monthPart.Day == anchor.Day)
            {
                result.Add(WallClock.FirstInstant(monthPart.AddDays(k * days) + anchor.TimeOfDay, zone));
            }
        }

        return result;
    }

    private static CalendarIntervalTrigger Create(string period, DateTimeOffset start, TimeZoneInfo zone)
    {
        var parsed = TriggerText.ParsePeriod(period);
        return new CalendarIntervalTrigger(parsed.Years, parsed.Months, parsed.Weeks, parsed.Days, start: start, timeZone: zone);
    }

    private static DateTimeOffset Parse(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture);

    private static string[] Times(string text) => text.Split(' ');

    private static string Format(DateTimeOffset? time) => time is { } t ? TriggerText.FormatDateTime(t) : "none";

    private static string[] Format(IEnumerable<DateTimeOffset> times) => times.Select(t => TriggerText.FormatDateTime(t)).ToArray();

    [Fact]
    public void A_start_written_as_a_day_whose_clocks_skip_midnight_keeps_midnight_as_the_time_of_day()
    {
        // 2017-03-31 in Asia/Amman begins at 01:00 (00:00 +02:00 becomes 01:00 +03:00): the first run is
        // when the day begins, the others at the midnight the start names, not at 01:00.
        var trigger = Trigger.FromJson("""{"type":"calendarInterval","period":"P1D","start":"2017-03-31","timezone":"Asia/Amman"}""");

        Assert.Equal(
            ["2017-03-31T01:00:00+03:00", "2017-04-01T00:00:00+03:00", "2017-04-02T00:00:00+03:00"],
            trigger.GetFireTimes(DateTimeOffset.Parse("2017-03-30T00:00:00+02:00", CultureInfo.InvariantCulture), 3).Select(t => TriggerText.FormatFireTime(t, trigger.TimeZone)));
        Assert.Equal(TimeSpan.Zero, ((CalendarIntervalTrigger)trigger).TimeOfDay);
    }
}
