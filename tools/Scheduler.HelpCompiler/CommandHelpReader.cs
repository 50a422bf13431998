using System.Globalization;
using System.Text.RegularExpressions;

namespace Scheduler.HelpCompiler;

/// <summary>
/// Reads a platyPS cmdlet page into <see cref="CommandHelp"/>. What Get-Help would show empty or wrong is a
/// problem naming the file, line and section: no synopsis, no description, no example (or one without
/// code), a parameter without a description or without its yaml, a yaml value platyPS would not write,
/// a parameter set the syntax section does not name, a syntax block that disagrees with the yaml.
/// </summary>
internal sealed partial class CommandHelpReader
{
    private static readonly string[] KnownSections =
        ["SYNOPSIS", "SYNTAX", "DESCRIPTION", "EXAMPLES", "PARAMETERS", "INPUTS", "OUTPUTS", "NOTES", "RELATED LINKS"];

    private static readonly string[] YamlKeys =
        ["Type", "Parameter Sets", "Aliases", "Accepted values", "Required", "Position", "Default value", "Accept pipeline input", "Accept wildcard characters"];

    private static readonly string[] RequiredYamlKeys = ["Type", "Parameter Sets", "Required", "Position", "Accept pipeline input"];

    /// <summary>Parameters every cmdlet has, documented once by the CommonParameters section, never one by one.</summary>
    private static readonly string[] CommonParameterSections = ["CommonParameters", "WorkflowCommonParameters"];

    private readonly string file;
    private readonly ICollection<HelpProblem> problems;

    /// <summary>Where each parameter's yaml names its sets, for problems with the sets.</summary>
    private readonly List<(ParameterUse Use, int Line, string Where)> setSources = [];

    private CommandHelpReader(string file, ICollection<HelpProblem> problems)
    {
        this.file = file;
        this.problems = problems;
    }

    /// <summary>The help of the page, or null when a problem leaves nothing to compile (problems are added either way).</summary>
    public static CommandHelp? Read(string file, MarkdownPage page, ICollection<HelpProblem> problems) =>
        new CommandHelpReader(file, problems).Read(page);

    private CommandHelp? Read(MarkdownPage page)
    {
        var before = problems.Count;
        if (page.Title is null)
        {
            Problem(1, "# title", "The page has no '# Cmdlet-Name' title.");
            return null;
        }

        var name = page.Title.Heading;
        var expected = Path.GetFileNameWithoutExtension(file);
        if (!string.Equals(name, expected, StringComparison.OrdinalIgnoreCase))
        {
            Problem(page.Title.Line, "# title", $"The title '{name}' is not the cmdlet the file is named after ('{expected}').");
        }

        foreach (var section in page.Sections.Where(section => !KnownSections.Contains(section.Heading, StringComparer.OrdinalIgnoreCase)))
        {
            Problem(section.Line, $"## {section.Heading}", $"Unknown section; a platyPS cmdlet page has {string.Join(", ", KnownSections)}.");
        }

        var synopsis = Prose(page, "SYNOPSIS", page.Title.Line);
        var description = Prose(page, "DESCRIPTION", page.Title.Line);
        var beforeParameters = problems.Count;
        var sets = ParameterSets(page.Section("SYNTAX"), page.Title.Line);
        var parameters = Parameters(page.Section("PARAMETERS"), page.Title.Line);
        CheckSets(page.Section("SYNTAX"), sets, parameters);
        if (problems.Count == beforeParameters)
        {
            // Only a page whose parts are each sound can be compared with itself; otherwise one mistake
            // (a yaml that does not parse) would also be reported as a syntax out of date.
            CheckSyntax(page.Section("SYNTAX"), sets, parameters);
        }

        var examples = Examples(page.Section("EXAMPLES"), page.Title.Line);
        var inputs = Types(page.Section("INPUTS"));
        var outputs = Types(page.Section("OUTPUTS"));
        var notes = page.Section("NOTES") is { } notesSection ? MarkdownText.Paragraphs(notesSection.Text) : [];
        var links = Links(page);

        return problems.Count > before
            ? null
            : new CommandHelp(name, synopsis, description, sets, parameters, inputs, outputs, notes, examples, links);
    }

