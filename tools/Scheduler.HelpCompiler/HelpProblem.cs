namespace Scheduler.HelpCompiler;

/// <summary>Something a help page lacks or gets wrong, located by file, line and section.</summary>
internal sealed record HelpProblem(string File, int Line, string Section, string Message)
{
    /// <summary>
    /// MSBuild's canonical error format, so the Exec task of the build reports it as an error of the page
    /// (and an editor can jump to the line).
    /// </summary>
    public override string ToString() => $"{File}({Line}): error SCHHELP1: {Section}: {Message}";
}
