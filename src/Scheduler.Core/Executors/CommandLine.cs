using System.Runtime.InteropServices;
using System.Text;

namespace Scheduler.Executors;

/// <summary>Turning an argument list into one command line, and finding an executable on the PATH.</summary>
internal static class CommandLine
{
    /// <summary>
    /// Joins arguments into a command line that the Windows C runtime (CommandLineToArgvW) and
    /// .NET's own parser on Unix split back into exactly the same list: for runtimes whose
    /// <c>ProcessStartInfo</c> has no argument list (netstandard2.0 on .NET Framework).
    /// </summary>
    public static string Join(IEnumerable<string> arguments)
    {
        var line = new StringBuilder();
        foreach (var argument in arguments)
        {
            if (line.Length > 0)
            {
                line.Append(' ');
            }

            AppendQuoted(line, argument);
        }

        return line.ToString();
    }

    /// <summary>
    /// The full path of <paramref name="name"/> in the folders of <paramref name="searchPath"/> (a
    /// PATH value), trying the PATHEXT extensions on Windows; null when it is in none of them.
    /// </summary>
    public static string? FindOnPath(string name, string? searchPath)
    {
        if (string.IsNullOrEmpty(searchPath))
        {
            return null;
        }

        var windows = RuntimeInformation.IsOSPlatform(OSPlatform.Windows);
        var extensions = windows && !Path.HasExtension(name)
            ? (Environment.GetEnvironmentVariable("PATHEXT") ?? ".COM;.EXE;.BAT;.CMD").Split([';'], StringSplitOptions.RemoveEmptyEntries)
            : [string.Empty];
        foreach (var folder in searchPath!.Split([Path.PathSeparator], StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (var extension in extensions)
            {
                string candidate;
                try
                {
                    candidate = Path.Combine(folder.Trim('"'), name + extension);
                }
                catch (ArgumentException)
                {
                    // A PATH entry with characters a path cannot have: not a folder to look in.
                    continue;
                }

                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    private static void AppendQuoted(StringBuilder line, string argument)
    {
        if (argument.Length > 0 && argument.IndexOfAny([' ', '\t', '\n', '\v', '"']) < 0)
        {
            line.Append(argument);
            return;
        }

        // Backslashes are literal except in front of a quote, where they escape: double the ones
        // before a quote (and before the closing quote), and escape the quote itself.
        line.Append('"');
        var backslashes = 0;
        foreach (var c in argument)
        {
            if (c == '\\')
            {
                backslashes++;
                continue;
            }

            if (c == '"')
            {
                line.Append('\\', (backslashes * 2) + 1);
            }
            else
            {
                line.Append('\\', backslashes);
            }

            backslashes = 0;
            line.Append(c);
        }

        line.Append('\\', backslashes * 2);
        line.Append('"');
    }
}