    /// <summary>The paragraphs of a section that must say something.</summary>
    private IReadOnlyList<string> Prose(MarkdownPage page, string heading, int titleLine)
    {
        var section = page.Section(heading);
        if (section is null)
        {
            Problem(titleLine, $"## {heading}", "The section is missing.");
            return [];
        }

        var paragraphs = MarkdownText.Paragraphs(section.Text);
        if (paragraphs.Count == 0)
        {
            Problem(section.Line, $"## {heading}", "The section is empty.");
        }

        return paragraphs;
    }

    /// <summary>The parameter set names of the <c>### Name (Default)</c> headings, in page order; none for a single set.</summary>
    private List<string> ParameterSets(PageSection? syntax, int titleLine)
    {
        if (syntax is null)
        {
            Problem(titleLine, "## SYNTAX", "The section is missing.");
            return [];
        }

        var sets = new List<string>();
        foreach (var heading in syntax.Subsections)
        {
            var set = DefaultSetSuffix().Replace(heading.Heading, string.Empty).Trim();
            if (set.Length == 0 || sets.Contains(set, StringComparer.Ordinal))
            {
                Problem(heading.Line, $"## SYNTAX / ### {heading.Heading}", set.Length == 0 ? "The parameter set has no name." : "The parameter set is named twice.");
                continue;
            }

            sets.Add(set);
        }

        // platyPS names the only set of a cmdlet __AllParameterSets; it is no set a parameter names.
        return sets is ["__AllParameterSets"] ? [] : sets;
    }

    private List<ParameterHelp> Parameters(PageSection? section, int titleLine)
    {
        var parameters = new List<ParameterHelp>();
        if (section is null)
        {
            Problem(titleLine, "## PARAMETERS", "The section is missing (a cmdlet without parameters keeps it, with ### CommonParameters).");
            return parameters;
        }

        foreach (var subsection in section.Subsections)
        {
            if (CommonParameterSections.Contains(subsection.Heading, StringComparer.OrdinalIgnoreCase))
            {
                continue;
            }

            var where = $"## PARAMETERS / ### {subsection.Heading}";
            if (!subsection.Heading.StartsWith('-') || subsection.Heading.Length < 2 || subsection.Heading.Contains(' ', StringComparison.Ordinal))
            {
                Problem(subsection.Line, where, "A parameter heading is '### -Name'.");
                continue;
            }

            var name = subsection.Heading[1..];
            if (parameters.Any(parameter => string.Equals(parameter.Name, name, StringComparison.OrdinalIgnoreCase)))
            {
                Problem(subsection.Line, where, "The parameter is documented twice.");
                continue;
            }

            if (Parameter(name, subsection, where) is { } parameter)
            {
                parameters.Add(parameter);
            }
        }

        return parameters;
    }

