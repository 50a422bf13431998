using System.CommandLine;
using Scheduler.Internal;
using Scheduler.Triggers;

namespace Scheduler.Host.Commands;

/// <summary>
/// The flags that describe a trigger, shared by every verb that takes one (<c>next</c>, <c>add</c>):
/// exactly one of <c>--cron</c>, <c>--interval</c>, <c>--at</c>, <c>--calendar-interval</c> or
/// <c>--trigger-json</c>, with <c>--time-of-day</c>, <c>--timezone</c>, <c>--start</c> and <c>--end</c>,
/// and for verbs that schedule (<c>add</c>) <c>--jitter</c>.
/// </summary>
internal sealed class TriggerOptions
{
    private bool withJitter;

    public Option<string> Cron { get; } = new("--cron")
    {
        HelpName = "EXPR",
        Description = "Cron expression (5, 6 or 7 fields), evaluated in the time zone.",
    };

    public Option<string> Interval { get; } = new("--interval")
    {
        HelpName = "DURATION",
        Description = "Fixed elapsed interval: 90s, 5m, 1h30m, 2d, 1w, 500ms, PT1H30M or hh:mm:ss.",
    };

    public Option<string> At { get; } = new("--at")
    {
        HelpName = "DATETIME",
        Description = "Fires once at this date-time.",
    };

    public Option<string> CalendarInterval { get; } = new("--calendar-interval")
    {
        HelpName = "PERIOD",
        Description = "Every ISO 8601 period of years, months, weeks, days (P1D, P2W, P1M, P1Y6M) at a wall-clock time of day.",
    };

    public Option<string> TimeOfDay { get; } = new("--time-of-day")
    {
        HelpName = "HH:MM[:SS]",
        Description = "Time of day of a calendar interval (default: the time of --start, or of when it starts).",
    };

    public Option<string> TriggerJson { get; } = new("--trigger-json")
    {
        HelpName = "JSON",
        Description = "A trigger in its JSON form, e.g. {\"type\":\"cron\",\"expression\":\"0 9 * * *\",\"timezone\":\"UTC\"}.",
    };

    public Option<string> TimeZone { get; } = new("--timezone")
    {
        HelpName = "ZONE",
        Description = "IANA or Windows time zone id (default: the machine's local zone).",
    };

    public Option<string> Start { get; } = new("--start")
    {
        HelpName = "DATETIME",
        Description = "No fire before this date-time; anchors intervals and calendar intervals.",
    };

    public Option<string> End { get; } = new("--end")
    {
        HelpName = "DATETIME",
        Description = "No fire after this date-time (inclusive).",
    };

    public Option<string> Jitter { get; } = new("--jitter")
    {
        HelpName = "DURATION",
        Description = "Delay each run by a random time up to this duration (spreads load), capped at --end.",
    };

    /// <param name="command">The verb.</param>
    /// <param name="withJitter">Whether the verb takes <c>--jitter</c> (it schedules runs, rather than previewing fire times).</param>
    public void AddTo(Command command, bool withJitter = false)
    {
        this.withJitter = withJitter;
        foreach (var option in Added)
        {
            command.Options.Add(option);
        }
    }

    /// <summary>
    /// The trigger the flags describe, not yet anchored (an interval without a start is relative to
    /// when it is used). Throws <see cref="BadInputException"/> naming the offending flag and value.
    /// </summary>
    /// <summary>The first trigger option given, as "--name 'value'"; null when none is.</summary>
    public string? FirstGiven(ParseResult result)
        => Added
            .Select(option => result.GetValue(option) is { } value ? $"{option.Name} '{value}'" : null)
            .FirstOrDefault(given => given is not null);

    /// <summary>The options <see cref="AddTo"/> puts on its command.</summary>
    private IEnumerable<Option<string>> Added
    {
        get
        {
            Option<string>[] always = [Cron, Interval, At, CalendarInterval, TimeOfDay, TriggerJson, TimeZone, Start, End];
            return withJitter ? always.Append(Jitter) : always;
        }
    }

