using System.Collections.Concurrent;


namespace Scheduler.Executors;

/// <summary>The delegates a scheduler's jobs can name.</summary>
internal sealed class DelegateRegistry
{
    private readonly ConcurrentDictionary<string, Delegate> delegates = new(StringComparer.Ordinal);

    public void Register(string name, Delegate target)
    {
        if (name is null)
        {
            throw new ArgumentNullException(nameof(name));
        }

        if (string.IsNullOrWhiteSpace(name))
        {
            throw new ArgumentException("The delegate name must not be empty.", nameof(name));
        }

        delegates[name] = target ?? throw new ArgumentNullException(nameof(target));
    }

    public bool Unregister(string name) => delegates.TryRemove(name ?? throw new ArgumentNullException(nameof(name)), out _);

    public bool TryGet(string name, out Delegate? target) => delegates.TryGetValue(name, out target);

    /// <exception cref="InvalidOperationException">No delegate has that name.</exception>
    public Delegate Get(string name)
        => delegates.TryGetValue(name, out var target)
            ? target
            : throw new InvalidOperationException($"No delegate is registered under the name '{name}'; register it with RegisterDelegate before the job runs.");
}
