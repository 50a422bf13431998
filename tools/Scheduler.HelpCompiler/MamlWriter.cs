using System.Globalization;
using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace Scheduler.HelpCompiler;

/// <summary>
/// Writes MAML, the XML Get-Help reads for binary cmdlets (<c>&lt;Assembly&gt;.dll-Help.xml</c> in a
/// culture folder of the module), in the shape platyPS's New-ExternalHelp gives it: details, description,
/// one syntax item per parameter set, parameters, input and return types, notes, examples, links.
/// </summary>
internal static class MamlWriter
{
    public static readonly XNamespace Msh = "http://msh";
    public static readonly XNamespace Maml = "http://schemas.microsoft.com/maml/2004/10";
    public static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    public static readonly XNamespace Dev = "http://schemas.microsoft.com/maml/dev/2004/10";
    public static readonly XNamespace MSHelp = "http://msdn.microsoft.com/mshelp";

    /// <summary>Example titles are centred in dashes to this width, as in the help of PowerShell's own cmdlets.</summary>
    private const int ExampleTitleWidth = 64;

    public static XDocument Document(IEnumerable<CommandHelp> commands) =>
        new(
            new XDeclaration("1.0", "utf-8", null),
            new XElement(
                Msh + "helpItems",
                new XAttribute("schema", "maml"),
                commands.Select(CommandElement)));

    /// <summary>UTF-8 without a byte order mark, LF line ends, indented: the same text on every platform.</summary>
    public static void Save(XDocument document, string path)
    {
        var settings = new XmlWriterSettings
        {
            Encoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
            Indent = true,
            IndentChars = "  ",
            NewLineChars = "\n",
            NewLineHandling = NewLineHandling.Replace,
        };

        using var writer = XmlWriter.Create(path, settings);
        document.Save(writer);
    }

    private static XElement CommandElement(CommandHelp command)
    {
        var dash = command.Name.IndexOf('-', StringComparison.Ordinal);
        var verb = dash < 0 ? command.Name : command.Name[..dash];
        var noun = dash < 0 ? string.Empty : command.Name[(dash + 1)..];

        return new XElement(
            Command + "command",
            new XAttribute(XNamespace.Xmlns + "maml", Maml),
            new XAttribute(XNamespace.Xmlns + "command", Command),
            new XAttribute(XNamespace.Xmlns + "dev", Dev),
            new XAttribute(XNamespace.Xmlns + "MSHelp", MSHelp),
            new XElement(
                Command + "details",
                new XElement(Command + "name", command.Name),
                new XElement(Command + "verb", verb),
                new XElement(Command + "noun", noun),
                Description(command.Synopsis)),
            Description(command.Description),
            new XElement(Command + "syntax", SyntaxItems(command)),
            new XElement(Command + "parameters", command.Parameters.Select(ParameterElement)),
            new XElement(Command + "inputTypes", command.Inputs.Select(type => TypeElement("inputType", type))),
            new XElement(Command + "returnValues", command.Outputs.Select(type => TypeElement("returnValue", type))),
            new XElement(Maml + "alertSet", new XElement(Maml + "alert", Paragraphs(command.Notes))),
            new XElement(Command + "examples", command.Examples.Select(ExampleElement)),
            new XElement(Command + "relatedLinks", command.Links.Select(LinkElement)));
    }

    private static IEnumerable<XElement> SyntaxItems(CommandHelp command)
    {
        IReadOnlyList<string?> sets = command.ParameterSets;
        if (sets.Count == 0)
        {
            sets = [null];
        }

        return sets.Select(set => new XElement(
            Command + "syntaxItem",
            new XElement(Maml + "name", command.Name),
            command.ParametersOf(set).Select(entry => SyntaxParameterElement(entry.Parameter, entry.Use))));
    }

    /// <summary>
    /// A parameter as one set uses it. A switch has no value element here, or the syntax would read
    /// <c>[-Force &lt;SwitchParameter&gt;]</c>; the accepted values are listed so the syntax reads
    /// <c>[-Coalesce {Latest | Earliest | All}]</c>.
    /// </summary>
    private static XElement SyntaxParameterElement(ParameterHelp parameter, ParameterUse use) =>
        new(
            Command + "parameter",
            Attributes(parameter, use.Required, use.Position, use.ByValue, use.ByPropertyName),
            new XElement(Maml + "name", parameter.Name),
            Description(parameter.Description),
            parameter.AcceptedValues.Count > 0
                ? new XElement(Command + "parameterValueGroup", parameter.AcceptedValues.Select(value => new XElement(
                    Command + "parameterValue",
                    new XAttribute("required", "false"),
                    new XAttribute(Command + "variableLength", "false"),
                    value)))
                : null,
            parameter.IsSwitch ? null : ValueElement(parameter),
            TypeOf(parameter),
            DefaultValue(parameter));

