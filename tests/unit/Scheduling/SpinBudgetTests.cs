using Scheduler.Scheduling;

namespace Scheduler.Tests.Scheduling;

public sealed class SpinBudgetTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Spin = TimeSpan.FromMilliseconds(1.5);

    [Fact]
    public void Back_to_back_spins_run_out_and_the_budget_refills_at_three_percent_of_the_time()
    {
        var budget = new SpinBudget();

        Assert.True(budget.TryTake(Start, Spin));
        Assert.True(budget.TryTake(Start, Spin));
        Assert.True(budget.TryTake(Start, Spin));
        Assert.False(budget.TryTake(Start, Spin));

        // 0.5 ms left; 1 ms more is saved in 33.4 ms, not in 33 ms.
        Assert.False(budget.TryTake(Start.AddMilliseconds(33), Spin));
        Assert.True(budget.TryTake(Start.AddMilliseconds(33.4), Spin));
        Assert.False(budget.Covers(Start.AddMilliseconds(33.4), Spin));
    }

    [Fact]
    public void A_long_idle_saves_no_more_than_a_short_burst()
    {
        var budget = new SpinBudget();
        Assert.True(budget.TryTake(Start, TimeSpan.FromMilliseconds(5)));

        Assert.True(budget.Covers(Start.AddHours(1), TimeSpan.FromMilliseconds(5)));
        Assert.False(budget.Covers(Start.AddHours(2), TimeSpan.FromMilliseconds(5.1)));
    }

    [Fact]
    public void A_clock_that_goes_back_saves_nothing_and_costs_nothing()
    {
        var budget = new SpinBudget();
        Assert.True(budget.TryTake(Start, TimeSpan.FromMilliseconds(5)));

        Assert.False(budget.Covers(Start.AddSeconds(-10), TimeSpan.FromTicks(1)));
        Assert.True(budget.Covers(Start.AddSeconds(-10).AddMilliseconds(100), TimeSpan.FromMilliseconds(3)));
    }
}
