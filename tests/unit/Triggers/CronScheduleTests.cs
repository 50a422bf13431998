using System.Globalization;
using Scheduler.Triggers;

namespace Scheduler.Tests.Triggers;

/// <summary>
/// The wall-clock search on the parsed fields, one fact per row: expression, from (inclusive), the
/// first matching wall-clock time, or "none". The zone rules are <see cref="CronDstTests"/>'s.
/// </summary>
public sealed class CronScheduleTests
{
    private const string None = "none";
    private static readonly string[] WallFormats = ["yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF"];

    [Theory]
    // At or after: a matching time is its own answer; any tick later moves on.
    [InlineData("0 9 * * *", "2024-01-01T09:00:00", "2024-01-01T09:00:00")]
    [InlineData("0 9 * * *", "2024-01-01T09:00:00.0000001", "2024-01-02T09:00:00")]
    [InlineData("*/10 * * * * *", "2024-01-01T00:00:09.9999999", "2024-01-01T00:00:10")]
    // A field that moves on resets the fields below it to their first values.
    [InlineData("15,45 30 9,17 * * *", "2024-01-01T09:30:46", "2024-01-01T17:30:15")]
    [InlineData("15,45 30 9,17 * * *", "2024-01-01T17:31:00", "2024-01-02T09:30:15")]
    [InlineData("5 10-12 * * *", "2024-01-01T10:06:00", "2024-01-01T11:05:00")]
    // Weekdays only: Friday evening to Monday morning.
    [InlineData("*/5 9-17 * * MON-FRI", "2024-03-15T17:55:01", "2024-03-18T09:00:00")]
    // Months, the last day in February, the year field.
    [InlineData("0 0 L 2 *", "2023-03-01T00:00:00", "2024-02-29T00:00:00")]
    [InlineData("0 0 29 2 *", "2097-03-01T00:00:00", "2104-02-29T00:00:00")]
    [InlineData("0 0 0 * * * 2030", "2024-05-05T00:00:00", "2030-01-01T00:00:00")]
    [InlineData("0 0 0 * * * 2030", "2030-12-31T00:00:01", None)]
    // Either day field, the nth and the last weekday.
    [InlineData("0 0 13 * FRI", "2024-09-07T00:00:00", "2024-09-13T00:00:00")]
    [InlineData("0 0 13 * FRI", "2024-09-13T00:00:01", "2024-09-20T00:00:00")]
    [InlineData("0 12 * * FRIL", "2024-03-29T12:00:01", "2024-04-26T12:00:00")]
    [InlineData("0 12 * * MON#5", "2024-01-30T00:00:00", "2024-04-29T12:00:00")]
    // The ends of the calendar: the first instant is a match, nothing follows the last second.
    [InlineData("0 0 * * *", "0001-01-01T00:00:00", "0001-01-01T00:00:00")]
    [InlineData("59 59 23 31 12 *", "9999-12-31T23:59:59", "9999-12-31T23:59:59")]
    [InlineData("59 59 23 31 12 *", "9999-12-31T23:59:59.5", None)]
    [InlineData("0 0 * * MON", "9999-12-31T00:00:01", None)]
    public void The_first_matching_wall_clock_time_at_or_after(string expression, string from, string expected)
    {
        var schedule = CronParser.Parse(expression);

        var found = schedule.TryGetNext(Wall(from), out var next);

        Assert.Equal(expected, found ? next.ToString(WallFormats[0], CultureInfo.InvariantCulture) : None);
    }

    private static DateTime Wall(string text)
        => DateTime.ParseExact(text, WallFormats, CultureInfo.InvariantCulture, DateTimeStyles.None);
}
