using System.Management.Automation;
using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Scheduler.PowerShell.Tests.Hosting;

namespace Scheduler.PowerShell.Tests;

/// <summary>
/// Rules every cmdlet of the module follows, checked by reflection over the assembly PowerShell loaded,
/// so each cmdlet added later is held to them without a new test: approved verb, exported by the
/// manifest, -WhatIf on every change, an output type with a default view, documentation of the cmdlet
/// and each parameter in docs/cmdlets.
/// </summary>
[Collection(ModuleCollection.Name)]
public sealed class ModuleMetadataTests(ModuleSession session)
{
    /// <summary>Verbs that only read, wait or compute; every other verb changes state and needs ShouldProcess.</summary>
    private static readonly HashSet<string> ReadOnlyVerbs = new(StringComparer.OrdinalIgnoreCase)
    {
        VerbsCommon.Get, VerbsCommon.Find, VerbsCommon.Search, VerbsDiagnostic.Test, VerbsLifecycle.Wait,
        VerbsCommunications.Receive, VerbsData.ConvertTo, VerbsData.ConvertFrom, VerbsDiagnostic.Measure,
        VerbsData.Compare, VerbsDiagnostic.Resolve, VerbsCommon.Format,
    };

    /// <summary>Cmdlets whose verb suggests a change but which change nothing, with the reason.</summary>
    private static readonly Dictionary<string, string> ChangesNothing = new(StringComparer.OrdinalIgnoreCase)
    {
        ["New-SchedulerTrigger"] = "builds a trigger object in memory; nothing is stored or scheduled",
    };

    /// <summary>
    /// A script whose output holds an object of the view's type, for each view of the format file: the test
    /// runs every column of the view on it. A new view needs a sample here.
    /// </summary>
    private static readonly Dictionary<string, string> ViewSamples = new(StringComparer.Ordinal)
    {
        ["Scheduler.Triggers.Trigger"] = """
            $cron = New-SchedulerTrigger -Cron '0 9 * * *' -TimeZone UTC -StartDate 2024-01-01 -EndDate 2025-01-01 -Jitter 30s
            $interval = New-SchedulerTrigger -Interval 90m -TimeZone Europe/Berlin
            $cron
            $interval
            New-SchedulerTrigger -At '2024-07-01T10:00' -TimeZone Europe/Berlin
            New-SchedulerTrigger -CalendarInterval P1M -TimeOfDay 09:00 -StartDate 2024-01-31 -TimeZone UTC
            New-SchedulerTrigger -All $cron, $interval -TimeZone UTC
            New-SchedulerTrigger -Any $cron -TimeZone UTC
            """,
        ["Scheduler.PowerShell.FireTime"] = "New-SchedulerTrigger -Interval 500ms -TimeZone UTC | Get-SchedulerFireTime -Count 2 -After 2024-05-01",
        ["Scheduler.PowerShell.ScheduledJob"] = """
            $store = [System.IO.Path]::Combine([System.IO.Path]::GetTempPath(), [System.IO.Path]::GetRandomFileName())
            Register-ScheduledJobEx -Name scheduled -Store $store -Cron '0 9 * * *' -TimeZone Europe/Berlin -ScriptBlock { "line 1`nline 2" } -PassThru
            Register-ScheduledJobEx -Name paused -Store $store -Interval 1h -Command Get-Command -Paused -PassThru
            """,
        ["Scheduler.PowerShell.ScheduledJobRun"] = """
            $store = [System.IO.Path]::Combine([System.IO.Path]::GetTempPath(), [System.IO.Path]::GetRandomFileName())
            Register-ScheduledJobEx -Name ok -Store $store -Interval 1h -ScriptBlock { 1 }
            Register-ScheduledJobEx -Name bad -Store $store -Interval 1h -ScriptBlock { throw 'bad' }
            Start-Scheduler -Store $store
            Start-ScheduledJobEx -Name ok, bad -Wait
            Stop-Scheduler
            """,
        ["Scheduler.PowerShell.SchedulerInfo"] = """
            $store = [System.IO.Path]::Combine([System.IO.Path]::GetTempPath(), [System.IO.Path]::GetRandomFileName())
            Register-ScheduledJobEx -Name ok -Store $store -Interval 1h -ScriptBlock { 1 }
            Start-Scheduler -Store $store -PassThru
            Stop-Scheduler -PassThru
            """,
        ["Scheduler.Events.SchedulerEvent"] = """
            $store = [System.IO.Path]::Combine([System.IO.Path]::GetTempPath(), [System.IO.Path]::GetRandomFileName())
            Register-ScheduledJobEx -Name bad -Store $store -Interval 1h -ScriptBlock { throw 'bad' }
            Start-Scheduler -Store $store
            $null = Start-ScheduledJobEx -Name bad -Wait
            Stop-Scheduler
            Get-SchedulerEvent -Store $store
            """,
    };

