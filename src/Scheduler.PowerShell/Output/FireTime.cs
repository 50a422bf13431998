using Scheduler.Triggers;

namespace Scheduler.PowerShell;

/// <summary>One previewed fire time of a trigger, as <c>Get-SchedulerFireTime</c> writes it.</summary>
public sealed class FireTime
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

    /// <summary>ISO 8601 with the zone's offset, fractional seconds only when present: <c>2024-03-31T03:00:00+02:00</c>.</summary>
    public override string ToString() => TriggerText.FormatDateTime(Time);
}
