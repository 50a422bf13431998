using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Scheduler.Events;
using Scheduler.Jobs;
using Scheduler.Stores;
using Scheduler.Triggers;

namespace Scheduler.Host.Output;

/// <summary>The JSON that <c>--json</c> prints: camelCase names, times as ISO 8601 with offsets, enums as names.</summary>
internal static class JsonOutput
{
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = false };

    /// <summary>Writes a JSON document built by <paramref name="write"/> as one line.</summary>
    public static string Write(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, Options))
        {
            write(writer);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>A job as <c>list --json</c> shows it.</summary>
    public static void WriteJob(Utf8JsonWriter writer, Job job)
    {
        writer.WriteStartObject();
        writer.WriteString("id", job.Id);
        writer.WriteString("name", job.Name);
        writer.WriteString("state", job.State.ToString());
        WriteTime(writer, "nextRunTime", job.NextRunTime, job.Trigger.TimeZone);
        writer.WriteString("trigger", Describe.Trigger(job.Trigger));
        writer.WriteString("runs", Describe.Invocation(job.Invocation));
        writer.WriteString("executor", job.Executor);
        if (job.LoadError is not null)
        {
            writer.WriteString("loadError", job.LoadError);
        }

        writer.WriteEndObject();
    }

    /// <summary>A run as <c>runs --json</c> shows it.</summary>
    public static void WriteRun(Utf8JsonWriter writer, JobRun run)
    {
        writer.WriteStartObject();
        writer.WriteString("jobId", run.JobId);
        writer.WriteString("runId", run.RunId);
        WriteTime(writer, "scheduledTime", run.ScheduledTime);
        WriteTime(writer, "startTime", run.StartTime);
        WriteTime(writer, "endTime", run.EndTime);
        writer.WriteString("outcome", run.Outcome.ToString());
        if (run.ExitCode is { } exitCode)
        {
            writer.WriteNumber("exitCode", exitCode);
        }
        else
        {
            writer.WriteNull("exitCode");
        }

        writer.WriteString("output", run.Output);
        writer.WriteString("error", run.Error);
        writer.WriteNumber("attempt", run.Attempt);
        writer.WriteString("schedulerId", run.SchedulerId);
        writer.WriteEndObject();
    }

    /// <summary>An event as <c>events --json</c> shows it.</summary>
    public static void WriteEvent(Utf8JsonWriter writer, SchedulerEvent e)
    {
        writer.WriteStartObject();
        writer.WriteNumber("sequence", e.Sequence);
        WriteTime(writer, "time", e.Timestamp);
        writer.WriteString("type", e.Type.ToString());
        WriteIfSet(writer, "schedulerId", e.SchedulerId);
        WriteIfSet(writer, "jobId", e.JobId);
        WriteIfSet(writer, "jobName", e.JobName);
        WriteIfSet(writer, "runId", e.RunId);
        if (e.ScheduledTime is not null)
        {
            WriteTime(writer, "scheduledTime", e.ScheduledTime);
        }

        if (e.Attempt > 0)
        {
            writer.WriteNumber("attempt", e.Attempt);
        }

        if (e.Outcome is { } outcome)
        {
            writer.WriteString("outcome", outcome.ToString());
        }

        if (e.Duration is { } duration)
        {
            writer.WriteNumber("durationSeconds", duration.TotalSeconds);
        }

        WriteIfSet(writer, "error", e.Error);
        WriteIfSet(writer, "message", e.Message);
        writer.WriteEndObject();
    }

    /// <summary>A scheduler running on the store, as <c>status --json</c> and <c>trigger --json</c> show it.</summary>
    public static void WriteRunningScheduler(Utf8JsonWriter writer, RunningScheduler scheduler)
    {
        writer.WriteStartObject();
        writer.WriteString("schedulerId", scheduler.SchedulerId);
        writer.WriteString("host", scheduler.Host);
        writer.WriteNumber("processId", scheduler.ProcessId);
        WriteTime(writer, "since", scheduler.Since);
        if (scheduler.ClockSkew is { } skew)
        {
            writer.WriteNumber("clockSkewSeconds", skew.TotalSeconds);
        }
        else
        {
            writer.WriteNull("clockSkewSeconds");
        }

        writer.WriteEndObject();
    }

    public static void WriteTime(Utf8JsonWriter writer, string name, DateTimeOffset? value, TimeZoneInfo? zone = null)
    {
        if (value is { } instant)
        {
            writer.WriteString(name, TriggerText.FormatFireTime(instant, zone ?? TimeZoneInfo.Local));
        }
        else
        {
            writer.WriteNull(name);
        }
    }

    private static void WriteIfSet(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }
}
