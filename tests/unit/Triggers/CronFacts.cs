using System.Globalization;
using Scheduler.Triggers;

namespace Scheduler.Tests.Triggers;

/// <summary>Reads and checks the fact tables of the cron tests.</summary>
internal static class CronFacts
{
    /// <summary>The word that, at the end of an expected list, says the trigger fires no more.</summary>
    public const string End = "end";

    public static DateTimeOffset Instant(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture);

    public static string Format(DateTimeOffset instant) => instant.ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture);

    /// <summary>
    /// Asserts the fire times from <paramref name="from"/> on: <paramref name="expected"/> lists instants
    /// with their offsets (the offset is part of the fact), optionally followed by <see cref="End"/>.
    /// </summary>
    public static void AssertFires(CronTrigger trigger, string from, string expected)
    {
        var expectedTimes = expected.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
        var ends = expectedTimes.Count > 0 && expectedTimes[^1] == End;
        if (ends)
        {
            expectedTimes.RemoveAt(expectedTimes.Count - 1);
        }

        // One more than expected when the list ends, to see that nothing follows.
        var actual = trigger.GetFireTimes(Instant(from), expectedTimes.Count + (ends ? 1 : 0)).Select(Format).ToList();
        if (ends && actual.Count == expectedTimes.Count + 1)
        {
            Assert.Fail($"'{trigger.Expression}' fires again at {actual[^1]} after the expected end.");
        }

        Assert.Equal(expectedTimes.Select(t => Format(Instant(t))), actual.Take(expectedTimes.Count));
    }

    public static void AssertFires(string expression, string zone, string from, string expected)
        => AssertFires(new CronTrigger(expression, TimeZones.Resolve(zone)), from, expected);
}
