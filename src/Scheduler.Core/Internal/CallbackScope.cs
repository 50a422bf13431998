namespace Scheduler.Internal;

/// <summary>
/// Marks the threads running user code for the scheduler (a job's synchronous part, an event
/// listener), so a blocking call that would wait for that very code (a waiting shutdown) can tell.
/// </summary>
internal static class CallbackScope
{
    [ThreadStatic]
    private static int depth;

    public static bool IsActive => depth > 0;

    public static void Enter() => depth++;

    public static void Exit() => depth--;
}
