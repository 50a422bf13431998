using System.Management.Automation;
using Scheduler.Events;
using Scheduler.PowerShell.Arguments;
using Scheduler.Scheduling;

namespace Scheduler.PowerShell.Commands;

/// <summary>
/// <c>Wait-Scheduler</c>: blocks until the scheduler running in this session stops (a job or another
/// thread shut it down), the timeout passes, or Ctrl+C. A script ending in Start-Scheduler and
/// Wait-Scheduler is a blocking scheduler. Writes the scheduler's state when it stopped, nothing on
/// timeout or Ctrl+C (the scheduler then keeps running: stop it in a finally block).
/// </summary>
[Cmdlet(VerbsLifecycle.Wait, "Scheduler")]
[OutputType(typeof(SchedulerInfo))]
public sealed class WaitSchedulerCommand : SchedulerCmdlet
{
    /// <summary>The longest wait; default: no limit.</summary>
    [Parameter(Position = 0)]
    [DurationTransformation(NumbersAreSeconds = true)]
    public TimeSpan? Timeout { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        if (RunningScheduler("waiting for it") is not { } running)
        {
            return;
        }

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(StopToken);
        if (Timeout is { } timeout)
        {
            limit.CancelAfter(timeout > TimeSpan.Zero ? timeout : TimeSpan.Zero);
        }

        var events = running.Scheduler.Events;
        var sequence = events.LastSequence;
        while (running.Scheduler.State != SchedulerState.Stopped)
        {
            IReadOnlyList<SchedulerEvent> next;
            try
            {
                next = events.WaitForEventsAsync(sequence, limit.Token).GetAwaiter().GetResult();
            }
            catch (OperationCanceledException)
            {
                WriteVerbose(StopToken.IsCancellationRequested ? "Stopped waiting for the scheduler." : $"The scheduler still runs after {Timeout}.");
                return;
            }

            sequence = next[next.Count - 1].Sequence;
        }

        WriteObject(Describe(running));
    }
}
