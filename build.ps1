#requires -Version 5.1
<#
.SYNOPSIS
    Builds, tests and benchmarks Scheduler.
.EXAMPLE
    ./build.ps1 -Task Test
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Pester', 'Bench', 'Clean')]
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

foreach ($step in $Task) {
    switch ($step) {
        'Clean' { Invoke-Native dotnet @('clean', 'Scheduler.sln', '-c', $Configuration) }
        'Build' { Invoke-Native dotnet @('build', 'Scheduler.sln', '-c', $Configuration) }
        'Test' {
            Invoke-Native dotnet @('test', 'Scheduler.sln', '-c', $Configuration)
            Invoke-Pester5
        }
        'Pester' { Invoke-Pester5 }
        'Bench' { Invoke-Native dotnet @('run', '-c', 'Release', '--project', 'bench/Scheduler.Benchmarks', '--', '--quick') }
    }
}
