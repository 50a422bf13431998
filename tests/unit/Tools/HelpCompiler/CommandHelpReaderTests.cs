using Scheduler.HelpCompiler;

namespace Scheduler.Tests.Tools.HelpCompiler;

public sealed class CommandHelpReaderTests
{
    [Fact]
    public void Reads_every_section_of_a_platyPS_page()
    {
        var help = Read(SamplePage.Text, out var problems);

        Assert.Empty(problems);
        Assert.Equal("Test-Thing", help!.Name);
        Assert.Equal(["Tests a thing."], help.Synopsis);
        Assert.Equal(
            [
                "The `Test-Thing` cmdlet tests things, by name or as objects from the pipeline.",
                "Things that fail are written as errors:",
                "- a missing thing",
                "- a broken thing, see Get-Thing",
                "Get-Thing |\n    Test-Thing",
            ],
            help.Description);
        Assert.Equal(["Name", "InputObject"], help.ParameterSets);
        Assert.Equal(["Name", "InputObject", "Mode", "Force"], help.Parameters.Select(parameter => parameter.Name));
        Assert.Equal([("System.String", "Names."), ("Sample.Thing", "Things.")], help.Inputs.Select(type => (type.TypeName, string.Join(' ', type.Description))));
        Assert.Equal([("Sample.Result", "One result per thing.")], help.Outputs.Select(type => (type.TypeName, string.Join(' ', type.Description))));
        Assert.Equal(["Error ids: `ThingNotFound`."], help.Notes);
        Assert.Equal(
            [new LinkHelp("Online Version:", "https://example.test/Test-Thing"), new LinkHelp("Get-Thing", ""), new LinkHelp("Things online", "https://example.test/things")],
            help.Links);
    }

    [Fact]
    public void Reads_the_yaml_of_each_parameter()
    {
        var help = Read(SamplePage.Text, out _)!;

        var name = help.Parameters[0];
        Assert.Equal(["The names of the things."], name.Description);
        Assert.Equal("String[]", name.Type);
        Assert.Equal(["N", "ThingName"], name.Aliases);
        Assert.Empty(name.AcceptedValues);
        Assert.Equal("None", name.DefaultValue);
        Assert.True(name.Globbing);
        Assert.Equal([("Name", true, (int?)0, true, true)], name.Uses.Select(Attributes));

        var mode = help.Parameters[2];
        Assert.Equal(["Quick", "Full"], mode.AcceptedValues);
        Assert.Equal("Quick", mode.DefaultValue);
        Assert.Equal([("", false, (int?)null, false, false)], mode.Uses.Select(Attributes));
        Assert.True(help.Parameters[3].IsSwitch);
    }

    [Fact]
    public void Examples_keep_each_code_block_and_the_text_as_remarks()
    {
        var help = Read(SamplePage.Text, out _)!;

        Assert.Equal(["Example 1: Test by name", "Example 2: From the pipeline"], help.Examples.Select(example => example.Title));
        Assert.Equal(["Test-Thing -Name a, b", "Name Result\n---- ------\na    ok"], help.Examples[0].Code);
        Assert.Equal(["Both things are tested."], help.Examples[0].Remarks);
        Assert.Empty(help.Examples[1].Remarks);
    }

    [Fact]
    public void A_set_lists_positional_parameters_by_position_then_required_ones_then_the_rest_in_page_order()
    {
        var page = SamplePage.With("Required: False\nPosition: Named\nDefault value: Quick", "Required: True\nPosition: Named\nDefault value: Quick")
            .Replace("Position: 0", "Position: 1", StringComparison.Ordinal);
        var help = Read(page, out _)!;

        Assert.Equal(["Name", "Mode", "Force"], help.ParametersOf("Name").Select(entry => entry.Parameter.Name));
        Assert.Equal(["InputObject", "Mode", "Force"], help.ParametersOf("InputObject").Select(entry => entry.Parameter.Name));
    }