    private ParameterHelp? Parameter(string name, PageSection section, string where)
    {
        var prose = new List<string>();
        var blocks = new List<(int Line, List<PageLine> Lines)>();
        List<PageLine>? yaml = null;
        string? fence = null;
        foreach (var line in section.Body)
        {
            if (fence is null && MarkdownText.FenceOf(line.Text) is { } opened)
            {
                fence = opened;
                if (string.Equals(MarkdownText.FenceInfo(line.Text), "yaml", StringComparison.OrdinalIgnoreCase))
                {
                    yaml = [];
                    blocks.Add((line.Number, yaml));
                }
                else
                {
                    prose.Add(line.Text);
                }

                continue;
            }

            if (fence is not null && line.Text.TrimStart().StartsWith(fence, StringComparison.Ordinal))
            {
                fence = null;
                if (yaml is null)
                {
                    prose.Add(line.Text);
                }

                yaml = null;
                continue;
            }

            if (yaml is not null)
            {
                yaml.Add(line);
            }
            else
            {
                prose.Add(line.Text);
            }
        }

        var description = MarkdownText.Paragraphs(prose);
        if (description.Count == 0)
        {
            Problem(section.Line, where, "The parameter has no description.");
        }

        if (blocks.Count == 0)
        {
            Problem(section.Line, where, "The parameter has no ```yaml block (Type, Parameter Sets, Required, Position, ...).");
            return null;
        }

        var before = problems.Count;
        var uses = new List<ParameterUse>();
        Dictionary<string, PageLine>? first = null;
        foreach (var (line, lines) in blocks)
        {
            var values = Yaml(lines, where);
            first ??= values;
            foreach (var key in RequiredYamlKeys.Where(key => !values.ContainsKey(key)))
            {
                Problem(line, where, $"The yaml has no '{key}:'.");
            }

            if (problems.Count == before)
            {
                var use = Use(values, where);
                uses.Add(use);
                setSources.Add((use, values["Parameter Sets"].Number, where));
            }
        }

        if (first is null || problems.Count > before)
        {
            return null;
        }

        if (uses.Count > 1 && uses.Any(use => use.InAllSets))
        {
            Problem(blocks[0].Line, where, "With several yaml blocks, each names its parameter sets; '(All)' leaves no set for the others.");
        }

        var type = first["Type"].Text;
        var globbing = first.TryGetValue("Accept wildcard characters", out var wildcards) && Boolean(wildcards, where, "Accept wildcard characters");
        var defaultValue = first.GetValueOrDefault("Default value").Text is { Length: > 0 } given ? given : "None";
        return new ParameterHelp(name, description, type, List(first.GetValueOrDefault("Aliases").Text), List(first.GetValueOrDefault("Accepted values").Text), defaultValue, globbing, uses);
    }

    private Dictionary<string, PageLine> Yaml(IEnumerable<PageLine> lines, string where)
    {
        var values = new Dictionary<string, PageLine>(StringComparer.Ordinal);
        foreach (var line in lines.Where(line => !string.IsNullOrWhiteSpace(line.Text)))
        {
            var colon = line.Text.IndexOf(':', StringComparison.Ordinal);
            var key = colon > 0 ? line.Text[..colon].Trim() : line.Text.Trim();
            if (colon <= 0 || !YamlKeys.Contains(key, StringComparer.Ordinal))
            {
                Problem(line.Number, where, $"'{line.Text.Trim()}' is not a platyPS parameter field ({string.Join(", ", YamlKeys)}).");
                continue;
            }

            if (!values.TryAdd(key, new PageLine(line.Number, line.Text[(colon + 1)..].Trim())))
            {
                Problem(line.Number, where, $"'{key}:' is given twice.");
            }
        }

        return values;
    }

