using Scheduler.Internal;

namespace Scheduler.Tests.Internal;

public sealed class TimeTextTests
{
    [Theory]
    [InlineData(0L, "00:00:00")]
    [InlineData(3_000_074_385L, "00:05:00.007")]
    [InlineData(300_000_000L, "00:00:30")]
    [InlineData(9_995L, "00:00:00.001")]
    [InlineData(4_999L, "00:00:00")]
    [InlineData(936_000_000_000L + 5_000L * 10_000L, "1.02:00:05")]
    [InlineData(-15_000_000L, "-00:00:01.500")]
    public void Durations_read_to_the_millisecond_with_days_only_when_there_are_any(long ticks, string expected)
    {
        Assert.Equal(expected, TimeText.Elapsed(TimeSpan.FromTicks(ticks)));
    }
}
