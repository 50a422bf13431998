using Scheduler.Jobs;

namespace Scheduler.Tests.Jobs;

public sealed class JobRunTests
{
    private static readonly DateTimeOffset T0 = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_new_run_has_a_sixteen_digit_hex_id_that_reads_the_same_every_time()
    {
        var run = new JobRun(RunKey.New(), "a", T0, JobRunOutcome.Running, 1, null);

        Assert.Matches("^[0-9a-f]{16}$", run.RunId);
        Assert.Equal(run.RunId, run.RunId);
        Assert.Equal(run.RunId, (run with { Outcome = JobRunOutcome.Succeeded }).RunId);
    }

    [Fact]
    public void Ids_read_back_as_text_keep_their_text_and_their_identity()
    {
        var made = new JobRun(RunKey.New(), "a", T0, JobRunOutcome.Running, 1, null);
        var readBack = new JobRun(made.RunId, "a", T0, JobRunOutcome.Running, 1, null);
        var foreign = new JobRun("Old-Run-1", "a", T0, JobRunOutcome.Running, 1, null);

        Assert.Equal(made, readBack);
        Assert.Equal(made.GetHashCode(), readBack.GetHashCode());
        Assert.Equal("Old-Run-1", foreign.RunId);
        Assert.NotEqual(made, foreign);
        Assert.NotEqual(made, made with { Attempt = 2 });
        Assert.NotEqual(new JobRun("ABCDEF0123456789", "a", T0, JobRunOutcome.Running, 1, null), new JobRun("abcdef0123456789", "a", T0, JobRunOutcome.Running, 1, null));
    }

    [Fact]
    public void Times_and_exit_code_set_cleared_and_compared_read_back_as_given()
    {
        var running = new JobRun(RunKey.New(), "a", T0, JobRunOutcome.Running, 1, null) { StartTime = T0.AddHours(1).ToOffset(TimeSpan.FromHours(2)) };
        var ended = running with { EndTime = T0.AddHours(2), ExitCode = 0, Outcome = JobRunOutcome.Succeeded };

        Assert.Equal(TimeSpan.FromHours(2), running.StartTime!.Value.Offset);
        Assert.Null(running.EndTime);
        Assert.Null(running.ExitCode);
        Assert.Equal(0, ended.ExitCode);
        Assert.Equal(TimeSpan.FromHours(1), ended.Duration);

        var cleared = ended with { StartTime = null, EndTime = null, ExitCode = null };
        Assert.Equal((null, null, null), (cleared.StartTime, cleared.EndTime, cleared.ExitCode));
        Assert.Null(cleared.Duration);
        Assert.Equal(running with { StartTime = null, Outcome = JobRunOutcome.Succeeded }, cleared);
        Assert.NotEqual(cleared, cleared with { ExitCode = 0 });
        Assert.NotEqual(cleared, cleared with { StartTime = default(DateTimeOffset) });
    }
}
