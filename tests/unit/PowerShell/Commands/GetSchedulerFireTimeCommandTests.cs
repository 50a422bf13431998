using Scheduler.PowerShell.Tests.Hosting;

namespace Scheduler.PowerShell.Tests.Commands;

[Collection(ModuleCollection.Name)]
public sealed class GetSchedulerFireTimeCommandTests(ModuleSession session)
{
    [Fact]
    public void A_trigger_piped_in_lists_its_next_fire_times_as_numbered_rows_in_its_zone()
    {
        var result = session.Run("New-SchedulerTrigger -Cron '0 9 * * *' -TimeZone Europe/Berlin | Get-SchedulerFireTime -Count 3 -After 2024-03-30").ShouldSucceed();

        Assert.All(result.Output, row => Assert.Equal("Scheduler.PowerShell.FireTime", row.TypeName()));
        Assert.Equal([1, 2, 3], result.Output.Select(row => row.Property<int>("Number")));
        Assert.Equal(
            [
                new DateTimeOffset(2024, 3, 30, 9, 0, 0, TimeSpan.FromHours(1)),
                new DateTimeOffset(2024, 3, 31, 9, 0, 0, TimeSpan.FromHours(2)),
                new DateTimeOffset(2024, 4, 1, 9, 0, 0, TimeSpan.FromHours(2)),
            ],
            result.Output.Select(row => row.Property<DateTimeOffset>("Time")));
        Assert.Equal([TimeSpan.FromHours(1), TimeSpan.FromHours(2), TimeSpan.FromHours(2)], result.Output.Select(row => row.Property<DateTimeOffset>("Time").Offset));
        Assert.All(result.Output, row => Assert.Equal("Europe/Berlin", row.Property<string>("TimeZone")));
        Assert.Equal([DayOfWeek.Saturday, DayOfWeek.Sunday, DayOfWeek.Monday], result.Output.Select(row => row.Property<DayOfWeek>("DayOfWeek")));
    }

    [Fact]
    public void A_row_reads_as_ISO_8601_with_the_offset_and_fractional_seconds_only_when_present()
    {
        var result = session.Run("New-SchedulerTrigger -Interval 500ms -TimeZone UTC | Get-SchedulerFireTime -Count 2 -After '2024-05-01T10:00:00Z' | ForEach-Object { \"$_\" }");

        Assert.Equal(["2024-05-01T10:00:00.5+00:00", "2024-05-01T10:00:01+00:00"], result.ShouldSucceed().Objects);
    }

    [Fact]
    public void The_trigger_can_be_given_by_position_or_by_a_Trigger_property()
    {
        var result = session.Run(
            """
            $trigger = New-SchedulerTrigger -Cron '0 9 * * *' -TimeZone UTC
            Get-SchedulerFireTime $trigger -Count 1 -After 2024-01-01 | ForEach-Object { "$_" }
            [pscustomobject]@{ Name = 'report'; Trigger = $trigger } | Get-SchedulerFireTime -Count 1 -After 2024-01-02 | ForEach-Object { "$_" }
            """);

        Assert.Equal(["2024-01-01T09:00:00+00:00", "2024-01-02T09:00:00+00:00"], result.ShouldSucceed().Objects);
    }

    [Fact]
    public void Each_trigger_in_the_pipeline_gets_its_own_numbered_preview()
    {
        var result = session.Run(
            """
            (New-SchedulerTrigger -Cron '0 9 * * *' -TimeZone UTC), (New-SchedulerTrigger -Cron '0 18 * * *' -TimeZone UTC) |
                Get-SchedulerFireTime -Count 2 -After 2024-01-01 | ForEach-Object { "$($_.Number) $_" }
            """);

        Assert.Equal(
            ["1 2024-01-01T09:00:00+00:00", "2 2024-01-02T09:00:00+00:00", "1 2024-01-01T18:00:00+00:00", "2 2024-01-02T18:00:00+00:00"],
            result.ShouldSucceed().Objects);
    }

    [Fact]
    public void The_default_count_is_ten()
    {
        var result = session.Run("New-SchedulerTrigger -Interval 1m -TimeZone UTC | Get-SchedulerFireTime -After 2024-01-01").ShouldSucceed();

        Assert.Equal(10, result.Output.Count);
    }

    [Fact]
    public void After_includes_a_fire_time_at_that_instant()
    {
        var result = session.Run("New-SchedulerTrigger -Cron '0 9 * * *' -TimeZone Europe/Berlin | Get-SchedulerFireTime -Count 1 -After '2024-01-01T09:00' | ForEach-Object { \"$_\" }");

        Assert.Equal(["2024-01-01T09:00:00+01:00"], result.ShouldSucceed().Objects);
    }

