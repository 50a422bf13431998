using System.Globalization;
using Cronos;
using Scheduler.Triggers;
using Xunit.Abstractions;

namespace Scheduler.Tests.Triggers;

/// <summary>
/// Cross-check with Cronos, whose DST rules ours follow, in zones with different rules and across
/// their DST changes. Only expressions both dialects read the same way are generated: never both day
/// fields restricted (Cronos requires both to match, we either), no year field, <c>L</c>, <c>L-n</c>,
/// <c>dL</c> and <c>d#n</c> alone in their field (Cronos allows them nowhere else). Asia/Amman is left
/// to the brute-force oracle (<see cref="CronBruteForceTests"/>): Cronos 0.13 misplaces its changes at
/// midnight (for '16,32,54 0,3 * * *' after 2017-03-30T03:54+02:00 it answers 2017-03-31T00:16+03:00, an
/// instant whose wall-clock time was 23:16 +02:00 on the 30th).
/// </summary>
public sealed class CronCronosCrossCheckTests(ITestOutputHelper output)
{
    private const int FireTimesCompared = 30;
    private static readonly DateTimeOffset Horizon = new(2090, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly string[] MonthNames = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
    private static readonly string[] DayNames = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

    [Theory]
    [InlineData("America/New_York", 1)]
    [InlineData("Europe/Berlin", 2)]
    [InlineData("Australia/Lord_Howe", 3)]
    [InlineData("Pacific/Chatham", 4)]
    [InlineData("Europe/London", 5)]
    [InlineData("Australia/Sydney", 6)]
    [InlineData("America/Sao_Paulo", 7)]
    [InlineData("America/Havana", 8)]
    [InlineData("UTC", 9)]
    [InlineData("Asia/Beirut", 11)]
    [InlineData("America/Santiago", 12)]
    [InlineData("Africa/Cairo", 13)]
    public void Consecutive_fire_times_agree_with_cronos_across_dst_changes(string zoneId, int seed)
    {
        var zone = TimeZones.Resolve(zoneId);
        var transitions = ZoneOffsetsTests.OffsetChanges(zone, 2012, 2030);
        var random = new Random(seed);
        var failures = new List<string>();
        var compared = 0;
        for (var i = 0; i < 400 && failures.Count < 5; i++)
        {
            var withSeconds = random.Next(3) == 0;
            var expression = Generate(random, withSeconds);
            var cronos = CronExpression.Parse(expression, withSeconds ? CronFormat.IncludeSeconds : CronFormat.Standard);
            CronTrigger trigger;
            try
            {
                trigger = new CronTrigger(expression, zone);
            }
            catch (FormatException error) when (error.Message.Contains("never fires", StringComparison.Ordinal))
            {
                // We reject what Cronos accepts and never fires (e.g. day 31 in June only).
                Assert.Null(cronos.GetNextOccurrence(new DateTimeOffset(2012, 1, 1, 0, 0, 0, TimeSpan.Zero), zone));
                continue;
            }


            // Start within a day or two of a DST change, often within hours of it, so that starts in
            // gaps and in either pass of an overlap are common (anywhere, for zones without changes).
            var around = random.Next(3) == 0 ? TimeSpan.FromHours(6) : TimeSpan.FromDays(2);
            var from = transitions.Count > 0
                ? transitions[random.Next(transitions.Count)].AddTicks((long)((random.NextDouble() - 0.6) * around.Ticks))
                : new DateTimeOffset(2012, 1, 1, 0, 0, 0, TimeSpan.Zero).AddDays(random.Next(6000));
            if (random.Next(2) == 0)
            {
                from = new DateTimeOffset(from.Ticks - (from.Ticks % TimeSpan.TicksPerMinute), from.Offset);
            }

            var ours = from;
            var theirs = from;
            for (var n = 0; n < FireTimesCompared; n++)
            {
                var next = trigger.GetFireTimeAfter(ours);
                var expected = cronos.GetNextOccurrence(theirs, zone);
                if (expected is null || expected.Value >= Horizon)
                {
                    break;
                }

                compared++;
                if (next is not { } actual || actual.UtcTicks != expected.Value.UtcTicks || actual.Offset != expected.Value.Offset)
                {
                    failures.Add(
                        $"'{expression}' in {zoneId} after {Format(ours)}: Cronos {Format(expected.Value)}, we {(next is { } a ? Format(a) : "none")} (fire {n + 1} from {Format(from)})");
                    break;
                }

                ours = actual;
                theirs = expected.Value;
            }
        }

        output.WriteLine($"{compared} fire times compared in {zoneId}.");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    private static string Format(DateTimeOffset instant) => instant.ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture);

    private static string Generate(Random random, bool withSeconds)
    {
        var fields = new List<string>();
        if (random.Next(3) == 0)
        {
            // Fixed times (no wildcard, range or step), at the hours DST changes happen: they fire
            // only in the first pass of an overlap.
            if (withSeconds)
            {
                fields.Add(Values(random, 0, 59));
            }

            fields.Add(Values(random, 0, 59));
            fields.Add(Values(random, 0, 3));
        }
        else
        {
            if (withSeconds)
            {
                fields.Add(Sparse(random, 0, 59));
            }

            fields.Add(Sparse(random, 0, 59));
            fields.Add(Plain(random, 0, 23, 23, null));
        }

        var dayOfMonth = random.Next(10) switch
        {
            < 4 => "*",
            4 => "?",
            5 => "L",
            6 => $"L-{random.Next(21)}",
            _ => Plain(random, 1, 31, 31, null),
        };
        fields.Add(dayOfMonth);
        fields.Add(random.Next(2) == 0 ? "*" : Plain(random, 1, 12, 12, MonthNames));
        if (dayOfMonth is "*" or "?")
        {
            var day = random.Next(8);
            fields.Add(random.Next(8) switch
            {
                < 3 => "*",
                3 => "?",
                4 => Value(random, day, DayNames, 0) + "L",
                5 => $"{Value(random, day, DayNames, 0)}#{1 + random.Next(5)}",
                _ => Plain(random, 0, 7, 6, DayNames),
            });
        }
        else
        {
            fields.Add(random.Next(2) == 0 ? "*" : "?");
        }

        return string.Join(" ", fields);
    }

    private static string Values(Random random, int min, int max)
    {
        var values = new SortedSet<int>();
        for (var count = 1 + random.Next(3); values.Count < count;)
        {
            values.Add(min + random.Next(max - min + 1));
        }

        return string.Join(",", values);
    }

    /// <summary>Seconds and minutes: mostly a few values, so fires stay countable across a DST change.</summary>
    private static string Sparse(Random random, int min, int max)
        => random.Next(4) switch
        {
            0 => "*",
            1 => "0",
            _ => Plain(random, min, max, max, null),
        };

    private static string Plain(Random random, int min, int max, int wrapAfter, string[]? names)
    {
        if (random.Next(6) == 0)
        {
            return "*";
        }

        var elements = new List<string>();
        var count = 1 + random.Next(3);
        while (elements.Count < count)
        {
            var span = max - min + 1;
            var step = 1 + random.Next(Math.Min(span - 1, random.Next(3) == 0 ? 20 : 4));
            var low = min + random.Next(span);
            var high = min + random.Next(span);
            var stepText = step == 1 ? "" : $"/{step}";
            elements.Add(random.Next(6) switch
            {
                // Cronos takes '*' only as a whole field.
                0 when count == 1 => $"*/{step}",
                1 => $"{Value(random, low, names, min)}/{step}",
                2 => $"{Value(random, Math.Min(low, high), names, min)}-{Value(random, Math.Max(low, high), names, min)}{stepText}",
                3 => Wrapped(random, min, wrapAfter, names) + stepText,
                _ => Value(random, low, names, min),
            });
        }

        return string.Join(",", elements);
    }

    private static string Wrapped(Random random, int min, int wrapAfter, string[]? names)
    {
        var low = min + 1 + random.Next(wrapAfter - min);
        var high = min + random.Next(low - min);
        return $"{Value(random, low, names, min)}-{Value(random, high, names, min)}";
    }

    private static string Value(Random random, int value, string[]? names, int first)
    {
        var index = value - first;
        return names is null || index >= names.Length || random.Next(2) == 0
            ? value.ToString(CultureInfo.InvariantCulture)
            : names[index];
    }
}
