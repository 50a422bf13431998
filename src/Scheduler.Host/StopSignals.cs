using System.Runtime.InteropServices;

namespace Scheduler.Host;

/// <summary>
/// Ctrl+C (SIGINT), SIGTERM and SIGQUIT as a cancellation token, instead of ending the process: the
/// long-running verbs stop on their own terms. Each signal also calls <c>onSignal</c> with how many
/// have come so far (a second Ctrl+C can mean "stop now").
/// </summary>
internal sealed class StopSignals : IDisposable
{
    private readonly CancellationTokenSource source;
    private readonly List<PosixSignalRegistration> registrations = [];
    private readonly Action<int>? onSignal;
    private int count;

    private StopSignals(Action<int>? onSignal, CancellationToken external)
    {
        source = CancellationTokenSource.CreateLinkedTokenSource(external);
        this.onSignal = onSignal;
        foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGQUIT })
        {
            registrations.Add(PosixSignalRegistration.Create(signal, OnSignal));
        }
    }

    public CancellationToken Token => source.Token;

    public static StopSignals Register(CancellationToken external, Action<int>? onSignal = null) => new(onSignal, external);

    public void Dispose()
    {
        foreach (var registration in registrations)
        {
            registration.Dispose();
        }

        source.Dispose();
    }

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        var seen = Interlocked.Increment(ref count);
        source.Cancel();
        onSignal?.Invoke(seen);
    }
}
