namespace Scheduler.Tests.Tools.HelpCompiler;

/// <summary>A complete platyPS cmdlet page with two parameter sets, in the layout of docs/cmdlets.</summary>
internal static class SamplePage
{
    public const string FileName = "Test-Thing.md";

    public const string Text = """
        ---
        external help file: Sample.dll-Help.xml
        Module Name: Sample
        online version: https://example.test/Test-Thing
        schema: 2.0.0
        ---

        # Test-Thing

        ## SYNOPSIS
        Tests a thing.

        ## SYNTAX

        ### Name (Default)
        ```
        Test-Thing [-Name] <String[]> [-Mode <Mode>] [-Force] [<CommonParameters>]
        ```

        ### InputObject
        ```
        Test-Thing -InputObject <Thing[]> [-Mode <Mode>] [-Force] [<CommonParameters>]
        ```

        ## DESCRIPTION
        The `Test-Thing` cmdlet tests things, by name or
        as objects from the pipeline.

        Things that fail are written as errors:
        - a missing thing
        - a **broken** thing, see [Get-Thing](Get-Thing.md)

        ```powershell
        Get-Thing |
            Test-Thing
        ```

        ## EXAMPLES

        ### Example 1: Test by name
        ```powershell
        Test-Thing -Name a, b
        ```

        ```Output
        Name Result
        ---- ------
        a    ok
        ```

        Both things are tested.

        ### Example 2: From the pipeline
        ```powershell
        Get-Thing | Test-Thing -Force
        ```

        ## PARAMETERS

        ### -Name
        The names of the things.

        ```yaml
        Type: String[]
        Parameter Sets: Name
        Aliases: N, ThingName

        Required: True
        Position: 0
        Default value: None
        Accept pipeline input: True (ByValue, ByPropertyName)
        Accept wildcard characters: True
        ```

        ### -InputObject
        Things from Get-Thing.

        ```yaml
        Type: Thing[]
        Parameter Sets: InputObject
        Aliases:

        Required: True
        Position: Named
        Default value: None
        Accept pipeline input: True (ByValue)
        Accept wildcard characters: False
        ```

        ### -Mode
        How to test.

        ```yaml
        Type: Mode
        Parameter Sets: (All)
        Aliases:
        Accepted values: Quick, Full

        Required: False
        Position: Named
        Default value: Quick
        Accept pipeline input: False
        Accept wildcard characters: False
        ```

        ### -Force
        Tests broken things too.

        ```yaml
        Type: SwitchParameter
        Parameter Sets: (All)
        Aliases:

        Required: False
        Position: Named
        Default value: None
        Accept pipeline input: False
        Accept wildcard characters: False
        ```

        ### CommonParameters
        This cmdlet supports the common parameters: -Debug, -ErrorAction, -ErrorVariable, -InformationAction,
        -InformationVariable, -OutBuffer, -OutVariable, -PipelineVariable, -ProgressAction, -Verbose,
        -WarningAction, and -WarningVariable. For more information, see
        [about_CommonParameters](http://go.microsoft.com/fwlink/?LinkID=113216).

        ## INPUTS

        ### System.String
        Names.

        ### Sample.Thing
        Things.

        ## OUTPUTS

        ### Sample.Result
        One result per thing.

        ## NOTES
        Error ids: `ThingNotFound`.

        ## RELATED LINKS

        [Get-Thing](Get-Thing.md)

        [Things online](https://example.test/things)
        """;

    /// <summary>The sample with <paramref name="oldText"/> (which must occur) replaced.</summary>
    public static string With(string oldText, string newText)
    {
        Assert.Contains(oldText, Text, StringComparison.Ordinal);
        return Text.Replace(oldText, newText, StringComparison.Ordinal);
    }
}