    private IReadOnlyList<Type> CmdletTypes =>
        session.Module.ImplementingAssembly.GetExportedTypes().Where(type => type.GetCustomAttribute<CmdletAttribute>() is not null).ToList();

    public static IEnumerable<object[]> Cmdlets()
    {
        // The theory data must not need the session; the manifest lists every cmdlet (checked below).
        return new ModuleManifest(Repository.SourceManifest).List("CmdletsToExport").Select(name => new object[] { name });
    }

    [Fact]
    public void The_assembly_defines_exactly_the_cmdlets_the_manifest_exports()
    {
        var defined = CmdletTypes.Select(NameOf).Order(StringComparer.Ordinal);
        var listed = new ModuleManifest(Repository.SourceManifest).List("CmdletsToExport").Order(StringComparer.Ordinal);

        Assert.Equal(listed, defined);
    }

    [Fact]
    public void Every_cmdlet_uses_an_approved_verb()
    {
        var approved = new[] { typeof(VerbsCommon), typeof(VerbsCommunications), typeof(VerbsData), typeof(VerbsDiagnostic), typeof(VerbsLifecycle), typeof(VerbsOther), typeof(VerbsSecurity) }
            .SelectMany(type => type.GetFields(BindingFlags.Public | BindingFlags.Static))
            .Select(field => (string)field.GetValue(null)!)
            .ToHashSet(StringComparer.Ordinal);

        Assert.NotEmpty(CmdletTypes);
        Assert.All(CmdletTypes, type => Assert.Contains(type.GetCustomAttribute<CmdletAttribute>()!.VerbName, approved));
    }

    [Fact]
    public void Every_cmdlet_is_a_public_sealed_PSCmdlet_named_after_its_verb_and_noun_with_an_output_type()
    {
        Assert.All(CmdletTypes, type =>
        {
            var cmdlet = type.GetCustomAttribute<CmdletAttribute>()!;
            Assert.True(type.IsSealed, $"{type} is not sealed.");
            Assert.True(typeof(PSCmdlet).IsAssignableFrom(type), $"{type} is not a PSCmdlet.");
            Assert.Equal(cmdlet.VerbName + cmdlet.NounName + "Command", type.Name);
            Assert.NotEmpty(type.GetCustomAttributes<OutputTypeAttribute>());
        });
    }

    [Fact]
    public void Every_cmdlet_that_changes_state_supports_WhatIf_and_Confirm()
    {
        Assert.All(CmdletTypes, type =>
        {
            var cmdlet = type.GetCustomAttribute<CmdletAttribute>()!;
            var changesState = !ReadOnlyVerbs.Contains(cmdlet.VerbName) && !ChangesNothing.ContainsKey(NameOf(type));
            if (changesState)
            {
                Assert.True(cmdlet.SupportsShouldProcess, $"{NameOf(type)} changes state but does not support ShouldProcess.");
            }
        });
    }

