using System.Management.Automation;
using Scheduler.PowerShell.Tests.Hosting;

namespace Scheduler.PowerShell.Tests.Commands;

[Collection(ModuleCollection.Name)]
public sealed class NewSchedulerTriggerCommandTests(ModuleSession session)
{
    private const string CommandType = "Scheduler.PowerShell.Commands.NewSchedulerTriggerCommand";

    // Cron

    [Fact]
    public void A_cron_expression_makes_a_cron_trigger_in_the_given_zone()
    {
        var trigger = session.Run("New-SchedulerTrigger -Cron '0 9 * * *' -TimeZone Europe/Berlin").Single();

        Assert.Equal("Scheduler.Triggers.CronTrigger", trigger.TypeName());
        Assert.Equal("0 9 * * *", trigger.Property<string>("Expression"));
        Assert.Equal(["2024-03-30T09:00:00+01:00", "2024-03-31T09:00:00+02:00"], FireTimes(trigger, "2024-03-30", 2));
    }

    [Fact]
    public void The_cron_expression_is_the_first_positional_parameter()
    {
        var trigger = session.Run("New-SchedulerTrigger '*/15 * * * *' -TimeZone UTC").Single();

        Assert.Equal("*/15 * * * *", trigger.Property<string>("Expression"));
    }

    [Fact]
    public void Without_a_zone_the_trigger_uses_the_machine_zone()
    {
        var trigger = session.Run("New-SchedulerTrigger -Cron '0 9 * * *'").Single();

        Assert.Equal(TimeZoneInfo.Local.Id, trigger.Property<TimeZoneInfo>("TimeZone").Id);
    }

    [Fact]
    public void Start_and_end_without_an_offset_are_read_in_the_trigger_zone()
    {
        var trigger = session.Run("New-SchedulerTrigger -Cron '0 9 * * *' -TimeZone Europe/Berlin -StartDate 2024-07-01 -EndDate '2024-07-03 09:00'").Single();

        Assert.Equal(new DateTimeOffset(2024, 7, 1, 0, 0, 0, TimeSpan.FromHours(2)), trigger.Property<DateTimeOffset?>("Start"));
        Assert.Equal(new DateTimeOffset(2024, 7, 3, 9, 0, 0, TimeSpan.FromHours(2)), trigger.Property<DateTimeOffset?>("End"));
        Assert.Equal(["2024-07-01T09:00:00+02:00", "2024-07-02T09:00:00+02:00", "2024-07-03T09:00:00+02:00"], FireTimes(trigger, "2024-06-01", 5));
    }

    [Fact]
    public void A_start_with_an_offset_is_that_instant_whatever_the_zone()
    {
        var trigger = session.Run("New-SchedulerTrigger -Cron '0 9 * * *' -TimeZone Europe/Berlin -StartDate '2024-07-01T12:00:00Z'").Single();

        Assert.Equal(new DateTimeOffset(2024, 7, 1, 12, 0, 0, TimeSpan.Zero), trigger.Property<DateTimeOffset?>("Start"));
    }

