using System.Xml.Linq;
using Scheduler.HelpCompiler;

namespace Scheduler.Tests.Tools.HelpCompiler;

public sealed class MamlWriterTests
{
    private static readonly XNamespace Maml = "http://schemas.microsoft.com/maml/2004/10";
    private static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    private static readonly XNamespace Dev = "http://schemas.microsoft.com/maml/dev/2004/10";

    [Fact]
    public void The_document_is_helpItems_of_maml_commands()
    {
        var document = Write();

        Assert.Equal(XName.Get("helpItems", "http://msh"), document.Root!.Name);
        Assert.Equal("maml", (string?)document.Root.Attribute("schema"));
        var command = Assert.Single(document.Root.Elements(Command + "command"));
        Assert.Equal(
            ["details", "description", "syntax", "parameters", "inputTypes", "returnValues", "alertSet", "examples", "relatedLinks"],
            command.Elements().Select(element => element.Name.LocalName));
    }

    [Fact]
    public void Details_name_the_verb_and_noun_and_hold_the_synopsis()
    {
        var details = CommandOf(Write()).Element(Command + "details")!;

        Assert.Equal("Test-Thing", details.Element(Command + "name")!.Value);
        Assert.Equal("Test", details.Element(Command + "verb")!.Value);
        Assert.Equal("Thing", details.Element(Command + "noun")!.Value);
        Assert.Equal(["Tests a thing."], Paras(details.Element(Maml + "description")!));
    }

    [Fact]
    public void Each_parameter_set_is_a_syntax_item_with_its_parameters_as_that_set_uses_them()
    {
        var items = CommandOf(Write()).Element(Command + "syntax")!.Elements(Command + "syntaxItem").ToList();

        Assert.Equal(2, items.Count);
        Assert.All(items, item => Assert.Equal("Test-Thing", item.Element(Maml + "name")!.Value));
        Assert.Equal(["Name", "Mode", "Force"], Names(items[0]));
        Assert.Equal(["InputObject", "Mode", "Force"], Names(items[1]));

        var name = Parameter(items[0], "Name");
        Assert.Equal(
            [("required", "true"), ("variableLength", "true"), ("globbing", "true"), ("pipelineInput", "True (ByValue, ByPropertyName)"), ("position", "0"), ("aliases", "N, ThingName")],
            name.Attributes().Select(attribute => (attribute.Name.LocalName, attribute.Value)));
        Assert.Equal("String[]", name.Element(Command + "parameterValue")!.Value);
        Assert.Equal("named", (string?)Parameter(items[1], "InputObject").Attribute("position"));
    }

    [Fact]
    public void The_syntax_lists_accepted_values_and_gives_a_switch_no_value()
    {
        var item = CommandOf(Write()).Element(Command + "syntax")!.Elements(Command + "syntaxItem").First();

        Assert.Equal(["Quick", "Full"], Parameter(item, "Mode").Element(Command + "parameterValueGroup")!.Elements(Command + "parameterValue").Select(value => value.Value));
        Assert.Null(Parameter(item, "Force").Element(Command + "parameterValue"));
        Assert.Equal("SwitchParameter", Parameter(item, "Force").Element(Dev + "type")!.Element(Maml + "name")!.Value);
    }

    [Fact]
    public void Parameters_are_described_once_over_all_their_sets()
    {
        var parameters = CommandOf(Write()).Element(Command + "parameters")!;

        Assert.Equal(["Name", "InputObject", "Mode", "Force"], Names(parameters));
        var inputObject = Parameter(parameters, "InputObject");
        Assert.Equal("true", (string?)inputObject.Attribute("required"));
        Assert.Equal("True (ByValue)", (string?)inputObject.Attribute("pipelineInput"));
        Assert.Equal("none", (string?)inputObject.Attribute("aliases"));
        Assert.Equal(["Things from Get-Thing."], Paras(inputObject.Element(Maml + "description")!));
        Assert.Equal("Thing[]", inputObject.Element(Dev + "type")!.Element(Maml + "name")!.Value);
        Assert.Equal("None", inputObject.Element(Dev + "defaultValue")!.Value);
        Assert.Equal("Quick", Parameter(parameters, "Mode").Element(Dev + "defaultValue")!.Value);

        // Get-Help -Parameter shows the type of a switch too; its default is False, not None.
        var force = Parameter(parameters, "Force");
        Assert.Equal("SwitchParameter", force.Element(Command + "parameterValue")!.Value);
        Assert.Equal("false", (string?)force.Element(Command + "parameterValue")!.Attribute("required"));
        Assert.Equal("False", force.Element(Dev + "defaultValue")!.Value);
    }

