using Scheduler.Triggers;

namespace Scheduler.Tests.Triggers;

/// <summary>What the cron dialect rejects, and that the error says where and what.</summary>
public sealed class CronParsingTests
{
    [Fact]
    public void An_unknown_name_is_reported_with_its_field()
    {
        var error = Assert.Throws<FormatException>(() => new CronTrigger("0 9 * * FRX", TimeZoneInfo.Utc));

        Assert.Equal("Invalid cron expression '0 9 * * FRX': unknown day-of-week 'FRX'.", error.Message);
    }

    [Theory]
    // Values out of range, field by field.
    [InlineData("60 * * * *", "minute", "60")]
    [InlineData("* 24 * * *", "hour", "24")]
    [InlineData("* * 0 * *", "day-of-month", "0")]
    [InlineData("* * 32 * *", "day-of-month", "32")]
    [InlineData("* * * 13 *", "month", "13")]
    [InlineData("* * * 0 *", "month", "0")]
    [InlineData("* * * * 8", "day-of-week", "8")]
    [InlineData("60 * * * * *", "second", "60")]
    [InlineData("0 0 0 1 1 * 1969", "year", "1969")]
    [InlineData("0 0 0 1 1 * 2100", "year", "2100")]
    [InlineData("1-99 * * * *", "minute", "99")]
    [InlineData("99999999999 * * * *", "minute", "99999999999")]
    // Names: three letters, in their own field only.
    [InlineData("0 0 1 JANX *", "month", "JANX")]
    [InlineData("0 0 * * MONDAY", "day-of-week", "MONDAY")]
    [InlineData("0 0 * * JAN", "day-of-week", "JAN")]
    [InlineData("0 0 1 MON *", "month", "MON")]
    [InlineData("0 MON * * *", "hour", "MON")]
    // Steps.
    [InlineData("*/0 * * * *", "minute", "*/0")]
    [InlineData("*/60 * * * *", "minute", "*/60")]
    [InlineData("0 */24 * * *", "hour", "*/24")]
    [InlineData("*/x * * * *", "minute", "*/x")]
    [InlineData("/5 * * * *", "minute", "/5")]
    [InlineData("*/ * * * *", "minute", "*/")]
    [InlineData("1/2/3 * * * *", "minute", "1/2/3")]
    // Malformed elements and lists.
    [InlineData("1-2-3 * * * *", "minute", "1-2-3")]
    [InlineData("1- * * * *", "minute", "1-")]
    [InlineData("-1 * * * *", "minute", "-1")]
    [InlineData("1,,2 * * * *", "minute", "1,,2")]
    [InlineData("1, * * * *", "minute", "1,")]
    [InlineData("a * * * *", "minute", "a")]
    [InlineData("** * * * *", "minute", "**")]
    [InlineData("0 0 0 1 1 * 2030-2025", "year", "2030-2025")]
    // Special characters in the wrong place.
    [InlineData("L * * * *", "minute", "L")]
    [InlineData("0 L * * *", "hour", "L")]
    [InlineData("? * * * *", "minute", "?")]
    [InlineData("0 0 * ? *", "month", "?")]
    [InlineData("0 0 1,? * *", "day-of-month", "1,?")]
    [InlineData("0 0 1#2 * *", "day-of-month", "1#2")]
    [InlineData("0 0 15W * *", "day-of-month", "15W")]
    [InlineData("0 0 LW * *", "day-of-month", "LW")]
    [InlineData("0 0 5L * *", "day-of-month", "5L")]
    [InlineData("0 0 L-31 * *", "day-of-month", "L-31")]
    [InlineData("0 0 L-x * *", "day-of-month", "L-x")]
    [InlineData("0 0 L/2 * *", "day-of-month", "L/2")]
    [InlineData("0 0 * * L", "day-of-week", "L")]
    [InlineData("0 0 * * FRI#6", "day-of-week", "FRI#6")]
    [InlineData("0 0 * * FRI#0", "day-of-week", "FRI#0")]
    [InlineData("0 0 * * #3", "day-of-week", "#3")]
    [InlineData("0 0 * * MON-FRIL", "day-of-week", "MON-FRIL")]
    [InlineData("0 0 * * MON-FRI#2", "day-of-week", "MON-FRI#2")]
    [InlineData("0 0 * * 8L", "day-of-week", "8")]
    [InlineData("0 0 * * 1W", "day-of-week", "1W")]
    [InlineData("0 0 0 1 1 * L", "year", "L")]
    public void An_invalid_field_is_reported_with_its_field_and_token(string expression, string field, string token)
    {
        var error = Assert.Throws<FormatException>(() => new CronTrigger(expression, TimeZoneInfo.Utc));

        Assert.StartsWith($"Invalid cron expression '{expression}': ", error.Message, StringComparison.Ordinal);
        Assert.Contains(field, error.Message, StringComparison.Ordinal);
        Assert.Contains($"'{token}'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    // A word that merely contains L, W or # is not a misplaced special character: name it and the range expected.
    [InlineData("0 0 0 1 1 * 2009-fault", "year", "fault", "1970-2099")]
    [InlineData("0 0 0 1 1 * Lx", "year", "Lx", "1970-2099")]
    [InlineData("0 0 0 1 1 * 20w9", "year", "20w9", "1970-2099")]
    [InlineData("0 help * * *", "hour", "help", "0-23")]
    [InlineData("0 0 1-Wed * *", "day-of-month", "Wed", "1-31")]
    [InlineData("x#1 * * * *", "minute", "x#1", "0-59")]
    public void A_token_with_letters_is_named_with_what_was_expected(string expression, string field, string token, string range)
    {
        var error = Assert.Throws<FormatException>(() => new CronTrigger(expression, TimeZoneInfo.Utc));

        Assert.StartsWith($"Invalid cron expression '{expression}': {field} '{token}' ", error.Message, StringComparison.Ordinal);
        Assert.Contains($"is not a number (expected {range})", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("is not allowed", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("   ", "empty")]
    [InlineData("* * * *", "found 4")]
    [InlineData("* * * * * * * *", "found 8")]
    [InlineData("@reboot", "unknown macro '@reboot'")]
    [InlineData("@every_minute", "unknown macro '@every_minute'")]
    [InlineData("@daily 5", "the macro '@daily' stands alone, but '5' follows it")]
    [InlineData("0 0 30 2 *", "never fires: February has no day 30")]
    [InlineData("0 0 31 4,6,9,11 *", "never fires: April, June, September and November have no day 31")]
    [InlineData("0 0 30,31 FEB *", "never fires: February has no day 30,31")]
    [InlineData("0 0 L-29 2 *", "never fires: February has no day L-29")]
    [InlineData("0 0 0 29 2 * 2025", "never fires: no date in the years '2025'")]
    [InlineData("0 0 0 * 2 MON#5 2025", "never fires: no date in the years '2025'")]
    [InlineData("0 0 0 29 2 MON#5 2025", "never fires: no date in the years '2025'")]
    public void An_invalid_expression_says_what_is_wrong(string expression, string detail)
    {
        var error = Assert.Throws<FormatException>(() => new CronTrigger(expression, TimeZoneInfo.Utc));

        Assert.StartsWith($"Invalid cron expression '{expression}': ", error.Message, StringComparison.Ordinal);
        Assert.Contains(detail, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0 0 29 2 *")]
    [InlineData("0 0 L-28 2 *")]
    [InlineData("0 0 30 2 MON")]
    [InlineData("0 0 31 2,3 *")]
    [InlineData("0 0 * 2 MON#5")]
    [InlineData("0 0 0 29 2 * 2025-2028")]
    [InlineData("0\t0  1 1\t*")]
    [InlineData("0-59 0-23 1-31 1-12 0-7")]
    [InlineData("0 0 * * 0-7/7")]
    [InlineData("0 0 0 1 1 * 1970-2099")]
    [InlineData("0 0 L-0 * *")]
    [InlineData("0 0 * * SUN-SAT")]
    [InlineData("0 0 * * sun#1,Sat#5,3L")]
    public void A_valid_expression_is_accepted(string expression)
    {
        var trigger = new CronTrigger(expression, TimeZoneInfo.Utc);

        Assert.NotNull(trigger.GetFireTimeAtOrAfter(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero)));
    }
}
