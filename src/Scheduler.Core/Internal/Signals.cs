using System.Runtime.CompilerServices;

namespace Scheduler.Internal;

/// <summary>Waiting helpers that netstandard2.0 lacks.</summary>
internal static class Signals
{
    /// <summary>Waits <paramref name="delay"/> on the given clock (a fake clock in tests); the token ends the wait early.</summary>
    /// <exception cref="TaskCanceledException">The token was cancelled.</exception>
    public static async Task DelayAsync(TimeProvider clock, TimeSpan delay, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var timer = clock.CreateTimer(static state => ((TaskCompletionSource<bool>)state!).TrySetResult(true), done, delay, Timeout.InfiniteTimeSpan);
        using var registration = cancellationToken.Register(static state => ((TaskCompletionSource<bool>)state!).TrySetCanceled(), done);
        await done.Task.ConfigureAwait(false);
    }

    /// <summary>Waits for <paramref name="task"/> or the token, whichever comes first (the task keeps running).</summary>
    public static async Task WaitAsync(Task task, CancellationToken cancellationToken)
    {
        if (!cancellationToken.CanBeCanceled || task.IsCompleted)
        {
            await task.ConfigureAwait(false);
            return;
        }

        var cancelled = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        using (cancellationToken.Register(static state => ((TaskCompletionSource<bool>)state!).TrySetResult(true), cancelled))
        {
            if (await Task.WhenAny(task, cancelled.Task).ConfigureAwait(false) != task)
            {
                throw new OperationCanceledException(cancellationToken);
            }
        }

        await task.ConfigureAwait(false);
    }
}

/// <summary>
/// An auto-reset signal for one waiting loop: <see cref="Set"/> wakes the waiter, or the next wait
/// when nobody waits, so a wake-up between two waits is never lost.
/// </summary>
internal sealed class WakeSignal
{
    private readonly object sync = new();
    private bool signaled;
    private TaskCompletionSource<bool>? waiter;

    [MethodImpl(DispatchPath.Optimized)]
    public void Set()
    {
        TaskCompletionSource<bool>? toWake;
        lock (sync)
        {
            toWake = waiter;
            waiter = null;
            signaled = toWake is null;
        }

        toWake?.TrySetResult(true);
    }

    public Task WaitAsync()
    {
        lock (sync)
        {
            if (signaled)
            {
                signaled = false;
                return Task.CompletedTask;
            }

            waiter ??= new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            return waiter.Task;
        }
    }
}
