using System.Management.Automation;
using Scheduler.PowerShell.Tests.Hosting;

namespace Scheduler.PowerShell.Tests.Commands;

/// <summary>Get-SchedulerEvent (history, filters, -Wait streaming) and the engine events for Register-EngineEvent.</summary>
[Collection(ModuleCollection.Name)]
public sealed class GetSchedulerEventCommandTests(ModuleSession session)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public void The_history_lists_what_happened_oldest_first_and_filters_by_type_name_time_and_count()
    {
        using var store = new TestStore(session);

        var result = store.Run(
            """
            param($store)
            Register-ScheduledJobEx -Name job -Store $store -Interval 1h -ScriptBlock { 'out' }
            Register-ScheduledJobEx -Name other -Store $store -Interval 1h -ScriptBlock { 1 }
            Start-Scheduler -Store $store
            $null = Start-ScheduledJobEx -Name job -Wait
            Get-SchedulerEvent | ForEach-Object { "$($_.Type) $($_.JobName)" }
            '--'
            Get-SchedulerEvent -Type JobAdded, JobExecuted -Name j* | ForEach-Object { "$($_.Type) $($_.JobName) $($_.ReturnValue)" }
            '--'
            Get-SchedulerEvent -Type JobAdded -Last 1 | ForEach-Object JobName
            '--'
            Get-SchedulerEvent -Since '2999-01-01T00:00Z'
            """).ShouldSucceed();

        var parts = string.Join("|", result.Objects).Split("|--");
        Assert.Equal(
            ["JobAdded job", "JobAdded other", "SchedulerStarted ", "JobSubmitted job", "JobStarted job", "JobExecuted job"],
            parts[0].Split('|'));
        Assert.Equal("|JobAdded job |JobExecuted job out", parts[1]);
        Assert.Equal("|other", parts[2]);
        Assert.Equal(string.Empty, parts[3]);
    }

    [Fact]
    public void Timeout_without_Wait_is_an_error()
    {
        var error = session.Run("Get-SchedulerEvent -Timeout 1s").SingleError("InvalidDuration");

        Assert.Equal("-Timeout applies only with -Wait.", error.Exception.Message);
    }

    [Fact]
    public void Wait_ends_after_its_timeout()
    {
        using var store = new TestStore(session);

        var result = store.Run("param($store) Get-SchedulerEvent -Store $store -Wait -Timeout 100ms; 'returned'").ShouldSucceed();

        Assert.Equal(["returned"], result.Objects);
    }

    [Fact]
    public async Task Wait_streams_each_event_as_it_happens_until_Ctrl_C()
    {
        using var store = new TestStore(session);
        using var gate = new SemaphoreSlim(0);
        var key = "scheduler-test-gate-" + Guid.NewGuid().ToString("N");
        AppDomain.CurrentDomain.SetData(key, gate);
        try
        {
            // The job waits for the test, so its end happens while Get-SchedulerEvent -Wait is listening.
            store.Run(
                """
                param($store, $key)
                Register-ScheduledJobEx -Name gated -Store $store -Interval 1h -ScriptBlock {
                    $null = [AppDomain]::CurrentDomain.GetData($using:key).Wait(30000)
                    'released'
                }
                Start-Scheduler -Store $store
                Start-ScheduledJobEx -Name gated
                """,
                ("key", key)).ShouldSucceed();

            using var streaming = session.Start("Get-SchedulerEvent -Type JobExecuted -Name gated -Wait -Verbose");
            await streaming.WaitUntilAsync((_, verbose) => verbose.Any(line => line.StartsWith("Waiting for events after #", StringComparison.Ordinal)), Patience, "the wait to begin");
            Assert.Empty(streaming.Output);

            gate.Release();
            await streaming.WaitUntilAsync((output, _) => output.Count == 1, Patience, "the JobExecuted event");
            var executed = streaming.Output[0];
            Assert.Equal("JobExecuted", executed.Property<object>("Type").ToString());
            Assert.Equal("gated", executed.Property<string>("JobName"));
            Assert.Equal("released", executed.Property<object>("ReturnValue"));
            Assert.False(streaming.Completion.IsCompleted);

            await streaming.StopAsync(Patience);
            Assert.Empty(streaming.Errors);
        }
        finally
        {
            gate.Release();
            AppDomain.CurrentDomain.SetData(key, null);
        }
    }

    [Fact]
    public async Task Events_are_raised_as_engine_events_for_the_session_subscribers_only()
    {
        using var store = new TestStore(session);
        var received = new TaskCompletionSource<PSEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        PSEventReceivedEventHandler handler = (_, e) =>
        {
            if (e.SourceIdentifier == "Scheduler.JobExecuted")
            {
                received.TrySetResult(e);
            }
        };
        session.Events.ReceivedEvents.PSEventReceived += handler;
        var subscriber = session.Events.SubscribeEvent(null, null, "Scheduler.JobExecuted", null, (ScriptBlock?)null, false, false);
        try
        {
            store.Run(
                """
                param($store)
                Register-ScheduledJobEx -Name job -Store $store -Interval 1h -ScriptBlock { 'done' }
                Start-Scheduler -Store $store
                $null = Start-ScheduledJobEx -Name job -Wait
                """).ShouldSucceed();

            var engineEvent = await received.Task.WaitAsync(Patience);
            var schedulerEvent = Assert.IsType<PSObject>(engineEvent.MessageData).BaseObject;
            Assert.Equal("Scheduler.Events.SchedulerEvent", schedulerEvent.GetType().FullName);
            Assert.Equal("job", ((dynamic)schedulerEvent).JobName);
            Assert.Same(schedulerEvent, engineEvent.SourceArgs[0]);

            // Nobody subscribed to the other types: none of them was queued.
            Assert.DoesNotContain(session.Events.ReceivedEvents.Cast<PSEventArgs>(), e => e.SourceIdentifier is "Scheduler.JobStarted" or "Scheduler.JobAdded");
        }
        finally
        {
            session.Events.ReceivedEvents.PSEventReceived -= handler;
            session.Events.UnsubscribeEvent(subscriber);
            while (session.Events.ReceivedEvents.Count > 0)
            {
                session.Events.ReceivedEvents.RemoveAt(0);
            }
        }
    }
}
