using Scheduler.HelpCompiler;

// Scheduler.HelpCompiler <docs folder> <output .dll-Help.xml>: the build's help step (Help.targets).
if (args.Length != 2)
{
    Console.Error.WriteLine("usage: Scheduler.HelpCompiler <folder of platyPS cmdlet pages> <output file, e.g. en-US/Module.dll-Help.xml>");
    return 2;
}

var (docs, output) = (Path.GetFullPath(args[0]), Path.GetFullPath(args[1]));
if (!Directory.Exists(docs))
{
    Console.Error.WriteLine($"error SCHHELP2: the docs folder '{docs}' does not exist.");
    return 2;
}

var (commands, problems) = HelpCompilation.Compile(docs, Path.GetFileName(output));
if (problems.Count > 0)
{
    // Nothing is written: a help file missing a page's problems would look complete to Get-Help.
    foreach (var problem in problems)
    {
        Console.Error.WriteLine(problem);
    }

    return 1;
}

Directory.CreateDirectory(Path.GetDirectoryName(output)!);
MamlWriter.Save(MamlWriter.Document(commands), output);
Console.WriteLine($"Cmdlet help ({commands.Count} cmdlets) -> {output}");
return 0;
