using System.Management.Automation;
using Scheduler.Jobs;

namespace Scheduler.PowerShell.Commands;

/// <summary>
/// <c>Start-ScheduledJobEx</c>: runs jobs now, once, on the scheduler running in this session, in
/// addition to their schedule. The job's MaxInstances and OverlapPolicy apply. -Wait waits for each run
/// to end and writes it.
/// </summary>
[Cmdlet(VerbsLifecycle.Start, "ScheduledJobEx", SupportsShouldProcess = true, DefaultParameterSetName = NameSet)]
[OutputType(typeof(ScheduledJobRun))]
public sealed class StartScheduledJobExCommand : JobTargetCmdlet
{
    /// <summary>Wait for each run to end and write it (Ctrl+C stops waiting; the run goes on).</summary>
    [Parameter]
    public SwitchParameter Wait { get; set; }

    /// <summary>Write each run as it started (without -Wait).</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        foreach (var (scheduler, job) in Targets())
        {
            if (!ShouldProcess($"{job.Name} in {scheduler.StoreName}", "Run the job now"))
            {
                continue;
            }

            var sequence = scheduler.Scheduler.Events.LastSequence;
            var started = RunJobNow(scheduler, job);
            JobRun? run = started.Run;
            if (started.RequestedAfter is { } after)
            {
                // Another process runs it: only -Wait has a run to write, once it is there.
                if (!Wait)
                {
                    continue;
                }

                var requested = scheduler.WaitForRequestedRunAsync(job.Id, after, StopToken);
                if (!WaitFor(requested) || requested.Result is not { } ended)
                {
                    return;
                }

                run = ended;
            }
            else if (run is null)
            {
                continue;
            }
            else if (Wait && run.Outcome == JobRunOutcome.Running)
            {
                var waiting = scheduler.WaitForRunAsync(job.Id, run.RunId, sequence, StopToken);
                if (!WaitFor(waiting) || waiting.Result is not { } ended)
                {
                    return;
                }

                run = ended;
            }

            if (Wait || PassThru)
            {
                WriteObject(new ScheduledJobRun(run!, job.Name, job.Trigger.TimeZone, scheduler.StoreName));
            }
        }
    }
}
