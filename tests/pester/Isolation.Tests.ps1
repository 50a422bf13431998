#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
<#
    Pester 5 tests of dependency isolation in real pwsh: the module keeps working whatever versions of its
    dependencies the session already has, because on PowerShell 7 the engine and its dependencies load
    into the module's own assembly load context (dependencies/ in the module folder).

    Two ways a session can hold other versions, each reproduced in a fresh pwsh process:
    - another module loaded them first (older TimeZoneConverter, Microsoft.Data.Sqlite and SQLitePCLRaw,
      loaded here with Add-Type before Import-Module);
    - PowerShell itself ships older ones (PowerShell 7.4 to 7.6.8 carry a Microsoft.Bcl.AsyncInterfaces
      older than the engine's): a copy of this pwsh whose own copy is replaced by version 8.0.0.
    The packages come from NuGet through build.ps1 (out/tools/packages). PowerShell 7 only.
#>

BeforeAll {
    $modulePath = Join-Path $PSScriptRoot '../../out/Scheduler/Scheduler.psd1'
    if (-not (Test-Path -LiteralPath $modulePath)) {
        throw "The staged module is missing at $modulePath; run 'dotnet build src/Scheduler.PowerShell' first."
    }

    $modulePath = (Resolve-Path -LiteralPath $modulePath).Path
    $packages = Join-Path $PSScriptRoot '../../out/tools/packages'
    if (-not (Test-Path -LiteralPath (Join-Path $packages 'timezoneconverter/7.0.0'))) {
        throw "The packages of the isolation tests are missing in $packages; run './build.ps1 -Task Tools'."
    }

    $packages = (Resolve-Path -LiteralPath $packages).Path

    # What a user does after Import-Module, run in a child process; prints one JSON object.
    $scenario = Join-Path $TestDrive 'scenario.ps1'
    Set-Content -LiteralPath $scenario -Encoding UTF8 -Value @'
param([string] $ModulePath, [string] $Store, [string[]] $Preload)
$ErrorActionPreference = 'Stop'
# -File passes '-Preload a,b' as one string.
$preloaded = foreach ($path in @($Preload -split ',' | Where-Object { $_ })) {
    try { $name = [System.Reflection.Assembly]::LoadFrom($path).GetName(); "$($name.Name) $($name.Version)" }
    catch { "refused $([System.IO.Path]::GetFileName($path))" }
}
$result = [ordered]@{ Preloaded = @($preloaded) }
try {
    Import-Module $ModulePath
    Register-ScheduledJobEx -Name report -Store $Store -Cron '0 9 * * MON-FRI' -TimeZone 'W. Europe Standard Time' `
        -ScriptBlock { param($Format) "report as $Format in $using:Store" } -ArgumentList @{ kind = 'html'; pages = @(1, 2) }
    Start-Scheduler -Store $Store
    $run = Start-ScheduledJobEx -Name report -Wait
    $job = Get-ScheduledJobEx -Name report -Store $Store
    Stop-Scheduler
    $result.Outcome = "$($run.Outcome)"
    $result.Output = "$($run.Output)"
    $result.TimeZone = $job.Trigger.TimeZone.Id
    $result.Pages = @($job.ArgumentList[0].pages)
    $result.NextRunTimes = @(Get-SchedulerFireTime -Name report -Store $Store -Count 2 | ForEach-Object { $_.Time.ToString('o') })
}
catch {
    $result.Error = $_.Exception.GetBaseException().Message
}

$result.Default = @([System.Runtime.Loader.AssemblyLoadContext]::Default.Assemblies |
    Where-Object { $_.GetName().Name -in 'TimeZoneConverter', 'Microsoft.Data.Sqlite', 'SQLitePCLRaw.core', 'Microsoft.Bcl.AsyncInterfaces', 'Scheduler.Core' } |
    ForEach-Object { "$($_.GetName().Name) $($_.GetName().Version)" } | Sort-Object)
$result | ConvertTo-Json -Depth 4 -Compress
'@

    function Invoke-Scenario {
        param([string[]] $Command, [string[]] $Preload = @())
        $store = Join-Path $TestDrive ([guid]::NewGuid().ToString() + '.db')
        $arguments = @('-NoProfile', '-NonInteractive', '-File', $scenario, '-ModulePath', $modulePath, '-Store', $store)
        if ($Preload.Count -gt 0) { $arguments += @('-Preload', ($Preload -join ',')) }
        $output = & $Command[0] @($Command | Select-Object -Skip 1) @arguments 2>&1
        $json = $output | Where-Object { "$_".StartsWith('{') } | Select-Object -Last 1
        if (-not $json) { throw "The scenario printed no result: $($output -join [Environment]::NewLine)" }
        $json | ConvertFrom-Json
    }

    # This PowerShell again: the pinned one runs as 'dotnet pwsh.dll'.
    $self = [Environment]::ProcessPath
    $pwsh = @($self)
    if ((Split-Path -Leaf $self) -like 'dotnet*') { $pwsh += Join-Path $PSHOME 'pwsh.dll' }
}

Describe 'Dependency isolation' -Skip:($PSVersionTable.PSEdition -ne 'Core') {
    It 'works when another module loaded older versions of its dependencies first' {
        $preload = @(
            Join-Path $packages 'timezoneconverter/7.0.0/lib/netstandard2.0/TimeZoneConverter.dll'
            Join-Path $packages 'sqlitepclraw.core/2.1.6/lib/netstandard2.0/SQLitePCLRaw.core.dll'
            Join-Path $packages 'microsoft.data.sqlite.core/8.0.30/lib/netstandard2.0/Microsoft.Data.Sqlite.dll'
            Join-Path $packages 'system.text.json/8.0.5/lib/netstandard2.0/System.Text.Json.dll'
            Join-Path $packages 'microsoft.bcl.asyncinterfaces/8.0.0/lib/netstandard2.0/Microsoft.Bcl.AsyncInterfaces.dll'
        )

        $result = Invoke-Scenario -Command $pwsh -Preload $preload

        $result.Preloaded | Should -Contain 'TimeZoneConverter 7.0.0.0'
        $result.Preloaded | Should -Contain 'Microsoft.Data.Sqlite 8.0.30.0'
        $result.Error | Should -BeNullOrEmpty
        $result.Outcome | Should -Be 'Succeeded'
        $result.Output | Should -BeLike 'report as System.Collections.Hashtable in *.db'
        $result.Pages | Should -Be @(1, 2)
        $result.TimeZone | Should -Be 'Europe/Berlin'
        $result.NextRunTimes | Should -HaveCount 2
        # The session's own copies stay what the other module loaded; the module's are elsewhere.
        $result.Default | Should -Contain 'TimeZoneConverter 7.0.0.0'
        $result.Default | Should -Contain 'Microsoft.Data.Sqlite 8.0.30.0'
        $result.Default | Should -Not -Contain 'Scheduler.Core 0.1.0.0'
    }

    It 'works in a PowerShell whose own Microsoft.Bcl.AsyncInterfaces is older than the engine''s' {
        # PowerShell 7.4 to 7.6.8 ship an older Microsoft.Bcl.AsyncInterfaces in $PSHOME, where it wins
        # every bind in the default context: a copy of this PowerShell with version 8.0.0 in its place.
        $olderHome = Join-Path $TestDrive 'pwsh-older'
        Copy-Item -LiteralPath $PSHOME -Destination $olderHome -Recurse
        Copy-Item -LiteralPath (Join-Path $packages 'microsoft.bcl.asyncinterfaces/8.0.0/lib/netstandard2.1/Microsoft.Bcl.AsyncInterfaces.dll') -Destination $olderHome -Force
        $olderPwsh = @('dotnet', (Join-Path $olderHome 'pwsh.dll'))

        $probe = & $olderPwsh[0] $olderPwsh[1] -NoProfile -NonInteractive -Command '
            $own = [System.Reflection.Assembly]::Load("Microsoft.Bcl.AsyncInterfaces").GetName().Version
            try { $null = [System.Reflection.Assembly]::Load("Microsoft.Bcl.AsyncInterfaces, Version=10.0.0.14, Culture=neutral, PublicKeyToken=cc7b13ffcd2ddd51"); "$own binds 10.0.0.14" }
            catch { "$own refuses 10.0.0.14" }'
        # The copy really is the older PowerShell: its default context cannot give the engine's version.
        $probe | Should -Be '8.0.0.0 refuses 10.0.0.14'

        $result = Invoke-Scenario -Command $olderPwsh

        $result.Error | Should -BeNullOrEmpty
        $result.Outcome | Should -Be 'Succeeded'
        $result.NextRunTimes | Should -HaveCount 2
        $result.Default | Should -Contain 'Microsoft.Bcl.AsyncInterfaces 8.0.0.0'
    }
}

Describe 'The module''s load context' -Skip:($PSVersionTable.PSEdition -ne 'Core') {
    BeforeAll {
        Import-Module $modulePath -Force -ErrorAction Stop
        $store = Join-Path $TestDrive ([guid]::NewGuid().ToString() + '.db')
        Register-ScheduledJobEx -Name load -Store $store -Cron '0 9 * * *' -TimeZone Europe/Berlin -ScriptBlock { 1 } -ArgumentList @{ a = 1 }
        $dependencies = Join-Path (Get-Module Scheduler).ModuleBase 'dependencies'
    }

    AfterAll {
        Remove-Module Scheduler -ErrorAction SilentlyContinue
    }

    It 'holds the engine and every dependency it loaded, none of them in the default context' {
        $loaded = @([System.AppDomain]::CurrentDomain.GetAssemblies() |
            Where-Object { -not $_.IsDynamic -and $_.Location.StartsWith($dependencies + [System.IO.Path]::DirectorySeparatorChar) })
        $names = $loaded | ForEach-Object { $_.GetName().Name }

        $names | Should -Contain 'Scheduler.Core'
        $names | Should -Contain 'Microsoft.Data.Sqlite'
        $names | Should -Contain 'System.Text.Json'
        foreach ($assembly in $loaded) {
            $context = [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($assembly)
            $context | Should -Not -Be ([System.Runtime.Loader.AssemblyLoadContext]::Default) -Because $assembly.GetName().Name
            $context.GetType().FullName | Should -Be 'Scheduler.PowerShell.Loader.DependencyLoadContext'
        }

        [System.Runtime.Loader.AssemblyLoadContext]::Default.Assemblies.Location | Should -Not -BeLike "$dependencies*"
    }

    It 'lets scripts name the engine''s types' {
        [Scheduler.Triggers.CronTrigger].Assembly.Location | Should -Be (Join-Path $dependencies 'Scheduler.Core.dll')
        (New-SchedulerTrigger -Cron '0 9 * * *' -TimeZone UTC) | Should -BeOfType ([Scheduler.Triggers.Trigger])
        [Scheduler.Jobs.OverlapPolicy]::Queue | Should -Be 'Queue'
    }

    It 'keeps working across Remove-Module and Import-Module -Force' {
        Remove-Module Scheduler
        Import-Module $modulePath -Force -ErrorAction Stop
        Import-Module $modulePath -Force -ErrorAction Stop

        Start-Scheduler -Store $store
        try {
            $run = Start-ScheduledJobEx -Name load -Wait
        }
        finally {
            Stop-Scheduler
        }

        $run.Outcome | Should -Be 'Succeeded'
        [Scheduler.Triggers.CronTrigger] | Should -Not -BeNullOrEmpty
        @([System.AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'Scheduler.Core' }) | Should -HaveCount 1
    }
}
