using System.CommandLine;
using Scheduler.Host.Output;
using Scheduler.Jobs;

namespace Scheduler.Host.Commands;

/// <summary>
/// The verbs that act on one job by id (<c>remove</c>, <c>pause</c>, <c>resume</c>): each prints a
/// line saying what it did, or with <c>--json</c> the job as <c>list --json</c> shows it.
/// </summary>
internal static class JobCommands
{
    public static Command Remove(HostContext context) => Create(
        context,
        "remove",
        "Remove a job and its run history (a run in progress finishes).",
        (session, job) =>
        {
            session.Scheduler.RemoveJob(job.Id);
            return (job, $"Removed job '{job.Id}'.");
        });

    public static Command Pause(HostContext context) => Create(
        context,
        "pause",
        "Pause a job: it keeps its definition and does not run until resumed.",
        (session, job) =>
        {
            var paused = session.Scheduler.PauseJob(job.Id);
            return (paused, job.State == JobState.Paused ? $"Job '{job.Id}' was already paused." : $"Paused job '{job.Id}'.");
        });

    public static Command Resume(HostContext context) => Create(
        context,
        "resume",
        "Resume a paused job: its next run is computed from now (runs missed while paused are not made up).",
        (session, job) =>
        {
            if (job.State == JobState.Broken)
            {
                throw new BadInputException($"the job '{job.Id}' is broken and cannot be resumed: {job.LoadError}");
            }

            var resumed = session.Scheduler.ResumeJob(job.Id);
            if (session.Scheduler.GetJob(job.Id) is null)
            {
                return (resumed, $"Job '{job.Id}' has no further fire times and was removed.");
            }

            return (resumed, job.State == JobState.Scheduled
                ? $"Job '{job.Id}' was not paused; next run {Describe.NextRun(resumed)}."
                : $"Resumed job '{job.Id}'; next run {Describe.NextRun(resumed)}.");
        });

    private static Command Create(HostContext context, string name, string description, Func<StoreSession, Job, (Job Job, string Message)> act)
    {
        var store = HostStore.CreateOption();
        var json = new Option<bool>("--json") { Description = "Print the job as JSON (as list --json shows it)." };
        var id = new Argument<string>("ID") { Description = "The job's id." };
        var command = new Command(name, description) { id, store, json };
        command.SetAction(result =>
        {
            using var session = StoreSession.Open(result, store, context, StoreUse.Change);
            var (job, message) = act(session, session.RequireJob(result.GetValue(id)!));
            context.Output.WriteLine(result.GetValue(json) ? JsonOutput.Write(writer => JsonOutput.WriteJob(writer, job)) : TerminalText.Escape(message));
            return SchedHost.Success;
        });
        return command;
    }
}