    [Fact]
    public void A_page_without_set_headings_has_one_set_of_all_parameters()
    {
        var page = SamplePage.Text
            .Replace("### Name (Default)\n", string.Empty, StringComparison.Ordinal)
            .Replace("### InputObject\n", string.Empty, StringComparison.Ordinal)
            .Replace("Parameter Sets: Name\n", "Parameter Sets: (All)\n", StringComparison.Ordinal)
            .Replace("Parameter Sets: InputObject\n", "Parameter Sets: (All)\n", StringComparison.Ordinal);

        var help = Read(page, out var problems)!;

        Assert.Empty(problems);
        Assert.Empty(help.ParameterSets);
        Assert.Equal(4, help.ParametersOf(null).Count);
    }

    [Fact]
    public void Several_yaml_blocks_give_a_parameter_other_attributes_in_other_sets()
    {
        var page = SamplePage.With(
            """
            Type: Mode
            Parameter Sets: (All)
            Aliases:
            Accepted values: Quick, Full

            Required: False
            """,
            """
            Type: Mode
            Parameter Sets: Name
            Aliases:
            Accepted values: Quick, Full

            Required: True
            Position: Named
            Default value: Quick
            Accept pipeline input: False
            Accept wildcard characters: False
            ```

            ```yaml
            Type: Mode
            Parameter Sets: InputObject
            Aliases:
            Accepted values: Quick, Full

            Required: False
            """);

        var help = Read(page, out var problems)!;

        Assert.Empty(problems);
        Assert.True(help.Parameters[2].UseIn("Name")!.Required);
        Assert.False(help.Parameters[2].UseIn("InputObject")!.Required);
    }

    public static TheoryData<string, string, string, int, string, string> Problems => new()
    {
        // What is wrong, the text that makes it wrong, the text instead, the line and section the problem names, and what it says.
        { "no synopsis", "Tests a thing.\n", string.Empty, 10, "## SYNOPSIS", "The section is empty." },
        { "no synopsis section", "## SYNOPSIS\nTests a thing.\n", string.Empty, 8, "## SYNOPSIS", "The section is missing." },
        { "no description", "The `Test-Thing` cmdlet tests things, by name or\nas objects from the pipeline.\n\nThings that fail are written as errors:\n- a missing thing\n- a **broken** thing, see [Get-Thing](Get-Thing.md)\n\n```powershell\nGet-Thing |\n    Test-Thing\n```\n", string.Empty, 25, "## DESCRIPTION", "The section is empty." },
        { "no parameter description", "The names of the things.\n", string.Empty, 60, "## PARAMETERS / ### -Name", "The parameter has no description." },
        { "no example", "### Example 1: Test by name\n```powershell\nTest-Thing -Name a, b\n```\n\n```Output\nName Result\n---- ------\na    ok\n```\n\nBoth things are tested.\n\n### Example 2: From the pipeline\n```powershell\nGet-Thing | Test-Thing -Force\n```\n", string.Empty, 38, "## EXAMPLES", "The section has no example" },
        { "an example without code", "```powershell\nGet-Thing | Test-Thing -Force\n```\n", "Pipe things.\n", 53, "## EXAMPLES / ### Example 2: From the pipeline", "The example has no code" },
        { "no yaml", "```yaml\nType: SwitchParameter", "```\nType: SwitchParameter", 106, "## PARAMETERS / ### -Force", "The parameter has no ```yaml block" },
        { "no type", "Type: Thing[]\n", string.Empty, 78, "## PARAMETERS / ### -InputObject", "The yaml has no 'Type:'." },
        { "a field platyPS does not write", "Aliases:\n\nRequired: True\nPosition: Named", "Aliases:\nGlobbing: False\n\nRequired: True\nPosition: Named", 82, "## PARAMETERS / ### -InputObject", "'Globbing: False' is not a platyPS parameter field" },
        { "a required that is no boolean", "Required: True\nPosition: 0", "Required: Yes\nPosition: 0", 68, "## PARAMETERS / ### -Name", "'Required: Yes' is neither True nor False." },
        { "a position that is no number", "Position: 0", "Position: first", 69, "## PARAMETERS / ### -Name", "'Position: first' is neither Named nor a number." },
        { "a pipeline input of no kind", "Accept pipeline input: True (ByValue, ByPropertyName)", "Accept pipeline input: True", 71, "## PARAMETERS / ### -Name", "'Accept pipeline input: True' is not False" },
        { "a parameter set without a syntax heading", "Parameter Sets: InputObject", "Parameter Sets: Piped", 80, "## PARAMETERS / ### -InputObject", "The parameter set 'Piped' has no '### Piped' heading in ## SYNTAX (Name, InputObject)." },
        { "a parameter documented twice", "### -Force\n", "### -Mode\n", 106, "## PARAMETERS / ### -Mode", "The parameter is documented twice." },
        { "a parameter heading without a dash", "### -Force\n", "### Force\n", 106, "## PARAMETERS / ### Force", "A parameter heading is '### -Name'." },
        { "a syntax without a parameter of its set", "Test-Thing [-Name] <String[]> [-Mode <Mode>] [-Force]", "Test-Thing [-Name] <String[]> [-Mode <Mode>]", 15, "## SYNTAX / ### Name (Default)", "-Force is in this parameter set (its yaml says so) but not in the syntax." },
        { "a syntax with an undocumented parameter", "Test-Thing [-Name] <String[]>", "Test-Thing [-Name] <String[]> [-Depth <Int32>]", 15, "## SYNTAX / ### Name (Default)", "-Depth is in the syntax, but ## PARAMETERS has no '### -Depth'." },
        { "a syntax with a parameter of another set", "Test-Thing [-Name] <String[]>", "Test-Thing [-Name] <String[]> -InputObject <Thing[]>", 15, "## SYNTAX / ### Name (Default)", "-InputObject is in the syntax, but its yaml does not put it in this parameter set." },
        { "another cmdlet's title", "# Test-Thing\n", "# Test-Other\n", 8, "# title", "The title 'Test-Other' is not the cmdlet the file is named after ('Test-Thing')." },
        { "an unknown section", "## NOTES\n", "## REMARKS\n", 140, "## REMARKS", "Unknown section" },
        { "a related link that is no link", "[Get-Thing](Get-Thing.md)\n", "Get-Thing\n", 145, "## RELATED LINKS", "'Get-Thing' is not a link" },
    };

