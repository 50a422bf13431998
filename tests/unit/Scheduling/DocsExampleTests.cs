using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Scheduler.Events;
using Scheduler.Jobs;
using Scheduler.Scheduling;
using Scheduler.Triggers;

namespace Scheduler.Tests.Scheduling;

/// <summary>The example of docs/dotnet.md, compiled and run here so it stays true.</summary>
public sealed class DocsExampleTests
{
    [Fact]
    public void The_documented_example_runs_and_stops()
    {
        var scheduler = Example();

        var types = scheduler.Events.Read().Select(e => e.Type).ToList();
        Assert.Equal(SchedulerState.Stopped, scheduler.State);
        Assert.Equal(2, scheduler.GetJobs().Count);
        Assert.Equal(
            [SchedulerEventType.JobAdded, SchedulerEventType.JobAdded, SchedulerEventType.SchedulerStarted, SchedulerEventType.SchedulerShutdown],
            types);
    }

    [Fact]
    public void The_documented_example_is_the_code_of_this_test()
    {
        var docs = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "dotnet.md"));
        var block = Regex.Match(docs, "```csharp\n(?<code>.*?)```", RegexOptions.Singleline).Groups["code"].Value;
        var documented = block.Split('\n').Where(line => !Regex.IsMatch(line, @"^using [\w.]+;$"));

        Assert.Contains(Normalize(string.Join("\n", documented)), Normalize(File.ReadAllText(ThisFile())));
    }

    private static JobScheduler Example()
    {
        var scheduler = new JobScheduler();

        // Weekdays at 07:30, Berlin time.
        scheduler.AddJob(
            "morning-report",
            new CronTrigger("30 7 * * MON-FRI", TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin")),
            async (context, cancellationToken) =>
            {
                Console.WriteLine($"Report due {context.ScheduledTime:t}");
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            });

        // Every 30 seconds; a failed run is retried twice, 5 seconds apart.
        scheduler.AddJob(
            "poll",
            new IntervalTrigger(TimeSpan.FromSeconds(30)),
            context => Console.WriteLine($"Polling, run {context.RunId}"),
            JobOptions.Default with { RetryCount = 2, RetryDelay = TimeSpan.FromSeconds(5) });

        // Outcomes as they happen.
        using var subscription = scheduler.Subscribe(
            e => Console.WriteLine(e),
            SchedulerEventType.JobExecuted | SchedulerEventType.JobError | SchedulerEventType.JobMissed);

        scheduler.Start();     // runs in the background
        // ... the application does its work ...
        scheduler.Shutdown();  // waits for running jobs to finish

        return scheduler;
    }

    private static string Normalize(string code) => Regex.Replace(code, @"\s+", " ").Trim();

    private static string ThisFile([CallerFilePath] string path = "") => path;

    private static string RepositoryRoot()
        => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(ThisFile())!, "..", "..", ".."));
}
