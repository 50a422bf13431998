using System.Globalization;
using Scheduler.Host;
using Scheduler.Tests.Support;

namespace Scheduler.Tests.Host;

/// <summary><c>run</c> and <c>events --follow</c> in-process, stopped by the token that stands in for Ctrl+C.</summary>
public sealed class DaemonInProcessTests : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Events_follow_prints_what_the_daemon_records_until_stopped()
    {
        var store = folder.File("jobs.db");
        using var stopDaemon = new CancellationTokenSource();
        using var stopFollow = new CancellationTokenSource();
        var daemonText = new StringWriter();
        var followText = new StringWriter();
        var daemonOutput = TextWriter.Synchronized(daemonText);
        var followOutput = TextWriter.Synchronized(followText);
        var daemonError = TextWriter.Synchronized(new StringWriter());
        var daemon = Task.Run(() => SchedHost.Run(["run", "--store", store], daemonOutput, daemonError, TimeProvider.System, stopDaemon.Token));
        try
        {
            await Until(() => Text(daemonOutput, daemonText).Contains("schedhost: running on", StringComparison.Ordinal) || daemon.IsCompleted);
            Assert.False(daemon.IsCompleted, daemonError.ToString());
            var follow = Task.Run(() => SchedHost.Run(["events", "--store", store, "--follow"], followOutput, TextWriter.Null, TimeProvider.System, stopFollow.Token));
            Assert.Equal(0, SchedHost.Run(
                ["add", "--store", store, "--id", "now", "--at", DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture), "--", "/bin/echo", "hi"],
                TextWriter.Null,
                TextWriter.Null));

            await Until(() => Text(followOutput, followText).Contains(" JobExecuted now ", StringComparison.Ordinal));
            stopFollow.Cancel();
            Assert.Equal(0, await follow.WaitAsync(TimeSpan.FromSeconds(10)));

            // The one-off job is gone once it ran, and a verb that names it says so.
            var error = new StringWriter();
            Assert.Equal(2, SchedHost.Run(["show", "now", "--store", store], TextWriter.Null, error));
            Assert.Equal(
                $"schedhost: the job 'now' has ended (its trigger has no further fire times) and is no longer in the store '{store}'; 'schedhost runs now' shows its runs",
                error.ToString().TrimEnd());
        }
        finally
        {
            stopDaemon.Cancel();
        }

        Assert.Equal(0, await daemon.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.EndsWith("schedhost: stopped.", Text(daemonOutput, daemonText).TrimEnd(), StringComparison.Ordinal);
    }

    /// <summary>What was written so far, read under the synchronized writer's lock.</summary>
    private static string Text(TextWriter synchronized, StringWriter text)
    {
#pragma warning disable CA2002 // TextWriter.Synchronized locks the writer itself: taking the same lock is how to read between its writes.
        lock (synchronized)
#pragma warning restore CA2002
        {
            return text.ToString();
        }
    }

    private static async Task Until(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        while (!condition())
        {
            await Task.Delay(20, timeout.Token);
        }
    }
}
