using System.Globalization;
using Scheduler.Invocations;
using Scheduler.Jobs;
using Scheduler.Triggers;

namespace Scheduler.Host.Output;

/// <summary>Short human-readable descriptions of jobs, triggers, invocations and times, for tables and logs.</summary>
internal static class Describe
{
    /// <summary>An instant in the local zone, ISO 8601 with its offset, to the millisecond; "-" for none.</summary>
    public static string Time(DateTimeOffset? value)
        => value is { } instant ? TriggerText.FormatFireTime(ToMilliseconds(instant), TimeZoneInfo.Local) : "-";

    /// <summary>A job's next run time in its trigger's zone, to the millisecond; "-" when it has none (paused, broken).</summary>
    public static string NextRun(Job job)
        => job.NextRunTime is { } next ? TriggerText.FormatFireTime(ToMilliseconds(next), job.Trigger.TimeZone) : "-";

    public static string Trigger(Trigger trigger)
    {
        var text = trigger switch
        {
            CronTrigger cron => $"cron '{cron.Expression}'",
            IntervalTrigger interval => $"every {Duration(interval.Every)}",
            DateTrigger date => $"once at {TriggerText.FormatFireTime(date.At, trigger.TimeZone)}",
            CalendarIntervalTrigger calendar => calendar.TimeOfDay is { } timeOfDay
                ? $"every {calendar.Period} at {TriggerText.FormatTimeOfDay(timeOfDay)}"
                : $"every {calendar.Period}",
            AllTrigger all => $"all of ({string.Join("; ", all.Triggers.Select(Trigger))})",
            AnyTrigger any => $"any of ({string.Join("; ", any.Triggers.Select(Trigger))})",
            _ => trigger.GetType().Name,
        };
        if (trigger is not AllTrigger and not AnyTrigger)
        {
            text += $" ({Triggers.TimeZones.PortableId(trigger.TimeZone)})";
        }

        if (trigger.Jitter is { } jitter)
        {
            text += $" jitter {Duration(jitter)}";
        }

        return text;
    }

    /// <summary>What a job runs, in one line.</summary>
    public static string Invocation(Invocation invocation) => invocation switch
    {
        CommandInvocation command => string.Join(" ", new[] { command.Executable }.Concat(command.Arguments).Select(QuoteIfNeeded)),
        PowerShellInvocation powerShell => powerShell.Source switch
        {
            PowerShellSource.File => $"pwsh -File {QuoteIfNeeded(powerShell.Text)}",
            PowerShellSource.Command => $"pwsh command {powerShell.Text}",
            _ => $"pwsh {{ {OneLine(powerShell.Text)} }}",
        },
        _ => invocation.ToString() ?? invocation.Kind.ToString(),
    };

    /// <summary>One run in one line: when it started, how it ended, its exit code and how long it took.</summary>
    public static string RunSummary(JobRun run)
    {
        var text = $"{Time(run.StartTime ?? run.ScheduledTime)} {run.Outcome}";
        if (run.ExitCode is { } exitCode)
        {
            text += $" (exit code {exitCode.ToString(CultureInfo.InvariantCulture)})";
        }

        if (run.Duration is { } duration)
        {
            text += $" in {Seconds(duration)}";
        }

        return text;
    }

    /// <summary>A run's duration in seconds: 0.042s.</summary>
    public static string Seconds(TimeSpan duration) => duration.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture) + "s";

    /// <summary>A duration as typed on the command line: 90s, 5m, 1h30m, 500ms.</summary>
    public static string Duration(TimeSpan duration)
    {
        if (duration == TimeSpan.Zero)
        {
            return "0s";
        }

        var text = new System.Text.StringBuilder();
        Append((int)duration.TotalDays, "d");
        Append(duration.Hours, "h");
        Append(duration.Minutes, "m");
        Append(duration.Seconds, "s");
        Append(duration.Milliseconds, "ms");
        return text.ToString();

        void Append(int value, string unit)
        {
            if (value != 0)
            {
                text.Append(value.ToString(CultureInfo.InvariantCulture)).Append(unit);
            }
        }
    }

    /// <summary>The first line of a text, cut to a width with "..." when longer.</summary>
    public static string FirstLine(string? text, int width = 60) => FirstLines(text, 1, width);

    /// <summary>The first <paramref name="count"/> non-blank lines of a text joined into one, cut to <paramref name="width"/>.</summary>
    public static string FirstLines(string? text, int count, int width)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        var line = OneLine(string.Join(" ", text!.Split('\n').Where(l => l.Trim().Length > 0).Take(count)));
        return line.Length <= width ? line : string.Concat(line.AsSpan(0, width - 3), "...");
    }

    private static DateTimeOffset ToMilliseconds(DateTimeOffset value)
        => value.AddTicks(-(value.Ticks % TimeSpan.TicksPerMillisecond));

    private static string OneLine(string text)
        => string.Join(" ", text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim())).Trim();

    private static string QuoteIfNeeded(string argument)
        => argument.Length == 0 || argument.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'')
            ? "'" + argument.Replace("'", "'\\''") + "'"
            : argument;
}
