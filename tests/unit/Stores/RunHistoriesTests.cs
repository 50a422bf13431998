using Scheduler.Jobs;
using Scheduler.Stores;

namespace Scheduler.Tests.Stores;

public sealed class RunHistoriesTests
{
    private static readonly DateTimeOffset T0 = new(2024, 1, 1, 0, 0, 0, TimeSpan.FromHours(2));

    [Fact]
    public void Keeps_the_newest_runs_up_to_the_limit_newest_first()
    {
        var histories = new RunHistories(limit: 20);
        var saved = Enumerable.Range(0, 50).Select(i => Ended(Running("a", i))).ToList();
        foreach (var run in saved)
        {
            histories.Save(run, jobEnded: false);
        }

        var kept = histories.Newest("a", int.MaxValue);

        Assert.Equal(saved.AsEnumerable().Reverse().Take(20), kept);
        Assert.Equal(saved[^5..].AsEnumerable().Reverse(), histories.Newest("a", 5));
    }

    [Fact]
    public void An_ended_run_replaces_its_running_record_also_after_the_ring_has_grown_and_wrapped()
    {
        var histories = new RunHistories(limit: 40);
        var running = Enumerable.Range(0, 45).Select(i => Running("a", i)).ToList();
        foreach (var run in running)
        {
            histories.Save(run, jobEnded: false);
        }

        // Runs 5..44 are kept; ending run 30 and run 44 must change them in place, not add records.
        histories.Save(Ended(running[30]), jobEnded: false);
        histories.Save(Ended(running[44]), jobEnded: false);

        var kept = histories.Newest("a", int.MaxValue);
        Assert.Equal(40, kept.Count);
        Assert.Equal(Enumerable.Range(5, 40).Reverse(), kept.Select(run => run.Attempt));
        Assert.Equal(JobRunOutcome.Succeeded, kept[0].Outcome);
        Assert.Equal(JobRunOutcome.Running, kept[1].Outcome);
        Assert.Equal(JobRunOutcome.Succeeded, kept[44 - 30].Outcome);
        Assert.Equal(2, kept.Count(run => run.Outcome == JobRunOutcome.Succeeded));
    }

    [Fact]
    public void Histories_of_many_jobs_stay_apart_when_jobs_come_and_go()
    {
        var histories = new RunHistories(limit: 50);
        var model = new Dictionary<string, List<JobRun>>();
        var random = new Random(42);
        for (var step = 0; step < 30_000; step++)
        {
            var job = "job" + random.Next(300);
            if (random.Next(50) == 0)
            {
                histories.Remove(job);
                model.Remove(job);
                continue;
            }

            var run = Ended(Running(job, step));
            histories.Save(run, jobEnded: random.Next(3) == 0);
            if (!model.TryGetValue(job, out var runs))
            {
                model[job] = runs = [];
            }

            runs.Insert(0, run);
            if (runs.Count > 50)
            {
                runs.RemoveAt(50);
            }
        }

        for (var i = 0; i < 300; i++)
        {
            var job = "job" + i;
            Assert.Equal(model.TryGetValue(job, out var runs) ? runs : [], histories.Newest(job, int.MaxValue));
        }
    }

    [Fact]
    public void An_ended_jobs_history_starts_small_and_grows_to_the_limit_for_its_retries()
    {
        var histories = new RunHistories(limit: 20);
        var attempts = Enumerable.Range(1, 9).Select(i => Ended(Running("once", i))).ToList();
        foreach (var run in attempts)
        {
            histories.Save(run, jobEnded: true);
        }

        Assert.Equal(attempts.AsEnumerable().Reverse(), histories.Newest("once", int.MaxValue));
    }

    [Fact]
    public void A_removed_history_is_gone_and_a_new_one_for_the_same_job_starts_empty()
    {
        var histories = new RunHistories(limit: 3);
        histories.Save(Ended(Running("a", 1)), jobEnded: false);
        histories.Save(Ended(Running("b", 1)), jobEnded: false);

        histories.Remove("a");
        Assert.False(histories.Contains("a"));
        Assert.Empty(histories.Newest("a", 10));

        var again = Ended(Running("a", 2));
        histories.Save(again, jobEnded: false);
        Assert.Equal([again], histories.Newest("a", 10));
        Assert.Single(histories.Newest("b", 10));
    }

