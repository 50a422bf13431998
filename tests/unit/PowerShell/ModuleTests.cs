using System.Management.Automation;
using System.Reflection;
using System.Runtime.InteropServices;
using Scheduler.PowerShell.Tests.Hosting;

namespace Scheduler.PowerShell.Tests;

/// <summary>The staged module as a user gets it: it imports, exports what its manifest says, and carries working SQLite.</summary>
[Collection(ModuleCollection.Name)]
public sealed class ModuleTests(ModuleSession session)
{
    [Fact]
    public void The_module_imports_from_the_staged_folder()
    {
        Assert.Equal("Scheduler", session.Module.Name);
        Assert.Equal(ModuleType.Binary, session.Module.ModuleType);
        Assert.Equal(Path.GetFullPath(Repository.ModuleFolder).TrimEnd(Path.DirectorySeparatorChar), session.Module.ModuleBase.TrimEnd(Path.DirectorySeparatorChar));
        Assert.Equal(Path.Combine(Repository.ModuleFolder, "Scheduler.PowerShell.dll"), session.Module.ImplementingAssembly.Location);
    }

    [Fact]
    public void Engine_types_resolve_in_scripts_right_after_import_from_the_module_folder()
    {
        var result = session.Run("[Scheduler.Triggers.Trigger].Assembly.Location").ShouldSucceed();

        Assert.Equal(Path.Combine(Repository.DependencyFolder, "Scheduler.Core.dll"), Assert.Single(result.Objects));
    }

    [Fact]
    public void The_staged_manifest_is_the_committed_one()
    {
        Assert.Equal(File.ReadAllText(Repository.SourceManifest), File.ReadAllText(Repository.StagedManifest));
    }

