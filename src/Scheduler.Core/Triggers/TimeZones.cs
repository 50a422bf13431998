using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using TimeZoneConverter;

namespace Scheduler.Triggers;

/// <summary>
/// Resolves time zones by IANA or Windows id on every platform (Windows PowerShell 5.1 only knows
/// Windows ids, Linux only IANA ids; TimeZoneConverter bridges both).
/// </summary>
internal static class TimeZones
{
    // Zones by the id they were asked for: a store resolves the zone of every job it loads.
    private static readonly ConcurrentDictionary<string, TimeZoneInfo> Resolved = new(StringComparer.Ordinal);

    public static TimeZoneInfo Resolve(string id)
    {
        if (TryResolve(id, out var zone))
        {
            return zone;
        }

        throw new ArgumentException(
            $"Unknown time zone '{id}': use an IANA id such as 'Europe/Berlin' or a Windows id such as 'W. Europe Standard Time'.",
            nameof(id));
    }

    public static bool TryResolve(string? id, [NotNullWhen(true)] out TimeZoneInfo? zone)
    {
        zone = null;
        if (string.IsNullOrWhiteSpace(id))
        {
            return false;
        }

        var trimmed = id!.Trim();
        if (string.Equals(trimmed, "Local", StringComparison.OrdinalIgnoreCase))
        {
            zone = TimeZoneInfo.Local;
            return true;
        }

        if (string.Equals(trimmed, "UTC", StringComparison.OrdinalIgnoreCase))
        {
            zone = TimeZoneInfo.Utc;
            return true;
        }

        if (Resolved.TryGetValue(trimmed, out zone))
        {
            return true;
        }

        if (!TryFindSystemZone(trimmed, out zone) && !TZConvert.TryGetTimeZoneInfo(trimmed, out zone))
        {
            return false;
        }

        Resolved.TryAdd(trimmed, zone);
        return true;
    }

    /// <summary>
    /// An IANA id (it has a '/') on a system whose own ids are IANA ids, read directly: TZConvert's
    /// first lookup lists every zone of the system, half a second with ICU on Linux, which every
    /// process that loads a stored job would pay at start. Other ids, and a miss, go to TZConvert.
    /// </summary>
    private static bool TryFindSystemZone(string id, [NotNullWhen(true)] out TimeZoneInfo? zone)
    {
        zone = null;
        if (id.IndexOf('/') < 0 || RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
        {
            return false;
        }

        try
        {
            zone = TimeZoneInfo.FindSystemTimeZoneById(id);
            return true;
        }
        catch (Exception error) when (error is TimeZoneNotFoundException or InvalidTimeZoneException or ArgumentException or System.Security.SecurityException)
        {
            return false;
        }
    }

    /// <summary>The id to persist: IANA where one exists, so a store written on Windows reads on Linux.</summary>
    public static string PortableId(TimeZoneInfo zone)
    {
        if (zone.Id == TimeZoneInfo.Utc.Id)
        {
            return "UTC";
        }

        // Windows ids never have a '/': such an id is an IANA id already (and asking TZConvert's
        // list of them costs a tenth of a second the first time).
        if (zone.Id.IndexOf('/') >= 0 || TZConvert.KnownIanaTimeZoneNames.Contains(zone.Id))
        {
            return zone.Id;
        }

        return TZConvert.TryWindowsToIana(zone.Id, out var iana) ? iana : zone.Id;
    }
}
