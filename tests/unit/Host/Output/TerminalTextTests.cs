using Scheduler.Host.Output;

namespace Scheduler.Tests.Host.Output;

public sealed class TerminalTextTests
{
    [Theory]
    [InlineData("plain text", "plain text")]
    [InlineData("C:\\Scripts\\report.ps1", "C:\\Scripts\\report.ps1")]
    [InlineData("\u001b[31mred\u001b[0m", "\\e[31mred\\e[0m")]
    [InlineData("two\nlines\r\n", "two\\nlines\\r\\n")]
    [InlineData("tab\tbell\u0007nul\0del\u007f", "tab\\tbell\\x07nul\\x00del\\x7f")]
    [InlineData("csi\u009b31m", "csi\\u009b31m")]
    [InlineData("abc\u202edcba", "abc\\u202edcba")]
    [InlineData("Zürich 東京 🙂", "Zürich 東京 🙂")]
    public void Control_characters_become_escapes_and_everything_else_stays(string text, string expected)
    {
        Assert.Equal(expected, TerminalText.Escape(text));
    }
}