    private ParameterUse Use(Dictionary<string, PageLine> values, string where)
    {
        var sets = values["Parameter Sets"];
        var named = sets.Text is "(All)" ? [] : List(sets.Text);
        if (sets.Text.Length == 0)
        {
            Problem(sets.Number, where, "'Parameter Sets:' is empty; write (All) or the set names.");
        }

        var required = Boolean(values["Required"], where, "Required");

        int? position = null;
        var positionLine = values["Position"];
        if (int.TryParse(positionLine.Text, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            position = number;
        }
        else if (!string.Equals(positionLine.Text, "Named", StringComparison.OrdinalIgnoreCase))
        {
            Problem(positionLine.Number, where, $"'Position: {positionLine.Text}' is neither Named nor a number.");
        }

        var pipelineLine = values["Accept pipeline input"];
        var pipeline = PipelinePattern().Match(pipelineLine.Text);
        if (!pipeline.Success || (pipeline.Groups["true"].Success && !pipeline.Groups["byValue"].Success && !pipeline.Groups["byName"].Success))
        {
            Problem(pipelineLine.Number, where, $"'Accept pipeline input: {pipelineLine.Text}' is not False, True (ByValue), True (ByPropertyName) or True (ByValue, ByPropertyName).");
        }

        return new ParameterUse(named, required, position, pipeline.Groups["byValue"].Success, pipeline.Groups["byName"].Success);
    }

    private bool Boolean(PageLine value, string where, string key)
    {
        if (bool.TryParse(value.Text, out var result))
        {
            return result;
        }

        Problem(value.Number, where, $"'{key}: {value.Text}' is neither True nor False.");
        return false;
    }

    /// <summary>Each set a parameter names must have its heading in ## SYNTAX, and no set may take a parameter twice.</summary>
    private void CheckSets(PageSection? syntax, List<string> sets, IReadOnlyList<ParameterHelp> parameters)
    {
        if (syntax is null)
        {
            return;
        }

        foreach (var (use, line, where) in setSources)
        {
            foreach (var set in use.Sets.Where(set => !sets.Contains(set, StringComparer.Ordinal)))
            {
                Problem(line, where, sets.Count == 0
                    ? $"The parameter set '{set}' has no '### {set}' heading in ## SYNTAX, which names no sets."
                    : $"The parameter set '{set}' has no '### {set}' heading in ## SYNTAX ({string.Join(", ", sets)}).");
            }
        }

        foreach (var parameter in parameters)
        {
            foreach (var set in sets.Where(set => parameter.Uses.Count(use => use.InAllSets || use.Sets.Contains(set, StringComparer.Ordinal)) > 1))
            {
                Problem(syntax.Line, "## SYNTAX", $"-{parameter.Name} has more than one yaml block for the parameter set '{set}'.");
            }
        }
    }

    /// <summary>
    /// The syntax blocks, which readers of the page see, must list the parameters the yaml puts in each set:
    /// a parameter added to one half of the page and not the other is a page out of date.
    /// </summary>
    private void CheckSyntax(PageSection? syntax, List<string> sets, IReadOnlyList<ParameterHelp> parameters)
    {
        if (syntax is null)
        {
            return;
        }

        IEnumerable<(string? Set, PageSection Block)> blocks = sets.Count == 0
            ? [(null, syntax)]
            : syntax.Subsections.Select(block => ((string?)DefaultSetSuffix().Replace(block.Heading, string.Empty).Trim(), block));
        foreach (var (set, block) in blocks)
        {
            var where = set is null ? "## SYNTAX" : $"## SYNTAX / ### {block.Heading}";
            var shown = SyntaxParameterNames(block.Body);
            var expected = parameters.Where(parameter => parameter.UseIn(set) is not null).Select(parameter => parameter.Name).ToList();
            foreach (var name in expected.Where(name => !shown.Contains(name, StringComparer.OrdinalIgnoreCase)))
            {
                Problem(block.Line, where, $"-{name} is in this parameter set (its yaml says so) but not in the syntax.");
            }

            foreach (var name in shown.Where(name => !expected.Contains(name, StringComparer.OrdinalIgnoreCase)))
            {
                Problem(block.Line, where, parameters.Any(parameter => string.Equals(parameter.Name, name, StringComparison.OrdinalIgnoreCase))
                    ? $"-{name} is in the syntax, but its yaml does not put it in this parameter set."
                    : $"-{name} is in the syntax, but ## PARAMETERS has no '### -{name}'.");
            }
        }
    }

    /// <summary>The parameter names in the code blocks of a syntax section: <c>[-Name] &lt;String&gt;</c> gives Name.</summary>
    private static List<string> SyntaxParameterNames(IEnumerable<PageLine> lines)
    {
        var names = new List<string>();
        string? fence = null;
        foreach (var line in lines)
        {
            if (fence is null)
            {
                fence = MarkdownText.FenceOf(line.Text);
                continue;
            }

            if (line.Text.TrimStart().StartsWith(fence, StringComparison.Ordinal))
            {
                fence = null;
                continue;
            }

            names.AddRange(SyntaxParameterPattern().Matches(line.Text).Select(match => match.Groups["name"].Value).Where(name => !names.Contains(name, StringComparer.OrdinalIgnoreCase)));
        }

        return names;
    }

    private List<ExampleHelp> Examples(PageSection? section, int titleLine)
    {
        var examples = new List<ExampleHelp>();
        if (section is null)
        {
            Problem(titleLine, "## EXAMPLES", "The section is missing; every cmdlet shows at least one example.");
            return examples;
        }

        foreach (var example in section.Subsections)
        {
            var code = new List<string>();
            var remarks = new List<string>();
            List<string>? block = null;
            string? fence = null;
            foreach (var line in example.Text)
            {
                if (fence is null && MarkdownText.FenceOf(line) is { } opened)
                {
                    fence = opened;
                    block = [];
                }
                else if (fence is not null && line.TrimStart().StartsWith(fence, StringComparison.Ordinal))
                {
                    code.Add(string.Join('\n', block!));
                    fence = null;
                    block = null;
                }
                else if (block is not null)
                {
                    block.Add(line.TrimEnd());
                }
                else
                {
                    remarks.Add(line);
                }
            }

            if (code.Count == 0 || code.All(string.IsNullOrWhiteSpace))
            {
                Problem(example.Line, $"## EXAMPLES / ### {example.Heading}", "The example has no code (a ```powershell block).");
            }

            examples.Add(new ExampleHelp(MarkdownText.Inline(example.Heading), code, MarkdownText.Paragraphs(remarks)));
        }

        if (examples.Count == 0)
        {
            Problem(section.Line, "## EXAMPLES", "The section has no example ('### Example 1: ...' with a ```powershell block).");
        }

        return examples;
    }

    private List<TypeHelp> Types(PageSection? section)
    {
        var types = new List<TypeHelp>();
        if (section is null)
        {
            return types;
        }

        if (MarkdownText.Paragraphs(section.Preamble.Select(line => line.Text)).Count > 0)
        {
            Problem(section.Line, $"## {section.Heading}", "Each type is a '### Type.Name' heading with its description under it.");
        }

        foreach (var type in section.Subsections)
        {
            types.Add(new TypeHelp(type.Heading, MarkdownText.Paragraphs(type.Text)));
        }

        return types;
    }

    private List<LinkHelp> Links(MarkdownPage page)
    {
        var links = new List<LinkHelp>();

        // platyPS puts the online version first, where Get-Help -Online looks for it.
        if (page.FrontMatter.GetValueOrDefault("online version") is { Length: > 0 } online)
        {
            links.Add(new LinkHelp("Online Version:", online));
        }

        if (page.Section("RELATED LINKS") is not { } section)
        {
            return links;
        }

        foreach (var line in section.Body.Where(line => !string.IsNullOrWhiteSpace(line.Text)))
        {
            var link = LinkLinePattern().Match(line.Text);
            if (!link.Success)
            {
                Problem(line.Number, "## RELATED LINKS", $"'{line.Text.Trim()}' is not a link; write [Text](address) on a line of its own.");
                continue;
            }

            var target = link.Groups["uri"].Value;
            links.Add(new LinkHelp(link.Groups["text"].Value.Trim(), MarkdownText.IsAbsoluteUri(target) ? target : string.Empty));
        }

        return links;
    }

    private static List<string> List(string? text) =>
        string.IsNullOrWhiteSpace(text)
            ? []
            : text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();

    private void Problem(int line, string section, string message) => problems.Add(new HelpProblem(file, line, section, message));

    [GeneratedRegex(@"\s*\(Default\)\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex DefaultSetSuffix();

    [GeneratedRegex(@"^(?:(?<false>False)|(?<true>True)(?:\s*\((?:\s*(?:(?<byValue>ByValue)|(?<byName>ByPropertyName))\s*,?)+\))?)$", RegexOptions.IgnoreCase)]
    private static partial Regex PipelinePattern();

    [GeneratedRegex(@"^\s*\[(?<text>[^\]]+)\]\((?<uri>[^)\s]*)\)\s*$")]
    private static partial Regex LinkLinePattern();

    // A dash that starts a word: -Name, [-Name], [[-Name]; not the one inside Verb-Noun.
    [GeneratedRegex(@"(?<![\w-])-(?<name>[A-Za-z]\w*)")]
    private static partial Regex SyntaxParameterPattern();
}
