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

        Assert.Equal(Path.Combine(Repository.ModuleFolder, "Scheduler.Core.dll"), Assert.Single(result.Objects));
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
    public void Sqlite_opens_inside_the_hosted_engine_with_the_staged_native_library()
    {
        // The store will load Microsoft.Data.Sqlite as a dependency of the engine; loading it by path from the
        // module folder is what that resolution does.
        var result = session.Run(
            """
            param($moduleBase)
            $null = [System.Reflection.Assembly]::LoadFrom([System.IO.Path]::Combine($moduleBase, 'Microsoft.Data.Sqlite.dll'))
            $connection = [Microsoft.Data.Sqlite.SqliteConnection]::new('Data Source=:memory:')
            try {
                $connection.Open()
                $command = $connection.CreateCommand()
                $command.CommandText = 'select sqlite_version()'
                $command.ExecuteScalar()
            } finally {
                $connection.Dispose()
            }
            """,
            ("moduleBase", session.Module.ModuleBase)).ShouldSucceed();

        Assert.Matches(@"^3\.\d+\.\d+$", (string)Assert.Single(result.Objects));
        if (OperatingSystem.IsLinux())
        {
            // PowerShell 7 probes <assembly folder>/<os>-<arch>/<DllImport name>.so; this proves the staged copy is the one in use.
            var expected = Path.Combine(Repository.ModuleFolder, "linux-" + RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant(), "e_sqlite3.so");
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
            var path = Path.Combine(Repository.ModuleFolder, runtimeIdentifier, name);
            Assert.True(File.Exists(path) && new FileInfo(path).Length > 100_000, $"{path} is missing or empty.");
        }
    }

    [Fact]
    public void No_staged_assembly_is_newer_than_the_runtime_copy_PowerShell_7_uses_instead()
    {
        // Windows PowerShell 5.1 needs System.Text.Json & co from the module folder; PowerShell 7 has them in
        // the runtime. The module's copies stay unused there only while the runtime's are at least as new.
        var platform = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(path => path.Length > 0)
            .GroupBy(path => Path.GetFileNameWithoutExtension(path), StringComparer.OrdinalIgnoreCase)
            .ToDictionary(group => group.Key, group => group.Max(path => AssemblyName.GetAssemblyName(path).Version!), StringComparer.OrdinalIgnoreCase);

        var staged = Directory.GetFiles(Repository.ModuleFolder, "*.dll").Select(path => AssemblyName.GetAssemblyName(path)).ToList();

        Assert.DoesNotContain(staged, name => name.Name == "System.Management.Automation");
        Assert.Contains(staged, name => name.Name == "System.Text.Json");
        Assert.All(
            staged.Where(name => platform.ContainsKey(name.Name!)),
            name => Assert.True(platform[name.Name!] >= name.Version, $"{name.Name} {name.Version} is newer than the runtime's {platform[name.Name!]}."));
    }
}
