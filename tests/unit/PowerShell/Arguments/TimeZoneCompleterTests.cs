using Scheduler.PowerShell.Tests.Hosting;

namespace Scheduler.PowerShell.Tests.Arguments;

[Collection(ModuleCollection.Name)]
public sealed class TimeZoneCompleterTests(ModuleSession session)
{
    [Fact]
    public void Tab_completes_an_IANA_id_from_its_beginning()
    {
        var matches = session.Complete("New-SchedulerTrigger -Cron '0 9 * * *' -TimeZone Europe/Be");

        Assert.Equal(["Europe/Belfast", "Europe/Belgrade", "Europe/Berlin"], matches.Where(match => match.StartsWith("Europe/Be", StringComparison.Ordinal)).Take(3));
    }

    [Fact]
    public void Tab_completes_a_city_to_its_IANA_id()
    {
        var matches = session.Complete("New-SchedulerTrigger -Cron '0 9 * * *' -TimeZone Berl");

        Assert.Equal(["Europe/Berlin"], matches);
    }

    [Fact]
    public void Windows_ids_with_spaces_are_completed_quoted()
    {
        var matches = session.Complete("New-SchedulerTrigger -Cron '0 9 * * *' -TimeZone W.");

        Assert.Contains("'W. Europe Standard Time'", matches);
    }

    [Fact]
    public void Completion_is_case_insensitive_and_offers_UTC_first()
    {
        var matches = session.Complete("New-SchedulerTrigger -Cron '0 9 * * *' -TimeZone ut");

        Assert.Equal("UTC", matches[0]);
    }

    [Fact]
    public void Every_offered_id_is_accepted_by_the_parameter_as_completed()
    {
        var completions = session.Complete("New-SchedulerTrigger -Cron '0 9 * * *' -TimeZone ");

        Assert.True(completions.Count > 400, $"Only {completions.Count} zones offered.");
        session.Run(
            """
            param($completions)
            foreach ($completion in $completions) {
                $null = & ([scriptblock]::Create("New-SchedulerTrigger -Cron '0 9 * * *' -TimeZone $completion"))
            }
            """,
            ("completions", completions)).ShouldSucceed();
    }
}