    public Trigger Build(ParseResult result)
    {
        var kinds = new[] { Cron, Interval, At, CalendarInterval, TriggerJson }
            .Select(option => (option, value: result.GetValue(option)))
            .Where(pair => pair.value is not null)
            .ToList();
        if (kinds.Count == 0)
        {
            throw new BadInputException("give a trigger: one of --cron, --interval, --at, --calendar-interval or --trigger-json");
        }

        if (kinds.Count > 1)
        {
            throw new BadInputException(
                $"give only one trigger, not both {kinds[0].option.Name} '{kinds[0].value}' and {kinds[1].option.Name} '{kinds[1].value}'");
        }

        var (kind, text) = (kinds[0].option, kinds[0].value!);
        var zoneText = result.GetValue(TimeZone);
        var startText = result.GetValue(Start);
        var endText = result.GetValue(End);
        var timeOfDayText = result.GetValue(TimeOfDay);
        var jitterText = withJitter ? result.GetValue(Jitter) : null;
        TimeSpan? jitter = jitterText is null ? null : Parse(Jitter, jitterText, TriggerText.ParseDuration);
        if (jitter < TimeSpan.Zero)
        {
            throw new BadInputException($"--jitter '{jitterText}' must not be negative");
        }

        if (timeOfDayText is not null && kind != CalendarInterval)
        {
            throw new BadInputException($"--time-of-day '{timeOfDayText}' applies only to --calendar-interval, not to {kind.Name}");
        }

        if (kind == TriggerJson)
        {
            if ((zoneText ?? startText ?? endText ?? jitterText) is not null)
            {
                var flag = zoneText is not null ? TimeZone : startText is not null ? Start : endText is not null ? End : Jitter;
                throw new BadInputException($"{flag.Name} '{zoneText ?? startText ?? endText ?? jitterText}' does not combine with --trigger-json: put it in the JSON");
            }

            return Parse(TriggerJson, text, Trigger.FromJson);
        }

        if (kind == At && (startText ?? endText) is not null)
        {
            var flag = startText is not null ? Start : End;
            throw new BadInputException($"{flag.Name} '{startText ?? endText}' does not apply to --at, which fires once");
        }

        try
        {
            return BuildKind(kind, text, zoneText, startText, endText, timeOfDayText, jitter);
        }
        catch (ArgumentException error)
        {
            // Limits the parsers cannot see, such as a period longer than the calendar.
            throw new BadInputException($"{kind.Name} '{text}': {ExceptionText.FirstLine(error)}", error);
        }
    }

    /// <summary>Reads a date-time flag in the trigger's zone (ISO 8601; without an offset it is wall-clock time there).</summary>
    public static DateTimeOffset ParseDateTime(Option option, string text, TimeZoneInfo zone)
        => Parse(option, text, value => TriggerText.ParseDateTime(value, zone));

    public static TimeZoneInfo ResolveZone(string text)
    {
        return TimeZones.TryResolve(text, out var zone)
            ? zone
            : throw new BadInputException($"unknown time zone '{text}' (--timezone): use an IANA id such as Europe/Berlin or a Windows id such as W. Europe Standard Time");
    }

    private Trigger BuildKind(Option<string> kind, string text, string? zoneText, string? startText, string? endText, string? timeOfDayText, TimeSpan? jitter)
    {
        var zone = zoneText is null ? TimeZoneInfo.Local : ResolveZone(zoneText);
        DateTimeOffset? start = startText is null ? null : ParseDateTime(Start, startText, zone);
        DateTimeOffset? end = endText is null ? null : ParseDateTime(End, endText, zone);
        if (start is { } s && end is { } e && e < s)
        {
            throw new BadInputException($"--end '{endText}' is before --start '{startText}'");
        }

        if (kind == Cron)
        {
            return Parse(Cron, text, expression => TriggerText.ParseCron(expression, zone, start, end, jitter));
        }

        if (kind == Interval)
        {
            return new IntervalTrigger(Parse(Interval, text, TriggerText.ParsePositiveDuration), start, end, zone, jitter);
        }

        if (kind == At)
        {
            return new DateTrigger(ParseDateTime(At, text, zone), zone, jitter);
        }

        var period = Parse(CalendarInterval, text, TriggerText.ParsePeriod);
        TimeSpan? timeOfDay = timeOfDayText is not null ? Parse(TimeOfDay, timeOfDayText, TriggerText.ParseTimeOfDay)
            : startText is null ? null : TriggerText.WrittenTimeOfDayInGap(startText, zone);
        if (period.IsZero || period.IsNegative)
        {
            throw new BadInputException($"--calendar-interval '{text}' must be a positive period");
        }

        return new CalendarIntervalTrigger(period, timeOfDay, start, end, zone, jitter);
    }

    public static T Parse<T>(Option option, string text, Func<string, T> parse)
    {
        try
        {
            return parse(text);
        }
        catch (FormatException error)
        {
            throw new BadInputException($"{option.Name}: {error.Message}", error);
        }
    }
}
