namespace Scheduler.Host;

/// <summary>
/// What every verb writes to, reads the time from, and (for the long-running verbs) what stops them
/// besides Ctrl+C and SIGTERM; tests pass their own.
/// </summary>
internal sealed record HostContext(TextWriter Output, TextWriter Error, TimeProvider Time, CancellationToken Stopping = default);
