namespace Scheduler.Triggers;

/// <summary>
/// A calendar period: whole years, months, weeks and days, the step of a <see cref="CalendarIntervalTrigger"/>
/// (ISO 8601 <c>P1Y6M</c>, <c>P2W</c>; see <see cref="TriggerText.ParsePeriod"/>).
/// </summary>
/// <param name="Years">Years.</param>
/// <param name="Months">Months.</param>
/// <param name="Weeks">Weeks; kept apart from days, so <c>P2W</c> reads back as written.</param>
/// <param name="Days">Days.</param>
public readonly record struct CalendarPeriod(int Years, int Months, int Weeks, int Days)
{
    /// <summary>Whether every part is zero: a calendar interval refuses such a period.</summary>
    public bool IsZero => Years == 0 && Months == 0 && Weeks == 0 && Days == 0;

    /// <summary>Whether any part is negative: a calendar interval refuses such a period.</summary>
    public bool IsNegative => Years < 0 || Months < 0 || Weeks < 0 || Days < 0;

    /// <summary>ISO 8601, e.g. <c>P1Y6M</c> (<see cref="TriggerText.FormatPeriod"/>).</summary>
    public override string ToString() => TriggerText.FormatPeriod(this);
}
