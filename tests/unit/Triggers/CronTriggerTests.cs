using Scheduler.Triggers;
using static Scheduler.Tests.Triggers.CronFacts;

namespace Scheduler.Tests.Triggers;

/// <summary>The cron dialect, one fact per row: expression, from (inclusive), the next fire times.</summary>
public sealed class CronTriggerTests
{
    [Theory]
    // Five fields: minute hour day-of-month month day-of-week.
    [InlineData("0 9 * * *", "2024-01-01T00:00:00Z", "2024-01-01T09:00:00Z 2024-01-02T09:00:00Z 2024-01-03T09:00:00Z")]
    [InlineData("0 9 * * *", "2024-01-01T09:00:00Z", "2024-01-01T09:00:00Z 2024-01-02T09:00:00Z")]
    [InlineData("0 9 * * *", "2024-01-01T09:00:00.0000001Z", "2024-01-02T09:00:00Z")]
    [InlineData("* * * * *", "2024-01-01T00:00:30Z", "2024-01-01T00:01:00Z 2024-01-01T00:02:00Z 2024-01-01T00:03:00Z")]
    [InlineData("59 23 31 12 *", "2024-06-01T00:00:00Z", "2024-12-31T23:59:00Z 2025-12-31T23:59:00Z")]
    // Six fields: second first.
    [InlineData("*/20 * * * * *", "2024-01-01T00:00:50Z", "2024-01-01T00:01:00Z 2024-01-01T00:01:20Z 2024-01-01T00:01:40Z")]
    [InlineData("30 */2 * * * *", "2024-01-01T00:00:31Z", "2024-01-01T00:02:30Z 2024-01-01T00:04:30Z")]
    [InlineData("15,45 30 9 * * *", "2024-01-01T09:30:20Z", "2024-01-01T09:30:45Z 2024-01-02T09:30:15Z 2024-01-02T09:30:45Z")]
    [InlineData("0 0 0 * * *", "2024-01-01T00:00:00.5Z", "2024-01-02T00:00:00Z")]
    // Names, any case; weekday 0 and 7 are Sunday.
    [InlineData("0 0 1 jan,Jul *", "2024-01-01T00:00:01Z", "2024-07-01T00:00:00Z 2025-01-01T00:00:00Z 2025-07-01T00:00:00Z")]
    [InlineData("0 0 * * 7", "2024-01-01T00:00:00Z", "2024-01-07T00:00:00Z 2024-01-14T00:00:00Z")]
    [InlineData("0 0 * * 0", "2024-01-01T00:00:00Z", "2024-01-07T00:00:00Z 2024-01-14T00:00:00Z")]
    [InlineData("0 0 * * sun", "2024-01-01T00:00:00Z", "2024-01-07T00:00:00Z 2024-01-14T00:00:00Z")]
    [InlineData("0 0 * * Mon-Wed", "2024-01-04T00:00:00Z", "2024-01-08T00:00:00Z 2024-01-09T00:00:00Z 2024-01-10T00:00:00Z 2024-01-15T00:00:00Z")]
    // Wrap-around ranges.
    [InlineData("0 0 * * FRI-MON", "2024-01-03T00:00:00Z", "2024-01-05T00:00:00Z 2024-01-06T00:00:00Z 2024-01-07T00:00:00Z 2024-01-08T00:00:00Z 2024-01-12T00:00:00Z")]
    [InlineData("0 0 * * 5-1", "2024-01-03T00:00:00Z", "2024-01-05T00:00:00Z 2024-01-06T00:00:00Z 2024-01-07T00:00:00Z 2024-01-08T00:00:00Z 2024-01-12T00:00:00Z")]
    [InlineData("0 0 * * 5-7", "2024-01-03T00:00:00Z", "2024-01-05T00:00:00Z 2024-01-06T00:00:00Z 2024-01-07T00:00:00Z 2024-01-12T00:00:00Z")]
    [InlineData("0 22-2 * * *", "2024-01-01T03:00:00Z", "2024-01-01T22:00:00Z 2024-01-01T23:00:00Z 2024-01-02T00:00:00Z 2024-01-02T01:00:00Z 2024-01-02T02:00:00Z 2024-01-02T22:00:00Z")]
    [InlineData("0 0 1 NOV-FEB *", "2024-03-01T00:00:00Z", "2024-11-01T00:00:00Z 2024-12-01T00:00:00Z 2025-01-01T00:00:00Z 2025-02-01T00:00:00Z 2025-11-01T00:00:00Z")]
    [InlineData("0 0 30-2 * *", "2024-02-01T00:00:01Z", "2024-02-02T00:00:00Z 2024-03-01T00:00:00Z 2024-03-02T00:00:00Z 2024-03-30T00:00:00Z 2024-03-31T00:00:00Z")]
    [InlineData("0 23-2/2 * * *", "2024-01-01T12:00:00Z", "2024-01-01T23:00:00Z 2024-01-02T01:00:00Z 2024-01-02T23:00:00Z")]
    // Steps and lists.
    [InlineData("*/15 * * * *", "2024-01-01T00:01:00Z", "2024-01-01T00:15:00Z 2024-01-01T00:30:00Z 2024-01-01T00:45:00Z 2024-01-01T01:00:00Z")]
    [InlineData("10-40/10 * * * *", "2024-01-01T00:00:00Z", "2024-01-01T00:10:00Z 2024-01-01T00:20:00Z 2024-01-01T00:30:00Z 2024-01-01T00:40:00Z 2024-01-01T01:10:00Z")]
    [InlineData("5/10 * * * *", "2024-01-01T00:00:00Z", "2024-01-01T00:05:00Z 2024-01-01T00:15:00Z 2024-01-01T00:25:00Z 2024-01-01T00:35:00Z 2024-01-01T00:45:00Z 2024-01-01T00:55:00Z 2024-01-01T01:05:00Z")]
    [InlineData("0,30 8,12 * * *", "2024-01-01T00:00:00Z", "2024-01-01T08:00:00Z 2024-01-01T08:30:00Z 2024-01-01T12:00:00Z 2024-01-01T12:30:00Z 2024-01-02T08:00:00Z")]
    [InlineData("*/25,7 0 * * *", "2024-01-01T00:00:00Z", "2024-01-01T00:00:00Z 2024-01-01T00:07:00Z 2024-01-01T00:25:00Z 2024-01-01T00:50:00Z 2024-01-02T00:00:00Z")]
    [InlineData("0 0 * * 1/2", "2024-01-01T00:00:00Z", "2024-01-01T00:00:00Z 2024-01-03T00:00:00Z 2024-01-05T00:00:00Z 2024-01-07T00:00:00Z 2024-01-08T00:00:00Z")]
    [InlineData("0 0 */10 * *", "2024-01-02T00:00:00Z", "2024-01-11T00:00:00Z 2024-01-21T00:00:00Z 2024-01-31T00:00:00Z 2024-02-01T00:00:00Z")]
    // Macros.
    [InlineData("@yearly", "2024-03-01T00:00:00Z", "2025-01-01T00:00:00Z 2026-01-01T00:00:00Z")]
    [InlineData("@annually", "2024-03-01T00:00:00Z", "2025-01-01T00:00:00Z 2026-01-01T00:00:00Z")]
    [InlineData("@monthly", "2024-01-15T00:00:00Z", "2024-02-01T00:00:00Z 2024-03-01T00:00:00Z")]
    [InlineData("@weekly", "2024-01-01T00:00:01Z", "2024-01-07T00:00:00Z 2024-01-14T00:00:00Z")]
    [InlineData("@daily", "2024-01-01T00:00:01Z", "2024-01-02T00:00:00Z 2024-01-03T00:00:00Z")]
    [InlineData("@midnight", "2024-01-01T00:00:01Z", "2024-01-02T00:00:00Z 2024-01-03T00:00:00Z")]
    [InlineData("@hourly", "2024-01-01T00:30:00Z", "2024-01-01T01:00:00Z 2024-01-01T02:00:00Z")]
    [InlineData("  @DAILY ", "2024-01-01T00:00:01Z", "2024-01-02T00:00:00Z")]
    // '?' is '*' in the day fields.
    [InlineData("0 0 13 * ?", "2024-01-01T00:00:00Z", "2024-01-13T00:00:00Z 2024-02-13T00:00:00Z")]
    [InlineData("0 0 ? * FRI", "2024-01-01T00:00:00Z", "2024-01-05T00:00:00Z 2024-01-12T00:00:00Z")]
    // Last day of the month, n days before it, in leap and common years.
    [InlineData("0 0 L * *", "2024-01-15T00:00:00Z", "2024-01-31T00:00:00Z 2024-02-29T00:00:00Z 2024-03-31T00:00:00Z 2024-04-30T00:00:00Z")]
    [InlineData("0 0 L 2 *", "2023-01-01T00:00:00Z", "2023-02-28T00:00:00Z 2024-02-29T00:00:00Z 2025-02-28T00:00:00Z")]
    [InlineData("0 0 l * *", "2023-02-01T00:00:00Z", "2023-02-28T00:00:00Z 2023-03-31T00:00:00Z")]
    [InlineData("0 0 L-2 * *", "2024-01-01T00:00:00Z", "2024-01-29T00:00:00Z 2024-02-27T00:00:00Z 2024-03-29T00:00:00Z 2024-04-28T00:00:00Z")]
    [InlineData("0 0 L-2 2 *", "2023-01-01T00:00:00Z", "2023-02-26T00:00:00Z 2024-02-27T00:00:00Z")]
    [InlineData("0 0 L-30 * *", "2024-01-01T00:00:00Z", "2024-01-01T00:00:00Z 2024-03-01T00:00:00Z 2024-05-01T00:00:00Z")]
    [InlineData("0 0 1,L * *", "2024-01-02T00:00:00Z", "2024-01-31T00:00:00Z 2024-02-01T00:00:00Z 2024-02-29T00:00:00Z 2024-03-01T00:00:00Z")]
    // Last and nth weekday of the month.
    [InlineData("0 0 * * 5L", "2024-01-01T00:00:00Z", "2024-01-26T00:00:00Z 2024-02-23T00:00:00Z 2024-03-29T00:00:00Z")]
    [InlineData("0 0 * * FRIL", "2024-01-01T00:00:00Z", "2024-01-26T00:00:00Z 2024-02-23T00:00:00Z 2024-03-29T00:00:00Z")]
    [InlineData("0 0 * * friL", "2024-01-01T00:00:00Z", "2024-01-26T00:00:00Z 2024-02-23T00:00:00Z")]
    [InlineData("0 0 * * 7L", "2024-01-01T00:00:00Z", "2024-01-28T00:00:00Z 2024-02-25T00:00:00Z")]
    [InlineData("0 0 * * FRI#3", "2024-01-01T00:00:00Z", "2024-01-19T00:00:00Z 2024-02-16T00:00:00Z 2024-03-15T00:00:00Z")]
    [InlineData("0 0 * * 5#3", "2024-01-01T00:00:00Z", "2024-01-19T00:00:00Z 2024-02-16T00:00:00Z 2024-03-15T00:00:00Z")]
    [InlineData("0 0 * * MON#5", "2024-01-01T00:00:00Z", "2024-01-29T00:00:00Z 2024-04-29T00:00:00Z 2024-07-29T00:00:00Z 2024-09-30T00:00:00Z 2024-12-30T00:00:00Z")]
    [InlineData("0 0 * * MON#1,FRI#3", "2024-01-01T00:00:00Z", "2024-01-01T00:00:00Z 2024-01-19T00:00:00Z 2024-02-05T00:00:00Z 2024-02-16T00:00:00Z")]
    [InlineData("0 0 * 2 THU#5", "2024-01-01T00:00:00Z", "2024-02-29T00:00:00Z 2052-02-29T00:00:00Z")]
    // Month ends and leap years.
    [InlineData("0 0 31 * *", "2024-01-01T00:00:00Z", "2024-01-31T00:00:00Z 2024-03-31T00:00:00Z 2024-05-31T00:00:00Z 2024-07-31T00:00:00Z 2024-08-31T00:00:00Z")]
    [InlineData("0 0 30 * *", "2024-01-31T00:00:00Z", "2024-03-30T00:00:00Z 2024-04-30T00:00:00Z")]
    [InlineData("0 0 29 2 *", "2023-03-01T00:00:00Z", "2024-02-29T00:00:00Z 2028-02-29T00:00:00Z 2032-02-29T00:00:00Z")]
    [InlineData("0 0 29 2 *", "2097-01-01T00:00:00Z", "2104-02-29T00:00:00Z")]
    // POSIX: when both day fields are restricted, either may match.
    [InlineData("0 0 13 * FRI", "2024-01-01T00:00:00Z", "2024-01-05T00:00:00Z 2024-01-12T00:00:00Z 2024-01-13T00:00:00Z 2024-01-19T00:00:00Z 2024-01-26T00:00:00Z 2024-02-02T00:00:00Z")]
    [InlineData("0 0 L * MON", "2024-01-25T00:00:00Z", "2024-01-29T00:00:00Z 2024-01-31T00:00:00Z 2024-02-05T00:00:00Z 2024-02-12T00:00:00Z 2024-02-19T00:00:00Z 2024-02-26T00:00:00Z 2024-02-29T00:00:00Z")]
    [InlineData("0 0 1 * FRI#3", "2024-01-01T00:00:00Z", "2024-01-01T00:00:00Z 2024-01-19T00:00:00Z 2024-02-01T00:00:00Z 2024-02-16T00:00:00Z")]
    [InlineData("0 0 30 2 MON", "2024-01-01T00:00:00Z", "2024-02-05T00:00:00Z 2024-02-12T00:00:00Z 2024-02-19T00:00:00Z 2024-02-26T00:00:00Z 2025-02-03T00:00:00Z")]
    [InlineData("0 0 */2 * MON", "2024-01-01T00:00:00Z", "2024-01-01T00:00:00Z 2024-01-03T00:00:00Z 2024-01-05T00:00:00Z 2024-01-07T00:00:00Z 2024-01-08T00:00:00Z 2024-01-09T00:00:00Z")]
    // Only the restricted day field counts.
    [InlineData("0 0 13 * *", "2024-01-01T00:00:00Z", "2024-01-13T00:00:00Z 2024-02-13T00:00:00Z")]
    [InlineData("0 0 * * FRI", "2024-01-01T00:00:00Z", "2024-01-05T00:00:00Z 2024-01-12T00:00:00Z")]
    // Seven fields: year last.
    [InlineData("0 0 12 1 1 * 2025,2027", "2024-01-01T00:00:00Z", "2025-01-01T12:00:00Z 2027-01-01T12:00:00Z end")]
    [InlineData("0 0 0 1 1 * 2020", "2024-01-01T00:00:00Z", "end")]
    [InlineData("0 0 0 1 1 * 2024/2", "2024-01-01T00:00:00Z", "2024-01-01T00:00:00Z 2026-01-01T00:00:00Z 2028-01-01T00:00:00Z")]
    [InlineData("0 0 0 29 2 * 2025-2030", "2024-01-01T00:00:00Z", "2028-02-29T00:00:00Z end")]
    [InlineData("0 0 0 * * FRI#3 2026", "2024-01-01T00:00:00Z", "2026-01-16T00:00:00Z 2026-02-20T00:00:00Z")]
    [InlineData("0 0 0 1 1 * 2099", "2098-06-01T00:00:00Z", "2099-01-01T00:00:00Z end")]
    [InlineData("0 30 9 * * * *", "2024-01-01T00:00:00Z", "2024-01-01T09:30:00Z 2024-01-02T09:30:00Z")]
    [InlineData("0 0 0 1 1 ? 1970-1971", "1969-12-31T00:00:00Z", "1970-01-01T00:00:00Z 1971-01-01T00:00:00Z end")]
    public void Fires_by_the_dialect(string expression, string from, string expected)
    {
        AssertFires(expression, "UTC", from, expected);
    }

