using System.Text.RegularExpressions;
using System.Xml.Linq;
using Scheduler.PowerShell.Tests.Hosting;

namespace Scheduler.PowerShell.Tests;

/// <summary>
/// The cmdlet help the build compiles from docs/cmdlets into the staged module, checked fast: the file is
/// MAML for exactly the cmdlets the manifest exports, and PowerShell's Get-Help reads it. What Get-Help
/// shows for each cmdlet and parameter is checked in real pwsh by tests/pester/Help.Tests.ps1.
/// </summary>
[Collection(ModuleCollection.Name)]
public sealed class HelpFileTests(ModuleSession session)
{
    private static readonly XNamespace Msh = "http://msh";
    private static readonly XNamespace Maml = "http://schemas.microsoft.com/maml/2004/10";
    private static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    private static readonly XNamespace Dev = "http://schemas.microsoft.com/maml/dev/2004/10";

    /// <summary>Where Get-Help looks for the help of the cmdlets of Scheduler.PowerShell.dll (en-US is its fallback culture too).</summary>
    private static string HelpFile => Path.Combine(Repository.ModuleFolder, "en-US", "Scheduler.PowerShell.dll-Help.xml");

    [Fact]
    public void The_staged_help_file_is_MAML_for_exactly_the_exported_cmdlets()
    {
        Assert.True(File.Exists(HelpFile), $"{HelpFile} is missing: building src/Scheduler.PowerShell compiles it from docs/cmdlets.");
        var document = XDocument.Load(HelpFile);

        Assert.Equal(Msh + "helpItems", document.Root!.Name);
        Assert.Equal("maml", (string?)document.Root.Attribute("schema"));
        Assert.All(document.Root.Elements(), element => Assert.Equal(Command + "command", element.Name));
        var exported = new ModuleManifest(Repository.SourceManifest).List("CmdletsToExport").Order(StringComparer.Ordinal);
        Assert.Equal(exported, Commands(document).Select(NameOf).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_command_in_the_help_file_has_a_synopsis_description_syntax_examples_and_described_parameters()
    {
        Assert.All(Commands(XDocument.Load(HelpFile)), command =>
        {
            var name = NameOf(command);
            var details = command.Element(Command + "details")!;
            Assert.Equal(name, $"{details.Element(Command + "verb")?.Value}-{details.Element(Command + "noun")?.Value}");
            Assert.False(string.IsNullOrWhiteSpace(Text(details.Element(Maml + "description"))), $"{name} has no synopsis.");
            Assert.False(string.IsNullOrWhiteSpace(Text(command.Element(Maml + "description"))), $"{name} has no description.");
            Assert.NotEmpty(command.Element(Command + "syntax")!.Elements(Command + "syntaxItem"));

            var examples = command.Element(Command + "examples")!.Elements(Command + "example").ToList();
            Assert.NotEmpty(examples);
            Assert.All(examples, example => Assert.False(string.IsNullOrWhiteSpace(example.Element(Dev + "code")?.Value), $"An example of {name} has no code."));

            Assert.All(command.Element(Command + "parameters")!.Elements(Command + "parameter"), parameter =>
            {
                var parameterName = parameter.Element(Maml + "name")!.Value;
                Assert.False(string.IsNullOrWhiteSpace(Text(parameter.Element(Maml + "description"))), $"{name} -{parameterName} has no description.");
                Assert.False(string.IsNullOrWhiteSpace(parameter.Element(Dev + "type")?.Element(Maml + "name")?.Value), $"{name} -{parameterName} has no type.");
            });
        });
    }

    [Fact]
    public void Get_Help_reads_the_synopsis_of_every_cmdlet_from_the_file()
    {
        var expected = Commands(XDocument.Load(HelpFile))
            .ToDictionary(NameOf, command => command.Element(Command + "details")!.Element(Maml + "description")!.Element(Maml + "para")!.Value.Trim(), StringComparer.Ordinal);

        var shown = session.Run("Get-Command -Module Scheduler | ForEach-Object { '{0}|{1}' -f $_.Name, (Get-Help -Name $_.Name).Synopsis.Trim() }")
            .ShouldSucceed()
            .Objects.Cast<string>()
            .Select(line => line.Split('|', 2))
            .ToDictionary(pair => pair[0], pair => pair[1], StringComparer.Ordinal);

        Assert.Equal(expected.OrderBy(pair => pair.Key, StringComparer.Ordinal), shown.OrderBy(pair => pair.Key, StringComparer.Ordinal));
    }

    [Fact]
    public void The_module_page_gives_each_cmdlet_the_synopsis_of_its_help()
    {
        // platyPS's module page repeats each synopsis under a '### [Name](Name.md)' heading; the two drift apart unnoticed.
        var page = CmdletPage.Read("Scheduler");
        var listed = Regex.Matches(page.Sections["Scheduler Cmdlets"], @"^### \[(?<name>[^\]]+)\]\([^)]*\)\n(?<synopsis>(?:(?!###).*\n?)*)", RegexOptions.Multiline)
            .ToDictionary(entry => entry.Groups["name"].Value, entry => Words(entry.Groups["synopsis"].Value), StringComparer.Ordinal);
        var synopses = Commands(XDocument.Load(HelpFile))
            .ToDictionary(NameOf, command => Words(Text(command.Element(Command + "details")!.Element(Maml + "description"))), StringComparer.Ordinal);

        Assert.Equal(synopses.OrderBy(pair => pair.Key, StringComparer.Ordinal), listed.OrderBy(pair => pair.Key, StringComparer.Ordinal));
    }

    private static string Words(string text) => string.Join(' ', text.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries));

    private static IEnumerable<XElement> Commands(XDocument document) => document.Root!.Elements(Command + "command");

    private static string NameOf(XElement command) => command.Element(Command + "details")!.Element(Command + "name")!.Value;

    private static string Text(XElement? description) => string.Concat(description?.Elements(Maml + "para").Select(para => para.Value) ?? []);
}