    [Fact]
    public void A_removed_history_lets_go_of_its_runs_output()
    {
        var histories = new RunHistories(limit: 20);
        var outputs = SaveRunsWithOutput(histories, "a", 3);
        histories.Save(Ended(Running("b", 1)), jobEnded: false);

        histories.Remove("a");
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        Assert.All(outputs, output => Assert.False(output.IsAlive));
        Assert.Single(histories.Newest("b", 10));
    }

    [Fact]
    public void Jobs_take_the_set_aside_space_first_and_keep_their_runs_apart()
    {
        var histories = new RunHistories(limit: 20);
        histories.Reserve(100);
        Assert.Equal(100, histories.Reserved);

        for (var job = 0; job < 60; job++)
        {
            histories.Save(Ended(Running("job" + job, job)), jobEnded: false);
        }

        Assert.Equal(40, histories.Reserved);
        histories.Reserve(50);
        Assert.Equal(50, histories.Reserved);
        for (var job = 0; job < 60; job++)
        {
            var kept = Assert.Single(histories.Newest("job" + job, 10));
            Assert.Equal(job, kept.Attempt);
        }
    }

    [Fact]
    public void A_limit_larger_than_a_chunk_keeps_every_run()
    {
        var histories = new RunHistories(limit: 3000);
        for (var i = 0; i < 3500; i++)
        {
            histories.Save(Running("a", i), jobEnded: false);
        }

        var kept = histories.Newest("a", int.MaxValue);
        Assert.Equal(3000, kept.Count);
        Assert.Equal(3499, kept[0].Attempt);
        Assert.Equal(500, kept[^1].Attempt);
    }

    [Fact]
    public void A_run_reads_back_exactly_as_saved()
    {
        var histories = new RunHistories(limit: 5);
        var process = new JobRun("run-made-elsewhere", "p", T0, JobRunOutcome.Failed, 2, "sched-1")
        {
            StartTime = T0.AddSeconds(1),
            EndTime = T0.AddSeconds(3),
            ExitCode = 0,
            Output = "out",
            Error = "err",
        };
        var notStarted = new JobRun(RunKey.New(), "p", T0.AddMinutes(1), JobRunOutcome.Missed, 1, null) { EndTime = T0.AddMinutes(2) };

        histories.Save(process, jobEnded: false);
        histories.Save(notStarted, jobEnded: false);

        var kept = histories.Newest("p", 10);
        Assert.Equal([notStarted, process], kept);
        Assert.Equal("run-made-elsewhere", kept[1].RunId);
        Assert.Null(kept[0].StartTime);
        Assert.Null(kept[0].ExitCode);
        Assert.Equal(0, kept[1].ExitCode);
        Assert.Equal(TimeSpan.FromHours(2), kept[1].StartTime!.Value.Offset);
    }

    [Fact]
    public void A_limit_below_one_is_refused()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new RunHistories(0));
        Assert.Contains("not 0", error.Message, StringComparison.Ordinal);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static List<WeakReference> SaveRunsWithOutput(RunHistories histories, string jobId, int count)
    {
        var outputs = new List<WeakReference>();
        for (var i = 0; i < count; i++)
        {
            var output = new string('x', 1000 + i);
            histories.Save(Ended(Running(jobId, i)) with { Output = output }, jobEnded: false);
            outputs.Add(new WeakReference(output));
        }

        return outputs;
    }

    private static JobRun Running(string jobId, int number)
        => new(RunKey.New(), jobId, T0.AddSeconds(number), JobRunOutcome.Running, number, "sched-1") { StartTime = T0.AddSeconds(number) };

    private static JobRun Ended(JobRun run)
        => run with { EndTime = run.StartTime!.Value.AddMilliseconds(5), Outcome = JobRunOutcome.Succeeded };
}
