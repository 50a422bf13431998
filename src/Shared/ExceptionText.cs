namespace Scheduler.Internal;

/// <summary>Exception messages fit for one line of user-facing text.</summary>
/// <remarks>
/// Compiled into the engine and into each front-end (a linked source file, see src/Shared): every one of
/// them words its messages this way, but it is no part of the engine's API.
/// </remarks>
internal static class ExceptionText
{
    /// <summary>
    /// The message without what .NET appends for developers: the "(Parameter 'x')" suffix and the
    /// "Actual value was" line of argument exceptions.
    /// </summary>
    public static string FirstLine(Exception error)
    {
        if (error is null)
        {
            throw new ArgumentNullException(nameof(error));
        }

        var message = error.Message;
        var newline = message.IndexOfAny(['\r', '\n']);
        if (newline >= 0)
        {
            message = message.Substring(0, newline);
        }

        if (error is ArgumentException { ParamName: { } parameter })
        {
            var suffix = $" (Parameter '{parameter}')";
            if (message.EndsWith(suffix, StringComparison.Ordinal))
            {
                message = message.Substring(0, message.Length - suffix.Length);
            }
        }

        return message;
    }
}
