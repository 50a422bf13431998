using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Scheduler.Host;

namespace Scheduler.Tests.Host;

public sealed class NextCommandTests
{
    [Fact]
    public void A_cron_trigger_lists_its_next_fire_times()
    {
        var (output, _) = Succeeds("next", "--cron", "0 9 * * *", "--timezone", "UTC", "--after", "2024-01-01", "--count", "3");

        Assert.Equal(["2024-01-01T09:00:00+00:00", "2024-01-02T09:00:00+00:00", "2024-01-03T09:00:00+00:00"], output);
    }

    [Fact]
    public void Fire_times_carry_the_offset_of_the_zone_at_each_instant()
    {
        var (output, _) = Succeeds("next", "--cron", "0 9 * * *", "--timezone", "Europe/Berlin", "--after", "2024-03-30", "--count", "2");

        Assert.Equal(["2024-03-30T09:00:00+01:00", "2024-03-31T09:00:00+02:00"], output);
    }

    [Fact]
    public void A_run_in_the_hour_skipped_at_midnight_fires_when_the_day_begins()
    {
        // The clocks of Asia/Amman went from 00:00 to 01:00 on 2017-03-31.
        var (cron, _) = Succeeds("next", "--cron", "30 0 L * *", "--timezone", "Asia/Amman", "--after", "2017-03-31T00:00:00+02:00", "--count", "1");
        var (calendar, _) = Succeeds("next", "--calendar-interval", "P1D", "--start", "2017-03-31", "--timezone", "Asia/Amman", "--after", "2017-03-31", "--count", "2");

        Assert.Equal(["2017-03-31T01:00:00+03:00"], cron);
        Assert.Equal(["2017-03-31T01:00:00+03:00", "2017-04-01T00:00:00+03:00"], calendar);
    }

    [Fact]
    public void A_windows_zone_id_is_accepted()
    {
        var (output, _) = Succeeds("next", "--cron", "*/15 * * * *", "--timezone", "Eastern Standard Time", "--after", "2024-07-01T10:05", "--count", "2");

        Assert.Equal(["2024-07-01T10:15:00-04:00", "2024-07-01T10:30:00-04:00"], output);
    }

    [Fact]
    public void An_interval_with_a_start_fires_on_its_grid_and_moves_the_wall_clock_across_dst()
    {
        var (output, _) = Succeeds(
            "next", "--interval", "1h", "--start", "2024-03-31T00:00", "--timezone", "Europe/Berlin", "--after", "2024-03-31T00:30", "--count", "3");

        Assert.Equal(["2024-03-31T01:00:00+01:00", "2024-03-31T03:00:00+02:00", "2024-03-31T04:00:00+02:00"], output);
    }

    [Fact]
    public void An_interval_without_a_start_first_fires_one_interval_after_the_after_time()
    {
        var (output, _) = Succeeds("next", "--interval", "PT1H30M", "--timezone", "UTC", "--after", "2024-05-01T10:00:00Z", "--count", "2");

        Assert.Equal(["2024-05-01T11:30:00+00:00", "2024-05-01T13:00:00+00:00"], output);
    }

    [Fact]
    public void A_sub_second_interval_prints_fractional_seconds()
    {
        var (output, _) = Succeeds("next", "--interval", "500ms", "--timezone", "UTC", "--after", "2024-05-01T10:00:00Z", "--count", "2");

        Assert.Equal(["2024-05-01T10:00:00.5+00:00", "2024-05-01T10:00:01+00:00"], output);
    }

    [Fact]
    public void A_date_trigger_fires_once()
    {
        var (output, _) = Succeeds("next", "--at", "2024-07-01T10:00", "--timezone", "America/New_York", "--after", "2024-01-01");

        Assert.Equal(["2024-07-01T10:00:00-04:00"], output);
    }

    [Fact]
    public void A_trigger_that_has_ended_lists_nothing()
    {
        var (output, _) = Succeeds("next", "--at", "2024-07-01T10:00:00Z", "--after", "2024-07-01T10:00:01Z");

        Assert.Empty(output);
    }

