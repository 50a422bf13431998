namespace Scheduler.Host;

/// <summary>The command line of schedhost; writers are parameters so tests drive it in-process.</summary>
internal static class SchedHost
{
    public const int Success = 0;
    public const int BadInput = 2;

    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        _ = args;
        _ = output;
        error.WriteLine("schedhost: no command given");
        return BadInput;
    }
}
