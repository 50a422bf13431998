using Scheduler.Triggers;

namespace Scheduler.Tests.Triggers;

/// <summary>The offset table answers what <see cref="TimeZoneInfo"/> answers, near every kind of change.</summary>
public sealed class ZoneOffsetsTests
{
    public static TheoryData<string> Zones =>
    [
        "America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "Pacific/Chatham", "America/Sao_Paulo",
        "Africa/Casablanca", "Europe/Dublin", "Asia/Tehran", "Pacific/Apia", "Antarctica/Troll", "America/Havana",
        "Europe/Moscow", "Asia/Kolkata", "UTC",
    ];

    [Theory]
    [MemberData(nameof(Zones))]
    public void Offsets_at_instants_match_the_zone(string zoneId)
    {
        var zone = TimeZones.Resolve(zoneId);
        var offsets = ZoneOffsets.For(zone);
        var random = new Random(zoneId.Length);
        foreach (var instant in Probes(zone, random))
        {
            var expected = zone.GetUtcOffset(instant.UtcDateTime).Ticks;
            Assert.True(expected == offsets.OffsetAt(instant.UtcTicks), $"{zoneId} at {instant:O}");
        }
    }

    [Theory]
    [MemberData(nameof(Zones))]
    public void Wall_clock_times_map_to_the_instants_that_show_them(string zoneId)
    {
        var zone = TimeZones.Resolve(zoneId);
        var offsets = ZoneOffsets.For(zone);
        var random = new Random(zoneId.Length + 1);
        foreach (var probe in Probes(zone, random))
        {
            var wall = probe.UtcTicks + (long)(random.NextDouble() * 4 * TimeSpan.TicksPerHour);

            // Every instant whose wall-clock time this is, from the offsets in force around it.
            var candidates = new SortedSet<long>();
            for (var hours = -30; hours <= 30; hours++)
            {
                candidates.Add(zone.GetUtcOffset(new DateTime(wall + (hours * TimeSpan.TicksPerHour), DateTimeKind.Utc)).Ticks);
            }

            var instants = candidates
                .Where(offset => zone.GetUtcOffset(new DateTime(wall - offset, DateTimeKind.Utc)).Ticks == offset)
                .Select(offset => (Utc: wall - offset, Offset: offset))
                .OrderBy(i => i.Utc)
                .ToList();

            var mapping = offsets.Map(wall);
            var context = $"{zoneId} wall {new DateTime(wall):O}";
            switch (instants.Count)
            {
                case 1:
                    Assert.True(mapping.Kind == WallKind.Single && mapping.FirstOffset == instants[0].Offset, context);
                    break;
                case 2:
                    Assert.True(mapping.Kind == WallKind.Overlap, context);
                    Assert.True(mapping.FirstOffset == instants[0].Offset && mapping.SecondOffset == instants[1].Offset, context);
                    break;
                default:
                    Assert.True(instants.Count == 0 && mapping.Kind == WallKind.Gap, context);
                    var end = new DateTime(mapping.TransitionUtc, DateTimeKind.Utc);
                    Assert.True(zone.GetUtcOffset(end).Ticks == mapping.SecondOffset, context);
                    Assert.True(zone.GetUtcOffset(end.AddTicks(-1)).Ticks == mapping.FirstOffset, context);
                    Assert.True(wall - mapping.FirstOffset >= mapping.TransitionUtc && wall - mapping.SecondOffset < mapping.TransitionUtc, context);
                    break;
            }
        }
    }

    [Fact]
    public void A_whole_skipped_day_is_one_gap()
    {
        // Samoa moved across the date line: 2011-12-30 did not happen in Apia.
        var mapping = ZoneOffsets.For(TimeZones.Resolve("Pacific/Apia")).Map(new DateTime(2011, 12, 30, 12, 0, 0).Ticks);

        Assert.Equal(WallKind.Gap, mapping.Kind);
        Assert.Equal(TimeSpan.FromHours(14), new TimeSpan(mapping.SecondOffset));
    }

    /// <summary>Random instants, half of them within hours of an offset change.</summary>
    private static IEnumerable<DateTimeOffset> Probes(TimeZoneInfo zone, Random random)
    {
        var changes = OffsetChanges(zone, 1995, 2035);
        for (var i = 0; i < 3000; i++)
        {
            if (changes.Count > 0 && i % 2 == 0)
            {
                yield return changes[random.Next(changes.Count)].AddTicks((long)((random.NextDouble() - 0.5) * 6 * TimeSpan.TicksPerHour));
            }
            else
            {
                yield return new DateTimeOffset(1995, 1, 1, 0, 0, 0, TimeSpan.Zero).AddTicks((long)(random.NextDouble() * 40 * 365 * TimeSpan.TicksPerDay));
            }
        }
    }

    /// <summary>Instants (to the minute) at which the zone's offset changes, found with TimeZoneInfo.</summary>
    internal static List<DateTimeOffset> OffsetChanges(TimeZoneInfo zone, int firstYear, int lastYear)
    {
        var found = new List<DateTimeOffset>();
        var probe = new DateTime(firstYear, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var offset = zone.GetUtcOffset(probe);
        for (; probe.Year <= lastYear; probe = probe.AddHours(6))
        {
            var next = zone.GetUtcOffset(probe.AddHours(6));
            if (next == offset)
            {
                continue;
            }

            var before = probe;
            var after = probe.AddHours(6);
            while (after - before > TimeSpan.FromMinutes(1))
            {
                var middle = before + ((after - before) / 2);
                (before, after) = zone.GetUtcOffset(middle) == offset ? (middle, after) : (before, middle);
            }

            found.Add(new DateTimeOffset(after));
            offset = next;
        }

        return found;
    }
}
