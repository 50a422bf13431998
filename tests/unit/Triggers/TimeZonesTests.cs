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
}
