using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using Scheduler.Triggers;

namespace Scheduler.PowerShell.Arguments;

/// <summary>
/// Tab completion of time-zone ids: IANA and Windows ids (both work on every platform), <c>UTC</c> and
/// <c>Local</c>. Ids that start with the typed text come first; then ids with a part that starts with it,
/// so <c>Berl</c> completes to <c>Europe/Berlin</c>.
/// </summary>
internal sealed class TimeZoneCompleter : IArgumentCompleter
{
    private static readonly Lazy<IReadOnlyList<string>> Ids = new(TimeZones.KnownIds);

    public IEnumerable<CompletionResult> CompleteArgument(
        string commandName,
        string parameterName,
        string wordToComplete,
        CommandAst commandAst,
        IDictionary fakeBoundParameters)
    {
        return Complete(wordToComplete).Select(id => new CompletionResult(Quote(id), id, CompletionResultType.ParameterValue, id));
    }

    /// <summary>The ids that complete <paramref name="typed"/> (which may still carry its opening quote), best matches first.</summary>
    public static IEnumerable<string> Complete(string? typed)
    {
        var text = (typed ?? string.Empty).Trim('\'', '"');
        var startsWith = Ids.Value.Where(id => id.StartsWith(text, StringComparison.OrdinalIgnoreCase));
        var partStartsWith = Ids.Value.Where(id =>
            !id.StartsWith(text, StringComparison.OrdinalIgnoreCase)
            && id.Split('/', ' ', '_', '-').Any(part => part.StartsWith(text, StringComparison.OrdinalIgnoreCase)));
        return text.Length == 0 ? Ids.Value : startsWith.Concat(partStartsWith);
    }

    private static string Quote(string id)
        => id.IndexOfAny([' ', '(', ')', '+', '\'', ',', ';', '&', '$', '@']) < 0 ? id : "'" + id.Replace("'", "''") + "'";
}