    [Fact]
    public void A_calendar_interval_keeps_the_wall_clock_time_and_skips_short_months()
    {
        var (output, _) = Succeeds(
            "next", "--calendar-interval", "P1M", "--time-of-day", "02:30", "--start", "2024-01-31", "--timezone", "Europe/Berlin",
            "--after", "2024-01-01", "--count", "4");

        Assert.Equal(["2024-01-31T02:30:00+01:00", "2024-03-31T03:00:00+02:00", "2024-05-31T02:30:00+02:00", "2024-07-31T02:30:00+02:00"], output);
    }

    [Fact]
    public void A_calendar_interval_without_a_start_starts_on_the_date_of_the_after_time()
    {
        var (output, _) = Succeeds(
            "next", "--calendar-interval", "P1D", "--time-of-day", "09:00", "--timezone", "Pacific/Chatham", "--after", "2024-09-28T08:00", "--count", "2");

        Assert.Equal(["2024-09-28T09:00:00+12:45", "2024-09-29T09:00:00+13:45"], output);
    }

    [Fact]
    public void A_trigger_in_json_is_previewed_in_its_own_zone()
    {
        var (output, _) = Succeeds(
            "next", "--trigger-json", """{"type":"any","timezone":"UTC","triggers":[{"type":"cron","expression":"0 9 * * *","timezone":"UTC"},{"type":"date","at":"2024-01-01T12:00:00Z"}]}""",
            "--after", "2024-01-01", "--count", "3");

        Assert.Equal(["2024-01-01T09:00:00+00:00", "2024-01-01T12:00:00+00:00", "2024-01-02T09:00:00+00:00"], output);
    }

    [Fact]
    public void The_after_time_is_inclusive()
    {
        var (output, _) = Succeeds("next", "--cron", "0 9 * * *", "--timezone", "UTC", "--after", "2024-01-01T09:00:00Z", "--count", "1");

        Assert.Equal(["2024-01-01T09:00:00+00:00"], output);
    }

    [Fact]
    public void The_after_time_without_an_offset_is_read_in_the_trigger_zone()
    {
        var (output, _) = Succeeds("next", "--cron", "0 9 * * *", "--timezone", "Asia/Tokyo", "--after", "2024-01-01T09:00", "--count", "1");

        Assert.Equal(["2024-01-01T09:00:00+09:00"], output);
    }

    [Fact]
    public void Ten_fire_times_are_listed_by_default_from_now()
    {
        var now = new FakeTimeProvider(new DateTimeOffset(2024, 6, 1, 12, 34, 0, TimeSpan.Zero));

        var (output, _) = Succeeds(now, "next", "--cron", "0 * * * *", "--timezone", "UTC");

        Assert.Equal(10, output.Length);
        Assert.Equal("2024-06-01T13:00:00+00:00", output[0]);
        Assert.Equal("2024-06-01T22:00:00+00:00", output[9]);
    }

    [Fact]
    public void Json_prints_an_array_of_the_same_strings()
    {
        var (output, _) = Succeeds("next", "--cron", "0 9 * * *", "--timezone", "Europe/Berlin", "--after", "2024-03-30", "--count", "2", "--json");

        var single = Assert.Single(output);
        Assert.Equal("""["2024-03-30T09:00:00+01:00","2024-03-31T09:00:00+02:00"]""", single);
        Assert.Equal(["2024-03-30T09:00:00+01:00", "2024-03-31T09:00:00+02:00"], JsonSerializer.Deserialize<string[]>(single)!);
    }

    [Fact]
    public void Json_of_a_trigger_that_has_ended_is_an_empty_array()
    {
        var (output, _) = Succeeds("next", "--at", "2024-07-01T10:00:00Z", "--after", "2024-08-01T00:00:00Z", "--json");

        Assert.Equal(["[]"], output);
    }

