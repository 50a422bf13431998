using System.Diagnostics.CodeAnalysis;
using TimeZoneConverter;

namespace Scheduler.Triggers;

/// <summary>
/// Time zones as the triggers name them: resolved by IANA or Windows id on every platform, stored by a
/// portable id, and the mapping of wall-clock times to instants that every trigger uses.
/// </summary>
/// <remarks>
/// Windows (and Windows PowerShell 5.1) knows only Windows ids and Linux only IANA ids; both are
/// accepted everywhere, so a job written on one runs on the other.
/// </remarks>
public static class TimeZones
{
    private static readonly string[] SpecialIds = ["UTC", "Local"];

    /// <summary>
    /// Every id <see cref="TryResolve"/> knows by name: <c>UTC</c> and <c>Local</c>, then the IANA ids,
    /// then the Windows ids, each group in order, without duplicates. For completion; a new list each call.
    /// </summary>
    public static IReadOnlyList<string> KnownIds()
        => SpecialIds
            .Concat(TZConvert.KnownIanaTimeZoneNames.OrderBy(id => id, StringComparer.OrdinalIgnoreCase))
            .Concat(TZConvert.KnownWindowsTimeZoneIds.OrderBy(id => id, StringComparer.OrdinalIgnoreCase))
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToArray();

    /// <summary>The zone with an IANA id (<c>Europe/Berlin</c>), a Windows id (<c>W. Europe Standard Time</c>), <c>UTC</c> or <c>Local</c>; case-insensitive.</summary>
    /// <param name="id">The id; surrounding white space is ignored.</param>
    /// <exception cref="ArgumentException">No zone has that id (the message gives examples of both kinds).</exception>
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

    /// <summary>The zone with that id, as <see cref="Resolve"/> finds it; false for an unknown, empty or null id.</summary>
    /// <param name="id">The id.</param>
    /// <param name="zone">The zone, or null.</param>
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

    /// <summary>The id to persist and show: IANA where one exists, so a store written on Windows reads on Linux; <c>UTC</c> for UTC.</summary>
    /// <param name="zone">The zone.</param>
    /// <exception cref="ArgumentNullException"><paramref name="zone"/> is null.</exception>
    public static string PortableId(TimeZoneInfo zone)
    {
        if (zone is null)
        {
            throw new ArgumentNullException(nameof(zone));
        }

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

    /// <summary>
    /// The instant a wall-clock time stands for in a zone, under the DST rules every trigger follows: a
    /// time that happens twice (a fall-back overlap) is its first pass; a time the clocks skip (a
    /// spring-forward gap) is the first instant after the gap, so it is moved forward, never dropped.
    /// </summary>
    /// <param name="wallClockTime">The wall-clock time; its <see cref="DateTime.Kind"/> is ignored.</param>
    /// <param name="zone">The zone.</param>
    /// <exception cref="ArgumentNullException"><paramref name="zone"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The instant lies outside the range of <see cref="DateTimeOffset"/> (only at the very ends of the calendar).</exception>
    public static DateTimeOffset ToInstant(DateTime wallClockTime, TimeZoneInfo zone)
        => WallClock.FirstInstant(wallClockTime, zone ?? throw new ArgumentNullException(nameof(zone)));
}
