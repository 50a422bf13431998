namespace Scheduler.HelpCompiler;

/// <summary>A numbered line of a page: problems point at it.</summary>
internal readonly record struct PageLine(int Number, string Text);

/// <summary>A heading and the lines under it, up to the next heading of the same level.</summary>
internal sealed record PageSection(string Heading, int Line, IReadOnlyList<PageLine> Body)
{
    /// <summary>The lines before the first <c>###</c> heading, outside code fences.</summary>
    public IReadOnlyList<PageLine> Preamble
    {
        get
        {
            MarkdownPage.Split(Body, "### ", out var preamble);
            return preamble;
        }
    }

    /// <summary>The <c>###</c> subsections, in page order.</summary>
    public IReadOnlyList<PageSection> Subsections => MarkdownPage.Split(Body, "### ", out _);

    public IEnumerable<string> Text => Body.Select(line => line.Text);
}

/// <summary>
/// The layout platyPS writes, read line by line: <c>---</c> front matter, a <c># Title</c> and
/// <c>## SECTION</c>s. Headings inside code fences are code, not structure.
/// </summary>
internal sealed class MarkdownPage
{
    private MarkdownPage(IReadOnlyDictionary<string, string> frontMatter, PageSection? title, IReadOnlyList<PageSection> sections)
    {
        FrontMatter = frontMatter;
        Title = title;
        Sections = sections;
    }

    public IReadOnlyDictionary<string, string> FrontMatter { get; }

    /// <summary>The <c># </c> heading (its body is what precedes the first section).</summary>
    public PageSection? Title { get; }

    public IReadOnlyList<PageSection> Sections { get; }

    public static MarkdownPage Parse(string text)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n')
            .Select((line, index) => new PageLine(index + 1, line))
            .ToList();

        var frontMatter = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var start = 0;
        if (lines.Count > 0 && lines[0].Text.Trim() == "---")
        {
            var end = lines.FindIndex(1, line => line.Text.Trim() == "---");
            if (end > 0)
            {
                foreach (var line in lines.Skip(1).Take(end - 1))
                {
                    var colon = line.Text.IndexOf(':', StringComparison.Ordinal);
                    if (colon > 0)
                    {
                        frontMatter[line.Text[..colon].Trim()] = line.Text[(colon + 1)..].Trim();
                    }
                }

                start = end + 1;
            }
        }

        var body = lines.Skip(start).ToList();
        var sections = Split(body, "## ", out var beforeSections);
        var titleIndex = beforeSections.ToList().FindIndex(line => line.Text.StartsWith("# ", StringComparison.Ordinal));
        var title = titleIndex < 0
            ? null
            : new PageSection(beforeSections[titleIndex].Text[2..].Trim(), beforeSections[titleIndex].Number, beforeSections.Skip(titleIndex + 1).ToList());
        return new MarkdownPage(frontMatter, title, sections);
    }

    /// <summary>The first section with this heading (case-insensitive, as platyPS reads them), or null.</summary>
    public PageSection? Section(string heading) =>
        Sections.FirstOrDefault(section => string.Equals(section.Heading, heading, StringComparison.OrdinalIgnoreCase));

    /// <summary>Splits lines at headings that start with <paramref name="marker"/>, outside code fences.</summary>
    internal static IReadOnlyList<PageSection> Split(IReadOnlyList<PageLine> lines, string marker, out IReadOnlyList<PageLine> preamble)
    {
        var sections = new List<PageSection>();
        var before = new List<PageLine>();
        var current = before;
        string? heading = null;
        var headingLine = 0;
        string? fence = null;

        foreach (var line in lines)
        {
            if (fence is not null)
            {
                if (line.Text.TrimStart().StartsWith(fence, StringComparison.Ordinal))
                {
                    fence = null;
                }
            }
            else if (MarkdownText.FenceOf(line.Text) is { } opened)
            {
                fence = opened;
            }
            else if (line.Text.StartsWith(marker, StringComparison.Ordinal))
            {
                Close();
                heading = line.Text[marker.Length..].Trim();
                headingLine = line.Number;
                current = [];
                continue;
            }

            current.Add(line);
        }

        Close();
        preamble = before;
        return sections;

        void Close()
        {
            if (heading is not null)
            {
                sections.Add(new PageSection(heading, headingLine, current));
            }
        }
    }
}
