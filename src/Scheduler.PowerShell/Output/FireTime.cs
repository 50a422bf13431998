using Scheduler.Triggers;

namespace Scheduler.PowerShell;

/// <summary>One previewed fire time of a trigger, as <c>Get-SchedulerFireTime</c> writes it.</summary>
/// <remarks>
/// It stands for its <see cref="Time"/> where a script treats it as a date: <c>[DateTimeOffset]$t</c> and
/// <c>[datetime]$t</c> convert it, <c>$t -lt (Get-Date)</c> compares it, and Sort-Object orders fire
/// times by instant.
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1036:Override methods on comparable types", Justification = "== stays reference equality, as for any class; value equality is Equals, which PowerShell's -eq uses.")]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Usage", "CA2225:Operator overloads have named alternates", Justification = "The DateTime conversions serve PowerShell's casts; .NET callers have ToDateTimeOffset and FromDateTimeOffset.")]
public sealed class FireTime : IComparable, IComparable<FireTime>
{
    internal FireTime(int number, DateTimeOffset time, TimeZoneInfo zone, string? jobName = null)
    {
        Number = number;
        JobName = jobName;
        Time = TimeZoneInfo.ConvertTime(time, zone);
        TimeZone = TimeZones.PortableId(zone);
    }

    /// <summary>1 for the first fire time of the preview, 2 for the next, ...</summary>
    public int Number { get; }

    /// <summary>The instant, with the UTC offset of the trigger's zone at that instant.</summary>
    public DateTimeOffset Time { get; }

    /// <summary>The trigger's zone (IANA id where one exists).</summary>
    public string TimeZone { get; }

    /// <summary>The stored job whose trigger this is (Get-SchedulerFireTime -Name); null for a trigger preview.</summary>
    public string? JobName { get; }

    /// <summary>The day of the week in the trigger's zone.</summary>
    public DayOfWeek DayOfWeek => Time.DayOfWeek;

    /// <summary>The fire time's instant, with the zone's offset.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1065:Do not raise exceptions in unexpected locations", Justification = "A null fire time has no instant: converting it is the caller's error, named as such.")]
    public static implicit operator DateTimeOffset(FireTime fireTime)
        => (fireTime ?? throw new ArgumentNullException(nameof(fireTime))).Time;

    /// <summary>The fire time's instant as a local date and time, as <c>[datetime]</c> reads a DateTimeOffset.</summary>
    public static explicit operator DateTime(FireTime fireTime)
        => (fireTime ?? throw new ArgumentNullException(nameof(fireTime))).Time.LocalDateTime;

    /// <summary>
    /// A bare instant as a fire time (number 0, the instant's own offset as its zone), so PowerShell can
    /// compare a fire time with a date: <c>-lt</c> and <c>-eq</c> convert the right side to the left's type.
    /// </summary>
    public static explicit operator FireTime(DateTimeOffset instant) => FromDateTimeOffset(instant);

    /// <summary>A date as a fire time (see the DateTimeOffset conversion); a date without a kind is local.</summary>
    public static explicit operator FireTime(DateTime dateTime) => FromDateTimeOffset(new DateTimeOffset(dateTime));

    /// <summary>Whether <paramref name="left"/> is earlier than <paramref name="right"/> (null is earliest).</summary>
    public static bool operator <(FireTime? left, FireTime? right) => Compare(left, right) < 0;

    /// <summary>Whether <paramref name="left"/> is earlier than or the same instant as <paramref name="right"/> (null is earliest).</summary>
    public static bool operator <=(FireTime? left, FireTime? right) => Compare(left, right) <= 0;

    /// <summary>Whether <paramref name="left"/> is later than <paramref name="right"/> (null is earliest).</summary>
    public static bool operator >(FireTime? left, FireTime? right) => Compare(left, right) > 0;

    /// <summary>Whether <paramref name="left"/> is later than or the same instant as <paramref name="right"/> (null is earliest).</summary>
    public static bool operator >=(FireTime? left, FireTime? right) => Compare(left, right) >= 0;

    /// <summary>The instant as a DateTimeOffset (for languages without conversion operators).</summary>
    public DateTimeOffset ToDateTimeOffset() => Time;

    /// <summary>A bare instant as a fire time (for languages without conversion operators).</summary>
    public static FireTime FromDateTimeOffset(DateTimeOffset instant)
    {
        var offset = instant.Offset;
        var name = "UTC" + (offset < TimeSpan.Zero ? "-" : "+") + offset.Duration().ToString(@"hh\:mm", System.Globalization.CultureInfo.InvariantCulture);
        return new(0, instant, offset == TimeSpan.Zero ? TimeZoneInfo.Utc : TimeZoneInfo.CreateCustomTimeZone(name, offset, name, name));
    }

    /// <summary>Orders by instant; compares with another fire time, a DateTimeOffset or a DateTime (local when unspecified).</summary>
    /// <exception cref="ArgumentException">The other value is not a point in time.</exception>
    public int CompareTo(object? obj) => obj switch
    {
        null => 1,
        FireTime other => Time.CompareTo(other.Time),
        DateTimeOffset instant => Time.CompareTo(instant),
        DateTime dateTime => Time.CompareTo(new DateTimeOffset(dateTime)),
        _ => throw new ArgumentException($"A fire time compares with a date, not with a {obj.GetType().Name}.", nameof(obj)),
    };

    /// <summary>Orders by instant; null is earliest.</summary>
    public int CompareTo(FireTime? other) => other is null ? 1 : Time.CompareTo(other.Time);

    /// <summary>True for a fire time of the same instant, whatever its number, zone or job: it stands for its time.</summary>
    public override bool Equals(object? obj) => obj is FireTime other && Time.Equals(other.Time);

    /// <summary>The instant's hash, as <see cref="Equals(object)"/> compares instants.</summary>
    public override int GetHashCode() => Time.GetHashCode();

    /// <summary>ISO 8601 with the zone's offset, fractional seconds only when present: <c>2024-03-31T03:00:00+02:00</c>.</summary>
    public override string ToString() => TriggerText.FormatDateTime(Time);

    private static int Compare(FireTime? left, FireTime? right)
        => left is null ? (right is null ? 0 : -1) : left.CompareTo(right);
}
