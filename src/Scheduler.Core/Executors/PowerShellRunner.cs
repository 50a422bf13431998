using System.Globalization;
using System.Text;
using System.Text.Json;
using Scheduler.Invocations;
using Scheduler.Jobs;

namespace Scheduler.Executors;

/// <summary>
/// How a <see cref="PowerShellInvocation"/> runs in a child <c>pwsh</c>. The command line holds only a
/// fixed bootstrap (<c>-EncodedCommand</c>), which reads the generated runner script from standard
/// input as base64: no script text, argument or parameter ever passes through command-line quoting,
/// and no length limit of the command line applies.
/// </summary>
/// <remarks>
/// <para>The runner puts the job's arguments in as PowerShell literals (strings single-quoted, so nothing
/// in them is expanded or run), runs the initialization script in its scope, and calls the script
/// block, the script file or the command with the positional arguments splatted as a list and the
/// named ones as parameters. A script file is called with <c>&amp;</c> inside the runner rather than by
/// <c>pwsh -File</c> so that its arguments keep their types (numbers, switches, arrays) and the
/// initialization script runs in the same session.</para>
/// <para>Exit code: the code the script exits with, or the last native command it ran exited with,
/// when not 0; else 1 when it ended with a terminating error or wrote an error record (as a run in a
/// runspace fails; lines native commands write to stderr do not count); else 0. Its output is plain
/// text: output, warnings, information and host output on stdout as the console shows them
/// (<c>WARNING: ...</c>), each error's message on stderr with the line of the job's script it came from
/// (<c>... (line 3)</c>, as a runspace run gives it; not for what native commands wrote to stderr),
/// without colour escape sequences.</para>
/// </remarks>
internal static class PowerShellRunner
{
    /// <summary>The arguments after <c>pwsh</c>.</summary>
    public static IReadOnlyList<string> Arguments { get; } =
    [
        "-NoProfile",
        "-NonInteractive",

        // Without it, a pwsh started with -EncodedCommand writes its error, warning and other streams
        // to stderr as CLIXML ("#< CLIXML <Objs ...>"), which is what the run's Error would hold.
        "-OutputFormat",
        "Text",
        "-EncodedCommand",
        Convert.ToBase64String(Encoding.Unicode.GetBytes(Bootstrap)),
    ];

    /// <summary>
    /// Reads the runner from standard input (dropping anything that is not base64, such as a byte
    /// order mark or a line end a console added) and runs it.
    /// </summary>
    private const string Bootstrap =
        "$__schedRunner = [Console]::In.ReadToEnd() -replace '[^A-Za-z0-9+/=]', ''; "
        + "& ([scriptblock]::Create([Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($__schedRunner))))";

    /// <summary>The runner script, as written to the child's standard input (base64 of UTF-8).</summary>
    public static string StandardInput(PowerShellInvocation invocation, JobArguments arguments)
        => Convert.ToBase64String(Encoding.UTF8.GetBytes(Script(invocation, arguments)));

