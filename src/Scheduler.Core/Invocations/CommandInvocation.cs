namespace Scheduler.Invocations;

/// <summary>
/// Runs an executable as a child process with an argument list, a working directory and extra
/// environment variables. Exit code 0 is success; the process executor captures its output (bounded)
/// and kills the whole process tree on timeout.
/// </summary>
public sealed class CommandInvocation : Invocation
{
    private static readonly IReadOnlyDictionary<string, string> NoEnvironment = new Dictionary<string, string>(0);

    /// <exception cref="ArgumentException">The executable is empty, or an environment variable name is empty or contains '='.</exception>
    public CommandInvocation(
        string executable,
        IEnumerable<string>? arguments = null,
        string? workingDirectory = null,
        IEnumerable<KeyValuePair<string, string>>? environment = null)
    {
        if (executable is null)
        {
            throw new ArgumentNullException(nameof(executable));
        }

        if (string.IsNullOrWhiteSpace(executable))
        {
            throw new ArgumentException("The executable must not be empty.", nameof(executable));
        }

        Executable = executable;
        Arguments = arguments?.Select(a => a ?? throw new ArgumentException("An argument must not be null.", nameof(arguments))).ToArray() ?? [];
        WorkingDirectory = string.IsNullOrEmpty(workingDirectory) ? null : workingDirectory;
        if (environment is null)
        {
            Environment = NoEnvironment;
        }
        else
        {
            var variables = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var pair in environment)
            {
                if (string.IsNullOrEmpty(pair.Key) || pair.Key.IndexOf('=') >= 0)
                {
                    throw new ArgumentException($"The environment variable name '{pair.Key}' is not valid.", nameof(environment));
                }

                variables[pair.Key] = pair.Value ?? string.Empty;
            }

            Environment = variables;
        }
    }

    /// <inheritdoc/>
    public override InvocationKind Kind => InvocationKind.Command;

    /// <summary>The program to start: a path, or a name looked up on the PATH.</summary>
    public string Executable { get; }

    /// <summary>The arguments, passed as a list (never joined into one command line by the caller).</summary>
    public IReadOnlyList<string> Arguments { get; }

    /// <summary>The working directory, or null for the scheduler's own.</summary>
    public string? WorkingDirectory { get; }

    /// <summary>Environment variables set for the process on top of the scheduler's environment.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; }

    /// <summary>The command line: the executable and its arguments.</summary>
    public override string ToString() => Arguments.Count == 0 ? Executable : $"{Executable} {string.Join(" ", Arguments)}";
}
