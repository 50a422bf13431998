namespace Scheduler.HelpCompiler;

/// <summary>The help of one cmdlet as a platyPS page describes it; text is plain paragraphs, ready for MAML.</summary>
internal sealed record CommandHelp(
    string Name,
    IReadOnlyList<string> Synopsis,
    IReadOnlyList<string> Description,
    IReadOnlyList<string> ParameterSets,
    IReadOnlyList<ParameterHelp> Parameters,
    IReadOnlyList<TypeHelp> Inputs,
    IReadOnlyList<TypeHelp> Outputs,
    IReadOnlyList<string> Notes,
    IReadOnlyList<ExampleHelp> Examples,
    IReadOnlyList<LinkHelp> Links)
{
    /// <summary>
    /// The parameters of one set in the order PowerShell writes syntax: positional ones by position, then
    /// the mandatory ones, then the rest, each group in page order. With no named sets, every parameter.
    /// </summary>
    public IReadOnlyList<(ParameterHelp Parameter, ParameterUse Use)> ParametersOf(string? set) =>
        Parameters
            .Select((parameter, index) => (Parameter: parameter, Use: parameter.UseIn(set), Index: index))
            .Where(entry => entry.Use is not null)
            .OrderBy(entry => entry.Use!.Position ?? int.MaxValue)
            .ThenBy(entry => entry.Use!.Required ? 0 : 1)
            .ThenBy(entry => entry.Index)
            .Select(entry => (entry.Parameter, entry.Use!))
            .ToList();
}

/// <summary>A parameter: what all its sets share, and how it is used in each (one yaml block each).</summary>
internal sealed record ParameterHelp(
    string Name,
    IReadOnlyList<string> Description,
    string Type,
    IReadOnlyList<string> Aliases,
    IReadOnlyList<string> AcceptedValues,
    string DefaultValue,
    bool Globbing,
    IReadOnlyList<ParameterUse> Uses)
{
    public bool IsSwitch => Type is "SwitchParameter" or "System.Management.Automation.SwitchParameter" or "switch";

    /// <summary>How the parameter is used in <paramref name="set"/> (null: in the only, unnamed, set); null when it is not in it.</summary>
    public ParameterUse? UseIn(string? set) =>
        Uses.FirstOrDefault(use => use.InAllSets || (set is not null && use.Sets.Contains(set, StringComparer.Ordinal)));
}

/// <summary>The attributes of a parameter in some of its sets (<see cref="Sets"/> empty: all sets).</summary>
internal sealed record ParameterUse(IReadOnlyList<string> Sets, bool Required, int? Position, bool ByValue, bool ByPropertyName)
{
    public bool InAllSets => Sets.Count == 0;
}

/// <summary>An input or output type with what it means.</summary>
internal sealed record TypeHelp(string TypeName, IReadOnlyList<string> Description);

/// <summary>An example: its heading, its code (each fence a block), and the text around it.</summary>
internal sealed record ExampleHelp(string Title, IReadOnlyList<string> Code, IReadOnlyList<string> Remarks);

/// <summary>A related link; Uri is empty for links to other pages of the module (Get-Help shows the text).</summary>
internal sealed record LinkHelp(string Text, string Uri);
