using System.Text.Json;
using Scheduler.Executors;
using Scheduler.Invocations;
using Scheduler.Jobs;

namespace Scheduler.Tests.Executors;

/// <summary>
/// The runner script handed to pwsh. (Checked by hand against a hosted PowerShell 7.6 engine: the
/// literals bind as typed parameters, switches and nested arrays included, and $using: values resolve.)
/// </summary>
public sealed class PowerShellRunnerTests
{
    [Theory]
    [InlineData("\"plain\"", "'plain'")]
    [InlineData("\"it's $HOME `n\"", "'it''s $HOME `n'")]
    [InlineData("\"\u2018typographic\u2019 \u201Aquotes\u201B\"", "'\u2018\u2018typographic\u2019\u2019 \u201A\u201Aquotes\u201B\u201B'")]
    [InlineData("42", "42")]
    [InlineData("-7", "-7")]
    [InlineData("1.5", "([double]'1.5')")]
    [InlineData("true", "$true")]
    [InlineData("null", "$null")]
    [InlineData("[]", "@()")]
    [InlineData("[[1,2]]", "@(,@(1, 2))")]
    [InlineData("{\"k\":\"v\",\"n\":1}", "@{ 'k' = 'v'; 'n' = 1 }")]
    public void Json_values_become_powershell_literals_in_which_nothing_is_expanded(string json, string expected)
    {
        using var document = JsonDocument.Parse(json);

        Assert.Equal(expected, PowerShellRunner.Literal(document.RootElement));
    }

    [Fact]
    public void A_script_file_is_called_with_the_arguments_splatted_and_its_exit_code_passed_on()
    {
        var script = PowerShellRunner.Script(
            PowerShellInvocation.FromFile("/scripts/it's.ps1", initializationScript: "Import-Module Tools"),
            JobArguments.Create(["a"], [new KeyValuePair<string, object?>("Force", true)]));

        Assert.Contains(". ([scriptblock]::Create('Import-Module Tools')) 2>&1 | __schedSplit | Out-Default\n", script, StringComparison.Ordinal);
        Assert.Contains("& '/scripts/it''s.ps1' @__schedArguments @__schedParameters 2>&1 | __schedSplit | Out-Default\n", script, StringComparison.Ordinal);
        Assert.Contains("$__schedParameters = @{ 'Force' = $true }", script, StringComparison.Ordinal);
        Assert.Contains("if ($global:LASTEXITCODE) { exit $global:LASTEXITCODE }", script, StringComparison.Ordinal);
        Assert.Contains("$PSStyle.OutputRendering = 'PlainText'", script, StringComparison.Ordinal);

        // Checked in real pwsh by the Pester tests: without it, stderr is CLIXML.
        Assert.Equal(["-OutputFormat", "Text"], PowerShellRunner.Arguments.SkipWhile(a => a != "-OutputFormat").Take(2));
    }

    [Fact]
    public void A_command_is_called_by_its_quoted_name()
    {
        var script = PowerShellRunner.Script(PowerShellInvocation.FromCommand("Tools\\Invoke-Backup"), JobArguments.None);

        Assert.Contains("& 'Tools\\Invoke-Backup' @__schedArguments @__schedParameters 2>&1 | __schedSplit | Out-Default\n", script, StringComparison.Ordinal);
    }
}
