using System.Runtime.CompilerServices;

namespace Scheduler.Internal;

/// <summary>
/// For methods that run rarely but loop over many jobs each time (the dispatch of a burst, once a
/// second or once a minute): tiered compilation would leave them unoptimized for dozens of calls,
/// which for a scheduler can be an hour, so they are compiled optimized at once. The same goes for
/// the path every run takes on its worker (start, invoke, end, record): the first bursts of runs
/// would otherwise spend their time in unoptimized code.
/// </summary>
internal static class DispatchPath
{
#if NET
    public const MethodImplOptions Optimized = MethodImplOptions.AggressiveOptimization;
#else
    // .NET Framework compiles everything optimized anyway.
    public const MethodImplOptions Optimized = 0;
#endif
}
