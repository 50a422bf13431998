namespace Scheduler.HelpCompiler;

/// <summary>
/// The cmdlet pages of a docs folder compiled into one MAML file. A page belongs to the file its
/// <c>external help file</c> front matter names; the module page (platyPS's <c>Module Guid</c> page) is
/// no cmdlet help and is skipped.
/// </summary>
internal static class HelpCompilation
{
    /// <summary>The help of every page for <paramref name="helpFileName"/>, in file name order, and what is wrong with the pages.</summary>
    public static (IReadOnlyList<CommandHelp> Commands, IReadOnlyList<HelpProblem> Problems) Compile(string docsFolder, string helpFileName)
    {
        var problems = new List<HelpProblem>();
        var commands = new List<CommandHelp>();
        var files = Directory.GetFiles(docsFolder, "*.md").Order(StringComparer.Ordinal).ToList();
        foreach (var file in files)
        {
            var page = MarkdownPage.Parse(File.ReadAllText(file));
            if (page.FrontMatter.GetValueOrDefault("external help file") is not { } helpFile)
            {
                if (!page.FrontMatter.ContainsKey("Module Guid"))
                {
                    problems.Add(new HelpProblem(file, 1, "front matter", "The page names neither its 'external help file' (a cmdlet page) nor a 'Module Guid' (the module page)."));
                }

                continue;
            }

            if (!string.Equals(helpFile, helpFileName, StringComparison.OrdinalIgnoreCase))
            {
                problems.Add(new HelpProblem(file, 1, "front matter", $"'external help file: {helpFile}' is not the module's help file '{helpFileName}'."));
                continue;
            }

            if (CommandHelpReader.Read(file, page, problems) is { } command)
            {
                commands.Add(command);
            }
        }

        if (commands.Count == 0 && problems.Count == 0)
        {
            problems.Add(new HelpProblem(docsFolder, 0, "pages", $"No cmdlet page (front matter 'external help file: {helpFileName}') in the folder."));
        }

        return (commands, problems);
    }
}