    [Theory]
    [InlineData("'Mars/Olympus'", "next", "--cron", "0 9 * * *", "--timezone", "Mars/Olympus")]
    [InlineData("0 9 * *", "next", "--cron", "0 9 * *", "--timezone", "UTC")]
    [InlineData("0 99 * * *", "next", "--cron", "0 99 * * *", "--timezone", "UTC")]
    [InlineData("never fires: February has no day 30", "next", "--cron", "0 0 30 2 *", "--timezone", "UTC")]
    [InlineData("unknown day-of-week 'FRX'", "next", "--cron", "0 9 * * FRX", "--timezone", "UTC")]
    [InlineData("'0s'", "next", "--interval", "0s")]
    [InlineData("'-5m'", "next", "--interval", "-5m")]
    [InlineData("'soon'", "next", "--interval", "soon")]
    [InlineData("'P0D'", "next", "--calendar-interval", "P0D")]
    [InlineData("'1 month'", "next", "--calendar-interval", "1 month")]
    [InlineData("'P99999Y'", "next", "--calendar-interval", "P99999Y")]
    [InlineData("'25:00'", "next", "--calendar-interval", "P1D", "--time-of-day", "25:00")]
    [InlineData("'09:00'", "next", "--cron", "0 9 * * *", "--time-of-day", "09:00")]
    [InlineData("'2024-13-01'", "next", "--cron", "0 9 * * *", "--after", "2024-13-01")]
    [InlineData("'tomorrow'", "next", "--interval", "1h", "--start", "tomorrow")]
    [InlineData("'2024-02-30'", "next", "--at", "2024-02-30")]
    [InlineData("'2024-01-01'", "next", "--interval", "1h", "--start", "2024-02-01", "--end", "2024-01-01")]
    [InlineData("'2024-01-01'", "next", "--at", "2024-07-01", "--start", "2024-01-01")]
    [InlineData("--cron, --interval, --at, --calendar-interval or --trigger-json", "next", "--timezone", "UTC")]
    [InlineData("--cron '0 9 * * *' and --interval '1h'", "next", "--cron", "0 9 * * *", "--interval", "1h")]
    [InlineData("'0'", "next", "--cron", "0 9 * * *", "--count", "0")]
    [InlineData("'-3'", "next", "--cron", "0 9 * * *", "--count", "-3")]
    [InlineData("'abc'", "next", "--cron", "0 9 * * *", "--count", "abc")]
    [InlineData("'--bogus'", "next", "--cron", "0 9 * * *", "--bogus")]
    [InlineData("'Mars/Olympus'", "next", "--trigger-json", """{"type":"cron","expression":"0 9 * * *","timezone":"Mars/Olympus"}""")]
    [InlineData("'weekly'", "next", "--trigger-json", """{"type":"weekly"}""")]
    [InlineData("'UTC'", "next", "--trigger-json", """{"type":"cron","expression":"0 9 * * *"}""", "--timezone", "UTC")]
    [InlineData(
        "never agree on a fire time",
        "next",
        "--trigger-json",
        """{"type":"all","triggers":[{"type":"interval","every":"PT2H","start":"2024-01-01T00:00:00Z"},{"type":"interval","every":"PT2H","start":"2024-01-01T01:00:00Z"}]}""",
        "--after",
        "2024-01-01T00:00:00Z")]
    [InlineData("--jitter: 'later' is not a duration", "next", "--cron", "0 9 * * *", "--jitter", "later")]
    [InlineData("'sideways'", "sideways")]
    public void Bad_input_exits_2_with_one_line_naming_the_value(string expected, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();

        var exitCode = SchedHost.Run(args, output, error, new FakeTimeProvider(new DateTimeOffset(2024, 6, 1, 0, 0, 0, TimeSpan.Zero)));

        Assert.Equal(SchedHost.BadInput, exitCode);
        Assert.Equal(string.Empty, output.ToString());
        var line = Assert.Single(Lines(error));
        Assert.StartsWith("schedhost: ", line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);
    }