    [Fact]
    public void The_exported_commands_are_exactly_the_cmdlets_the_manifest_lists()
    {
        var manifest = new ModuleManifest(Repository.SourceManifest);
        var listed = manifest.List("CmdletsToExport").Order(StringComparer.Ordinal).ToList();

        Assert.DoesNotContain(listed, name => name.Contains('*', StringComparison.Ordinal));
        Assert.Equal(listed, session.Module.ExportedCommands.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(listed, session.Module.ExportedCmdlets.Keys.Order(StringComparer.Ordinal));
        Assert.Empty(manifest.List("FunctionsToExport"));
        Assert.Empty(manifest.List("AliasesToExport"));
        Assert.Empty(manifest.List("VariablesToExport"));
    }

    [Fact]
    public void The_manifest_declares_both_editions_and_the_format_file()
    {
        var manifest = new ModuleManifest(Repository.SourceManifest);

        Assert.Equal(["Desktop", "Core"], manifest.List("CompatiblePSEditions"));
        Assert.Equal("5.1", manifest["PowerShellVersion"]);
        Assert.Equal("Scheduler.PowerShell.dll", manifest["RootModule"]);
        Assert.Equal(["Scheduler.format.ps1xml"], manifest.List("FormatsToProcess"));
        Assert.True(Guid.TryParse(manifest["GUID"] as string, out _));
        Assert.Equal(session.Module.Guid, Guid.Parse((string)manifest["GUID"]!));
    }

    [Fact]
    public void A_store_opens_with_the_staged_native_sqlite_library()
    {
        using var store = new TestStore(session);
        session.Run("param($store) Register-ScheduledJobEx -Name sqlite -Store $store -Interval 1h -ScriptBlock { 1 }", ("store", store.Path)).ShouldSucceed();

        if (OperatingSystem.IsLinux())
        {
            // The module's load context loads dependencies/<runtime id>/libe_sqlite3.so; this proves the staged copy is the one in use.
            var expected = Path.Combine(Repository.DependencyFolder, RuntimeInformation.RuntimeIdentifier, "libe_sqlite3.so");
            Assert.Contains(File.ReadLines("/proc/self/maps"), line => line.EndsWith(expected, StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData("win-x64", "e_sqlite3.dll")]
    [InlineData("win-x86", "e_sqlite3.dll")]
    [InlineData("win-arm64", "e_sqlite3.dll")]
    [InlineData("linux-x64", "e_sqlite3.so", "libe_sqlite3.so")]
    [InlineData("linux-arm64", "e_sqlite3.so", "libe_sqlite3.so")]
    [InlineData("linux-musl-x64", "e_sqlite3.so", "libe_sqlite3.so")]
    [InlineData("osx-x64", "e_sqlite3.dylib", "libe_sqlite3.dylib")]
    [InlineData("osx-arm64", "e_sqlite3.dylib", "libe_sqlite3.dylib")]
    public void The_native_sqlite_library_is_staged_for_each_platform(string runtimeIdentifier, params string[] names)
    {
        foreach (var name in names)
        {
            var path = Path.Combine(Repository.DependencyFolder, runtimeIdentifier, name);
            Assert.True(File.Exists(path) && new FileInfo(path).Length > 100_000, $"{path} is missing or empty.");
        }
    }

    [Fact]
    public void The_cmdlets_reference_nothing_but_PowerShell_the_framework_and_the_engine()
    {
        // The cmdlets live in the default load context and the engine's dependencies in the module's own: a
        // cmdlet that used a dependency's type (a JsonElement, a TimeProvider) would bind to the default
        // context's copy, a different type from the engine's, or fail where that copy is older.
        var cmdlets = AssemblyName.GetAssemblyName(Path.Combine(Repository.ModuleFolder, "Scheduler.PowerShell.dll"));
        var loader = AssemblyName.GetAssemblyName(Path.Combine(Repository.ModuleFolder, "Scheduler.PowerShell.Loader.dll"));

        Assert.Equal(
            ["Scheduler.Core", "System.Management.Automation", "netstandard"],
            ReferencedNames(Path.Combine(Repository.ModuleFolder, "Scheduler.PowerShell.dll")));
        Assert.Equal(
            ["System.Management.Automation", "System.Runtime.Loader", "netstandard"],
            ReferencedNames(Path.Combine(Repository.ModuleFolder, "Scheduler.PowerShell.Loader.dll")));
        Assert.NotEqual(cmdlets.Name, loader.Name);
    }

    [Fact]
    public void Nothing_but_the_cmdlets_and_the_loader_sits_beside_the_manifest()
    {
        // Whatever lies beside the cmdlet assembly, PowerShell and .NET would load into the default context.
        Assert.Equal(
            ["Scheduler.PowerShell.Loader.dll", "Scheduler.PowerShell.dll"],
            Directory.GetFiles(Repository.ModuleFolder, "*.dll").Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.True(File.Exists(Path.Combine(Repository.DependencyFolder, "Scheduler.Core.dll")));
        Assert.True(File.Exists(Path.Combine(Repository.DependencyFolder, "System.Text.Json.dll")));
    }

    [Fact]
    public void The_engine_and_its_dependencies_load_in_the_module_context_not_the_default_one()
    {
        using var store = new TestStore(session);
        session.Run(
            "param($store) Register-ScheduledJobEx -Name load -Store $store -Cron '0 9 * * *' -TimeZone Europe/Berlin -ScriptBlock { 1 } -ArgumentList @{ a = 1 }",
            ("store", store.Path)).ShouldSucceed();

        var loaded = AppDomain.CurrentDomain.GetAssemblies()
            .Where(assembly => !assembly.IsDynamic && assembly.Location.StartsWith(Repository.DependencyFolder + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            .ToList();
        var names = loaded.Select(assembly => assembly.GetName().Name).ToHashSet(StringComparer.Ordinal);

        // Cron and a zone (TimeZoneConverter's tables may not be needed on Linux), a SQLite file, JSON arguments.
        Assert.Superset(new HashSet<string?>(["Scheduler.Core", "Microsoft.Data.Sqlite", "SQLitePCLRaw.core", "System.Text.Json"]), names);
        Assert.All(loaded, assembly =>
        {
            var context = System.Runtime.Loader.AssemblyLoadContext.GetLoadContext(assembly)!;
            Assert.NotSame(System.Runtime.Loader.AssemblyLoadContext.Default, context);
            Assert.Equal("Scheduler.PowerShell.Loader.DependencyLoadContext", context.GetType().FullName);
        });
        Assert.Single(loaded.Select(System.Runtime.Loader.AssemblyLoadContext.GetLoadContext).Distinct());
    }

    private static string[] ReferencedNames(string path)
    {
        using var stream = File.OpenRead(path);
        using var reader = new System.Reflection.PortableExecutable.PEReader(stream);
        var metadata = System.Reflection.Metadata.PEReaderExtensions.GetMetadataReader(reader);
        return metadata.AssemblyReferences
            .Select(handle => metadata.GetString(metadata.GetAssemblyReference(handle).Name))
            .Order(StringComparer.Ordinal)
            .ToArray();
    }
}
