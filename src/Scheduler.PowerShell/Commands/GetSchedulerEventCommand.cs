using System.Management.Automation;
using Scheduler.Events;
using Scheduler.PowerShell.Arguments;

namespace Scheduler.PowerShell.Commands;

/// <summary>
/// <c>Get-SchedulerEvent</c>: the scheduler's recent events (started, job executed, job error, missed...),
/// oldest first. With -Wait it streams each new event to the pipeline as it happens, until Ctrl+C or
/// -Timeout: <c>Get-SchedulerEvent -Type JobError -Wait | ForEach-Object { ... }</c>.
/// </summary>
[Cmdlet(VerbsCommon.Get, "SchedulerEvent")]
[OutputType(typeof(SchedulerEvent))]
public sealed class GetSchedulerEventCommand : SchedulerCmdlet
{
    /// <summary>Only events of these types.</summary>
    [Parameter(Position = 0)]
    public SchedulerEventType[]? Type { get; set; }

    /// <summary>Only events about jobs with these names (wildcards allowed).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(JobNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    /// <summary>Only events at or after this date-time.</summary>
    [Parameter]
    [DateTimeTransformation]
    public DateTime? Since { get; set; }

    /// <summary>Only the latest N matching events (with -Wait: of those that happened before).</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int Last { get; set; }

    /// <summary>Keep writing new events as they happen, until Ctrl+C or -Timeout.</summary>
    [Parameter]
    public SwitchParameter Wait { get; set; }

    /// <summary>With -Wait: stop waiting after this long.</summary>
    [Parameter]
    [DurationTransformation(NumbersAreSeconds = true)]
    public TimeSpan? Timeout { get; set; }

    /// <summary>The job store's file; default: the running scheduler's store, else the per-user store.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? Store { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        if (Timeout is not null && !Wait)
        {
            WriteError(Errors.InvalidArgument(ErrorIds.InvalidDuration, "-Timeout applies only with -Wait.", Timeout));
            return;
        }

        var scheduler = SchedulerFor(Store);
        var log = scheduler.Events();
        var filter = new EventFilter(Type, Name, Since is { } since ? Instants.InZone(since, TimeZoneInfo.Local) : null);

        // Without -Wait every kept event is history; with it, history only when asked for.
        var sequence = log.LastSequence;
        var lastGiven = MyInvocation.BoundParameters.ContainsKey(nameof(Last));
        if (!Wait || lastGiven || Since is not null)
        {
            var history = log.Read(0).Where(filter.Matches).ToList();
            sequence = history.Count > 0 ? Math.Max(sequence, history[history.Count - 1].Sequence) : sequence;
            foreach (var schedulerEvent in lastGiven ? history.Skip(Math.Max(0, history.Count - Last)) : history)
            {
                WriteObject(schedulerEvent);
            }
        }

        if (!Wait)
        {
            return;
        }

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(StopToken);
        if (Timeout is { } timeout)
        {
            limit.CancelAfter(timeout > TimeSpan.Zero ? timeout : TimeSpan.Zero);
        }

        WriteVerbose($"Waiting for events after #{sequence} of {log.Description} on '{scheduler.StoreName}'.");
        while (true)
        {
            IReadOnlyList<SchedulerEvent> events;
            try
            {
                events = log.WaitAsync(sequence, limit.Token).GetAwaiter().GetResult();
            }
            catch (OperationCanceledException)
            {
                return;
            }

            foreach (var schedulerEvent in events)
            {
                sequence = schedulerEvent.Sequence;
                if (filter.Matches(schedulerEvent))
                {
                    WriteObject(schedulerEvent);
                }
            }
        }
    }

    /// <summary>Which events a call asked for.</summary>
    private sealed class EventFilter
    {
        private readonly SchedulerEventType mask;
        private readonly WildcardPattern[]? names;
        private readonly DateTimeOffset? since;

        public EventFilter(SchedulerEventType[]? types, string[]? names, DateTimeOffset? since)
        {
            mask = types is { Length: > 0 } ? types.Aggregate(SchedulerEventType.None, (all, type) => all | type) : SchedulerEventType.All;
            this.names = names?.Select(name => WildcardPattern.Get(name, WildcardOptions.IgnoreCase)).ToArray();
            this.since = since;
        }

        public bool Matches(SchedulerEvent schedulerEvent)
            => (schedulerEvent.Type & mask) != 0
                && (since is null || schedulerEvent.Timestamp >= since)
                && (names is null || names.Any(name => name.IsMatch(schedulerEvent.JobName ?? schedulerEvent.JobId ?? string.Empty)));
    }
}
