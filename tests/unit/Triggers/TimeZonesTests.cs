using Scheduler.Triggers;

namespace Scheduler.Tests.Triggers;

public sealed class TimeZonesTests
{
    [Theory]
    [InlineData("Europe/Berlin", "Europe/Berlin")]
    [InlineData("America/New_York", "America/New_York")]
    [InlineData("W. Europe Standard Time", "Europe/Berlin")]
    [InlineData("Tokyo Standard Time", "Asia/Tokyo")]
    public void Iana_and_windows_ids_resolve_to_the_same_rules_and_persist_as_iana(string id, string iana)
    {
        var zone = TimeZones.Resolve(id);
        var summer = new DateTimeOffset(2024, 7, 1, 12, 0, 0, TimeSpan.Zero);

        Assert.Equal(TimeZones.Resolve(iana).GetUtcOffset(summer), zone.GetUtcOffset(summer));
        Assert.Equal(iana, TimeZones.PortableId(zone));
        Assert.Same(zone, TimeZones.Resolve(id));
    }

    [Theory]
    [InlineData("Europe/Nowhere")]
    [InlineData("../../etc/passwd")]
    [InlineData("Not A Zone")]
    public void An_unknown_id_is_refused_naming_it(string id)
    {
        var error = Assert.Throws<ArgumentException>(() => TimeZones.Resolve(id));

        Assert.Contains(id, error.Message, StringComparison.Ordinal);
        Assert.False(TimeZones.TryResolve(id, out _));
    }

    [Theory]
    [InlineData("2024-03-31T02:30", "2024-03-31T03:00:00+02:00")] // In the spring-forward gap: the first instant after it.
    [InlineData("2024-10-27T02:30", "2024-10-27T02:30:00+02:00")] // In the fall-back overlap: the first pass.
    [InlineData("2024-07-01T09:00", "2024-07-01T09:00:00+02:00")]
    public void A_wall_clock_time_stands_for_the_instant_the_triggers_give_it(string wall, string instant)
    {
        var berlin = TimeZones.Resolve("Europe/Berlin");

        Assert.Equal(
            DateTimeOffset.Parse(instant, System.Globalization.CultureInfo.InvariantCulture),
            TimeZones.ToInstant(DateTime.Parse(wall, System.Globalization.CultureInfo.InvariantCulture), berlin));
        Assert.Equal(TriggerText.ParseDateTime(wall, berlin), TimeZones.ToInstant(DateTime.Parse(wall, System.Globalization.CultureInfo.InvariantCulture), berlin));
    }

    [Fact]
    public void A_missing_zone_is_an_argument_error()
    {
        Assert.Throws<ArgumentNullException>(() => TimeZones.ToInstant(new DateTime(2024, 1, 1), null!));
        Assert.Throws<ArgumentNullException>(() => TimeZones.PortableId(null!));
    }
}
