using System.Data.Common;
using Scheduler.Events;
using Scheduler.Jobs;

namespace Scheduler.Stores;

/// <summary>
/// Runs and events as the database stores keep them in rows (SQLite, PostgreSQL): the column order
/// of <see cref="RunColumns"/> and <see cref="EventColumns"/>, times as UTC ticks. One reader for every such store.
/// </summary>
internal static class StoredRows
{
    public const string RunColumns = "run_id, job_id, scheduled_time, start_time, end_time, outcome, attempt, exit_code, output, error, scheduler_id";

    public const string EventColumns = "id, sequence, type, timestamp, scheduler_id, job_id, job_name, store_name, executor_name, run_id, scheduled_time, start_time, duration, attempt, outcome, error, message";

    public static DateTimeOffset FromTicks(long ticks) => new(ticks, TimeSpan.Zero);

    /// <summary>A run from a row of <see cref="RunColumns"/>, starting at column 0.</summary>
    public static JobRun ReadRun(DbDataReader reader)
        => new(
            reader.GetString(0),
            reader.GetString(1),
            FromTicks(reader.GetInt64(2)),
            (JobRunOutcome)reader.GetInt32(5),
            reader.GetInt32(6),
            Text(reader, 10))
        {
            StartTime = Number(reader, 3) is { } start ? FromTicks(start) : null,
            EndTime = Number(reader, 4) is { } end ? FromTicks(end) : null,
            ExitCode = reader.IsDBNull(7) ? null : reader.GetInt32(7),
            Output = Text(reader, 8),
            Error = Text(reader, 9),
        };

    /// <summary>An event from a row of <see cref="EventColumns"/>; its sequence is its id in the store.</summary>
    public static SchedulerEvent ReadEvent(DbDataReader reader)
    {
        var data = new SchedulerEventData((SchedulerEventType)reader.GetInt64(2), FromTicks(reader.GetInt64(3)))
        {
            SchedulerId = Text(reader, 4),
            JobId = Text(reader, 5),
            JobName = Text(reader, 6),
            StoreName = Text(reader, 7),
            ExecutorName = Text(reader, 8),
            RunKey = RunKey.From(Text(reader, 9)),
            ScheduledTime = Number(reader, 10) is { } scheduled ? FromTicks(scheduled) : null,
            StartTime = Number(reader, 11) is { } start ? FromTicks(start) : null,
            Duration = Number(reader, 12) is { } duration ? TimeSpan.FromTicks(duration) : null,
            Attempt = reader.GetInt32(13),
            Outcome = Number(reader, 14) is { } outcome ? (JobRunOutcome)outcome : null,
            Error = Text(reader, 15),
            Message = Text(reader, 16),
        };
        return new SchedulerEvent(data, reader.GetInt64(0));
    }

    private static string? Text(DbDataReader reader, int column) => reader.IsDBNull(column) ? null : reader.GetString(column);

    private static long? Number(DbDataReader reader, int column) => reader.IsDBNull(column) ? null : reader.GetInt64(column);
}
