using System.Diagnostics;
using Scheduler.Internal;
using Scheduler.Tests.Support;

namespace Scheduler.Tests.Internal;

public sealed class PreciseSleepTests
{
    [LinuxFact("nanosleep is used on 64-bit Linux only")]
    public void On_Linux_it_sleeps_and_never_wakes_before_the_time_asked()
    {
        var asked = TimeSpan.FromTicks(3_000);
        for (var i = 0; i < 50; i++)
        {
            var watch = Stopwatch.StartNew();

            Assert.True(PreciseSleep.TrySleep(asked));

            Assert.True(watch.Elapsed >= asked, $"Woke after {watch.Elapsed.TotalMilliseconds} ms, before the {asked.TotalMilliseconds} ms asked.");
        }
    }

    [Fact]
    public void A_duration_of_zero_or_less_returns_at_once()
    {
        var watch = Stopwatch.StartNew();

        var slept = PreciseSleep.TrySleep(TimeSpan.FromSeconds(-5));

        Assert.Equal(PreciseSleep.IsAvailable, slept);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1));
    }
}
