#requires -Version 5.1
<#
.SYNOPSIS
    Runs every Pester test under tests/pester in this PowerShell and writes the counts for build.ps1.
.DESCRIPTION
    build.ps1 starts this script in the pinned pwsh, so the suite always runs in a fresh process: no
    module or assembly of the caller's session is loaded. Blocks and containers that fail before their
    tests run (a BeforeAll that throws, a file that does not parse) count as failed tests, so a broken
    file can never make the suite look smaller and green.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $PesterManifest,
    [Parameter(Mandatory)] [string] $ResultFile,
    [Parameter(Mandatory)] [string] $CountFile
)

$ErrorActionPreference = 'Stop'
Import-Module -Name $PesterManifest -Force

$configuration = New-PesterConfiguration
$configuration.Run.Path = Split-Path -Parent $PSScriptRoot
$configuration.Run.PassThru = $true
$configuration.Run.Exit = $false
$configuration.Output.Verbosity = 'Normal'
if ([Console]::IsOutputRedirected) { $configuration.Output.RenderMode = 'Plaintext' }
$configuration.TestResult.Enabled = $true
$configuration.TestResult.OutputFormat = 'NUnitXml'
$configuration.TestResult.OutputPath = $ResultFile

$result = Invoke-Pester -Configuration $configuration

$failed = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
$skipped = $result.SkippedCount + $result.NotRunCount
Set-Content -LiteralPath $CountFile -Value "$($result.PassedCount) $failed $skipped" -Encoding Ascii
Write-Host "pester: $($result.PassedCount) passed, $failed failed, $skipped skipped (PowerShell $($PSVersionTable.PSVersion), Pester $((Get-Module Pester).Version))"
if ($failed -gt 0) { exit 1 }
exit 0
