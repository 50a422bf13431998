using static Scheduler.Tests.Triggers.CronFacts;

namespace Scheduler.Tests.Triggers;

/// <summary>
/// Cron across DST changes in zones with different rules (2024):
/// America/New_York  gap 03-10 02:00-03:00 (-05 to -04), overlap 11-03 01:00-02:00 (-04 then -05);
/// Europe/Berlin     gap 03-31 02:00-03:00 (+01 to +02), overlap 10-27 02:00-03:00 (+02 then +01);
/// Australia/Lord_Howe (30-minute shift) overlap 04-07 01:30-02:00 (+11 then +10:30), gap 10-06 02:00-02:30;
/// Pacific/Chatham   overlap 04-07 02:45-03:45 (+13:45 then +12:45), gap 09-29 02:45-03:45.
/// (And America/Sao_Paulo, 2018, whose gap started at midnight.)
/// </summary>
public sealed class CronDstTests
{
    [Theory]
    // A fixed time inside a gap fires at the first instant after it.
    [InlineData("30 2 * * *", "America/New_York", "2024-03-09T12:00:00-05:00", "2024-03-10T03:00:00-04:00 2024-03-11T02:30:00-04:00")]
    [InlineData("30 2 * * *", "Europe/Berlin", "2024-03-30T12:00:00+01:00", "2024-03-31T03:00:00+02:00 2024-04-01T02:30:00+02:00")]
    [InlineData("15 2 * * *", "Australia/Lord_Howe", "2024-10-05T12:00:00+10:30", "2024-10-06T02:30:00+11:00 2024-10-07T02:15:00+11:00")]
    [InlineData("0 3 * * *", "Pacific/Chatham", "2024-09-28T12:00:00+12:45", "2024-09-29T03:45:00+13:45 2024-09-30T03:00:00+13:45")]
    [InlineData("0 30 2 * * *", "Europe/Berlin", "2024-03-30T12:00:00+01:00", "2024-03-31T03:00:00+02:00 2024-04-01T02:30:00+02:00")]
    // Several times in a gap, and the time just after it, collapse into one fire.
    [InlineData("0,15,30,45 2 * * *", "America/New_York", "2024-03-10T00:00:00-05:00", "2024-03-10T03:00:00-04:00 2024-03-11T02:00:00-04:00 2024-03-11T02:15:00-04:00")]
    [InlineData("0 2,3 * * *", "Europe/Berlin", "2024-03-31T00:00:00+01:00", "2024-03-31T03:00:00+02:00 2024-04-01T02:00:00+02:00 2024-04-01T03:00:00+02:00")]
    [InlineData("*/30 * * * *", "America/New_York", "2024-03-10T01:00:00-05:00", "2024-03-10T01:00:00-05:00 2024-03-10T01:30:00-05:00 2024-03-10T03:00:00-04:00 2024-03-10T03:30:00-04:00")]
    [InlineData("*/10 2 * * *", "Australia/Lord_Howe", "2024-10-06T01:55:00+10:30", "2024-10-06T02:30:00+11:00 2024-10-06T02:40:00+11:00 2024-10-06T02:50:00+11:00 2024-10-07T02:00:00+11:00")]
    [InlineData("*/30 * * * *", "Pacific/Chatham", "2024-09-29T02:00:00+12:45", "2024-09-29T02:00:00+12:45 2024-09-29T02:30:00+12:45 2024-09-29T03:45:00+13:45 2024-09-29T04:00:00+13:45")]
    [InlineData("0 0 * * * *", "Australia/Lord_Howe", "2024-10-06T01:00:00+10:30", "2024-10-06T01:00:00+10:30 2024-10-06T02:30:00+11:00 2024-10-06T03:00:00+11:00")]
    // Where the gap starts at midnight, a daily job runs when the day starts.
    [InlineData("@daily", "America/Sao_Paulo", "2018-11-03T12:00:00-03:00", "2018-11-04T01:00:00-02:00 2018-11-05T00:00:00-02:00")]
    public void A_wall_clock_time_in_a_gap_fires_once_after_the_gap(string expression, string zone, string from, string expected)
    {
        AssertFires(expression, zone, from, expected);
    }

