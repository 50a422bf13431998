using Scheduler.HelpCompiler;

namespace Scheduler.Tests.Tools.HelpCompiler;

public sealed class MarkdownTextTests
{
    [Theory]
    // Get-Help wraps to the console: the page's own line breaks inside a paragraph go.
    [InlineData("one\ntwo\n\nthree", "one two|three")]
    [InlineData("\n\n  indented\n   lines  \n\n", "indented lines")]
    // Each list item is a paragraph; continuation lines belong to their item.
    [InlineData("Kinds:\n- cron\n  fields\n* interval\n1. first\n2) second", "Kinds:|- cron fields|- interval|1. first|2) second")]
    // A code block is one paragraph that keeps its lines and their indentation.
    [InlineData("Run:\n```powershell\nif ($x) {\n    go\n}\n```\nDone.", "Run:|if ($x) {\n    go\n}|Done.")]
    [InlineData("~~~\na\n~~~", "a")]
    [InlineData("```\n\n```", "")]
    // Headings inside prose are their text.
    [InlineData("#### Caution\nText", "Caution|Text")]
    public void Paragraphs(string markdown, string expected)
    {
        Assert.Equal(expected.Length == 0 ? [] : expected.Split('|'), MarkdownText.Paragraphs(markdown.Split('\n')));
    }

    [Theory]
    [InlineData("see [Get-Thing](Get-Thing.md)", "see Get-Thing")]
    [InlineData("see [the docs](https://example.test/docs)", "see the docs (https://example.test/docs)")]
    [InlineData("see [https://example.test](https://example.test)", "see https://example.test")]
    [InlineData("a **bold** word", "a bold word")]
    [InlineData(@"1 \* 2 \<3\>", "1 * 2 <3>")]
    // Code spans are kept as written, backticks included.
    [InlineData("`**x**` and `[a](b)`", "`**x**` and `[a](b)`")]
    [InlineData("C:\\temp\\file", "C:\\temp\\file")]
    public void Inline(string markdown, string expected)
    {
        Assert.Equal(expected, MarkdownText.Inline(markdown));
    }
}
