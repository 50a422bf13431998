using System.Globalization;
using System.Text;

namespace Scheduler.Host.Output;

/// <summary>
/// Text from the store (ids, names, commands, output, messages) made safe to print on a terminal:
/// control characters are written as escapes, so a job named with an escape sequence cannot colour
/// or clear the operator's terminal, and a newline in a name cannot break a table or forge a log line.
/// The JSON output is not escaped this way: it is exact, and JSON escapes control characters itself.
/// </summary>
/// <remarks>
/// C escapes as <c>ls -b</c> prints them: <c>\e</c>, <c>\n</c>, <c>\r</c>, <c>\t</c>, <c>\xHH</c> for the
/// other C0 controls and DEL, <c>\uHHHH</c> for C1 controls (U+0080-U+009F, which some terminals obey
/// like ESC sequences) and for the bidirectional overrides that make a terminal show text in another
/// order than it has. A backslash is left as it is, so paths read as typed; the exact text is in --json.
/// </remarks>
internal static class TerminalText
{
    public static string Escape(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text ?? string.Empty;
        }

        var first = 0;
        while (first < text!.Length && !NeedsEscape(text[first]))
        {
            first++;
        }

        if (first == text.Length)
        {
            return text;
        }

        var escaped = new StringBuilder(text.Length + 8).Append(text, 0, first);
        for (var i = first; i < text.Length; i++)
        {
            var c = text[i];
            if (!NeedsEscape(c))
            {
                escaped.Append(c);
                continue;
            }

            escaped.Append(c switch
            {
                '\u001b' => @"\e",
                '\n' => @"\n",
                '\r' => @"\r",
                '\t' => @"\t",
                < '\u0080' => @"\x" + ((int)c).ToString("x2", CultureInfo.InvariantCulture),
                _ => @"\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture),
            });
        }

        return escaped.ToString();
    }

    private static bool NeedsEscape(char c)
        => char.IsControl(c) || c is '\u200e' or '\u200f' or (>= '\u202a' and <= '\u202e') or (>= '\u2066' and <= '\u2069');
}