    [Theory]
    [MemberData(nameof(Problems))]
    public void A_problem_names_the_file_line_and_section(string what, string oldText, string newText, int line, string section, string message)
    {
        var help = Read(SamplePage.With(oldText, newText), out var problems);

        Assert.Null(help);
        var problem = Assert.Single(problems);
        Assert.True(problem.Line == line && problem.Section == section && problem.Message.StartsWith(message, StringComparison.Ordinal), $"{what}: {problem}");
        Assert.Equal(SamplePage.FileName, problem.File);
    }

    [Fact]
    public void Every_problem_of_a_page_is_reported_at_once()
    {
        var page = SamplePage.With("Tests a thing.\n", string.Empty).Replace("How to test.\n", string.Empty, StringComparison.Ordinal);

        Read(page, out var problems);

        Assert.Equal(["## SYNOPSIS", "## PARAMETERS / ### -Mode"], problems.Select(problem => problem.Section));
    }

    [Fact]
    public void A_problem_reads_as_an_MSBuild_error_of_the_page()
    {
        var problem = new HelpProblem("/docs/Test-Thing.md", 12, "## SYNOPSIS", "The section is empty.");

        Assert.Equal("/docs/Test-Thing.md(12): error SCHHELP1: ## SYNOPSIS: The section is empty.", problem.ToString());
    }

    private static CommandHelp? Read(string text, out List<HelpProblem> problems)
    {
        problems = [];
        return CommandHelpReader.Read(SamplePage.FileName, MarkdownPage.Parse(text), problems);
    }

    /// <summary>A use's sets (empty: all) and attributes, comparable as a value.</summary>
    private static (string Sets, bool Required, int? Position, bool ByValue, bool ByPropertyName) Attributes(ParameterUse use) =>
        (string.Join(',', use.Sets), use.Required, use.Position, use.ByValue, use.ByPropertyName);
}
