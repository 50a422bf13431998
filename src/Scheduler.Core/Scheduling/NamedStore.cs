using Scheduler.Stores;

namespace Scheduler.Scheduling;

/// <summary>A store with the name the scheduler knows it by.</summary>
internal sealed class NamedStore(string name, JobStore store)
{
    public string Name { get; } = name;

    public JobStore Store { get; } = store;
}
