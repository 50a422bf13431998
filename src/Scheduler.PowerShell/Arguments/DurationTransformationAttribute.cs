using System.Globalization;
using System.Management.Automation;
using Scheduler.Triggers;

namespace Scheduler.PowerShell.Arguments;

/// <summary>
/// Turns a duration argument into a <see cref="TimeSpan"/>: a TimeSpan, or text with units (<c>500ms</c>,
/// <c>90s</c>, <c>5m</c>, <c>1h30m</c>, <c>2d</c>, <c>1w</c>), ISO 8601 (<c>PT1H30M</c>) or <c>[d.]hh:mm:ss</c>,
/// the forms schedhost and the JSON format accept.
/// </summary>
/// <remarks>
/// <para>
/// Unquoted, PowerShell 7 reads <c>30s</c> as the number 30 of type [short] (its <c>s</c> suffix) and every
/// edition reads <c>2d</c> as the [decimal] 2 (its <c>d</c> suffix), so the unit arrives only as the type:
/// a [short] is taken as seconds and a [decimal] as days, which is what was typed. Nobody means a
/// duration without a unit by those types.
/// </para>
/// <para>
/// Any other bare number is rejected rather than handed to PowerShell, whose conversion would read it as
/// ticks (<c>-Interval 5</c> would fire every half microsecond), except where
/// <see cref="NumbersAreSeconds"/> says otherwise: the <c>-Timeout</c> of a cmdlet that waits takes seconds,
/// as <c>Wait-Job</c>, <c>Wait-Event</c> and <c>Wait-Process</c> do.
/// </para>
/// </remarks>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
internal sealed class DurationTransformationAttribute : ArgumentTransformationAttribute
{
    /// <summary>A bare number is a number of seconds (the timeout of a wait), not an error.</summary>
    public bool NumbersAreSeconds { get; set; }

    public override object? Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        var value = ArgumentValues.Unwrap(inputData) switch
        {
            short seconds => seconds.ToString(CultureInfo.InvariantCulture) + "s",
            decimal days => days.ToString(CultureInfo.InvariantCulture) + "d",
            var number when ArgumentValues.IsNumber(number) && NumbersAreSeconds => Seconds(number!),
            var number when ArgumentValues.IsNumber(number) => Convert.ToString(number, CultureInfo.InvariantCulture),
            var other => other,
        };
        if (value is not string text)
        {
            return value;
        }

        TimeSpan duration;
        try
        {
            duration = TriggerText.ParseDuration(text);
        }
        catch (FormatException error)
        {
            throw new ArgumentValueException(ErrorIds.InvalidDuration, error.Message, text, error);
        }

        // No duration parameter takes a negative one; refused here, the message has what was typed
        // ('-90m'), not the parsed value's ISO form (-PT1H30M) or a TimeSpan's (-01:30:00).
        return duration < TimeSpan.Zero
            ? throw new ArgumentValueException(ErrorIds.InvalidDuration, $"The duration '{text}' is negative; give a positive one such as 90s.", text)
            : duration;
    }

    private static TimeSpan Seconds(object number)
    {
        var seconds = Convert.ToDouble(number, CultureInfo.InvariantCulture);
        if (double.IsNaN(seconds) || seconds < 0 || seconds > TimeSpan.MaxValue.TotalSeconds)
        {
            var text = Convert.ToString(number, CultureInfo.InvariantCulture) ?? string.Empty;
            throw new ArgumentValueException(ErrorIds.InvalidDuration, $"'{text}' is not a number of seconds from 0 to {TimeSpan.MaxValue.TotalSeconds:F0}.", text);
        }

        return TimeSpan.FromTicks((long)Math.Round(seconds * TimeSpan.TicksPerSecond));
    }
}
