#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
<#
    Pester 5 tests of a PostgreSQL store in real pwsh: -Store takes a connection string, the session
    becomes a node with Start-Scheduler and runs a job registered there, a `schedhost run` node runs a job
    asked of it from PowerShell, the password never shows, and Npgsql with its dependencies loads from the
    module's own folder into the module's load context. The server is the one $env:SCHEDULER_TEST_POSTGRES
    names (a connection string), else a throwaway cluster started with tests/postgres/cluster.sh and stopped
    afterwards; without PostgreSQL installed the tests fail, they are never skipped. Linux and macOS.
#>

BeforeAll {
    $modulePath = Join-Path $PSScriptRoot '../../out/Scheduler/Scheduler.psd1'
    if (-not (Test-Path -LiteralPath $modulePath)) {
        throw "The staged module is missing at $modulePath; run 'dotnet build src/Scheduler.PowerShell' first."
    }

    $modulePath = (Resolve-Path -LiteralPath $modulePath).Path
    Import-Module $modulePath -Force -ErrorAction Stop

    $cluster = $null
    $server = $env:SCHEDULER_TEST_POSTGRES
    if (-not $server) {
        # Not $TestDrive: as root, cluster.sh runs the server as 'postgres', which must reach the folder.
        $cluster = Join-Path ([System.IO.Path]::GetTempPath()) ('scheduler-pester-pg-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
        $script = Join-Path $PSScriptRoot '../postgres/cluster.sh'
        $server = & bash $script start $cluster
        if ($LASTEXITCODE -ne 0 -or -not $server) {
            throw "No PostgreSQL server for the tests: set SCHEDULER_TEST_POSTGRES to a connection string, or install PostgreSQL so tests/postgres/cluster.sh can start one."
        }

        $server = "$server".Trim()
    }

    # The server's keywords (Host=...;Port=...;Username=...;Password=...;Database=...), for URIs and psql.
    $keywords = @{}
    foreach ($pair in $server -split ';') {
        $name, $value = $pair -split '=', 2
        if ($name) { $keywords[$name.Trim().ToLowerInvariant()] = $value }
    }

    function New-TestSchema { 'pester_' + [guid]::NewGuid().ToString('N').Substring(0, 16) }

    # The store as a URI with its password and schema, the way a user writes it.
    function Get-StoreUri([string] $Schema, [string] $Password = $keywords.password) {
        $user = [uri]::EscapeDataString($keywords.username)
        $secret = [uri]::EscapeDataString($Password)
        "postgres://${user}:${secret}@$($keywords.host):$($keywords.port)/$($keywords.database)?schema=$Schema"
    }

    # How the module names the store: without its password.
    function Get-StoreName([string] $Schema) {
        "Host=$($keywords.host);Port=$($keywords.port);Database=$($keywords.database);Username=$($keywords.username);Schema=$Schema"
    }

    # Best effort: a shared server should not keep the tests' schemas.
    function Remove-TestSchema([string] $Schema) {
        $psql = Get-Command psql -ErrorAction Ignore | Select-Object -First 1 -ExpandProperty Source
        if (-not $psql) { $psql = Get-ChildItem '/usr/lib/postgresql/*/bin/psql' -ErrorAction Ignore | Select-Object -Last 1 -ExpandProperty FullName }
        if (-not $psql) { return }
        $env:PGPASSWORD = $keywords.password
        try {
            & $psql -h $keywords.host -p $keywords.port -U $keywords.username -d $keywords.database -qc "DROP SCHEMA IF EXISTS `"$Schema`" CASCADE" 2>&1 | Out-Null
        }
        finally {
            Remove-Item Env:PGPASSWORD
        }
    }
}

AfterAll {
    Stop-Scheduler -NoWait -ErrorAction SilentlyContinue
    Remove-Module Scheduler -ErrorAction SilentlyContinue
    if ($cluster) { & bash (Join-Path $PSScriptRoot '../postgres/cluster.sh') stop $cluster }
}

Describe 'A PostgreSQL store' -Skip:(-not ($IsLinux -or $IsMacOS)) {
    BeforeEach {
        $schema = New-TestSchema
        $store = Get-StoreUri $schema
    }

    AfterEach {
        Stop-Scheduler
        Remove-TestSchema $schema
    }

    It 'keeps a job registered with -Store and runs it once this session is a node' {
        $job = Register-ScheduledJobEx -Name pg-job -Store $store -Interval 1h -ArgumentList 'from PostgreSQL' -ScriptBlock { param($Text) "hello $Text" } -PassThru
        Start-Scheduler -Store $store

        $run = Start-ScheduledJobEx -Name pg-job -Wait

        $job.Store | Should -Be (Get-StoreName $schema)
        (Get-Scheduler).Store | Should -Be (Get-StoreName $schema)
        $run.Outcome | Should -Be 'Succeeded'
        $run.Output.TrimEnd() | Should -Be 'hello from PostgreSQL'
        $run.SchedulerId | Should -Be (Get-Scheduler).Id
        @(Get-ScheduledJobExRun -Name pg-job -Store $store).Count | Should -Be 1
    }

    It 'runs a job on its schedule' {
        Register-ScheduledJobEx -Name every-second -Store $store -Interval 1s -ScriptBlock { 'tick' }
        Start-Scheduler -Store $store

        $deadline = [DateTime]::UtcNow.AddSeconds(30)
        while (@(Get-ScheduledJobExRun -Name every-second | Where-Object Outcome -EQ 'Succeeded').Count -lt 2 -and [DateTime]::UtcNow -lt $deadline) {
            Start-Sleep -Milliseconds 200
        }

        $runs = @(Get-ScheduledJobExRun -Name every-second | Where-Object Outcome -EQ 'Succeeded')
        $runs.Count | Should -BeGreaterOrEqual 2
        @($runs.ScheduledTime | Sort-Object -Unique).Count | Should -Be $runs.Count
    }

    It 'loads Npgsql and its dependencies from the module folder into the module''s load context' {
        Get-ScheduledJobEx -Store $store | Should -BeNullOrEmpty

        $dependencies = Join-Path (Split-Path -Parent $modulePath) 'dependencies'
        $npgsql = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'Npgsql' -and $_.Location.StartsWith($dependencies) }

        @($npgsql).Count | Should -Be 1
        [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($npgsql).GetType().FullName | Should -Be 'Scheduler.PowerShell.Loader.DependencyLoadContext'
        foreach ($reference in $npgsql.GetReferencedAssemblies()) {
            $staged = Join-Path $dependencies "$($reference.Name).dll"
            if (Test-Path -LiteralPath $staged) {
                $loaded = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq $reference.Name -and $_.Location -eq $staged }
                # What Npgsql needs from the folder is loaded from there, once it was needed.
                if ($loaded) { [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($loaded).GetType().FullName | Should -Be 'Scheduler.PowerShell.Loader.DependencyLoadContext' }
            }
        }
    }

    It 'stops a cmdlet with StoreUnavailable that never shows the password' {
        $secret = 'Sw0rdfish-9e1c'

        $failure = { Get-ScheduledJobEx -Store (Get-StoreUri $schema -Password $secret) -ErrorAction Stop } | Should -Throw -PassThru

        $failure.FullyQualifiedErrorId | Should -BeLike 'StoreUnavailable,*'
        $failure.Exception.Message | Should -Match 'password authentication failed'
        ($failure | Out-String) + $failure.TargetObject + $failure.Exception.ToString() | Should -Not -Match $secret
    }
}

Describe 'A schedhost node on a PostgreSQL store' -Skip:(-not $IsLinux) {
    BeforeAll {
        $schedhost = Get-ChildItem -Path (Join-Path $PSScriptRoot '../../src/Scheduler.Host/bin/*/net10.0/schedhost.dll') -ErrorAction SilentlyContinue |
            Sort-Object LastWriteTime -Descending | Select-Object -First 1
        if (-not $schedhost) { throw "schedhost is not built (src/Scheduler.Host/bin/*/net10.0/schedhost.dll); run 'dotnet build Scheduler.sln' first." }
    }

    It 'runs a job registered from PowerShell when this session asks for it' {
        $schema = New-TestSchema
        $store = Get-StoreUri $schema
        Register-ScheduledJobEx -Name from-pwsh -Store $store -Interval 1h -ScriptBlock { "node output $PSHOME" }

        # The node gets the store from its environment, as a systemd unit's EnvironmentFile gives it, and
        # looks pwsh up on its PATH: this PowerShell's comes first.
        $start = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
        $start.ArgumentList.Add($schedhost.FullName)
        $start.ArgumentList.Add('run')
        $start.Environment['SCHEDHOST_STORE'] = $store
        $start.Environment['PATH'] = $PSHOME + [System.IO.Path]::PathSeparator + $env:PATH
        $start.RedirectStandardOutput = $true
        $start.RedirectStandardError = $true
        $node = [System.Diagnostics.Process]::Start($start)
        $stdout = $node.StandardOutput.ReadToEndAsync()
        $stderr = $node.StandardError.ReadToEndAsync()
        try {
            $deadline = [DateTime]::UtcNow.AddSeconds(60)
            while (-not (Get-SchedulerEvent -Store $store -Type SchedulerStarted) -and [DateTime]::UtcNow -lt $deadline -and -not $node.HasExited) {
                Start-Sleep -Milliseconds 200
            }

            $run = Start-ScheduledJobEx -Name from-pwsh -Store $store -Wait

            $run.Outcome | Should -Be 'Succeeded'
            $run.Output.TrimEnd() | Should -Be "node output $PSHOME"
            $run.SchedulerId | Should -Not -Be (Get-Scheduler -Store $store).Id
        }
        finally {
            if (-not $node.HasExited) { & kill -TERM $node.Id }
            $exited = $node.WaitForExit(30000)
            Remove-TestSchema $schema
        }

        $exited | Should -BeTrue
        $node.ExitCode | Should -Be 0 -Because "schedhost said: $($stdout.Result) $($stderr.Result)"
        $stdout.Result | Should -Match 'JobExecuted from-pwsh'
        $stdout.Result + $stderr.Result | Should -Not -Match ([regex]::Escape($keywords.password))
    }
}
