#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
<#
    Pester 5 tests of the module's help in a real pwsh or Windows PowerShell 5.1, against the staged
    module out/Scheduler: what Get-Help shows for each cmdlet the module exports (the MAML the build
    compiles from docs/cmdlets) and the about_Scheduler topic. The cmdlets come from Get-Command, so a
    cmdlet added later is held to the same rules without a change here: a synopsis that is not the
    syntax line (what Get-Help falls back to without help), a description, examples with code, and every
    parameter documented with a description, its type, whether it is required, its position, pipeline
    input and aliases, in the syntax of each of its parameter sets. Written for Windows PowerShell 5.1
    as well: no ternaries, no ??.
#>

BeforeDiscovery {
    # The test cases are the module's own cmdlets and parameters, so the module is loaded for discovery.
    $modulePath = Join-Path $PSScriptRoot '../../out/Scheduler/Scheduler.psd1'
    if (-not (Test-Path -LiteralPath $modulePath)) {
        throw "The staged module is missing at $modulePath; run 'dotnet build src/Scheduler.PowerShell' first."
    }

    Import-Module $modulePath -Force -ErrorAction Stop

    # The values a parameter accepts (enum names or ValidateSet), of the element for an array; none when any value goes.
    function Get-AcceptedValue {
        param([System.Management.Automation.ParameterMetadata] $Parameter)
        $set = $Parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.ValidateSetAttribute] } | Select-Object -First 1
        if ($null -ne $set) { return @($set.ValidValues) }
        $type = $Parameter.ParameterType
        if ($type.IsArray) { $type = $type.GetElementType() }
        $underlying = [Nullable]::GetUnderlyingType($type)
        if ($null -ne $underlying) { $type = $underlying }
        if ($type.IsEnum) { return @([enum]::GetNames($type)) }
        @()
    }

    $common = [System.Management.Automation.PSCmdlet]::CommonParameters
    $cmdlets = @(Get-Command -Module Scheduler -CommandType Cmdlet | Sort-Object Name | ForEach-Object {
        $command = $_
        @{
            Name       = $command.Name
            Parameters = @($command.Parameters.Values | Where-Object { $common -notcontains $_.Name } | Sort-Object Name | ForEach-Object {
                @{ Parameter = $_.Name; AcceptedValues = @(Get-AcceptedValue $_) }
            })
        }
    })
}

BeforeAll {
    $modulePath = Join-Path $PSScriptRoot '../../out/Scheduler/Scheduler.psd1'
    Import-Module $modulePath -Force -ErrorAction Stop

    # Everything Get-Help shows as text: a para list, a single para or a plain string.
    function Get-HelpText {
        param($Value)
        @($Value | ForEach-Object {
            if ($null -eq $_) { return }
            if ($_ -is [string]) { $_ } elseif ($null -ne $_.PSObject.Properties['Text']) { $_.Text } else { "$_" }
        }) -join "`n"
    }

    # The names a help page may give a parameter's type: short or full, of T for a Nullable<T>.
    function Get-TypeName {
        param([type] $Type)
        $underlying = [Nullable]::GetUnderlyingType($Type)
        if ($null -ne $underlying) { $Type = $underlying }
        @($Type.Name, $Type.FullName)
    }

    function Get-HelpPosition {
        param([int] $Position)
        if ($Position -eq [int]::MinValue) { 'named' } else { "$Position" }
    }

    function Get-HelpPipelineInput {
        param([bool] $ByValue, [bool] $ByPropertyName)
        if ($ByValue -and $ByPropertyName) { 'True (ByValue, ByPropertyName)' }
        elseif ($ByValue) { 'True (ByValue)' }
        elseif ($ByPropertyName) { 'True (ByPropertyName)' }
        else { 'False' }
    }
}

AfterAll {
    Remove-Module Scheduler -ErrorAction SilentlyContinue
}

Describe 'The help of the module' {
    It 'is compiled for exactly the exported cmdlets, in the culture folder Get-Help reads' {
        $module = Get-Module Scheduler
        $helpFile = Join-Path $module.ModuleBase 'en-US/Scheduler.PowerShell.dll-Help.xml'
        Test-Path -LiteralPath $helpFile | Should -BeTrue

        $exported = @(Get-Command -Module Scheduler -CommandType Cmdlet | ForEach-Object { $_.Name } | Sort-Object)
        $exported.Count | Should -BeGreaterThan 0
        $compiled = @(([xml](Get-Content -LiteralPath $helpFile -Raw)).helpItems.command | ForEach-Object { $_.details.name } | Sort-Object)
        $compiled | Should -Be $exported
    }

    It 'shows the about_Scheduler topic, which names every cmdlet' {
        $topic = Get-Help about_Scheduler | Out-String
        $topic | Should -Match '(?m)^TOPIC\s+about_Scheduler'
        $topic | Should -Match 'SHORT DESCRIPTION'
        foreach ($name in Get-Command -Module Scheduler -CommandType Cmdlet | ForEach-Object { $_.Name }) {
            $topic | Should -Match ('\b' + [regex]::Escape($name) + '\b') -Because "about_Scheduler lists every cmdlet"
        }
    }

    It 'lists about_Scheduler among the help topics' {
        (Get-Help -Name about_Sched* -Category HelpFile | Select-Object -ExpandProperty Name) | Should -Contain 'about_Scheduler'
    }
}

