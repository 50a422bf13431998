using System.Diagnostics;
using Scheduler.Internal;
using Scheduler.Tests.Support;

namespace Scheduler.Tests.Internal;

public sealed class PreciseSleepTests
{
    [LinuxFact("Precise sleeps are a Linux call; elsewhere the loop spins within a budget.")]
    public void On_linux_it_sleeps_a_fraction_of_a_millisecond_never_less()
    {
        Assert.True(PreciseSleep.IsAvailable);
        var shortest = TimeSpan.MaxValue;
        for (var i = 0; i < 20; i++)
        {
            var watch = Stopwatch.StartNew();
            PreciseSleep.For(TimeSpan.FromMicroseconds(300));
            var slept = watch.Elapsed;
            Assert.True(slept >= TimeSpan.FromMicroseconds(300), $"Slept {slept.TotalMicroseconds} µs of 300.");
            shortest = slept < shortest ? slept : shortest;
        }

        // .NET's own waits take whole milliseconds; at least one of twenty sleeps must have been shorter.
        Assert.True(shortest < TimeSpan.FromMilliseconds(1), $"The shortest of 20 sleeps of 300 µs took {shortest.TotalMicroseconds} µs.");
    }

    [Fact]
    public void Nothing_and_less_than_nothing_return_at_once()
    {
        var watch = Stopwatch.StartNew();
        PreciseSleep.For(TimeSpan.Zero);
        PreciseSleep.For(TimeSpan.FromSeconds(-5));

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1));
    }
}