    /// <summary>The runner script for a job.</summary>
    public static string Script(PowerShellInvocation invocation, JobArguments arguments)
    {
        var script = new StringBuilder();
        script.Append("[Console]::OutputEncoding = [System.Text.UTF8Encoding]::new($false)\n");
        script.Append("$ProgressPreference = 'SilentlyContinue'\n");
        // PowerShell 7.2 and later colour errors and warnings with escape sequences even into a pipe.
        script.Append("if ($PSStyle) { $PSStyle.OutputRendering = 'PlainText' }\n");

        // An error's message, with the line of the job's script it came from, as a runspace run gives it.
        // Not for what a native command wrote to stderr (its own text, as it wrote it), nor for a record
        // that carries a line of this runner (every one of them names a __sched variable or filter):
        // Write-Error's records are given the line that called the job.
        script.Append("function __schedMessage($r) {\n");
        script.Append("$m = if ($r.ErrorDetails.Message) { $r.ErrorDetails.Message } elseif ($r.Exception) { $r.Exception.Message } else { \"$r\" }\n");
        script.Append("$i = $r.InvocationInfo\n");
        script.Append("if ($r.FullyQualifiedErrorId -notlike 'NativeCommandError*' -and $i -and $i.ScriptLineNumber -gt 0 -and $i.Line -notmatch '__sched') { \"$m (line $($i.ScriptLineNumber))\" } else { $m }\n");
        script.Append("}\n");
        script.Append("try {\n");

        // The run as a runspace's $JobContext shows it, from what the process executor puts in the
        // environment (the job and the scheduler themselves stay in the scheduler's process).
        script.Append("if ($env:SCHEDULER_RUN_ID) { $JobContext = [pscustomobject]@{ JobId = $env:SCHEDULER_JOB_ID; RunId = $env:SCHEDULER_RUN_ID; ")
            .Append("ScheduledTime = [DateTimeOffset]::Parse($env:SCHEDULER_SCHEDULED_TIME, [Globalization.CultureInfo]::InvariantCulture); Attempt = [int]$env:SCHEDULER_ATTEMPT } }\n");

        // Errors are taken out of the output to be counted: any error record fails the run, as in a
        // runspace, except the lines native commands write to stderr (progress, warnings), whose exit
        // code says whether they failed. Out-Default at the end of each pipeline writes the output
        // before an exit can drop what the formatter still holds (a table waiting for more rows).
        script.Append("$__schedState = @{ Failed = $false }\n");
        script.Append("filter __schedSplit {\n");
        script.Append("if ($_ -is [System.Management.Automation.ErrorRecord]) {\n");
        script.Append("if ($_.FullyQualifiedErrorId -ne 'NativeCommandError' -and $_.FullyQualifiedErrorId -ne 'NativeCommandErrorMessage') { $__schedState.Failed = $true }\n");
        script.Append("[Console]::Error.WriteLine((__schedMessage $_))\n");
        script.Append("} else { $_ }\n");
        script.Append("}\n");
        if (invocation.InitializationScript is { } initialization)
        {
            // Dot-sourced, so what it defines is there for the job; as in a runspace, its errors stop the run.
            script.Append(". ([scriptblock]::Create(").Append(Quote(initialization)).Append(")) 2>&1 | __schedSplit | Out-Default\n");
            script.Append("if ($__schedState.Failed) { [Console]::Error.WriteLine('The initialization script wrote errors; the job did not run.'); exit 1 }\n");
        }

        script.Append("$__schedArguments = ").Append(ListLiteral(arguments.Positional)).Append('\n');
        script.Append("$__schedParameters = ").Append(TableLiteral(arguments.Named)).Append('\n');
        string target;
        switch (invocation.Source)
        {
            case PowerShellSource.File:
                target = Quote(invocation.Text);
                break;
            case PowerShellSource.Command:
                target = Quote(invocation.Text);
                break;
            default:
                script.Append("$__schedText = ").Append(Quote(invocation.Text)).Append('\n');
                if (invocation.UsingValues.Count > 0)
                {
                    AppendUsingRewrite(script, invocation.UsingValues);
                }

                script.Append("$__schedBlock = [scriptblock]::Create($__schedText)\n");
                target = "$__schedBlock";
                break;
        }

        script.Append("$global:LASTEXITCODE = 0\n");
        script.Append("& ").Append(target).Append(" @__schedArguments @__schedParameters 2>&1 | __schedSplit | Out-Default\n");
        script.Append("$__schedOk = $?\n");

        // A script file's "exit 4" leaves its code in LASTEXITCODE, as does a native command.
        script.Append("if ($global:LASTEXITCODE) { exit $global:LASTEXITCODE }\n");
        script.Append("if ($__schedState.Failed -or -not $__schedOk) { exit 1 }\n");
        script.Append("exit 0\n");
        script.Append("} catch {\n");
        script.Append("[Console]::Error.WriteLine((__schedMessage $_))\n");
        script.Append("exit 1\n");
        script.Append("}\n");
        return script.ToString();
    }

