using System.Management.Automation;
using Scheduler.Triggers;

namespace Scheduler.PowerShell.Arguments;

/// <summary>
/// Turns a time-of-day argument into a <see cref="TimeSpan"/> since midnight: text <c>HH:mm[:ss]</c>
/// (<c>09:00</c>, <c>17:30:15</c>), a TimeSpan, or the time of a DateTime (<c>Get-Date 9:00</c>).
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
internal sealed class TimeOfDayTransformationAttribute : ArgumentTransformationAttribute
{
    public override object? Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        var value = ArgumentValues.Unwrap(inputData);
        switch (value)
        {
            case DateTime dateTime:
                return dateTime.TimeOfDay;
            case string text:
                try
                {
                    return TriggerText.ParseTimeOfDay(text);
                }
                catch (FormatException error)
                {
                    throw new ArgumentValueException(ErrorIds.InvalidTimeOfDay, error.Message, text, error);
                }

            default:
                return value;
        }
    }
}