    /// <summary>
    /// A parameter over all its sets, as Get-Help -Parameter shows it: required when it is in any set,
    /// the position of its first set, the pipeline input of all of them.
    /// </summary>
    private static XElement ParameterElement(ParameterHelp parameter) =>
        new(
            Command + "parameter",
            Attributes(
                parameter,
                parameter.Uses.Any(use => use.Required),
                parameter.Uses[0].Position,
                parameter.Uses.Any(use => use.ByValue),
                parameter.Uses.Any(use => use.ByPropertyName)),
            new XElement(Maml + "name", parameter.Name),
            Description(parameter.Description),
            ValueElement(parameter),
            TypeOf(parameter),
            DefaultValue(parameter));

    private static IEnumerable<XAttribute> Attributes(ParameterHelp parameter, bool required, int? position, bool byValue, bool byPropertyName)
    {
        yield return new XAttribute("required", Bool(required));
        yield return new XAttribute("variableLength", Bool(IsArray(parameter)));
        yield return new XAttribute("globbing", Bool(parameter.Globbing));
        yield return new XAttribute("pipelineInput", PipelineInput(byValue, byPropertyName));
        yield return new XAttribute("position", position?.ToString(CultureInfo.InvariantCulture) ?? "named");
        yield return new XAttribute("aliases", parameter.Aliases.Count > 0 ? string.Join(", ", parameter.Aliases) : "none");
    }

    /// <summary>The text Get-Help writes after the parameter name: <c>-Name &lt;String[]&gt;</c>.</summary>
    private static XElement ValueElement(ParameterHelp parameter) =>
        new(
            Command + "parameterValue",
            new XAttribute("required", Bool(!parameter.IsSwitch)),
            new XAttribute("variableLength", Bool(IsArray(parameter))),
            TypeName(parameter));

    private static XElement TypeOf(ParameterHelp parameter) =>
        new(Dev + "type", new XElement(Maml + "name", TypeName(parameter)), new XElement(Maml + "uri"));

    private static XElement DefaultValue(ParameterHelp parameter) =>
        new(Dev + "defaultValue", parameter.IsSwitch && parameter.DefaultValue == "None" ? "False" : parameter.DefaultValue);

    private static XElement TypeElement(string element, TypeHelp type) =>
        new(
            Command + element,
            new XElement(Dev + "type", new XElement(Maml + "name", type.TypeName)),
            Description(type.Description));

    /// <summary>
    /// Get-Help writes the next example's title right under the last line of remarks; the empty paragraph
    /// that ends the remarks is the blank line between examples.
    /// </summary>
    private static XElement ExampleElement(ExampleHelp example) =>
        new(
            Command + "example",
            new XElement(Maml + "title", ExampleTitle(example.Title)),
            new XElement(Dev + "code", string.Join("\n\n", example.Code)),
            new XElement(Dev + "remarks", Paragraphs(example.Remarks), new XElement(Maml + "para")));

    private static XElement LinkElement(LinkHelp link) =>
        new(
            Maml + "navigationLink",
            new XElement(Maml + "linkText", link.Text),
            new XElement(Maml + "uri", link.Uri));

    private static XElement Description(IEnumerable<string> paragraphs) => new(Maml + "description", Paragraphs(paragraphs));

    private static IEnumerable<XElement> Paragraphs(IEnumerable<string> paragraphs) =>
        paragraphs.Select(paragraph => new XElement(Maml + "para", paragraph));

    private static string ExampleTitle(string title)
    {
        var padding = (ExampleTitleWidth - title.Length - 2) / 2;
        if (padding < 3)
        {
            return title;
        }

        var dashes = new string('-', padding);
        return $"{dashes} {title} {dashes}";
    }

    /// <summary>"switch" is how a platyPS page may spell the type; Get-Help knows it as SwitchParameter.</summary>
    private static string TypeName(ParameterHelp parameter) => parameter.IsSwitch ? "SwitchParameter" : parameter.Type;

    private static bool IsArray(ParameterHelp parameter) => parameter.Type.EndsWith("[]", StringComparison.Ordinal);

    private static string PipelineInput(bool byValue, bool byPropertyName) => (byValue, byPropertyName) switch
    {
        (true, true) => "True (ByValue, ByPropertyName)",
        (true, false) => "True (ByValue)",
        (false, true) => "True (ByPropertyName)",
        _ => "False",
    };

    private static string Bool(bool value) => value ? "true" : "false";
}
