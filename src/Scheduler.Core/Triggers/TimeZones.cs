using System.Diagnostics.CodeAnalysis;
using TimeZoneConverter;

namespace Scheduler.Triggers;

/// <summary>
/// Resolves time zones by IANA or Windows id on every platform (Windows PowerShell 5.1 only knows
/// Windows ids, Linux only IANA ids; TimeZoneConverter bridges both).
/// </summary>
internal static class TimeZones
{
    /// <summary>
    /// Every id <see cref="TryResolve"/> knows by name: <c>UTC</c> and <c>Local</c>, then the IANA ids,
    /// then the Windows ids, each group in order, without duplicates. For completion.
    /// </summary>
    public static IReadOnlyList<string> KnownIds()
        => new[] { "UTC", "Local" }
            .Concat(TZConvert.KnownIanaTimeZoneNames.OrderBy(id => id, StringComparer.OrdinalIgnoreCase))
            .Concat(TZConvert.KnownWindowsTimeZoneIds.OrderBy(id => id, StringComparer.OrdinalIgnoreCase))
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToArray();

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

#if NET
        // The platform's own (IANA) ids resolve without loading TimeZoneConverter's tables, which
        // costs a noticeable part of a cold start (a store loading its first job).
        if (!OperatingSystem.IsWindows() && trimmed.IndexOf('/') > 0 && TimeZoneInfo.TryFindSystemTimeZoneById(trimmed, out zone) && zone.HasIanaId)
        {
            return true;
        }
#endif

        return TZConvert.TryGetTimeZoneInfo(trimmed, out zone);
    }

    /// <summary>The id to persist: IANA where one exists, so a store written on Windows reads on Linux.</summary>
    public static string PortableId(TimeZoneInfo zone)
    {
        if (zone.Id == TimeZoneInfo.Utc.Id)
        {
            return "UTC";
        }

#if NET
        if (!OperatingSystem.IsWindows() && zone.HasIanaId)
        {
            return zone.Id;
        }
#endif

        if (TZConvert.KnownIanaTimeZoneNames.Contains(zone.Id))
        {
            return zone.Id;
        }

        return TZConvert.TryWindowsToIana(zone.Id, out var iana) ? iana : zone.Id;
    }
}