    [Theory]
    // Asked from the very end of a gap (the instant the day starts where the clocks jump from 00:00 to
    // 01:00, as '--after 2017-03-31' means there), the times the clocks skipped fire at that instant.
    [InlineData("30 0 L * *", "Asia/Amman", "2017-03-31T00:00:00+02:00", "2017-03-31T01:00:00+03:00 2017-04-30T00:30:00+03:00")]
    [InlineData("@daily", "Asia/Amman", "2017-03-31T01:00:00+03:00", "2017-03-31T01:00:00+03:00 2017-04-01T00:00:00+03:00")]
    [InlineData("15 0 * * SUNL", "Asia/Beirut", "2024-03-31T01:00:00+03:00", "2024-03-31T01:00:00+03:00 2024-04-28T00:15:00+03:00")]
    [InlineData("30 0 * * SUN#2", "America/Santiago", "2024-09-08T01:00:00-03:00", "2024-09-08T01:00:00-03:00 2024-10-13T00:30:00-03:00")]
    [InlineData("0 0 10,20 * *", "America/Havana", "2024-03-10T01:00:00-04:00", "2024-03-10T01:00:00-04:00 2024-03-20T00:00:00-04:00")]
    [InlineData("45 0 L-4 * *", "Africa/Cairo", "2024-04-26T01:00:00+03:00", "2024-04-26T01:00:00+03:00 2024-05-27T00:45:00+03:00")]
    [InlineData("*/20 0 * * *", "America/Sao_Paulo", "2018-11-04T01:00:00-02:00", "2018-11-04T01:00:00-02:00 2018-11-05T00:00:00-02:00")]
    [InlineData("30 2 * * *", "Europe/Berlin", "2024-03-31T03:00:00+02:00", "2024-03-31T03:00:00+02:00 2024-04-01T02:30:00+02:00")]
    // A moment later the skipped times have fired.
    [InlineData("30 0 L * *", "Asia/Amman", "2017-03-31T01:00:01+03:00", "2017-04-30T00:30:00+03:00")]
    public void From_the_end_of_a_gap_the_times_in_it_fire_at_once(string expression, string zone, string from, string expected)
    {
        AssertFires(expression, zone, from, expected);
    }

    [Theory]
    // Fixed times fire once, in the first pass.
    [InlineData("30 1 * * *", "America/New_York", "2024-11-03T00:00:00-04:00", "2024-11-03T01:30:00-04:00 2024-11-04T01:30:00-05:00")]
    [InlineData("0 30 1 * * *", "America/New_York", "2024-11-03T00:00:00-04:00", "2024-11-03T01:30:00-04:00 2024-11-04T01:30:00-05:00")]
    [InlineData("0,30 1 * * *", "America/New_York", "2024-11-03T00:00:00-04:00", "2024-11-03T01:00:00-04:00 2024-11-03T01:30:00-04:00 2024-11-04T01:00:00-05:00")]
    [InlineData("30 2 * * *", "Europe/Berlin", "2024-10-26T12:00:00+02:00", "2024-10-27T02:30:00+02:00 2024-10-28T02:30:00+01:00")]
    [InlineData("45 1 * * *", "Australia/Lord_Howe", "2024-04-07T00:00:00+11:00", "2024-04-07T01:45:00+11:00 2024-04-08T01:45:00+10:30")]
    [InlineData("0 3 * * *", "Pacific/Chatham", "2024-04-06T12:00:00+13:45", "2024-04-07T03:00:00+13:45 2024-04-08T03:00:00+12:45")]
    // Interval-like expressions (wildcard, range or step in the second, minute or hour field) fire in both passes.
    [InlineData("*/30 * * * *", "Europe/Berlin", "2024-10-27T01:45:00+02:00", "2024-10-27T02:00:00+02:00 2024-10-27T02:30:00+02:00 2024-10-27T02:00:00+01:00 2024-10-27T02:30:00+01:00 2024-10-27T03:00:00+01:00")]
    [InlineData("*/30 * * * *", "America/New_York", "2024-11-03T00:30:00-04:00", "2024-11-03T00:30:00-04:00 2024-11-03T01:00:00-04:00 2024-11-03T01:30:00-04:00 2024-11-03T01:00:00-05:00 2024-11-03T01:30:00-05:00 2024-11-03T02:00:00-05:00")]
    [InlineData("0 1-2 * * *", "America/New_York", "2024-11-03T00:00:00-04:00", "2024-11-03T01:00:00-04:00 2024-11-03T01:00:00-05:00 2024-11-03T02:00:00-05:00 2024-11-04T01:00:00-05:00")]
    [InlineData("*/20 30 1 * * *", "America/New_York", "2024-11-03T01:00:00-04:00", "2024-11-03T01:30:00-04:00 2024-11-03T01:30:20-04:00 2024-11-03T01:30:40-04:00 2024-11-03T01:30:00-05:00 2024-11-03T01:30:20-05:00 2024-11-03T01:30:40-05:00 2024-11-04T01:30:00-05:00")]
    [InlineData("*/15 2 * * *", "Europe/Berlin", "2024-10-27T00:00:00+02:00", "2024-10-27T02:00:00+02:00 2024-10-27T02:15:00+02:00 2024-10-27T02:30:00+02:00 2024-10-27T02:45:00+02:00 2024-10-27T02:00:00+01:00 2024-10-27T02:15:00+01:00 2024-10-27T02:30:00+01:00 2024-10-27T02:45:00+01:00 2024-10-28T02:00:00+01:00")]
    [InlineData("@hourly", "Europe/Berlin", "2024-10-27T01:30:00+02:00", "2024-10-27T02:00:00+02:00 2024-10-27T02:00:00+01:00 2024-10-27T03:00:00+01:00")]
    [InlineData("*/15 * * * *", "Australia/Lord_Howe", "2024-04-07T01:15:00+11:00", "2024-04-07T01:15:00+11:00 2024-04-07T01:30:00+11:00 2024-04-07T01:45:00+11:00 2024-04-07T01:30:00+10:30 2024-04-07T01:45:00+10:30 2024-04-07T02:00:00+10:30")]
    [InlineData("*/30 * * * *", "Pacific/Chatham", "2024-04-07T02:30:00+13:45", "2024-04-07T02:30:00+13:45 2024-04-07T03:00:00+13:45 2024-04-07T03:30:00+13:45 2024-04-07T03:00:00+12:45 2024-04-07T03:30:00+12:45 2024-04-07T04:00:00+12:45")]
    public void A_wall_clock_time_in_an_overlap_fires_in_the_passes_its_kind_asks_for(string expression, string zone, string from, string expected)
    {
        AssertFires(expression, zone, from, expected);
    }

