using Scheduler.Host;
using Scheduler.Invocations;
using Scheduler.Stores;
using Scheduler.Tests.Support;
using Scheduler.Triggers;

namespace Scheduler.Tests.Host;

public sealed class HostSchedulerTests : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void A_job_registered_from_powershell_has_an_executor_under_the_service()
    {
        using var store = JobStore.CreateSqlite(folder.File("jobs.db"));
        using var scheduler = HostScheduler.Create(store, maxWorkers: null, TimeProvider.System);

        var job = scheduler.AddJob(
            new IntervalTrigger(TimeSpan.FromHours(1)),
            PowerShellInvocation.FromScript("'hello'"),
            id: "from-powershell",
            executor: "runspace");

        Assert.Equal("runspace", job.Executor);
        Assert.Equal("from-powershell", store.Get("from-powershell")?.Id);
    }
}
