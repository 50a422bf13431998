using System.Management.Automation;
using Scheduler.Triggers;

namespace Scheduler.PowerShell.Arguments;

/// <summary>
/// Turns a time-zone argument into a <see cref="TimeZoneInfo"/>: an IANA id (<c>Europe/Berlin</c>) or a
/// Windows id (<c>W. Europe Standard Time</c>) on every platform, <c>UTC</c>, <c>Local</c>, or a
/// <see cref="TimeZoneInfo"/> object (from <c>Get-TimeZone</c> or a trigger's <c>TimeZone</c>).
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
internal sealed class TimeZoneTransformationAttribute : ArgumentTransformationAttribute
{
    public override object? Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        var value = ArgumentValues.Unwrap(inputData);
        if (value is not string id)
        {
            return value;
        }

        return TimeZones.TryResolve(id, out var zone)
            ? zone
            : throw new ArgumentValueException(
                ErrorIds.UnknownTimeZone,
                $"Unknown time zone '{id}': use an IANA id such as 'Europe/Berlin' or a Windows id such as 'W. Europe Standard Time' (press Tab to list them).",
                id);
    }
}
