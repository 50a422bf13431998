namespace Scheduler.Host;

/// <summary>Input the user must fix; schedhost prints the message as one line on stderr and exits 2.</summary>
internal sealed class BadInputException : Exception
{
    public BadInputException(string message)
        : base(message)
    {
    }

    public BadInputException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public BadInputException()
    {
    }
}
