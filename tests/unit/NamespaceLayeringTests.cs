using System.Text.RegularExpressions;

namespace Scheduler.Tests;

/// <summary>
/// The engine's namespaces form layers, each using only those below it: a trigger knows nothing of
/// jobs, a job nothing of stores, a store nothing of executors, an executor nothing of the scheduler.
/// Checked on the source: a file may name no type declared in a namespace above its own.
/// </summary>
public sealed class NamespaceLayeringTests
{
    /// <summary>
    /// Bottom to top. Scheduler.Internal (helpers) is below all of them, and so are polyfills of framework
    /// members missing on netstandard2.0, which live in the framework's own namespace so that call sites
    /// read the same on every target.
    /// </summary>
    private static readonly string[] Layers =
    [
        "Scheduler.Triggers",
        "Scheduler.Invocations",
        "Scheduler.Jobs",
        "Scheduler.Events",
        "Scheduler.Stores",
        "Scheduler.Executors",
        "Scheduler.Scheduling",
    ];

    [Fact]
    public void Every_namespace_uses_only_the_ones_below_it()
    {
        var files = SourceFiles();
        var declaredIn = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (_, ns, code) in files)
        {
            foreach (Match declaration in Regex.Matches(code, @"\b(?:class|record|struct|enum|interface)\s+(\w+)"))
            {
                declaredIn.TryAdd(declaration.Groups[1].Value, ns);
            }
        }

        var violations = new List<string>();
        foreach (var (path, ns, code) in files)
        {
            var level = Level(ns);
            foreach (var name in Regex.Matches(code, @"\b[A-Z]\w+\b").Select(m => m.Value).Distinct(StringComparer.Ordinal))
            {
                if (declaredIn.TryGetValue(name, out var owner) && owner != ns && Level(owner) > level)
                {
                    violations.Add($"{Path.GetFileName(path)} ({ns}) uses {name} ({owner})");
                }
            }
        }

        Assert.Empty(violations);
    }

    [Fact]
    public void Every_layer_exists_and_every_folder_is_a_layer()
    {
        var namespaces = SourceFiles().Select(file => file.Namespace).Distinct().ToHashSet(StringComparer.Ordinal);

        Assert.All(Layers, layer => Assert.Contains(layer, namespaces));
        Assert.All(namespaces, ns => Assert.True(IsBelowEveryLayer(ns) || Layers.Contains(ns), $"{ns} is in no layer."));
    }

    private static int Level(string ns) => IsBelowEveryLayer(ns) ? -1 : Array.IndexOf(Layers, ns);

    private static bool IsBelowEveryLayer(string ns) => ns is "Scheduler.Internal" or "System";

    /// <summary>The engine's source files, with comments and string literals blanked out.</summary>
    private static List<(string Path, string Namespace, string Code)> SourceFiles()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Scheduler.sln")))
        {
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("No Scheduler.sln above the test assembly.");
        }

        var engine = Path.Combine(root, "src", "Scheduler.Core");
        var files = new List<(string, string, string)>();
        foreach (var path in Directory.EnumerateFiles(engine, "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(engine, path);
            if (relative.StartsWith("bin", StringComparison.Ordinal) || relative.StartsWith("obj", StringComparison.Ordinal))
            {
                continue;
            }

            var text = File.ReadAllText(path);
            var declared = Regex.Match(text, @"^namespace ([\w.]+);", RegexOptions.Multiline);
            if (!declared.Success)
            {
                // Polyfills of framework types for netstandard2.0, in the framework's own namespaces.
                continue;
            }

            var ns = declared.Groups[1].Value;
            var code = Regex.Replace(text, @"//[^\n]*", string.Empty);
            code = Regex.Replace(code, @"""(?:\\.|[^""\\])*""", "\"\"");
            files.Add((path, ns, code));
        }

        return files;
    }
}
