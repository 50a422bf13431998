using System.Globalization;
using Scheduler.Triggers;

namespace Scheduler.Tests.Triggers;

public sealed class TriggerTextTests
{
    [Theory]
    [InlineData("500ms", "00:00:00.5")]
    [InlineData("90s", "00:01:30")]
    [InlineData("5m", "00:05:00")]
    [InlineData("1h30m", "01:30:00")]
    [InlineData("2d", "2.00:00:00")]
    [InlineData("1w", "7.00:00:00")]
    [InlineData("1w2d3h4m5s6ms", "9.03:04:05.006")]
    [InlineData("1.5h", "01:30:00")]
    [InlineData("1H30M", "01:30:00")]
    [InlineData(" 10s ", "00:00:10")]
    [InlineData("-5m", "-00:05:00")]
    [InlineData("PT1H30M", "01:30:00")]
    [InlineData("P1D", "1.00:00:00")]
    [InlineData("PT0.5S", "00:00:00.5")]
    [InlineData("P2W", "14.00:00:00")]
    [InlineData("P1DT12H", "1.12:00:00")]
    [InlineData("pt15m", "00:15:00")]
    [InlineData("PT0,25S", "00:00:00.25")]
    [InlineData("-PT1S", "-00:00:01")]
    [InlineData("01:30:00", "01:30:00")]
    [InlineData("2.03:00:00", "2.03:00:00")]
    [InlineData("00:00:00.1234567", "00:00:00.1234567")]
    [InlineData("0s", "00:00:00")]
    public void Durations_are_read_in_unit_iso_and_clock_forms(string text, string expected)
    {
        Assert.Equal(TimeSpan.Parse(expected, CultureInfo.InvariantCulture), TriggerText.ParseDuration(text));
    }

    [Theory]
    [InlineData("")]
    [InlineData("5")]
    [InlineData("5x")]
    [InlineData("1 h")]
    [InlineData("h")]
    [InlineData("P")]
    [InlineData("PT")]
    [InlineData("1:30")]
    [InlineData("25:00:00")]
    [InlineData("00:61:00")]
    [InlineData("30m1h")]
    [InlineData("1m1m")]
    [InlineData("P1M")]
    [InlineData("P1Y")]
    [InlineData("99999999999d")]
    [InlineData("99999999999999999999999999999999999999s")]
    public void Bad_durations_are_rejected_naming_the_value(string text)
    {
        var error = Assert.Throws<FormatException>(() => TriggerText.ParseDuration(text));

        Assert.Contains($"'{text}'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0s")]
    [InlineData("PT0S")]
    [InlineData("-1m")]
    public void A_positive_duration_rejects_zero_and_negative_values(string text)
    {
        var error = Assert.Throws<FormatException>(() => TriggerText.ParsePositiveDuration(text));

        Assert.Equal($"The duration '{text}' must be positive.", error.Message);
    }

    [Theory]
    [InlineData("P1M", 0, 1, 0, 0)]
    [InlineData("P1Y6M", 1, 6, 0, 0)]
    [InlineData("P2W", 0, 0, 2, 0)]
    [InlineData("P3D", 0, 0, 0, 3)]
    [InlineData("p1y2m3w4d", 1, 2, 3, 4)]
    [InlineData("P0D", 0, 0, 0, 0)]
    public void Periods_are_iso_8601_years_months_weeks_and_days(string text, int years, int months, int weeks, int days)
    {
        Assert.Equal(new CalendarPeriod(years, months, weeks, days), TriggerText.ParsePeriod(text));
    }

