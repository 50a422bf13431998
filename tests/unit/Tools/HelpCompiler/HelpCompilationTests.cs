using Scheduler.HelpCompiler;

namespace Scheduler.Tests.Tools.HelpCompiler;

public sealed class HelpCompilationTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("help-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void The_cmdlet_pages_of_the_repository_compile_without_problems()
    {
        var docs = Path.Combine(RepositoryRoot(), "docs", "cmdlets");

        var (commands, problems) = HelpCompilation.Compile(docs, "Scheduler.PowerShell.dll-Help.xml");

        Assert.Empty(problems);
        var pages = Directory.GetFiles(docs, "*.md").Select(Path.GetFileNameWithoutExtension).Where(name => name != "Scheduler").Order(StringComparer.Ordinal);
        Assert.Equal(pages, commands.Select(command => command.Name));
    }

    [Fact]
    public void Cmdlet_pages_of_the_help_file_compile_and_the_module_page_is_skipped()
    {
        Write(SamplePage.FileName, SamplePage.Text);
        Write("Sample.md", "---\nModule Name: Sample\nModule Guid: 00000000-0000-0000-0000-000000000000\n---\n\n# Sample Module\n");

        var (commands, problems) = HelpCompilation.Compile(folder, "Sample.dll-Help.xml");

        Assert.Empty(problems);
        Assert.Equal(["Test-Thing"], commands.Select(command => command.Name));
    }

    [Theory]
    [InlineData("---\nexternal help file: Other.dll-Help.xml\n---\n\n# Test-Thing\n", "'external help file: Other.dll-Help.xml' is not the module's help file 'Sample.dll-Help.xml'.")]
    [InlineData("# Test-Thing\n\n## SYNOPSIS\nTests.\n", "The page names neither its 'external help file' (a cmdlet page) nor a 'Module Guid' (the module page).")]
    public void A_page_that_is_neither_of_the_help_file_nor_the_module_page_is_a_problem(string text, string message)
    {
        Write(SamplePage.FileName, text);

        var (commands, problems) = HelpCompilation.Compile(folder, "Sample.dll-Help.xml");

        Assert.Empty(commands);
        var problem = Assert.Single(problems);
        Assert.Equal((Path.Combine(folder, SamplePage.FileName), "front matter", message), (problem.File, problem.Section, problem.Message));
    }

    [Fact]
    public void A_folder_without_cmdlet_pages_is_a_problem()
    {
        var (_, problems) = HelpCompilation.Compile(folder, "Sample.dll-Help.xml");

        Assert.StartsWith("No cmdlet page", Assert.Single(problems).Message, StringComparison.Ordinal);
    }

    private void Write(string name, string text) => File.WriteAllText(Path.Combine(folder, name), text);

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Scheduler.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Scheduler.sln above {AppContext.BaseDirectory}.");
    }
}
