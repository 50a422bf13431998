namespace Scheduler.Host;

internal static class Program
{
    public static int Main(string[] args) => SchedHost.Run(args, Console.Out, Console.Error);
}
