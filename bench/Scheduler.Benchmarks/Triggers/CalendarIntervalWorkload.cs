using System.Diagnostics;
using System.Globalization;
using Quartz;
using Quartz.Impl.Triggers;
using Scheduler.Triggers;

namespace Scheduler.Benchmarks.Triggers;

/// <summary>
/// One next-fire lookup of a monthly calendar interval trigger, 1 and 300 years after its start:
/// ours computes the step directly, so the cost should not grow with the distance.
/// </summary>
internal sealed class CalendarIntervalWorkload : IWorkload
{
    public string Name => "calendar-interval-lookup";

    public void Run(bool quick)
    {
        var berlin = Scheduler.Triggers.TimeZones.Resolve("Europe/Berlin");
        var start = new DateTimeOffset(2000, 1, 31, 9, 0, 0, TimeSpan.FromHours(1));
        var ours = new CalendarIntervalTrigger(months: 1, start: start, timeZone: berlin);
        var quartz = new CalendarIntervalTriggerImpl
        {
            StartTimeUtc = start,
            RepeatIntervalUnit = IntervalUnit.Month,
            RepeatInterval = 1,
            TimeZone = berlin,
            PreserveHourOfDayAcrossDaylightSavings = true,
        };
        var iterations = quick ? 2_000 : 50_000;

        foreach (var years in new[] { 1, 300 })
        {
            var instant = start.AddYears(years).AddDays(3);
            Report("scheduler", years, Measure(iterations, () => ours.GetFireTimeAtOrAfter(instant)));
            Report("quartz", years, Measure(Math.Max(10, iterations / (years * 10)), () => quartz.GetFireTimeAfter(instant)));
        }
    }

    private static double Measure(int iterations, Func<DateTimeOffset?> lookup)
    {
        for (var i = 0; i < Math.Min(iterations, 100); i++)
        {
            lookup();
        }

        var watch = Stopwatch.StartNew();
        for (var i = 0; i < iterations; i++)
        {
            lookup();
        }

        return watch.Elapsed.TotalMilliseconds * 1_000_000 / iterations;
    }

    private static void Report(string system, int years, double nanoseconds)
        => Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{{\"workload\":\"calendar-interval-lookup\",\"system\":\"{system}\",\"yearsAfterStart\":{years},\"nsPerLookup\":{nanoseconds:F0}}}"));
}
