#requires -Version 5.1
<#
.SYNOPSIS
    Builds, tests and benchmarks Scheduler.
.DESCRIPTION
    Build compiles the solution; building src/Scheduler.PowerShell also stages the loadable module in
    out/Scheduler (an MSBuild step, so plain 'dotnet build' does it too). Docs turns docs/cmdlets into
    MAML help in out/Scheduler/en-US when platyPS is installed.
.EXAMPLE
    ./build.ps1 -Task Test
.EXAMPLE
    ./build.ps1 -Task Build, Docs
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Pester', 'Docs', 'Bench', 'Clean')]
    [string[]] $Task = @('Build'),

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Debug'
)

$ErrorActionPreference = 'Stop'
Set-Location -LiteralPath $PSScriptRoot

function Invoke-Native {
    param([string] $FilePath, [string[]] $Arguments)
    & $FilePath @Arguments
    if ($LASTEXITCODE -ne 0) { throw "$FilePath $($Arguments -join ' ') exited with $LASTEXITCODE" }
}

function Invoke-Pester5 {
    $pesterRoot = Join-Path $PSScriptRoot 'tests/pester'
    if (-not (Test-Path -LiteralPath $pesterRoot)) {
        Write-Host 'pester: no tests/pester folder'
        return
    }
    if (-not (Get-Module -ListAvailable -Name Pester | Where-Object { $_.Version.Major -ge 5 })) {
        Write-Host 'pester: not run (Pester 5 not installed: Install-Module Pester -MinimumVersion 5.0)'
        return
    }
    Import-Module Pester -MinimumVersion 5.0
    $config = New-PesterConfiguration
    $config.Run.Path = $pesterRoot
    $config.Run.Exit = $false
    $config.Run.PassThru = $true
    $result = Invoke-Pester -Configuration $config
    Write-Host "pester: $($result.PassedCount) passed, $($result.FailedCount) failed"
    if ($result.FailedCount -gt 0) { throw 'Pester tests failed' }
}

function Invoke-Docs {
    $moduleFolder = Join-Path $PSScriptRoot 'out/Scheduler'
    if (-not (Test-Path -LiteralPath (Join-Path $moduleFolder 'Scheduler.psd1'))) {
        throw 'docs: the module is not staged yet; run the Build task first'
    }

    if (-not (Get-Module -ListAvailable -Name platyPS)) {
        Write-Host 'docs: skipped (platyPS not installed: Install-Module platyPS)'
        return
    }

    Import-Module platyPS
    # The module page (Scheduler.md) is not cmdlet help; New-ExternalHelp takes the cmdlet pages only.
    $pages = Get-ChildItem -LiteralPath (Join-Path $PSScriptRoot 'docs/cmdlets') -Filter '*.md' |
        Where-Object { $_.Name -ne 'Scheduler.md' } |
        ForEach-Object { $_.FullName }
    $helpFolder = Join-Path $moduleFolder 'en-US'
    $null = New-ExternalHelp -Path $pages -OutputPath $helpFolder -Force
    Write-Host "docs: MAML help in $helpFolder"
}

foreach ($step in $Task) {
    switch ($step) {
        'Clean' { Invoke-Native dotnet @('clean', 'Scheduler.sln', '-c', $Configuration) }
        'Build' {
            Invoke-Native dotnet @('build', 'Scheduler.sln', '-c', $Configuration)
            Write-Host "build: module staged in $(Join-Path $PSScriptRoot 'out/Scheduler') (Import-Module ./out/Scheduler/Scheduler.psd1)"
        }
        'Test' {
            Invoke-Native dotnet @('test', 'Scheduler.sln', '-c', $Configuration)
            Invoke-Pester5
        }
        'Pester' { Invoke-Pester5 }
        'Docs' { Invoke-Docs }
        'Bench' { Invoke-Native dotnet @('run', '-c', 'Release', '--project', 'bench/Scheduler.Benchmarks', '--', '--quick') }
    }
}