    [Theory]
    [InlineData("0 9 * * *", "Europe/Berlin", "2024-01-01T00:00:00Z", "2024-01-01T09:00:00+01:00 2024-01-02T09:00:00+01:00")]
    [InlineData("0 9 * * *", "Europe/Berlin", "2024-07-01T00:00:00Z", "2024-07-01T09:00:00+02:00")]
    [InlineData("0 9 * * *", "W. Europe Standard Time", "2024-07-01T00:00:00Z", "2024-07-01T09:00:00+02:00")]
    [InlineData("0 9 * * *", "America/New_York", "2024-01-01T15:00:00Z", "2024-01-02T09:00:00-05:00")]
    [InlineData("0 0 L * *", "Pacific/Chatham", "2024-01-30T10:00:00Z", "2024-01-31T00:00:00+13:45 2024-02-29T00:00:00+13:45")]
    [InlineData("*/5 9-17 * * MON-FRI", "Europe/Berlin", "2024-05-10T15:52:00Z", "2024-05-10T17:55:00+02:00 2024-05-13T09:00:00+02:00 2024-05-13T09:05:00+02:00")]
    public void Fires_on_the_wall_clock_of_its_zone(string expression, string zone, string from, string expected)
    {
        AssertFires(expression, zone, from, expected);
    }