Describe '<Name>' -ForEach $cmdlets {
    BeforeAll {
        $command = Get-Command -Name $Name -Module Scheduler
        $help = Get-Help -Name $Name -Full
        $common = [System.Management.Automation.PSCmdlet]::CommonParameters
    }

    It 'has a synopsis, not the syntax line Get-Help shows without help' {
        $synopsis = (Get-HelpText $help.Synopsis).Trim()
        $synopsis | Should -Not -BeNullOrEmpty
        $synopsis | Should -Not -Match ('^' + [regex]::Escape($Name) + '(\s|$)')
    }

    It 'has a description' {
        (Get-HelpText $help.description).Trim() | Should -Not -BeNullOrEmpty
    }

    It 'has examples, each with a title and code' {
        $examples = @($help.examples.example)
        $examples.Count | Should -BeGreaterThan 0
        foreach ($example in $examples) {
            "$($example.title)".Trim() | Should -Not -BeNullOrEmpty
            "$($example.code)".Trim() | Should -Not -BeNullOrEmpty -Because "the example '$($example.title)' shows code"
        }
    }

    It 'has the syntax of each parameter set: its parameters, required or not, at their positions' {
        $items = @($help.syntax.syntaxItem | ForEach-Object {
            $item = $_
            @{
                Names      = (@($item.parameter | ForEach-Object { $_.name }) | Sort-Object) -join ','
                Parameters = @($item.parameter)
            }
        })
        $items.Count | Should -Be $command.ParameterSets.Count -Because 'each parameter set has its syntax'

        foreach ($set in $command.ParameterSets) {
            $parameters = @($set.Parameters | Where-Object { $common -notcontains $_.Name } | Sort-Object Name)
            $expected = ($parameters | ForEach-Object { $_.Name }) -join ','
            $candidates = @($items | Where-Object { $_.Names -eq $expected })
            $candidates.Count | Should -BeGreaterThan 0 -Because "the syntax of the set '$($set.Name)' has -$($expected -replace ',', ', -')"

            $matching = @($candidates | Where-Object {
                $item = $_
                @($parameters | Where-Object {
                    $parameter = $_
                    $documented = $item.Parameters | Where-Object { $_.name -eq $parameter.Name } | Select-Object -First 1
                    ($documented.required -eq 'true') -ne $parameter.IsMandatory -or $documented.position -ne (Get-HelpPosition $parameter.Position)
                }).Count -eq 0
            })
            $matching.Count | Should -BeGreaterThan 0 -Because "in the set '$($set.Name)' $(($parameters | ForEach-Object { '-' + $_.Name + ' is ' + @('optional', 'required')[[int]$_.IsMandatory] + ' at ' + (Get-HelpPosition $_.Position) }) -join ', ')"
        }
    }

    It 'lists the values -<Parameter> accepts in the syntax' -ForEach @($Parameters | Where-Object { $_.AcceptedValues.Count -gt 0 }) {
        foreach ($item in @($help.syntax.syntaxItem)) {
            $documented = @($item.parameter) | Where-Object { $_.name -eq $Parameter } | Select-Object -First 1
            if ($null -eq $documented) { continue }
            @($documented.parameterValueGroup.parameterValue | ForEach-Object { "$_" }) | Should -Be $AcceptedValues
        }
    }

    It 'documents -<Parameter>: description, type, required, position, pipeline input, aliases' -ForEach $Parameters {
        $metadata = $command.Parameters[$Parameter]
        $documented = @($help.parameters.parameter) | Where-Object { $_.name -eq $Parameter }
        @($documented).Count | Should -Be 1 -Because "-$Parameter appears once among the parameters of the help"

        (Get-HelpText $documented.description).Trim() | Should -Not -BeNullOrEmpty -Because "-$Parameter has a description"
        Get-TypeName $metadata.ParameterType | Should -Contain $documented.type.name -Because "-$Parameter is a $($metadata.ParameterType)"

        $sets = @($metadata.ParameterSets.Values)
        $required = @($sets | Where-Object { $_.IsMandatory }).Count -gt 0
        $documented.required | Should -Be ("$required".ToLowerInvariant()) -Because "-$Parameter is required in $(@($sets | Where-Object { $_.IsMandatory }).Count) of its sets"

        $positions = @($sets | ForEach-Object { Get-HelpPosition $_.Position } | Sort-Object -Unique)
        if ($positions.Count -eq 1) {
            $documented.position | Should -Be $positions[0] -Because "-$Parameter is at that position in every set"
        }

        $byValue = @($sets | Where-Object { $_.ValueFromPipeline }).Count -gt 0
        $byPropertyName = @($sets | Where-Object { $_.ValueFromPipelineByPropertyName }).Count -gt 0
        $documented.pipelineInput | Should -Be (Get-HelpPipelineInput $byValue $byPropertyName) -Because "-$Parameter binds from the pipeline like that"

        $aliases = @($metadata.Aliases | Sort-Object)
        $documentedAliases = @("$($documented.aliases)" -split ',\s*' | Where-Object { $_ -and $_ -ne 'none' } | Sort-Object)
        $documentedAliases | Should -Be $aliases -Because "-$Parameter has these aliases"
    }
}
