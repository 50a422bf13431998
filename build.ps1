#requires -Version 5.1
<#
.SYNOPSIS
    Builds, tests and benchmarks Scheduler.
.DESCRIPTION
    Build compiles the solution; building src/Scheduler.PowerShell also stages the loadable module, help
    included, in out/Scheduler (an MSBuild step, so plain 'dotnet build' does it too).

    Test runs the xunit tests, then every Pester test in real PowerShell on the staged module, and ends
    with one line: 'tests: N passed, N failed' (', N skipped' when some were). The Pester tests always
    run in the pinned PowerShell 7.6.10 under out/tools/pwsh, whatever shell runs this script, so the
    results do not depend on the caller's PowerShell or modules; Tools installs it and Pester 5.9.1
    (from NuGet, into out/tools/packages, with the other versions of the module's dependencies that the
    isolation tests load) when they are missing. A missing tool is an error, never a
    skipped suite.
.EXAMPLE
    ./build.ps1 -Task Test
.EXAMPLE
    ./build.ps1 -Task Build, Pester
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Pester', 'Tools', 'Bench', 'Clean')]
    [string[]] $Task = @('Build'),

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Debug'
)

$ErrorActionPreference = 'Stop'
Set-Location -LiteralPath $PSScriptRoot

$PwshVersion = '7.6.10'
$PesterVersion = '5.9.1'
# The whole Pester suite takes about a minute here.
$PesterTimeout = [TimeSpan]::FromMinutes(20)
$ToolsFolder = Join-Path $PSScriptRoot 'out/tools'
$PwshFolder = Join-Path $ToolsFolder 'pwsh'
$PackagesFolder = Join-Path $ToolsFolder 'packages'

function Invoke-Native {
    param([string] $FilePath, [string[]] $Arguments)
    & $FilePath @Arguments
    if ($LASTEXITCODE -ne 0) { throw "$FilePath $($Arguments -join ' ') exited with $LASTEXITCODE" }
}

# Runs a program whose output goes straight to this console; returns its exit code, or -1 when it ran
# longer than the timeout and was stopped (a hung test must fail the run, not hold it).
function Invoke-WithTimeout {
    param([string] $FilePath, [string[]] $Arguments, [TimeSpan] $Timeout)
    # One command line, each argument quoted: Windows PowerShell 5.1 has no argument list to fill.
    $commandLine = ($Arguments | ForEach-Object { '"' + $_ + '"' }) -join ' '
    $process = Start-Process -FilePath $FilePath -ArgumentList $commandLine -NoNewWindow -PassThru
    $null = $process.Handle # Keeps the exit code readable once the process has exited (Windows).
    if (-not $process.WaitForExit([int]$Timeout.TotalMilliseconds)) {
        Write-Host "$FilePath did not finish within $Timeout and was stopped; what it finished is above."
        # The pinned pwsh is a dotnet tool shim that starts PowerShell as its child: stop the whole tree.
        if ($process.GetType().GetMethod('Kill', [type[]]@([bool]))) {
            $process.Kill($true)
        }
        else {
            # .NET Framework (Windows PowerShell 5.1) has no tree kill of its own.
            taskkill.exe /PID $process.Id /T /F | Out-Null
        }

        $process.WaitForExit()
        return -1
    }

    $process.ExitCode
}

function Get-PinnedPwsh {
    $name = 'pwsh'
    if ($env:OS -eq 'Windows_NT') { $name = 'pwsh.exe' }
    Join-Path $PwshFolder $name
}

function Get-PesterManifest {
    Join-Path $PackagesFolder "pester/$PesterVersion/tools/Pester.psd1"
}

function Install-Tools {
    $pwsh = Get-PinnedPwsh
    if (-not (Test-Path -LiteralPath $pwsh)) {
        # A tool path, never a global install: the build must not change the machine's PowerShell.
        Invoke-Native dotnet @('tool', 'install', 'PowerShell', '--version', $PwshVersion, '--tool-path', $PwshFolder)
    }

    # One restore brings Pester and the packages the isolation tests load (a marker: the last one listed).
    $marker = Join-Path $PackagesFolder 'sqlitepclraw.core/2.1.6/lib/netstandard2.0/SQLitePCLRaw.core.dll'
    if (-not (Test-Path -LiteralPath (Get-PesterManifest)) -or -not (Test-Path -LiteralPath $marker)) {
        Invoke-Native dotnet @('restore', 'tests/pester/tools/PesterTools.csproj', '--packages', $PackagesFolder)
    }

    foreach ($path in @($pwsh, (Get-PesterManifest), $marker)) {
        if (-not (Test-Path -LiteralPath $path)) { throw "tools: $path is missing after the install" }
    }
}