    [Fact]
    public void Types_notes_and_links_are_written_as_platyPS_writes_them()
    {
        var command = CommandOf(Write());

        Assert.Equal(["System.String", "Sample.Thing"], command.Element(Command + "inputTypes")!.Elements().Select(type => type.Element(Dev + "type")!.Element(Maml + "name")!.Value));
        Assert.Equal(["One result per thing."], Paras(command.Element(Command + "returnValues")!.Element(Command + "returnValue")!.Element(Maml + "description")!));
        Assert.Equal(["Error ids: `ThingNotFound`."], Paras(command.Element(Maml + "alertSet")!.Element(Maml + "alert")!));
        Assert.Equal(
            [("Online Version:", "https://example.test/Test-Thing"), ("Get-Thing", ""), ("Things online", "https://example.test/things")],
            command.Element(Command + "relatedLinks")!.Elements(Maml + "navigationLink").Select(link => (link.Element(Maml + "linkText")!.Value, link.Element(Maml + "uri")!.Value)));
    }

    [Fact]
    public void Examples_have_a_dashed_title_their_code_and_remarks_ending_in_a_blank_line()
    {
        var examples = CommandOf(Write()).Element(Command + "examples")!.Elements(Command + "example").ToList();

        Assert.Equal("------------------- Example 1: Test by name -------------------", examples[0].Element(Maml + "title")!.Value);
        Assert.Equal("Test-Thing -Name a, b\n\nName Result\n---- ------\na    ok", examples[0].Element(Dev + "code")!.Value);
        Assert.Equal(["Both things are tested.", string.Empty], Paras(examples[0].Element(Dev + "remarks")!));
        Assert.Equal([string.Empty], Paras(examples[1].Element(Dev + "remarks")!));
    }

    [Fact]
    public void A_long_example_title_is_not_padded()
    {
        var title = "Example 1: " + new string('x', 60);
        var help = Read() with { Examples = [new ExampleHelp(title, ["x"], [])] };

        Assert.Equal(title, CommandOf(MamlWriter.Document([help])).Element(Command + "examples")!.Element(Command + "example")!.Element(Maml + "title")!.Value);
    }

    [Fact]
    public void Saved_text_is_utf8_without_a_byte_order_mark_with_line_feeds()
    {
        var path = Path.Combine(Path.GetTempPath(), Path.GetRandomFileName());
        try
        {
            MamlWriter.Save(Write(), path);

            var bytes = File.ReadAllBytes(path);
            Assert.NotEqual(0xEF, bytes[0]);
            Assert.DoesNotContain((byte)'\r', bytes);
            Assert.Equal(Write().ToString(), XDocument.Load(path).ToString());
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static CommandHelp Read()
    {
        var problems = new List<HelpProblem>();
        var help = CommandHelpReader.Read(SamplePage.FileName, MarkdownPage.Parse(SamplePage.Text), problems);
        Assert.Empty(problems);
        return help!;
    }

    private static XDocument Write() => MamlWriter.Document([Read()]);

    private static XElement CommandOf(XDocument document) => document.Root!.Element(Command + "command")!;

    private static List<string> Names(XElement parent) =>
        parent.Elements(Command + "parameter").Select(parameter => parameter.Element(Maml + "name")!.Value).ToList();

    private static XElement Parameter(XElement parent, string name) =>
        parent.Elements(Command + "parameter").Single(parameter => parameter.Element(Maml + "name")!.Value == name);

    private static List<string> Paras(XElement parent) => parent.Elements(Maml + "para").Select(para => para.Value).ToList();
}
