namespace Scheduler.PowerShell.Tests.Hosting;

/// <summary>Paths in the repository the tests run from, found from the test assembly's location.</summary>
public static class Repository
{
    private static readonly Lazy<string> LazyRoot = new(FindRoot);

    /// <summary>The folder that holds Scheduler.sln.</summary>
    public static string Root => LazyRoot.Value;

    /// <summary>The module as the build stages it and a user installs it: out/Scheduler.</summary>
    public static string ModuleFolder => Path.Combine(Root, "out", "Scheduler");

    /// <summary>The engine and everything it depends on, loaded in the module's own load context on PowerShell 7.</summary>
    public static string DependencyFolder => Path.Combine(ModuleFolder, "dependencies");

    public static string StagedManifest => Path.Combine(ModuleFolder, "Scheduler.psd1");

    /// <summary>The manifest as committed (the staged one is a copy of it).</summary>
    public static string SourceManifest => Path.Combine(Root, "Scheduler.psd1");

    /// <summary>platyPS markdown, one file per cmdlet plus the module page.</summary>
    public static string CmdletDocs => Path.Combine(Root, "docs", "cmdlets");

    public static string FormatFile => Path.Combine(ModuleFolder, "Scheduler.format.ps1xml");

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Scheduler.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"No Scheduler.sln above {AppContext.BaseDirectory}: the tests must run from the repository's build output.");
    }
}
