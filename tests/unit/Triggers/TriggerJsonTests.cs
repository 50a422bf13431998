using Scheduler.Triggers;

namespace Scheduler.Tests.Triggers;

public sealed class TriggerJsonTests
{
    private static readonly TimeZoneInfo Berlin = TimeZones.Resolve("Europe/Berlin");
    private static readonly DateTimeOffset May1 = new(2024, 5, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void The_documented_cron_shape_parses()
    {
        var trigger = Assert.IsType<CronTrigger>(Trigger.FromJson("""{"type":"cron","expression":"0 9 * * MON-FRI","timezone":"Europe/Berlin"}"""));

        Assert.Equal("0 9 * * MON-FRI", trigger.Expression);
        Assert.Equal("Europe/Berlin", TimeZones.PortableId(trigger.TimeZone));
        Assert.Equal("2024-05-01T09:00:00+02:00", Format(trigger.GetFireTimeAtOrAfter(May1)));
    }

    [Fact]
    public void The_documented_interval_shape_parses()
    {
        var trigger = Assert.IsType<IntervalTrigger>(Trigger.FromJson("""{"type":"interval","every":"PT1H","start":"2024-05-01T00:00:00+00:00"}"""));

        Assert.Equal(TimeSpan.FromHours(1), trigger.Every);
        Assert.Equal(May1, trigger.Start);
        Assert.Same(TimeZoneInfo.Local, trigger.TimeZone);
    }

    [Fact]
    public void The_documented_date_shape_parses()
    {
        var trigger = Assert.IsType<DateTrigger>(Trigger.FromJson("""{"type":"date","at":"2024-07-01T10:00:00+02:00"}"""));

        Assert.Equal(new DateTimeOffset(2024, 7, 1, 8, 0, 0, TimeSpan.Zero), trigger.At);
    }

    [Fact]
    public void The_documented_calendar_interval_shape_parses()
    {
        var trigger = Assert.IsType<CalendarIntervalTrigger>(Trigger.FromJson(
            """{"type":"calendarInterval","period":"P1M","timeOfDay":"09:00:00","start":"2016-03-31","timezone":"UTC"}"""));

        Assert.Equal(1, trigger.Months);
        Assert.Equal(TimeSpan.FromHours(9), trigger.TimeOfDay);
        Assert.Equal(new DateTimeOffset(2016, 3, 31, 0, 0, 0, TimeSpan.Zero), trigger.Start);
        Assert.Equal(
            ["2016-03-31T09:00:00+00:00", "2016-05-31T09:00:00+00:00"],
            trigger.GetFireTimes(trigger.Start!.Value, 2).Select(t => Format(t)));
    }

    [Theory]
    [InlineData("all", "2024-05-01T06:00:00+00:00")]
    [InlineData("any", "2024-05-01T02:00:00+00:00")]
    public void The_documented_composite_shapes_parse(string type, string expected)
    {
        var trigger = Trigger.FromJson($$"""
            {"type":"{{type}}","timezone":"UTC","triggers":[
              {"type":"interval","every":"PT2H","start":"2024-05-01T00:00:00Z","timezone":"UTC"},
              {"type":"interval","every":"PT3H","start":"2024-05-01T00:00:00Z","timezone":"UTC"}]}
            """);

        Assert.Equal(2, (trigger is AllTrigger all ? all.Triggers : ((AnyTrigger)trigger).Triggers).Count);
        Assert.Equal(expected, Format(trigger.GetFireTimeAfter(May1)));
    }

    [Fact]
    public void Writes_the_version_the_kind_fields_and_the_portable_zone()
    {
        Assert.Equal(
            """{"version":1,"type":"cron","expression":"0 9 * * MON-FRI","timezone":"Europe/Berlin"}""",
            new CronTrigger("0 9 * * MON-FRI", Berlin).ToJson());
        Assert.Equal(
            """{"version":1,"type":"interval","every":"PT1H30M","timezone":"UTC","start":"2024-05-01T00:00:00+00:00","end":"2024-06-01T00:00:00+00:00","jitter":"PT0.5S"}""",
            new IntervalTrigger(TimeSpan.FromMinutes(90), May1, May1.AddMonths(1), TimeZoneInfo.Utc, TimeSpan.FromMilliseconds(500)).ToJson());
        Assert.Equal(
            """{"version":1,"type":"calendarInterval","period":"P1Y6M","timeOfDay":"09:00:00","timezone":"Europe/Berlin","start":"2016-03-31T00:00:00+02:00"}""",
            new CalendarIntervalTrigger(years: 1, months: 6, timeOfDay: TimeSpan.FromHours(9), start: TriggerText.ParseDateTime("2016-03-31", Berlin), timeZone: Berlin).ToJson());
        Assert.Equal(
            """{"version":1,"type":"any","triggers":[{"type":"date","at":"2024-07-01T10:00:00+02:00","timezone":"Europe/Berlin"}],"timezone":"UTC"}""",
            new AnyTrigger([new DateTrigger(new DateTimeOffset(2024, 7, 1, 8, 0, 0, TimeSpan.Zero), Berlin)], timeZone: TimeZoneInfo.Utc).ToJson());
    }

    public static TheoryData<string> EveryKind => new()
    {
        """{"type":"cron","expression":"*/15 * * * *","timezone":"America/New_York","start":"2024-05-01T00:00:00-04:00","end":"2024-12-31T23:59:59.5-05:00","jitter":"PT30S"}""",
        """{"type":"cron","expression":"0 9 * * *","timezone":"UTC"}""",
        """{"type":"interval","every":"P1DT0.25S","timezone":"Pacific/Chatham"}""",
        """{"type":"interval","every":"PT1H","timezone":"Europe/Berlin","start":"2024-05-01T02:00:00+02:00","jitter":"PT5M"}""",
        """{"type":"date","at":"2024-07-01T10:00:00.123+02:00","timezone":"Europe/Berlin","jitter":"PT1M"}""",
        """{"type":"calendarInterval","period":"P1W3D","timezone":"Australia/Lord_Howe"}""",
        """{"type":"calendarInterval","period":"P2M","timeOfDay":"02:30:00","timezone":"Europe/Berlin","start":"2024-01-31T00:00:00+01:00","end":"2030-01-01T00:00:00+01:00"}""",
        """{"type":"all","triggers":[{"type":"cron","expression":"0 9 * * *","timezone":"UTC"},{"type":"interval","every":"PT6H","timezone":"UTC","start":"2024-05-01T03:00:00+00:00"}],"timezone":"Europe/Berlin","start":"2024-05-02T00:00:00+02:00","jitter":"PT10S"}""",
        """{"type":"any","triggers":[{"type":"all","triggers":[{"type":"date","at":"2024-07-01T10:00:00+00:00","timezone":"UTC"}],"timezone":"UTC"},{"type":"calendarInterval","period":"P1Y","timezone":"UTC","start":"2024-02-29T12:00:00+00:00"}],"timezone":"UTC"}""",
    };

    [Theory]
    [MemberData(nameof(EveryKind))]
    public void Every_kind_round_trips_to_the_same_json_and_fire_times(string json)
    {
        var trigger = Trigger.FromJson(json);
        var written = trigger.ToJson();
        var reread = Trigger.FromJson(written);

        Assert.Equal(string.Concat("""{"version":1,""", json.AsSpan(1)), written);
        Assert.Equal(written, reread.ToJson());
        Assert.Equal(trigger.GetType(), reread.GetType());
        Assert.Equal(trigger.GetFireTimes(May1, 20).Select(t => Format(t)), reread.GetFireTimes(May1, 20).Select(t => Format(t)));
    }

    [Theory]
    [InlineData("""{"type":"date","at":"2024-07-01T10:00","timezone":"Europe/Berlin"}""", "2024-07-01T10:00:00+02:00")]
    [InlineData("""{"type":"date","at":"2024-07-01","timezone":"America/New_York"}""", "2024-07-01T00:00:00-04:00")]
    [InlineData("""{"type":"date","at":"2024-03-31T02:30:00","timezone":"Europe/Berlin"}""", "2024-03-31T03:00:00+02:00")]
    [InlineData("""{"type":"date","at":"2024-07-01T10:00:00Z","timezone":"Europe/Berlin"}""", "2024-07-01T12:00:00+02:00")]
    [InlineData("""{"type":"date","at":"2024-07-01T10:00:00","timezone":"W. Europe Standard Time"}""", "2024-07-01T10:00:00+02:00")]
    public void Date_times_without_an_offset_are_read_in_the_zone_of_the_trigger(string json, string expected)
    {
        var trigger = Assert.IsType<DateTrigger>(Trigger.FromJson(json));

        Assert.Equal(expected, Format(trigger.GetFireTimeAtOrAfter(DateTimeOffset.MinValue)));
    }

    [Fact]
    public void A_windows_zone_id_is_written_as_its_iana_id()
    {
        var trigger = Trigger.FromJson("""{"type":"cron","expression":"0 9 * * *","timezone":"W. Europe Standard Time"}""");

        Assert.Contains("\"timezone\":\"Europe/Berlin\"", trigger.ToJson(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"version":1,"type":"date","at":"2024-07-01T10:00:00Z"}""")]
    [InlineData("""{"type":"date","at":"2024-07-01T10:00:00Z"}""")]
    public void The_version_is_one_or_missing(string json)
    {
        Assert.IsType<DateTrigger>(Trigger.FromJson(json));
    }

    [Theory]
    // Shape.
    [InlineData("""{"type":"cron","expression":"0 9 * * *""", "not valid JSON")]
    [InlineData("""[1]""", "must be an object, not an array")]
    [InlineData("""{"version":2,"type":"date","at":"2024-07-01T10:00:00Z"}""", "version 2, which is newer than this Scheduler understands (up to 1)")]
    [InlineData("""{"version":"1","type":"date","at":"2024-07-01T10:00:00Z"}""", "field 'version' has the invalid value \"1\"")]
    [InlineData("""{"version":0,"type":"date","at":"2024-07-01T10:00:00Z"}""", "field 'version' has the invalid value 0")]
    [InlineData("""{"expression":"0 9 * * *"}""", "field 'type' is missing: use cron, interval, date, calendarInterval, all or any")]
    [InlineData("""{"type":"weekly"}""", "field 'type' has the unknown value 'weekly'")]
    [InlineData("""{"type":"cron","expression":"0 9 * * *","timzone":"UTC"}""", "field 'timzone' is not part of a cron trigger")]
    [InlineData("""{"type":"cron","expression":"0 9 * * *","timezone":"UTC","timezone":"UTC"}""", "field 'timezone' appears twice")]
    [InlineData("""{"type":"cron","expression":5}""", "field 'expression' must be a string, not 5")]
    // Missing fields.
    [InlineData("""{"type":"cron"}""", "field 'expression' is missing")]
    [InlineData("""{"type":"interval"}""", "field 'every' is missing")]
    [InlineData("""{"type":"date"}""", "field 'at' is missing")]
    [InlineData("""{"type":"calendarInterval","timeOfDay":"09:00"}""", "field 'period' is missing")]
    [InlineData("""{"type":"all"}""", "field 'triggers' is missing")]
    [InlineData("""{"type":"any","triggers":[]}""", "field 'triggers' must be a non-empty array of triggers, not an empty array")]
    // Bad values.
    [InlineData("""{"type":"interval","every":"forever"}""", "field 'every' is invalid: 'forever' is not a duration")]
    [InlineData("""{"type":"interval","every":"PT0S"}""", "field 'every' is invalid: The duration 'PT0S' must be positive.")]
    [InlineData("""{"type":"interval","every":"PT1H","jitter":"-PT1S"}""", "field 'jitter' is invalid: the jitter '-PT1S' is negative")]
    [InlineData("""{"type":"cron","expression":"0 9 * * *","timezone":"Mars/Olympus"}""", "field 'timezone' is invalid: Unknown time zone 'Mars/Olympus'")]
    [InlineData("""{"type":"date","at":"2024-02-30T10:00:00Z"}""", "field 'at' is invalid: '2024-02-30T10:00:00Z' is not a valid date-time")]
    [InlineData("""{"type":"date","at":"2024-07-01T10:00:00Z","start":"2024-01-01"}""", "field 'start' does not apply to a date trigger")]
    [InlineData("""{"type":"interval","every":"PT1H","start":"2024-05-02","end":"2024-05-01"}""", "field 'end' is invalid: the end 2024-05-01 is before the start 2024-05-02")]
    [InlineData("""{"type":"calendarInterval","period":"P0D"}""", "field 'period' is invalid: The period must be positive with no negative part, not 'P0D'.")]
    [InlineData("""{"type":"calendarInterval","period":"1 month"}""", "field 'period' is invalid: '1 month' is not a period")]
    [InlineData("""{"type":"calendarInterval","period":"P99999Y"}""", "field 'period' is invalid: The period 'P99999Y' is longer than the calendar.")]
    [InlineData("""{"type":"calendarInterval","period":"P1M","timeOfDay":"25:00"}""", "field 'timeOfDay' is invalid: '25:00' is not a time of day")]
    // Nested fields are named by their path.
    [InlineData("""{"type":"all","triggers":[{"type":"date","at":"2024-07-01T10:00:00Z"},{"type":"cron","expression":"0 9 * * *","timezone":"Mars/Olympus"}]}""", "field 'triggers[1].timezone' is invalid: Unknown time zone 'Mars/Olympus'")]
    [InlineData("""{"type":"any","triggers":[{"type":"any","triggers":[{"type":"interval"}]}]}""", "field 'triggers[0].triggers[0].every' is missing")]
    [InlineData("""{"type":"any","triggers":[{"version":1,"type":"date","at":"2024-07-01T10:00:00Z"}]}""", "field 'triggers[0].version' is not part of a date trigger")]
    [InlineData("""{"type":"any","triggers":[3]}""", "field 'triggers[0]' must be an object, not 3")]
    public void Bad_json_is_rejected_naming_the_field_and_value(string json, string expected)
    {
        var error = Assert.Throws<FormatException>(() => Trigger.FromJson(json));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0 9 * *")]
    [InlineData("0 99 * * *")]
    [InlineData("every day")]
    public void An_invalid_cron_expression_is_rejected_naming_it(string expression)
    {
        var error = Assert.Throws<FormatException>(() => Trigger.FromJson($$"""{"type":"cron","expression":"{{expression}}"}"""));

        Assert.Contains("field 'expression' is invalid", error.Message, StringComparison.Ordinal);
        Assert.Contains(expression, error.Message, StringComparison.Ordinal);
    }

    private static string Format(DateTimeOffset? time) => time is { } t ? TriggerText.FormatDateTime(t) : "none";
}
