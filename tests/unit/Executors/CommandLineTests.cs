using System.Diagnostics;
using Scheduler.Executors;

namespace Scheduler.Tests.Executors;

public sealed class CommandLineTests
{
    [Theory]
    [InlineData(new[] { "plain", "two words" }, "plain \"two words\"")]
    [InlineData(new[] { "" }, "\"\"")]
    [InlineData(new[] { "say \"hi\"" }, "\"say \\\"hi\\\"\"")]
    [InlineData(new[] { "C:\\dir\\" }, "C:\\dir\\")]
    [InlineData(new[] { "C:\\my dir\\" }, "\"C:\\my dir\\\\\"")]
    [InlineData(new[] { "a\\\\\"b" }, "\"a\\\\\\\\\\\"b\"")]
    public void Arguments_are_quoted_the_way_the_c_runtime_splits_them(string[] arguments, string expected)
    {
        Assert.Equal(expected, CommandLine.Join(arguments));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void A_joined_command_line_splits_back_into_the_same_arguments()
    {
        // .NET parses ProcessStartInfo.Arguments with the C runtime's rules: what netstandard2.0 relies on.
        string[] arguments = ["a b", "", "\"", "\\\"", "x\\", "tab\there", "trail\\\\", "'single'", "$HOME", "quote\"inside\\\"mixed\\\\\""];
        var info = new ProcessStartInfo("/bin/sh")
        {
            Arguments = "-c \"for a; do printf '[%s]\\n' \\\"$a\\\"; done\" sh " + CommandLine.Join(arguments),
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();

        Assert.Equal(string.Concat(arguments.Select(a => $"[{a}]\n")), output);
    }

    [Fact]
    public void An_executable_is_found_in_the_folders_of_a_path_value()
    {
        Assert.Equal("/bin/sh", CommandLine.FindOnPath("sh", "/nowhere" + Path.PathSeparator + "/bin"));
        Assert.Null(CommandLine.FindOnPath("sh", string.Empty));
        Assert.Null(CommandLine.FindOnPath("no-such-program-4711", "/bin"));
    }
}
