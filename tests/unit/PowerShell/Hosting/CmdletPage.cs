using System.Text.RegularExpressions;

namespace Scheduler.PowerShell.Tests.Hosting;

/// <summary>A platyPS markdown page of docs/cmdlets: front matter, title, ## sections and ### -Parameter sections.</summary>
public sealed partial class CmdletPage
{
    public static readonly IReadOnlyList<string> RequiredSections = ["SYNOPSIS", "SYNTAX", "DESCRIPTION", "EXAMPLES", "PARAMETERS", "INPUTS", "OUTPUTS", "NOTES"];

    private CmdletPage(string text)
    {
        Text = text.Replace("\r\n", "\n", StringComparison.Ordinal);
        var frontMatter = FrontMatterPattern().Match(Text);
        Assert.True(frontMatter.Success, "The page does not start with --- front matter ---.");
        FrontMatter = frontMatter.Groups["body"].Value
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(':', 2))
            .ToDictionary(pair => pair[0].Trim(), pair => pair.Length > 1 ? pair[1].Trim() : string.Empty, StringComparer.Ordinal);

        var body = Text[frontMatter.Length..];
        Title = body.Split('\n').FirstOrDefault(line => line.StartsWith("# ", StringComparison.Ordinal)) ?? string.Empty;
        Sections = Split(body, "## ");
        ParameterSections = Sections.TryGetValue("PARAMETERS", out var parameters)
            ? Split(parameters, "### ").ToDictionary(pair => pair.Key.TrimStart('-'), pair => pair.Value, StringComparer.Ordinal)
            : [];
    }

    public string Text { get; }

    public IReadOnlyDictionary<string, string> FrontMatter { get; }

    public string Title { get; }

    /// <summary>The ## sections in page order, by heading.</summary>
    public IReadOnlyDictionary<string, string> Sections { get; }

    /// <summary>The ### sections of ## PARAMETERS, by parameter name without the dash (and CommonParameters).</summary>
    public IReadOnlyDictionary<string, string> ParameterSections { get; }

    public static CmdletPage Read(string name)
    {
        var path = Path.Combine(Repository.CmdletDocs, name + ".md");
        Assert.True(File.Exists(path), $"{path} is missing.");
        return new CmdletPage(File.ReadAllText(path));
    }

    /// <summary>Splits at lines starting with <paramref name="marker"/> (outside code fences), keeping order.</summary>
    private static Dictionary<string, string> Split(string text, string marker)
    {
        var sections = new Dictionary<string, string>(StringComparer.Ordinal);
        string? heading = null;
        var content = new List<string>();
        var inFence = false;
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith("```", StringComparison.Ordinal))
            {
                inFence = !inFence;
            }

            if (!inFence && line.StartsWith(marker, StringComparison.Ordinal))
            {
                Flush();
                heading = line[marker.Length..].Trim();
                continue;
            }

            content.Add(line);
        }

        Flush();
        return sections;

        void Flush()
        {
            if (heading is not null)
            {
                Assert.False(sections.ContainsKey(heading), $"The heading '{marker}{heading}' appears twice.");
                sections[heading] = string.Join('\n', content).Trim();
            }

            content.Clear();
        }
    }

    [GeneratedRegex(@"\A---\n(?<body>.*?)\n---\n", RegexOptions.Singleline)]
    private static partial Regex FrontMatterPattern();
}