    [Theory]
    [InlineData("1M", "is not a period")]
    [InlineData("P", "is not a period")]
    [InlineData("-P1M", "is not a period")]
    [InlineData("P1.5M", "is not a period")]
    [InlineData("P1DT2H", "has a time part")]
    [InlineData("P99999999999D", "is too large")]
    public void Bad_periods_are_rejected_naming_the_value(string text, string reason)
    {
        var error = Assert.Throws<FormatException>(() => TriggerText.ParsePeriod(text));

        Assert.Contains($"'{text}'", error.Message, StringComparison.Ordinal);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2024-05-01", "Europe/Berlin", "2024-05-01T00:00:00+02:00")]
    [InlineData("2024-05-01T09:30", "Europe/Berlin", "2024-05-01T09:30:00+02:00")]
    [InlineData("2024-05-01 09:30:15", "Europe/Berlin", "2024-05-01T09:30:15+02:00")]
    [InlineData("2024-05-01T09:30:15.25", "UTC", "2024-05-01T09:30:15.25+00:00")]
    [InlineData("2024-05-01T09:30:00Z", "Europe/Berlin", "2024-05-01T09:30:00+00:00")]
    [InlineData("2024-05-01T09:30:00+05:30", "Europe/Berlin", "2024-05-01T09:30:00+05:30")]
    [InlineData("2024-05-01T09:30:00-0400", "Europe/Berlin", "2024-05-01T09:30:00-04:00")]
    // Without an offset the DST rules apply: a gap moves forward, an overlap takes the first pass.
    [InlineData("2024-03-31T02:30", "Europe/Berlin", "2024-03-31T03:00:00+02:00")]
    [InlineData("2024-11-03T01:30", "America/New_York", "2024-11-03T01:30:00-04:00")]
    // Midnight that does not exist (Santiago springs forward at 24:00) is the first instant of the day.
    [InlineData("2024-09-08", "America/Santiago", "2024-09-08T01:00:00-03:00")]
    public void Date_times_without_an_offset_are_read_in_the_zone(string text, string zone, string expected)
    {
        var parsed = TriggerText.ParseDateTime(text, TimeZones.Resolve(zone));

        Assert.Equal(expected, TriggerText.FormatDateTime(parsed));
    }

    [Theory]
    [InlineData("tomorrow")]
    [InlineData("2024-13-01")]
    [InlineData("2024-02-30")]
    [InlineData("2024-05-01T24:00")]
    [InlineData("2024-05-01T09")]
    [InlineData("2024-05-01+02:00")]
    [InlineData("2024-05-01T09:00+15:00")]
    [InlineData("05/01/2024")]
    [InlineData("0001-01-01T00:00:00+01:00")]
    public void Bad_date_times_are_rejected_naming_the_value(string text)
    {
        var error = Assert.Throws<FormatException>(() => TriggerText.ParseDateTime(text, TimeZoneInfo.Utc));

        Assert.Contains($"'{text}'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("09:00", "09:00:00")]
    [InlineData("9:05", "09:05:00")]
    [InlineData("17:30:15", "17:30:15")]
    [InlineData("23:59:59.5", "23:59:59.5")]
    public void Times_of_day_are_hours_minutes_and_seconds(string text, string expected)
    {
        Assert.Equal(TimeSpan.Parse(expected, CultureInfo.InvariantCulture), TriggerText.ParseTimeOfDay(text));
        Assert.Equal(expected, TriggerText.FormatTimeOfDay(TriggerText.ParseTimeOfDay(text)));
    }

    [Theory]
    [InlineData("24:00")]
    [InlineData("09:60")]
    [InlineData("9")]
    [InlineData("-01:00")]
    public void Bad_times_of_day_are_rejected_naming_the_value(string text)
    {
        var error = Assert.Throws<FormatException>(() => TriggerText.ParseTimeOfDay(text));

        Assert.Contains($"'{text}'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2024-03-31T01:00:00Z", "Europe/Berlin", "2024-03-31T03:00:00+02:00")]
    [InlineData("2024-03-31T00:59:59Z", "Europe/Berlin", "2024-03-31T01:59:59+01:00")]
    [InlineData("2024-06-01T12:00:00Z", "UTC", "2024-06-01T12:00:00+00:00")]
    [InlineData("2024-06-01T12:00:00.5Z", "America/New_York", "2024-06-01T08:00:00.5-04:00")]
    [InlineData("2024-06-01T12:00:00.0001Z", "Asia/Kolkata", "2024-06-01T17:30:00.0001+05:30")]
    [InlineData("2024-06-01T12:00:00Z", "Pacific/Chatham", "2024-06-02T00:45:00+12:45")]
    public void Fire_times_carry_the_offset_of_the_zone_and_never_z(string instant, string zone, string expected)
    {
        var value = DateTimeOffset.Parse(instant, CultureInfo.InvariantCulture);

        Assert.Equal(expected, TriggerText.FormatFireTime(value, TimeZones.Resolve(zone)));
    }

    [Theory]
    [InlineData("01:30:00", "PT1H30M")]
    [InlineData("1.00:00:00", "P1D")]
    [InlineData("7.00:00:00", "P7D")]
    [InlineData("1.02:00:03", "P1DT2H3S")]
    [InlineData("00:00:00.5", "PT0.5S")]
    [InlineData("00:00:00", "PT0S")]
    [InlineData("-00:05:00", "-PT5M")]
    public void Durations_are_written_in_iso_8601_and_read_back(string value, string expected)
    {
        var duration = TimeSpan.Parse(value, CultureInfo.InvariantCulture);

        Assert.Equal(expected, TriggerText.FormatDuration(duration));
        Assert.Equal(duration, TriggerText.ParseDuration(expected));
    }

    [Theory]
    [InlineData(1, 6, 0, 0, "P1Y6M")]
    [InlineData(0, 0, 2, 0, "P2W")]
    [InlineData(0, 0, 1, 3, "P1W3D")]
    public void Periods_are_written_in_iso_8601_and_read_back(int years, int months, int weeks, int days, string expected)
    {
        var period = new CalendarPeriod(years, months, weeks, days);

        Assert.Equal(expected, period.ToString());
        Assert.Equal(period, TriggerText.ParsePeriod(expected));
    }
}
