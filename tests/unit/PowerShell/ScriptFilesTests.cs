using System.Management.Automation.Language;
using Scheduler.PowerShell.Tests.Hosting;

namespace Scheduler.PowerShell.Tests;

/// <summary>
/// The PowerShell scripts of the repository cannot run here (no pwsh, no Pester); the PowerShell parser
/// at least proves they are valid scripts.
/// </summary>
public sealed class ScriptFilesTests
{
    public static IEnumerable<object[]> Scripts()
        => Directory.GetFiles(Path.Combine(Repository.Root, "tests", "pester"), "*.ps1")
            .Append(Path.Combine(Repository.Root, "build.ps1"))
            .Select(path => new object[] { Path.GetRelativePath(Repository.Root, path) });

    [Theory]
    [MemberData(nameof(Scripts))]
    public void The_script_parses_without_errors(string relativePath)
    {
        Parser.ParseFile(Path.Combine(Repository.Root, relativePath), out _, out var errors);

        Assert.True(errors.Length == 0, string.Join("\n", errors.Select(error => $"{error.Extent.StartLineNumber}: {error.Message}")));
    }

    [Fact]
    public void The_Pester_tests_import_the_staged_module()
    {
        var files = Directory.GetFiles(Path.Combine(Repository.Root, "tests", "pester"), "*.Tests.ps1");

        Assert.NotEmpty(files);
        Assert.All(files, file => Assert.Contains("out/Scheduler/Scheduler.psd1", File.ReadAllText(file), StringComparison.Ordinal));
    }
}