    /// <summary>
    /// A PowerShell single-quoted string: nothing in it is expanded. PowerShell takes the typographic
    /// single quotes as quotes too, so each of them is doubled like the ASCII one.
    /// </summary>
    public static string Quote(string text)
    {
        var quoted = new StringBuilder(text.Length + 2);
        quoted.Append('\'');
        foreach (var c in text)
        {
            if (c is '\'' or '\u2018' or '\u2019' or '\u201A' or '\u201B')
            {
                quoted.Append(c);
            }

            quoted.Append(c);
        }

        quoted.Append('\'');
        return quoted.ToString();
    }

    /// <summary>A JSON value as a PowerShell expression of the same value.</summary>
    public static string Literal(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => Quote(value.GetString()!),
        JsonValueKind.Number => NumberLiteral(value),
        JsonValueKind.True => "$true",
        JsonValueKind.False => "$false",
        JsonValueKind.Array => ListLiteral(value.EnumerateArray().ToList()),
        JsonValueKind.Object => TableLiteral(value.EnumerateObject().Select(p => new KeyValuePair<string, JsonElement>(p.Name, p.Value))),
        _ => "$null",
    };

    private static string NumberLiteral(JsonElement value)
    {
        // Integers stay integers ([int] or [long]); anything else is a [double].
        if (value.TryGetInt64(out var whole))
        {
            return whole.ToString(CultureInfo.InvariantCulture);
        }

        return "([double]" + Quote(value.GetDouble().ToString("R", CultureInfo.InvariantCulture)) + ")";
    }

    /// <summary>An array (one element needs the unary comma, or PowerShell would unroll a nested array).</summary>
    private static string ListLiteral(IReadOnlyList<JsonElement> values) => values.Count switch
    {
        0 => "@()",
        1 => "@(," + Literal(values[0]) + ")",
        _ => "@(" + string.Join(", ", values.Select(Literal)) + ")",
    };

    private static string TableLiteral(IEnumerable<KeyValuePair<string, JsonElement>> pairs)
    {
        var entries = pairs.Select(p => Quote(p.Key) + " = " + Literal(p.Value)).ToList();
        return entries.Count == 0 ? "@{}" : "@{ " + string.Join("; ", entries) + " }";
    }

    /// <summary>
    /// <c>$using:name</c> only works where PowerShell itself ships the value to another runspace; here
    /// each one (found by the parser, so a "$using:x" inside a single-quoted string stays as it is) is
    /// replaced by a lookup of the value captured at registration. Only the variable is replaced: the
    /// parser counts a member access such as <c>$using:x.Length</c> as part of the using expression.
    /// </summary>
    private static void AppendUsingRewrite(StringBuilder script, IReadOnlyDictionary<string, JsonElement> values)
    {
        script.Append("$__schedUsing = ").Append(TableLiteral(values)).Append('\n');
        script.Append(
            "$__schedAst = [System.Management.Automation.Language.Parser]::ParseInput($__schedText, [ref]$null, [ref]$null)\n"
            + "$__schedFound = @($__schedAst.FindAll({ param($a) $a -is [System.Management.Automation.Language.UsingExpressionAst] }, $true))\n"
            + "for ($__i = $__schedFound.Count - 1; $__i -ge 0; $__i--) {\n"
            + "$__u = [System.Management.Automation.Language.UsingExpressionAst]::ExtractUsingVariable($__schedFound[$__i])\n"
            + "$__name = $__u.VariablePath.UserPath -replace '^using:', ''\n"
            + "$__schedText = $__schedText.Substring(0, $__u.Extent.StartOffset) + '$($__schedUsing[''' + $__name.Replace(\"'\", \"''\") + '''])' + $__schedText.Substring($__u.Extent.EndOffset)\n"
            + "}\n");
    }
}