    [Fact]
    public void Every_output_type_has_a_default_table_view()
    {
        var viewTypes = FormatViews().Select(view => view.TypeName).ToHashSet(StringComparer.Ordinal);

        // Written as Get-Item writes them (Backup-SchedulerStore): PowerShell's own file-system views show them.
        Type[] formattedByPowerShell = [typeof(FileInfo)];
        var outputTypes = CmdletTypes
            .SelectMany(type => type.GetCustomAttributes<OutputTypeAttribute>())
            .SelectMany(attribute => attribute.Type)
            .Select(type => type.Type)
            .Except(formattedByPowerShell)
            .Distinct();

        Assert.All(outputTypes, type => Assert.True(
            SelfAndBaseTypes(type!).Any(candidate => viewTypes.Contains(candidate.FullName!)),
            $"No view in Scheduler.format.ps1xml for {type}."));
    }

    [Fact]
    public void The_format_file_names_real_types_and_real_properties()
    {
        var views = FormatViews();

        Assert.NotEmpty(views);
        Assert.All(views, view =>
        {
            var type = FindType(view.TypeName);
            Assert.True(type is not null, $"The view {view.Name} selects {view.TypeName}, which is not a type of the module.");
            Assert.True(view.HasTable, $"The view {view.Name} is not a table view.");
            Assert.All(view.Properties, property => Assert.True(
                type!.GetProperty(property, BindingFlags.Public | BindingFlags.Instance) is not null,
                $"The view {view.Name} shows {view.TypeName}.{property}, which does not exist."));
        });
    }

