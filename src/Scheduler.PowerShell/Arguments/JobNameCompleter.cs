using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using Scheduler.PowerShell.Sessions;

namespace Scheduler.PowerShell.Arguments;

/// <summary>
/// Tab completion of job names: the names in the store the command would use (its -Store argument when
/// typed, else the running scheduler's store, else the default store) that start with the typed text.
/// </summary>
internal sealed class JobNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(
        string commandName,
        string parameterName,
        string wordToComplete,
        CommandAst commandAst,
        IDictionary fakeBoundParameters)
    {
        var typed = (wordToComplete ?? string.Empty).Trim('\'', '"');
        IReadOnlyList<Scheduler.Jobs.Job> named;
        try
        {
            var store = fakeBoundParameters?["Store"] is { } value ? Convert.ToString(value is PSObject wrapped ? wrapped.BaseObject : value, System.Globalization.CultureInfo.InvariantCulture) : null;
            var state = ModuleState.Current;
            var location = store is null ? state.Running?.Location ?? StoreLocation.Default() : StoreLocation.FromText(store, ResolvePath);

            // Pressing Tab must not create a store (a typo in -Store, a first use), nor wait on a database
            // server that does not answer: a PostgreSQL store is completed once the session has opened it.
            var scheduler = state.Opened(location);
            if (scheduler is null && (location.IsPostgres || !File.Exists(location.Name)))
            {
                return [];
            }

            named = (scheduler ?? state.For(location)).Scheduler.FindJobsByName(name => name.StartsWith(typed, StringComparison.OrdinalIgnoreCase));
        }
#pragma warning disable CA1031 // Completion offers nothing rather than failing the user's Tab.
        catch (Exception)
#pragma warning restore CA1031
        {
            return [];
        }

        return named
            .Select(job => job.Name)
            .OrderBy(name => name, StringComparer.OrdinalIgnoreCase)
            .Select(name => new CompletionResult(Quote(name), name, CompletionResultType.ParameterValue, name));
    }

    /// <summary>
    /// A store file's path, relative to the session's location. Completion runs inside a pipeline of the
    /// session, where the runspace's session-state proxy is off limits; a nested pipeline may ask.
    /// </summary>
    private static string ResolvePath(string store)
    {
        using var shell = System.Management.Automation.PowerShell.Create(RunspaceMode.CurrentRunspace);
        shell.AddScript("param($path) $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($path)").AddArgument(store);
        return shell.Invoke<string>().Single();
    }

    private static string Quote(string name)
        => name.IndexOfAny([' ', '(', ')', '\'', ',', ';', '&', '$', '@', '{', '}', '#', '|', '`', '"']) < 0 ? name : "'" + name.Replace("'", "''") + "'";
}
