namespace Scheduler.Triggers;

/// <summary>A calendar period: whole years, months, weeks and days (ISO 8601 <c>P1Y6M</c>, <c>P2W</c>).</summary>
internal readonly record struct CalendarPeriod(int Years, int Months, int Weeks, int Days)
{
    public bool IsZero => Years == 0 && Months == 0 && Weeks == 0 && Days == 0;

    public bool IsNegative => Years < 0 || Months < 0 || Weeks < 0 || Days < 0;

    /// <summary>ISO 8601, e.g. <c>P1Y6M</c>; weeks are kept as weeks so <c>P2W</c> reads back as written.</summary>
    public override string ToString() => TriggerText.FormatPeriod(this);
}