    [Fact]
    public void Every_column_script_of_every_view_runs_on_real_output()
    {
        foreach (var view in FormatViews())
        {
            Assert.True(ViewSamples.TryGetValue(view.TypeName, out var sample), $"Add a sample for the view of {view.TypeName} to ViewSamples.");
            var objects = session.Run(sample).ShouldSucceed().Output;
            Assert.Contains(objects, item => item.TypeNames.Contains(view.TypeName));

            foreach (var script in view.Scripts)
            {
                var values = session.Run("param($items, $column) $items | ForEach-Object ([scriptblock]::Create($column))", ("items", objects), ("column", script)).ShouldSucceed();
                // Columns such as End are empty for some objects; none may fail, and each must show something.
                Assert.Contains(values.Output, value => value is not null && !string.IsNullOrEmpty(value.ToString()));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void Every_cmdlet_has_a_platyPS_page(string name)
    {
        var page = CmdletPage.Read(name);

        Assert.Equal("Scheduler.PowerShell.dll-Help.xml", page.FrontMatter.GetValueOrDefault("external help file"));
        Assert.Equal("Scheduler", page.FrontMatter.GetValueOrDefault("Module Name"));
        Assert.True(page.FrontMatter.ContainsKey("online version"), "The front matter has no 'online version'.");
        Assert.Equal("2.0.0", page.FrontMatter.GetValueOrDefault("schema"));
        Assert.Equal($"# {name}", page.Title);
        Assert.Equal(["SYNOPSIS", "SYNTAX", "DESCRIPTION", "EXAMPLES", "PARAMETERS", "INPUTS", "OUTPUTS", "NOTES"], page.Sections.Keys.Where(CmdletPage.RequiredSections.Contains));
        Assert.All(CmdletPage.RequiredSections.Where(section => section != "NOTES"), section => Assert.False(string.IsNullOrWhiteSpace(page.Sections[section]), $"## {section} is empty."));
        Assert.Matches(@"(?m)^### Example 1\b", page.Sections["EXAMPLES"]);
        Assert.Matches(@"(?m)^```powershell$", page.Sections["EXAMPLES"]);
    }

    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void Every_parameter_and_parameter_set_is_documented(string name)
    {
        var page = CmdletPage.Read(name);
        var command = session.Module.ExportedCmdlets[name];
        var parameters = command.Parameters.Keys.Where(parameter => !Cmdlet.CommonParameters.Contains(parameter)).Order(StringComparer.Ordinal).ToList();

        Assert.Equal(parameters, page.ParameterSections.Keys.Where(key => key != "CommonParameters").Order(StringComparer.Ordinal));
        Assert.True(page.ParameterSections.ContainsKey("CommonParameters"), "### CommonParameters is missing.");
        Assert.All(parameters, parameter =>
        {
            var section = page.ParameterSections[parameter];
            Assert.Matches(@"(?m)^\S", section.Split("```yaml")[0]);
            Assert.Matches(@"(?m)^Type: \S", section);
            Assert.Matches(@"(?m)^Required: ", section);
            Assert.Matches(@"(?m)^Accept pipeline input: ", section);
        });

        if (command.ParameterSets.Count > 1)
        {
            Assert.All(command.ParameterSets, set => Assert.Matches(
                $@"(?m)^### {Regex.Escape(set.Name)}{(set.IsDefault ? Regex.Escape(" (Default)") : string.Empty)}$",
                page.Sections["SYNTAX"]));
        }

        foreach (var set in command.ParameterSets)
        {
            var mandatory = set.Parameters.Where(parameter => parameter.IsMandatory).Select(parameter => parameter.Name);
            Assert.All(mandatory, parameter => Assert.Matches($@"-{parameter}\b", page.Sections["SYNTAX"]));
        }
    }

    [Fact]
    public void The_module_page_lists_every_cmdlet_and_the_manifest_guid()
    {
        var page = CmdletPage.Read("Scheduler");
        var manifest = new ModuleManifest(Repository.SourceManifest);

        Assert.Equal("Scheduler", page.FrontMatter.GetValueOrDefault("Module Name"));
        Assert.Equal((string)manifest["GUID"]!, page.FrontMatter.GetValueOrDefault("Module Guid"));
        Assert.Equal("# Scheduler Module", page.Title);
        Assert.All(manifest.List("CmdletsToExport"), name => Assert.Contains($"### [{name}]({name}.md)", page.Text, StringComparison.Ordinal));
        var documented = Directory.GetFiles(Repository.CmdletDocs, "*.md").Select(Path.GetFileNameWithoutExtension).Where(file => file != "Scheduler");
        Assert.Equal(manifest.List("CmdletsToExport").Order(StringComparer.Ordinal), documented.Order(StringComparer.Ordinal));
    }

    private static string NameOf(Type cmdletType)
    {
        var cmdlet = cmdletType.GetCustomAttribute<CmdletAttribute>()!;
        return $"{cmdlet.VerbName}-{cmdlet.NounName}";
    }

    private static IEnumerable<Type> SelfAndBaseTypes(Type type)
    {
        for (var current = type; current is not null; current = current.BaseType)
        {
            yield return current;
        }
    }

    private static Type? FindType(string fullName)
        => AppDomain.CurrentDomain.GetAssemblies()
            .Where(assembly => !assembly.IsDynamic && assembly.Location.StartsWith(Path.GetFullPath(Repository.ModuleFolder), StringComparison.Ordinal))
            .Select(assembly => assembly.GetType(fullName))
            .FirstOrDefault(type => type is not null);

    private static List<FormatView> FormatViews()
    {
        var document = XDocument.Load(Repository.FormatFile);
        return document.Descendants("View").Select(view => new FormatView(
            (string)view.Element("Name")!,
            (string)view.Element("ViewSelectedBy")!.Element("TypeName")!,
            view.Element("TableControl") is not null,
            view.Descendants("PropertyName").Select(property => property.Value.Trim()).ToList(),
            view.Descendants("ScriptBlock").Select(script => script.Value.Trim()).ToList())).ToList();
    }

    private sealed record FormatView(string Name, string TypeName, bool HasTable, IReadOnlyList<string> Properties, IReadOnlyList<string> Scripts);
}
