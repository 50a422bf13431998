using Scheduler.Jobs;
using Scheduler.Stores;

namespace Scheduler.Scheduling;

/// <summary>
/// How a scheduler is set up: its id, the defaults for its jobs, the size of its default executor,
/// event log and run history. Immutable; read one from JSON with <see cref="FromJson"/>.
/// </summary>
public sealed record SchedulerOptions
{
    private readonly string? schedulerId;
    private readonly JobOptions jobDefaults = JobOptions.Default;
    private readonly int maxWorkers = 10;
    private readonly int eventLogCapacity = 10_000;
    private readonly int runHistoryLimit = JobStore.DefaultRunHistoryLimit;

    /// <summary>The options used when none are given.</summary>
    public static SchedulerOptions Default { get; } = new();

    /// <summary>The scheduler's id, recorded with every run. Null: machine name, process id and a random part.</summary>
    public string? SchedulerId
    {
        get => schedulerId;
        init => schedulerId = value is not null && string.IsNullOrWhiteSpace(value)
            ? throw new ArgumentException("The scheduler id must not be empty.", nameof(SchedulerId))
            : value;
    }

    /// <summary>The options of jobs added without options.</summary>
    public JobOptions JobDefaults
    {
        get => jobDefaults;
        init => jobDefaults = value ?? throw new ArgumentNullException(nameof(JobDefaults));
    }

    /// <summary>How many runs the default executor runs at once. Default: 10.</summary>
    public int MaxWorkers
    {
        get => maxWorkers;
        init => maxWorkers = value < 1
            ? throw new ArgumentOutOfRangeException(nameof(MaxWorkers), value, $"The maximum number of workers must be at least 1, not {value}.")
            : value;
    }

    /// <summary>How many recent events the event log keeps. Default: 10 000.</summary>
    public int EventLogCapacity
    {
        get => eventLogCapacity;
        init => eventLogCapacity = value < 1
            ? throw new ArgumentOutOfRangeException(nameof(EventLogCapacity), value, $"The event log capacity must be at least 1, not {value}.")
            : value;
    }

    /// <summary>How many runs the default memory store keeps per job. Default: 20.</summary>
    public int RunHistoryLimit
    {
        get => runHistoryLimit;
        init => runHistoryLimit = value < 0
            ? throw new ArgumentOutOfRangeException(nameof(RunHistoryLimit), value, $"The run history limit must not be negative, not {value}.")
            : value;
    }

    /// <summary>
    /// Reads options from JSON. Every property is optional; names are case-insensitive; times are
    /// seconds (a number) or a time span (<c>"00:05:00"</c>, or ISO 8601 <c>"PT5M"</c>):
    /// <code>
    /// { "schedulerId": "web-1", "maxWorkers": 20, "eventLogCapacity": 5000, "runHistoryLimit": 50,
    ///   "jobDefaults": { "misfireGraceTime": 30, "coalesce": "latest", "maxInstances": 1,
    ///                    "overlap": "skip", "timeout": "00:10:00", "retryCount": 2, "retryDelay": 5,
    ///                    "recover": true } }
    /// </code>
    /// </summary>
    /// <exception cref="ArgumentException">The text is not JSON of that shape; the message names the property and value.</exception>
    public static SchedulerOptions FromJson(string json)
    {
        using var document = OptionsJson.Parse(json, "scheduler options");
        var root = document.RootElement;
        OptionsJson.RequireObject(root, "scheduler options");
        var options = new SchedulerOptions();
        foreach (var property in root.EnumerateObject())
        {
            options = OptionsJson.Apply(property, options, static (p, o) => OptionsJson.Key(p.Name) switch
            {
                "SCHEDULERID" => o with { SchedulerId = OptionsJson.ReadString(p) },
                "MAXWORKERS" => o with { MaxWorkers = OptionsJson.ReadInt(p) },
                "EVENTLOGCAPACITY" => o with { EventLogCapacity = OptionsJson.ReadInt(p) },
                "RUNHISTORYLIMIT" => o with { RunHistoryLimit = OptionsJson.ReadInt(p) },
                "JOBDEFAULTS" => o with { JobDefaults = OptionsJson.ReadJobOptions(p.Value, JobOptions.Default) },
                _ => throw OptionsJson.Unknown(p, "schedulerId, maxWorkers, eventLogCapacity, runHistoryLimit, jobDefaults"),
            });
        }

        return options;
    }
}