    [Fact]
    public void After_with_an_offset_is_that_instant_in_any_zone()
    {
        // 09:00Z is 10:00 in Berlin: the 09:00 Berlin fire of that day has passed.
        var result = session.Run("New-SchedulerTrigger -Cron '0 9 * * *' -TimeZone Europe/Berlin | Get-SchedulerFireTime -Count 1 -After '2024-01-01T09:00:00Z' | ForEach-Object { \"$_\" }");

        Assert.Equal(["2024-01-02T09:00:00+01:00"], result.ShouldSucceed().Objects);
    }

    [Fact]
    public void An_interval_without_a_start_first_fires_one_interval_after_the_after_time()
    {
        var result = session.Run("New-SchedulerTrigger -Interval PT1H30M -TimeZone UTC | Get-SchedulerFireTime -Count 2 -After '2024-05-01T10:00:00Z' | ForEach-Object { \"$_\" }");

        Assert.Equal(["2024-05-01T11:30:00+00:00", "2024-05-01T13:00:00+00:00"], result.ShouldSucceed().Objects);
    }

    [Fact]
    public void Without_After_the_preview_starts_now()
    {
        var before = DateTimeOffset.UtcNow;
        var first = session.Run("New-SchedulerTrigger -Cron '* * * * *' -TimeZone UTC | Get-SchedulerFireTime -Count 1").Single().Property<DateTimeOffset>("Time");
        var after = DateTimeOffset.UtcNow;

        Assert.InRange(first, before.AddMinutes(-1), after.AddMinutes(1));
    }

    [Fact]
    public void A_trigger_that_never_fires_again_lists_nothing_and_warns()
    {
        var result = session.Run("New-SchedulerTrigger -At '2024-01-01T00:00:00Z' -TimeZone UTC | Get-SchedulerFireTime -After 2024-06-01").ShouldSucceed();

        Assert.Empty(result.Output);
        var warning = Assert.Single(result.Warnings);
        Assert.Contains("never fires at or after 2024-06-01T00:00:00+00:00", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_end_bounds_the_preview()
    {
        var result = session.Run("New-SchedulerTrigger -Cron '0 9 * * *' -TimeZone UTC -EndDate '2024-01-02T09:00' | Get-SchedulerFireTime -After 2024-01-01").ShouldSucceed();

        Assert.Equal(2, result.Output.Count);
        Assert.Empty(result.Warnings);
    }

    [Fact]
    public void An_all_trigger_whose_triggers_never_agree_is_a_TriggersNeverAgree_error_instead_of_a_hang()
    {
        var result = session.Run(
            """
            $nine = New-SchedulerTrigger -Cron '0 9 * * *' -TimeZone UTC
            $halfPast = New-SchedulerTrigger -Cron '30 9 * * *' -TimeZone UTC
            New-SchedulerTrigger -All $nine, $halfPast -TimeZone UTC | Get-SchedulerFireTime -After 2024-01-01
            """);

        var error = result.SingleError("TriggersNeverAgree");
        Assert.Equal("TriggersNeverAgree,Scheduler.PowerShell.Commands.GetSchedulerFireTimeCommand", error.FullyQualifiedErrorId);
        Assert.Contains("never agree", error.Exception.Message, StringComparison.Ordinal);
        Assert.Empty(result.Output);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(100_001)]
    public void A_count_outside_1_to_100000_is_rejected_by_validation(int count)
    {
        var result = session.Run("param($count) New-SchedulerTrigger -Cron '0 9 * * *' -TimeZone UTC | Get-SchedulerFireTime -Count $count", ("count", count));

        Assert.Equal("ParameterArgumentValidationError", PowerShellResult.IdOf(Assert.Single(result.Errors)));
    }

    [Fact]
    public void A_bad_after_date_fails_binding_naming_it_with_the_InvalidDateTime_id_inside()
    {
        var result = session.Run("New-SchedulerTrigger -Cron '0 9 * * *' -TimeZone UTC | Get-SchedulerFireTime -After 'next tuesday'");

        var error = result.SingleError("ParameterArgumentTransformationError");
        Assert.Contains("'next tuesday'", error.Exception.Message, StringComparison.Ordinal);
        Assert.Equal("InvalidDateTime", PowerShellResult.InnerIdOf(error));
    }
}