    [Fact]
    public void An_invalid_cron_expression_is_an_InvalidCronExpression_error_that_quotes_it()
    {
        var result = session.Run("New-SchedulerTrigger -Cron '61 * * * *' -TimeZone UTC");

        var error = result.SingleError("InvalidCronExpression");
        Assert.Equal("InvalidCronExpression," + CommandType, error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
        Assert.Contains("'61 * * * *'", error.Exception.Message, StringComparison.Ordinal);
        Assert.Equal("61 * * * *", error.TargetObject);
        Assert.Empty(result.Output);
    }

    // Time zones

    [Fact]
    public void A_windows_zone_id_works_like_its_IANA_zone()
    {
        var windows = session.Run("New-SchedulerTrigger -Cron '0 9 * * *' -TimeZone 'W. Europe Standard Time'").Single();
        var iana = session.Run("New-SchedulerTrigger -Cron '0 9 * * *' -TimeZone Europe/Berlin").Single();

        Assert.Equal(FireTimes(iana, "2024-03-30", 3), FireTimes(windows, "2024-03-30", 3));
    }

    [Fact]
    public void A_TimeZoneInfo_object_is_accepted()
    {
        var trigger = session.Run("New-SchedulerTrigger -Cron '0 9 * * *' -TimeZone ([System.TimeZoneInfo]::Utc)").Single();

        Assert.Equal(TimeZoneInfo.Utc.Id, trigger.Property<TimeZoneInfo>("TimeZone").Id);
    }

    [Fact]
    public void An_unknown_zone_fails_binding_with_a_message_naming_it_and_the_UnknownTimeZone_id_inside()
    {
        var result = session.Invoke("New-SchedulerTrigger", ("Cron", "0 9 * * *"), ("TimeZone", "Mars/Olympus_Mons"));

        var error = result.SingleError("ParameterArgumentTransformationError");
        Assert.Equal("ParameterArgumentTransformationError," + CommandType, error.FullyQualifiedErrorId);
        Assert.Contains("'Mars/Olympus_Mons'", error.Exception.Message, StringComparison.Ordinal);
        Assert.Contains("Europe/Berlin", error.Exception.Message, StringComparison.Ordinal);
        Assert.Equal("UnknownTimeZone", PowerShellResult.InnerIdOf(error));
    }

    // Interval

    [Theory]
    [InlineData("'90m'", "PT1H30M")]
    [InlineData("'PT1H30M'", "PT1H30M")]
    [InlineData("'01:30:00'", "PT1H30M")]
    [InlineData("'1h30m'", "PT1H30M")]
    [InlineData("([timespan]::FromMinutes(90))", "PT1H30M")]
    [InlineData("'500ms'", "PT0.5S")]
    [InlineData("'1w'", "P7D")]
    public void An_interval_accepts_a_TimeSpan_or_duration_text(string argument, string expected)
    {
        var trigger = session.Run($"New-SchedulerTrigger -Interval {argument} -TimeZone UTC").Single();

        Assert.Equal("Scheduler.Triggers.IntervalTrigger", trigger.TypeName());
        Assert.Equal(expected, session.Run("param($t) [Scheduler.PowerShell.TriggerDisplay]::Duration($t.Every)", ("t", trigger)).Single().BaseObject);
    }

    [Theory]
    [InlineData("90s", 90)]
    [InlineData("2d", 2 * 86_400)]
    [InlineData("1.5d", 36 * 3_600)]
    public void Unquoted_durations_that_PowerShell_reads_as_numbers_keep_their_unit(string argument, int seconds)
    {
        var trigger = session.Run($"New-SchedulerTrigger -Interval {argument} -TimeZone UTC").Single();

        Assert.Equal(TimeSpan.FromSeconds(seconds), trigger.Property<TimeSpan>("Every"));
    }

    [Fact]
    public void An_interval_with_a_start_fires_on_its_grid_and_counts_elapsed_time_across_dst()
    {
        var trigger = session.Run("New-SchedulerTrigger -Interval 1h -StartDate '2024-03-31T00:00' -TimeZone Europe/Berlin").Single();

        Assert.Equal(["2024-03-31T01:00:00+01:00", "2024-03-31T03:00:00+02:00", "2024-03-31T04:00:00+02:00"], FireTimes(trigger, "2024-03-31T00:30", 3));
    }

    [Fact]
    public void A_zero_interval_is_an_InvalidDuration_error_naming_it()
    {
        var result = session.Run("New-SchedulerTrigger -Interval 0s -TimeZone UTC");

        var error = result.SingleError("InvalidDuration");
        Assert.Contains("'PT0S'", error.Exception.Message, StringComparison.Ordinal);
        Assert.Empty(result.Output);
    }

    [Theory]
    [InlineData("5x")]
    [InlineData("P1M")]
    [InlineData("5")]
    [InlineData("-5m")]
    public void Text_or_a_number_that_is_no_duration_fails_binding_naming_it_with_the_InvalidDuration_id_inside(string text)
    {
        var value = int.TryParse(text, out var number) ? (object)number : text;
        var result = session.Invoke("New-SchedulerTrigger", ("Interval", value), ("TimeZone", "UTC"));

        var error = result.SingleError("ParameterArgumentTransformationError");
        Assert.Contains($"'{text}'", error.Exception.Message, StringComparison.Ordinal);
        Assert.Equal("InvalidDuration", PowerShellResult.InnerIdOf(error));
    }

    // At

    [Fact]
    public void At_without_an_offset_is_wall_clock_time_in_the_zone()
    {
        var trigger = session.Run("New-SchedulerTrigger -At '2024-07-01T10:00' -TimeZone Europe/Berlin").Single();

        Assert.Equal("Scheduler.Triggers.DateTrigger", trigger.TypeName());
        Assert.Equal(new DateTimeOffset(2024, 7, 1, 8, 0, 0, TimeSpan.Zero), trigger.Property<DateTimeOffset>("At"));
    }

    [Fact]
    public void At_inside_a_spring_forward_gap_is_the_first_instant_after_it()
    {
        var trigger = session.Run("New-SchedulerTrigger -At '2024-03-31 02:30' -TimeZone Europe/Berlin").Single();

        Assert.Equal(["2024-03-31T03:00:00+02:00"], FireTimes(trigger, "2024-01-01", 5));
    }

    [Theory]
    [InlineData("'2024-07-01T10:00:00+00:00'")]
    [InlineData("'2024-07-01T10:00:00Z'")]
    [InlineData("([DateTimeOffset]::new(2024, 7, 1, 12, 0, 0, [TimeSpan]::FromHours(2)))")]
    [InlineData("([DateTime]::new(2024, 7, 1, 10, 0, 0, [DateTimeKind]::Utc))")]
    public void At_with_an_offset_or_as_an_object_is_that_instant(string argument)
    {
        var trigger = session.Run($"New-SchedulerTrigger -At {argument} -TimeZone Asia/Tokyo").Single();

        Assert.Equal(new DateTimeOffset(2024, 7, 1, 10, 0, 0, TimeSpan.Zero), trigger.Property<DateTimeOffset>("At"));
    }

    [Fact]
    public void At_takes_no_start_or_end()
    {
        var result = session.Invoke("New-SchedulerTrigger", ("At", "2024-07-01"), ("StartDate", "2024-06-01"));

        Assert.Equal("AmbiguousParameterSet", PowerShellResult.IdOf(Assert.Single(result.Errors)));
    }

    [Fact]
    public void A_date_that_is_not_ISO_8601_fails_binding_naming_it_with_the_InvalidDateTime_id_inside()
    {
        var result = session.Invoke("New-SchedulerTrigger", ("At", "2024-02-30"), ("TimeZone", "UTC"));

        var error = result.SingleError("ParameterArgumentTransformationError");
        Assert.Contains("'2024-02-30'", error.Exception.Message, StringComparison.Ordinal);
        Assert.Equal("InvalidDateTime", PowerShellResult.InnerIdOf(error));
    }

    // Calendar interval

    [Fact]
    public void A_monthly_calendar_interval_keeps_the_day_and_skips_months_without_it()
    {
        var trigger = session.Run("New-SchedulerTrigger -CalendarInterval P1M -TimeOfDay 09:00 -StartDate 2024-01-31 -TimeZone UTC").Single();

        Assert.Equal("Scheduler.Triggers.CalendarIntervalTrigger", trigger.TypeName());
        Assert.Equal(["2024-01-31T09:00:00+00:00", "2024-03-31T09:00:00+00:00", "2024-05-31T09:00:00+00:00"], FireTimes(trigger, "2024-01-01", 3));
    }

    [Fact]
    public void A_daily_calendar_interval_keeps_its_wall_clock_time_across_dst()
    {
        var trigger = session.Run("New-SchedulerTrigger -CalendarInterval P1D -TimeOfDay 02:30 -StartDate 2024-03-30 -TimeZone Europe/Berlin").Single();

        Assert.Equal(["2024-03-30T02:30:00+01:00", "2024-03-31T03:00:00+02:00", "2024-04-01T02:30:00+02:00"], FireTimes(trigger, "2024-03-30", 3));
    }

    [Theory]
    [InlineData("([timespan]'09:15')")]
    [InlineData("([datetime]'2000-01-01 09:15')")]
    [InlineData("'09:15:00'")]
    public void The_time_of_day_accepts_text_a_TimeSpan_or_the_time_of_a_DateTime(string argument)
    {
        var trigger = session.Run($"New-SchedulerTrigger -CalendarInterval P1D -TimeOfDay {argument} -StartDate 2024-05-01 -TimeZone UTC").Single();

        Assert.Equal(TimeSpan.FromMinutes(9 * 60 + 15), trigger.Property<TimeSpan?>("TimeOfDay"));
    }

    [Theory]
    [InlineData("P1X")]
    [InlineData("PT1H")]
    [InlineData("P0D")]
    public void A_period_that_is_not_a_positive_calendar_period_is_an_InvalidPeriod_error_naming_it(string period)
    {
        var result = session.Run($"New-SchedulerTrigger -CalendarInterval {period} -TimeZone UTC");

        var error = result.SingleError("InvalidPeriod");
        Assert.Contains($"'{period}'", error.Exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_time_of_day_of_a_day_or_more_is_an_InvalidTimeOfDay_error()
    {
        var result = session.Run("New-SchedulerTrigger -CalendarInterval P1D -TimeOfDay ([timespan]::FromHours(25)) -TimeZone UTC");

        var error = result.SingleError("InvalidTimeOfDay");
        Assert.Contains("'1.01:00:00'", error.Exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_time_of_day_text_out_of_range_fails_binding_naming_it_with_the_InvalidTimeOfDay_id_inside()
    {
        var result = session.Invoke("New-SchedulerTrigger", ("CalendarInterval", "P1D"), ("TimeOfDay", "24:30"));

        var error = result.SingleError("ParameterArgumentTransformationError");
        Assert.Contains("'24:30'", error.Exception.Message, StringComparison.Ordinal);
        Assert.Equal("InvalidTimeOfDay", PowerShellResult.InnerIdOf(error));
    }

    [Fact]
    public void A_period_longer_than_the_calendar_is_an_InvalidTrigger_error()
    {
        var result = session.Run("New-SchedulerTrigger -CalendarInterval P20000Y -TimeZone UTC");

        var error = result.SingleError("InvalidTrigger");
        Assert.Contains("P20000Y", error.Exception.Message, StringComparison.Ordinal);
    }

    // All and any

    [Fact]
    public void All_fires_when_every_trigger_fires_at_the_same_instant()
    {
        var trigger = session.Run(
            """
            $daily = New-SchedulerTrigger -Cron '0 9 * * *' -TimeZone UTC
            $sixHours = New-SchedulerTrigger -Interval 6h -StartDate '2024-05-01T03:00:00Z' -TimeZone UTC
            New-SchedulerTrigger -All $daily, $sixHours -TimeZone UTC
            """).Single();

        Assert.Equal("Scheduler.Triggers.AllTrigger", trigger.TypeName());
        Assert.Equal(["2024-05-01T09:00:00+00:00", "2024-05-02T09:00:00+00:00"], FireTimes(trigger, "2024-05-01", 2));
    }

    [Fact]
    public void Any_merges_the_fire_times_of_its_triggers()
    {
        var trigger = session.Run(
            """
            $nine = New-SchedulerTrigger -Cron '0 9 * * *' -TimeZone UTC
            $once = New-SchedulerTrigger -At '2024-05-01T12:00:00Z' -TimeZone UTC
            New-SchedulerTrigger -Any $nine, $once -TimeZone Europe/Berlin
            """).Single();

        Assert.Equal("Scheduler.Triggers.AnyTrigger", trigger.TypeName());
        Assert.Equal(["2024-05-01T11:00:00+02:00", "2024-05-01T14:00:00+02:00", "2024-05-02T11:00:00+02:00"], FireTimes(trigger, "2024-05-01", 3));
    }

    [Fact]
    public void A_composite_start_and_end_bound_the_fire_times()
    {
        var trigger = session.Run(
            """
            $hourly = New-SchedulerTrigger -Cron '0 * * * *' -TimeZone UTC
            New-SchedulerTrigger -Any $hourly -StartDate '2024-05-01T10:30' -EndDate '2024-05-01T12:00' -TimeZone UTC
            """).Single();

        Assert.Equal(["2024-05-01T11:00:00+00:00", "2024-05-01T12:00:00+00:00"], FireTimes(trigger, "2024-05-01", 5));
    }

    // Shared checks

    [Fact]
    public void An_end_before_the_start_is_an_InvalidTrigger_error_naming_both()
    {
        var result = session.Run("New-SchedulerTrigger -Interval 1h -StartDate 2024-05-02 -EndDate 2024-05-01 -TimeZone UTC");

        var error = result.SingleError("InvalidTrigger");
        Assert.Contains("'2024-05-01T00:00:00+00:00'", error.Exception.Message, StringComparison.Ordinal);
        Assert.Contains("'2024-05-02T00:00:00+00:00'", error.Exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Jitter_is_kept_on_the_trigger()
    {
        var trigger = session.Run("New-SchedulerTrigger -Cron '0 9 * * *' -TimeZone UTC -Jitter '30s'").Single();

        Assert.Equal(TimeSpan.FromSeconds(30), trigger.Property<TimeSpan?>("Jitter"));
    }

    [Fact]
    public void A_negative_jitter_fails_binding_naming_it_as_typed()
    {
        var result = session.Run("New-SchedulerTrigger -Cron '0 9 * * *' -TimeZone UTC -Jitter '-30s'");

        var error = result.SingleError("ParameterArgumentTransformationError");
        Assert.Contains("The duration '-30s' is negative; give a positive one such as 90s.", error.Exception.Message, StringComparison.Ordinal);
        Assert.Equal("InvalidDuration", PowerShellResult.InnerIdOf(error));
    }

    [Fact]
    public void Two_kinds_at_once_are_rejected_by_parameter_binding()
    {
        var result = session.Invoke("New-SchedulerTrigger", ("Cron", "0 9 * * *"), ("Interval", "5m"));

        Assert.Equal("AmbiguousParameterSet", PowerShellResult.IdOf(Assert.Single(result.Errors)));
    }

    // Pipeline

    [Fact]
    public void Objects_with_parameter_named_properties_make_one_trigger_each_of_the_kind_they_select()
    {
        var result = session.Run(
            """
            [pscustomobject]@{ Interval = '1h'; StartDate = '2024-05-01'; TimeZone = 'Europe/Berlin' },
            [pscustomobject]@{ Cron = '0 9 * * *'; TimeZone = 'UTC'; Jitter = '10s' },
            [pscustomobject]@{ CalendarInterval = 'P1W'; TimeOfDay = '08:00'; TimeZone = 'UTC' },
            [pscustomobject]@{ At = '2024-12-24 18:00'; TimeZone = 'Europe/Berlin' } | New-SchedulerTrigger
            """).ShouldSucceed();

        Assert.Equal(
            ["Scheduler.Triggers.IntervalTrigger", "Scheduler.Triggers.CronTrigger", "Scheduler.Triggers.CalendarIntervalTrigger", "Scheduler.Triggers.DateTrigger"],
            result.Output.Select(item => item.TypeName()));
        Assert.Equal(new DateTimeOffset(2024, 5, 1, 0, 0, 0, TimeSpan.FromHours(2)), result.Output[0].Property<DateTimeOffset?>("Start"));
        Assert.Equal(TimeSpan.FromSeconds(10), result.Output[1].Property<TimeSpan?>("Jitter"));
        Assert.Equal(new DateTimeOffset(2024, 12, 24, 17, 0, 0, TimeSpan.Zero), result.Output[3].Property<DateTimeOffset>("At"));
    }

    [Fact]
    public void Empty_optional_values_such_as_empty_csv_cells_leave_the_parameter_unset()
    {
        var trigger = session.Run(
            """
            [pscustomobject]@{ Cron = '0 9 * * *'; TimeZone = 'UTC'; StartDate = ''; EndDate = ' '; Jitter = '' } | New-SchedulerTrigger
            """).Single();

        Assert.Null(trigger.Property<DateTimeOffset?>("Start"));
        Assert.Null(trigger.Property<DateTimeOffset?>("End"));
        Assert.Null(trigger.Property<TimeSpan?>("Jitter"));
    }

    [Fact]
    public void A_bad_input_object_writes_its_error_and_the_following_ones_still_make_triggers()
    {
        var result = session.Run(
            """
            [pscustomobject]@{ Cron = 'not cron'; TimeZone = 'UTC' },
            [pscustomobject]@{ Cron = '0 9 * * *'; TimeZone = 'Mars' },
            [pscustomobject]@{ Cron = '0 10 * * *'; TimeZone = 'UTC' } | New-SchedulerTrigger
            """);

        Assert.Equal(["InvalidCronExpression", "ParameterArgumentTransformationError"], result.Errors.Select(PowerShellResult.IdOf));
        Assert.Equal("0 10 * * *", Assert.Single(result.Output).Property<string>("Expression"));
    }

    [Fact]
    public void Without_a_kind_the_parameter_set_is_ambiguous_instead_of_prompting()
    {
        var result = session.Invoke("New-SchedulerTrigger", ("TimeZone", "UTC"));

        Assert.Equal("AmbiguousParameterSet", PowerShellResult.IdOf(Assert.Single(result.Errors)));
    }

    private List<string> FireTimes(PSObject trigger, string after, int count)
        => session.Run("param($t, $after, $count) $t | Get-SchedulerFireTime -After $after -Count $count | ForEach-Object { $_.ToString() }", ("t", trigger), ("after", after), ("count", count))
            .ShouldSucceed().Objects.Cast<string>().ToList();
}
