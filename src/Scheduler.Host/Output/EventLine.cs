using System.Globalization;
using System.Text;
using Scheduler.Events;

namespace Scheduler.Host.Output;

/// <summary>
/// One event as one line of text, as <c>schedhost run</c> logs it and <c>schedhost events</c> prints it:
/// <c>2024-05-01T09:00:00.012+02:00 JobExecuted backup run=4f2c1a9e outcome=Succeeded duration=0.041s</c>,
/// then <c>: </c> and the first line of the message or error when there is one (of a failed run's
/// error the first two: a process's exit code, then why); escaped for the
/// terminal (<see cref="TerminalText"/>), so what a job is named or prints cannot forge a log line.
/// </summary>
internal static class EventLine
{
    public static string Format(SchedulerEvent e)
    {
        var line = new StringBuilder();
        line.Append(TimeZoneInfo.ConvertTime(e.Timestamp, TimeZoneInfo.Local).ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture));
        line.Append(' ').Append(e.Type);
        if (e.JobId is not null)
        {
            line.Append(' ').Append(e.JobId);
        }

        if (e.RunId is not null)
        {
            line.Append(" run=").Append(e.RunId);
        }

        if (e.Attempt > 1)
        {
            line.Append(" attempt=").Append(e.Attempt.ToString(CultureInfo.InvariantCulture));
        }

        if (e.Outcome is { } outcome)
        {
            line.Append(" outcome=").Append(outcome);
        }

        if (e.Duration is { } duration)
        {
            line.Append(" duration=").Append(duration.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture)).Append('s');
        }

        if (e.Type == SchedulerEventType.JobSubmitted && e.ScheduledTime is { } scheduled)
        {
            line.Append(" scheduled=").Append(Describe.Time(scheduled));
        }

        // The daemon's own events carry a process job's output: its first line shows the job working.
        var detail = e.Message ?? e.Error ?? (e.Type == SchedulerEventType.JobExecuted ? e.ReturnValue as string : null);
        if (!string.IsNullOrWhiteSpace(detail))
        {
            // A failed process's error starts with its exit code, and the line after it says why.
            var lines = e.Type == SchedulerEventType.JobError && e.Message is null ? 2 : 1;
            line.Append(": ").Append(Describe.FirstLines(detail, lines, width: 200));
        }

        return TerminalText.Escape(line.ToString());
    }
}
