using System.Management.Automation;
using Scheduler.Triggers;

namespace Scheduler.PowerShell.Arguments;

/// <summary>
/// Turns a duration argument into a <see cref="TimeSpan"/>: a TimeSpan, or text with units (<c>500ms</c>,
/// <c>90s</c>, <c>5m</c>, <c>1h30m</c>, <c>2d</c>, <c>1w</c>), ISO 8601 (<c>PT1H30M</c>) or <c>[d.]hh:mm:ss</c>,
/// the forms schedhost and the JSON format accept.
/// </summary>
/// <remarks>
/// A bare number is rejected rather than handed to PowerShell, whose conversion would read it as ticks
/// (<c>-Interval 5</c> would fire every half microsecond).
/// </remarks>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
internal sealed class DurationTransformationAttribute : ArgumentTransformationAttribute
{
    public override object? Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        var value = ArgumentValues.Unwrap(inputData);
        if (ArgumentValues.IsNumber(value))
        {
            value = Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture);
        }

        if (value is not string text)
        {
            return value;
        }

        try
        {
            return TriggerText.ParseDuration(text);
        }
        catch (FormatException error)
        {
            throw new ArgumentValueException(ErrorIds.InvalidDuration, error.Message, text, error);
        }
    }
}
