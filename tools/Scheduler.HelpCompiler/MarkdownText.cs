using System.Text;
using System.Text.RegularExpressions;

namespace Scheduler.HelpCompiler;

/// <summary>
/// Markdown prose to the plain paragraphs of MAML. Get-Help wraps text to the console itself, so the
/// lines of a paragraph, wrapped at 100 columns in the page, are joined; each list item is a paragraph of
/// its own. A code block is one paragraph that keeps its line breaks: Get-Help trims each paragraph and
/// puts a blank line between paragraphs, so code split into paragraphs would lose its indentation and
/// be double spaced.
/// </summary>
internal static partial class MarkdownText
{
    public static IReadOnlyList<string> Paragraphs(IEnumerable<string> lines)
    {
        var paragraphs = new List<string>();
        var current = new StringBuilder();
        var code = new List<string>();
        string? fence = null;

        foreach (var line in lines)
        {
            if (fence is not null)
            {
                if (line.TrimStart().StartsWith(fence, StringComparison.Ordinal))
                {
                    fence = null;
                    if (string.Join('\n', code).Trim('\n') is { Length: > 0 } block)
                    {
                        paragraphs.Add(block);
                    }

                    code.Clear();
                }
                else
                {
                    code.Add(line.TrimEnd());
                }

                continue;
            }

            if (FenceOf(line) is { } opened)
            {
                Flush();
                fence = opened;
                continue;
            }

            if (string.IsNullOrWhiteSpace(line))
            {
                Flush();
                continue;
            }

            if (HeadingPattern().Match(line) is { Success: true } heading)
            {
                Flush();
                paragraphs.Add(Inline(heading.Groups["text"].Value));
                continue;
            }

            if (ListItemPattern().Match(line) is { Success: true } item)
            {
                Flush();
                var marker = item.Groups["marker"].Value;
                current.Append(char.IsDigit(marker[0]) ? marker : "-").Append(' ').Append(item.Groups["text"].Value.Trim());
                continue;
            }

            if (current.Length > 0)
            {
                current.Append(' ');
            }

            current.Append(line.Trim());
        }

        Flush();
        return paragraphs;

        void Flush()
        {
            if (current.Length > 0)
            {
                paragraphs.Add(Inline(current.ToString()));
                current.Clear();
            }
        }
    }

    /// <summary>The fence that opens a code block on this line (``` or ~~~, any length), or null.</summary>
    public static string? FenceOf(string line)
    {
        var match = FencePattern().Match(line);
        return match.Success ? match.Groups["fence"].Value : null;
    }

    /// <summary>The info string of an opening fence (```powershell: "powershell").</summary>
    public static string FenceInfo(string line) => FencePattern().Match(line).Groups["info"].Value.Trim();

    /// <summary>
    /// Inline markup a console reader would see as noise: links become their text (with the address when
    /// it leads outside the docs), bold markers and escapes go. Code spans stay as written, backticks included:
    /// they mark names to type.
    /// </summary>
    public static string Inline(string text)
    {
        var result = new StringBuilder(text.Length);
        var parts = CodeSpanPattern().Split(text);
        foreach (var part in parts)
        {
            if (part.StartsWith('`'))
            {
                result.Append(part);
                continue;
            }

            var plain = LinkPattern().Replace(part, link =>
            {
                var label = link.Groups["text"].Value;
                var target = link.Groups["uri"].Value;
                return IsAbsoluteUri(target) && target != label ? $"{label} ({target})" : label;
            });
            plain = StrongPattern().Replace(plain, "${text}");
            plain = EscapePattern().Replace(plain, "${char}");
            result.Append(plain);
        }

        return result.ToString();
    }

    public static bool IsAbsoluteUri(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    [GeneratedRegex(@"^\s{0,3}(?<fence>`{3,}|~{3,})(?<info>[^`]*)$")]
    private static partial Regex FencePattern();

    [GeneratedRegex(@"^#{1,6}\s+(?<text>.*?)\s*#*\s*$")]
    private static partial Regex HeadingPattern();

    [GeneratedRegex(@"^\s{0,3}(?<marker>[-*+]|\d{1,9}[.)])\s+(?<text>.*)$")]
    private static partial Regex ListItemPattern();

    [GeneratedRegex(@"(`+[^`]*`+)")]
    private static partial Regex CodeSpanPattern();

    [GeneratedRegex(@"\[(?<text>[^\]]+)\]\((?<uri>[^)\s]*)\)")]
    private static partial Regex LinkPattern();

    [GeneratedRegex(@"\*\*(?<text>\S(?:.*?\S)?)\*\*")]
    private static partial Regex StrongPattern();

    [GeneratedRegex(@"\\(?<char>[\\`*_{}\[\]()#+\-.!<>|])")]
    private static partial Regex EscapePattern();
}