    [Fact]
    public void Start_and_end_bound_the_fire_times()
    {
        var trigger = new CronTrigger(
            "0 9 * * *",
            TimeZoneInfo.Utc,
            start: Instant("2024-01-05T00:00:00Z"),
            end: Instant("2024-01-07T09:00:00Z"));

        AssertFires(trigger, "2024-01-01T00:00:00Z", "2024-01-05T09:00:00Z 2024-01-06T09:00:00Z 2024-01-07T09:00:00Z end");
    }

    [Fact]
    public void A_trigger_past_its_last_year_says_so_instead_of_looping()
    {
        var trigger = new CronTrigger("0 0 0 1 1 * 2030", TimeZoneInfo.Utc);

        Assert.Null(trigger.GetFireTimeAfter(Instant("2030-01-01T00:00:00Z")));
        Assert.Null(trigger.GetFireTimeAtOrAfter(DateTimeOffset.MaxValue));
    }

    [Fact]
    public void The_last_fire_time_of_the_calendar_is_found_and_nothing_after_it()
    {
        var trigger = new CronTrigger("59 59 23 31 12 *", TimeZoneInfo.Utc);

        AssertFires(trigger, "9999-12-31T00:00:00Z", "9999-12-31T23:59:59Z end");
    }

    [Fact]
    public void The_ends_of_the_calendar_are_answered_in_any_zone()
    {
        var berlin = new CronTrigger("0 9 * * *", TimeZones.Resolve("Europe/Berlin"));
        var newYork = new CronTrigger("0 9 * * *", TimeZones.Resolve("America/New_York"));

        Assert.Null(berlin.GetFireTimeAtOrAfter(DateTimeOffset.MaxValue));
        Assert.Null(newYork.GetFireTimeAfter(new DateTimeOffset(9999, 12, 31, 20, 0, 0, TimeSpan.Zero)));
        Assert.Equal(new DateTime(1, 1, 1, 9, 0, 0), newYork.GetFireTimeAtOrAfter(DateTimeOffset.MinValue)!.Value.DateTime);
    }

    [Fact]
    public void Fire_times_after_an_instant_are_strictly_later()
    {
        var trigger = new CronTrigger("*/10 * * * * *", TimeZoneInfo.Utc);

        Assert.Equal(Instant("2024-01-01T00:00:10Z"), trigger.GetFireTimeAfter(Instant("2024-01-01T00:00:00Z")));
        Assert.Equal(Instant("2024-01-01T00:00:10Z"), trigger.GetFireTimeAfter(Instant("2024-01-01T00:00:09.9999999Z")));
    }

    [Fact]
    public void The_expression_is_kept_as_given()
    {
        Assert.Equal(" 0 9 * * mon ", new CronTrigger(" 0 9 * * mon ", TimeZoneInfo.Utc).Expression);
    }

    [Fact]
    public void A_null_expression_is_rejected()
    {
        Assert.Throws<ArgumentNullException>(() => new CronTrigger(null!));
    }

    [Fact]
    public void The_zone_defaults_to_the_local_zone()
    {
        Assert.Same(TimeZoneInfo.Local, new CronTrigger("@daily").TimeZone);
    }
}
