using System.Management.Automation.Language;

namespace Scheduler.PowerShell.Tests.Hosting;

/// <summary>The module manifest read as data (by the PowerShell parser, without running it).</summary>
public sealed class ModuleManifest
{
    private readonly HashtableAst table;

    public ModuleManifest(string path)
    {
        var ast = Parser.ParseFile(path, out _, out var errors);
        Assert.Empty(errors);
        table = (HashtableAst)ast.Find(node => node is HashtableAst, searchNestedScriptBlocks: false)!;
    }

    /// <summary>A top-level value: a string, or an object[] for a list (<c>@('a', 'b')</c> or a single item).</summary>
    public object? this[string key]
    {
        get
        {
            var pair = table.KeyValuePairs.SingleOrDefault(p => string.Equals(p.Item1.SafeGetValue() as string, key, StringComparison.OrdinalIgnoreCase));
            return pair is null ? null : ((PipelineAst)pair.Item2).GetPureExpression().SafeGetValue();
        }
    }

    /// <summary>A list entry such as CmdletsToExport, as strings.</summary>
    public IReadOnlyList<string> List(string key) => this[key] switch
    {
        null => [],
        object[] items => items.Cast<string>().ToList(),
        var single => [(string)single],
    };
}