    [Theory]
    // From late in the first pass: interval-like expressions still get the whole second pass.
    [InlineData("0 * * * *", "America/New_York", "2024-11-03T01:10:00-04:00", "2024-11-03T01:00:00-05:00 2024-11-03T02:00:00-05:00")]
    [InlineData("*/30 * * * *", "Pacific/Chatham", "2024-04-07T03:40:00+13:45", "2024-04-07T03:00:00+12:45 2024-04-07T03:30:00+12:45 2024-04-07T04:00:00+12:45")]
    [InlineData("15 1 * * *", "America/New_York", "2024-11-03T01:20:00-04:00", "2024-11-04T01:15:00-05:00")]
    // From inside the second pass: fixed times already fired in the first.
    [InlineData("30 1 * * *", "America/New_York", "2024-11-03T01:10:00-05:00", "2024-11-04T01:30:00-05:00")]
    [InlineData("30 2 * * *", "Europe/Berlin", "2024-10-27T02:10:00+01:00", "2024-10-28T02:30:00+01:00")]
    [InlineData("0 3 * * *", "Pacific/Chatham", "2024-04-07T02:50:00+12:45", "2024-04-08T03:00:00+12:45")]
    [InlineData("*/30 * * * *", "America/New_York", "2024-11-03T01:10:00-05:00", "2024-11-03T01:30:00-05:00 2024-11-03T02:00:00-05:00")]
    [InlineData("*/30 * * * *", "America/New_York", "2024-11-03T06:10:00Z", "2024-11-03T01:30:00-05:00 2024-11-03T02:00:00-05:00")]
    [InlineData("*/30 * * * *", "Europe/Berlin", "2024-10-27T02:10:00+01:00", "2024-10-27T02:30:00+01:00 2024-10-27T03:00:00+01:00")]
    [InlineData("*/15 * * * *", "Australia/Lord_Howe", "2024-04-07T01:35:00+10:30", "2024-04-07T01:45:00+10:30 2024-04-07T02:00:00+10:30")]
    [InlineData("*/30 * * * *", "America/New_York", "2024-11-03T01:00:00-05:00", "2024-11-03T01:00:00-05:00 2024-11-03T01:30:00-05:00")]
    public void An_instant_inside_an_overlap_continues_from_its_own_pass(string expression, string zone, string from, string expected)
    {
        AssertFires(expression, zone, from, expected);
    }
}
