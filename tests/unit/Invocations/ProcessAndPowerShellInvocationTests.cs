using Scheduler.Invocations;

namespace Scheduler.Tests.Invocations;

public sealed class ProcessAndPowerShellInvocationTests
{
    [Fact]
    public void A_command_keeps_its_arguments_as_a_list()
    {
        var command = new CommandInvocation("/bin/echo", ["a b", "c"], "/tmp", [new KeyValuePair<string, string>("GREETING", "hi")]);

        Assert.Equal(InvocationKind.Command, command.Kind);
        Assert.Equal(["a b", "c"], command.Arguments);
        Assert.Equal("/tmp", command.WorkingDirectory);
        Assert.Equal("hi", command.Environment["GREETING"]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void An_empty_executable_is_rejected(string executable)
    {
        var error = Assert.Throws<ArgumentException>(() => new CommandInvocation(executable));

        Assert.Contains("executable must not be empty", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("A=B")]
    public void An_invalid_environment_variable_name_is_rejected(string name)
    {
        var error = Assert.Throws<ArgumentException>(() => new CommandInvocation("tool", environment: [new KeyValuePair<string, string>(name, "x")]));

        Assert.Contains($"'{name}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_powershell_invocation_says_what_it_runs()
    {
        Assert.Equal(PowerShellSource.Script, PowerShellInvocation.FromScript("'hello'").Source);
        Assert.Equal(PowerShellSource.File, PowerShellInvocation.FromFile("/scripts/backup.ps1").Source);
        Assert.Equal(PowerShellSource.Command, PowerShellInvocation.FromCommand("Microsoft.PowerShell.Management\\Get-Process").Source);
        Assert.Equal(InvocationKind.PowerShell, PowerShellInvocation.FromScript("1").Kind);
    }

    [Fact]
    public void An_empty_script_file_path_is_rejected_by_name()
    {
        var error = Assert.Throws<ArgumentException>(() => PowerShellInvocation.FromFile(" "));

        Assert.Contains("script file path must not be empty", error.Message, StringComparison.Ordinal);
    }
}