    [Fact]
    public void The_trigger_flags_of_add_preview_as_they_are_jitter_included_and_not_applied()
    {
        var output = new StringWriter();

        var exitCode = SchedHost.Run(
            ["next", "--cron", "0 9 * * *", "--timezone", "UTC", "--jitter", "5m", "--after", "2024-01-01T00:00:00Z", "--count", "2"],
            output,
            new StringWriter(),
            new FakeTimeProvider(new DateTimeOffset(2024, 6, 1, 0, 0, 0, TimeSpan.Zero)));

        Assert.Equal(SchedHost.Success, exitCode);
        Assert.Equal(["2024-01-01T09:00:00+00:00", "2024-01-02T09:00:00+00:00"], Lines(output));
    }

    [Fact]
    public void A_trigger_that_fails_past_some_fire_times_lists_them_then_exits_2_naming_the_failure()
    {
        // Even hours, and (at four o'clock or on odd hours): they agree at four and never again.
        const string once = """{"type":"all","triggers":[{"type":"interval","every":"PT2H","start":"2024-01-01T00:00:00Z","timezone":"UTC"},{"type":"any","triggers":[{"type":"date","at":"2024-01-01T04:00:00Z","timezone":"UTC"},{"type":"interval","every":"PT2H","start":"2024-01-01T01:00:00Z","timezone":"UTC"}]}]}""";
        var output = new StringWriter();
        var error = new StringWriter();

        var asked = SchedHost.Run(["next", "--trigger-json", once, "--after", "2024-01-01T00:00:00Z", "--count", "1"], output, new StringWriter(), new FakeTimeProvider(new DateTimeOffset(2024, 6, 1, 0, 0, 0, TimeSpan.Zero)));
        Assert.Equal(SchedHost.Success, asked);
        Assert.Equal(["2024-01-01T04:00:00+00:00"], Lines(output));

        output = new StringWriter();
        var more = SchedHost.Run(["next", "--trigger-json", once, "--after", "2024-01-01T00:00:00Z", "--count", "3"], output, error, new FakeTimeProvider(new DateTimeOffset(2024, 6, 1, 0, 0, 0, TimeSpan.Zero)));
        Assert.Equal(SchedHost.BadInput, more);
        Assert.Equal(["2024-01-01T04:00:00+00:00"], Lines(output));
        Assert.StartsWith("schedhost: The triggers of this all-trigger never agree on a fire time", Assert.Single(Lines(error)), StringComparison.Ordinal);
    }

    [Fact]
    public void No_command_exits_2_with_one_line()
    {
        var error = new StringWriter();

        Assert.Equal(SchedHost.BadInput, SchedHost.Run([], new StringWriter(), error));
        Assert.Single(Lines(error));
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("next", "--help")]
    [InlineData("next", "-h")]
    public void Help_exits_0_and_lists_the_trigger_options(params string[] args)
    {
        var output = new StringWriter();

        Assert.Equal(SchedHost.Success, SchedHost.Run(args, output, new StringWriter()));
        Assert.Contains(args.Length == 1 ? "next" : "--calendar-interval <PERIOD>", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_built_executable_lists_fire_times()
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "schedhost.dll"), "next", "--cron", "0 9 * * *", "--timezone", "UTC", "--after", "2024-01-01", "--count", "2" })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);

        Assert.Equal(string.Empty, await stderr);
        Assert.Equal(0, process.ExitCode);
        Assert.Equal(["2024-01-01T09:00:00+00:00", "2024-01-02T09:00:00+00:00"], (await stdout).Split(['\n', '\r'], StringSplitOptions.RemoveEmptyEntries));
    }

    private static (string[] Output, string Error) Succeeds(params string[] args)
        => Succeeds(new FakeTimeProvider(new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero)), args);

    private static (string[] Output, string Error) Succeeds(TimeProvider time, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();

        var exitCode = SchedHost.Run(args, output, error, time);

        Assert.True(exitCode == SchedHost.Success, $"exit code {exitCode}: {error}");
        Assert.Equal(string.Empty, error.ToString());
        return (Lines(output), error.ToString());
    }

    private static string[] Lines(StringWriter writer) => writer.ToString().Split(['\n', '\r'], StringSplitOptions.RemoveEmptyEntries);
}