# Counts of one test run: what the closing 'tests:' line adds up.
function New-Tally { [pscustomobject]@{ Passed = 0; Failed = 0; Skipped = 0 } }

function Invoke-XunitTests {
    param($Tally)
    # dotnet test prints one 'Passed!/Failed!  - Failed: N, Passed: N, Skipped: N' line per test assembly.
    $pattern = '(Passed|Failed)! +- +Failed: +(\d+), +Passed: +(\d+), +Skipped: +(\d+)'
    $summaries = 0
    # A test that hangs is stopped after ten minutes (the whole suite takes about five) and named in the
    # log, with its test host, instead of holding the run until CI gives up on it.
    & dotnet test Scheduler.sln -c $Configuration --blame-hang-timeout 10m --blame-hang-dump-type none 2>&1 | ForEach-Object {
        $line = "$_"
        Write-Host $line
        if ($line -match $pattern) {
            $Tally.Failed += [int]$Matches[2]
            $Tally.Passed += [int]$Matches[3]
            $Tally.Skipped += [int]$Matches[4]
            $summaries++
        }
    }

    if ($LASTEXITCODE -ne 0 -and $Tally.Failed -eq 0) {
        # The build or a test host failed before any test could report: that is a failure too.
        $Tally.Failed++
    }

    Write-Host "xunit: $($Tally.Passed) passed, $($Tally.Failed) failed, $($Tally.Skipped) skipped ($summaries test assemblies)"
}

function Invoke-PesterTests {
    param($Tally)
    Install-Tools
    if (-not (Test-Path -LiteralPath (Join-Path $PSScriptRoot 'out/Scheduler/Scheduler.psd1'))) {
        throw 'pester: the module is not staged in out/Scheduler; run the Build task first'
    }

    $resultFile = Join-Path $PSScriptRoot 'out/pester-results.xml'
    $counts = Join-Path $PSScriptRoot 'out/pester-counts.txt'
    Remove-Item -LiteralPath $counts -ErrorAction SilentlyContinue
    $suite = Join-Path $PSScriptRoot 'tests/pester/tools/Invoke-PesterSuite.ps1'
    $exit = Invoke-WithTimeout -FilePath (Get-PinnedPwsh) -Timeout $PesterTimeout -Arguments @(
        '-NoProfile', '-NonInteractive', '-File', $suite, '-PesterManifest', (Get-PesterManifest), '-ResultFile', $resultFile, '-CountFile', $counts)

    if (Test-Path -LiteralPath $counts) {
        $passed, $failed, $skipped = (Get-Content -LiteralPath $counts -Raw).Trim() -split ' '
        $Tally.Passed += [int]$passed
        $Tally.Failed += [int]$failed
        $Tally.Skipped += [int]$skipped
    }
    elseif ($exit -eq 0) {
        $exit = 1
    }

    if ($exit -ne 0 -and $Tally.Failed -eq 0) {
        # The runner itself broke (Pester did not load, the module did not import): count it as a failure.
        $Tally.Failed++
    }
}

function Write-Tally {
    param($Tally)
    $line = "tests: $($Tally.Passed) passed, $($Tally.Failed) failed"
    if ($Tally.Skipped -gt 0) { $line += ", $($Tally.Skipped) skipped" }
    Write-Host $line
    if ($Tally.Failed -gt 0) { $script:ExitCode = 1 }
}

$ExitCode = 0

foreach ($step in $Task) {
    switch ($step) {
        'Clean' { Invoke-Native dotnet @('clean', 'Scheduler.sln', '-c', $Configuration) }
        'Tools' { Install-Tools }
        'Build' {
            Invoke-Native dotnet @('build', 'Scheduler.sln', '-c', $Configuration)
            Write-Host "build: module staged in $(Join-Path $PSScriptRoot 'out/Scheduler') (Import-Module ./out/Scheduler/Scheduler.psd1)"
        }
        'Test' {
            $tally = New-Tally
            Invoke-XunitTests $tally
            Invoke-PesterTests $tally
            Write-Tally $tally
        }
        'Pester' {
            $tally = New-Tally
            Invoke-PesterTests $tally
            Write-Tally $tally
        }
        'Bench' { Invoke-Native dotnet @('run', '-c', 'Release', '--project', 'bench/Scheduler.Benchmarks', '--', '--quick') }
    }
}

exit $ExitCode
