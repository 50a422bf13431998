using System.Runtime.CompilerServices;
using Scheduler.Internal;

namespace Scheduler.Jobs;

/// <summary>
/// A run's optional values (start time, end time, exit code) as a value and a flag each instead of
/// nullables. Every run is recorded twice (running, then ended), a run waiting for a worker outlives
/// garbage collections, which copy every byte of it, and run histories keep these in place by the
/// thousand: <see cref="JobRun"/> and the memory store's records share this one packing.
/// </summary>
internal readonly struct OptionalRunValues : IEquatable<OptionalRunValues>
{
    private readonly DateTimeOffset startTime;
    private readonly DateTimeOffset endTime;
    private readonly int exitCode;
    private readonly Present present;

    private OptionalRunValues(DateTimeOffset startTime, DateTimeOffset endTime, int exitCode, Present present)
    {
        this.startTime = startTime;
        this.endTime = endTime;
        this.exitCode = exitCode;
        this.present = present;
    }

    public DateTimeOffset? StartTime
    {
        [MethodImpl(DispatchPath.Optimized)]
        get => (present & Present.StartTime) != 0 ? startTime : null;
    }

    public DateTimeOffset? EndTime
    {
        [MethodImpl(DispatchPath.Optimized)]
        get => (present & Present.EndTime) != 0 ? endTime : null;
    }

    public int? ExitCode => (present & Present.ExitCode) != 0 ? exitCode : null;

    public OptionalRunValues WithStartTime(DateTimeOffset? value)
        => new(value.GetValueOrDefault(), endTime, exitCode, Mark(Present.StartTime, value.HasValue));

    public OptionalRunValues WithEndTime(DateTimeOffset? value)
        => new(startTime, value.GetValueOrDefault(), exitCode, Mark(Present.EndTime, value.HasValue));

    public OptionalRunValues WithExitCode(int? value)
        => new(startTime, endTime, value.GetValueOrDefault(), Mark(Present.ExitCode, value.HasValue));

    public bool Equals(OptionalRunValues other)
        => StartTime == other.StartTime && EndTime == other.EndTime && ExitCode == other.ExitCode;

    public override bool Equals(object? obj) => obj is OptionalRunValues other && Equals(other);

    public override int GetHashCode() => (StartTime, EndTime, ExitCode).GetHashCode();

    private Present Mark(Present value, bool hasValue) => hasValue ? present | value : present & ~value;

    [Flags]
    private enum Present : byte
    {
        StartTime = 1,
        EndTime = 2,
        ExitCode = 4,
    }
}
