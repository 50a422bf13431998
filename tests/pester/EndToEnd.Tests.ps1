#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
<#
    Pester 5 end-to-end tests in real pwsh with real processes: a -Executor Process job runs in a child
    pwsh (this PowerShell's own), Stop-Scheduler leaves nothing running in the session, and a
    `schedhost run` service runs a script-block job registered from PowerShell. PowerShell 7 on the
    machine the tests build on; schedhost comes from the build (src/Scheduler.Host/bin).
#>

BeforeAll {
    $modulePath = Join-Path $PSScriptRoot '../../out/Scheduler/Scheduler.psd1'
    if (-not (Test-Path -LiteralPath $modulePath)) {
        throw "The staged module is missing at $modulePath; run 'dotnet build src/Scheduler.PowerShell' first."
    }

    $modulePath = (Resolve-Path -LiteralPath $modulePath).Path
    Import-Module $modulePath -Force -ErrorAction Stop

    # This PowerShell again, for child sessions: the pinned one runs as 'dotnet pwsh.dll'.
    $self = [Environment]::ProcessPath
    $pwsh = @($self)
    if ((Split-Path -Leaf $self) -like 'dotnet*') { $pwsh += Join-Path $PSHOME 'pwsh.dll' }

    # The service, from the build: the describes that start one need it (Linux only).
    $schedhost = Get-ChildItem -Path (Join-Path $PSScriptRoot '../../src/Scheduler.Host/bin/*/net10.0/schedhost.dll') -ErrorAction SilentlyContinue |
        Sort-Object LastWriteTime -Descending | Select-Object -First 1

    # `schedhost run --store STORE` as a child process, once its scheduler has started: the process and
    # its standard output and error (tasks). It looks pwsh up on its PATH: this PowerShell's comes first.
    function Start-SchedHostService([string] $Store) {
        if (-not $schedhost) { throw "schedhost is not built (src/Scheduler.Host/bin/*/net10.0/schedhost.dll); run 'dotnet build Scheduler.sln' first." }
        $start = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
        $start.ArgumentList.Add($schedhost.FullName)
        foreach ($argument in 'run', '--store', $Store) { $start.ArgumentList.Add($argument) }
        $start.Environment['PATH'] = $PSHOME + [System.IO.Path]::PathSeparator + $env:PATH
        $start.RedirectStandardOutput = $true
        $start.RedirectStandardError = $true
        $service = [System.Diagnostics.Process]::Start($start)
        $stdout = $service.StandardOutput.ReadToEndAsync()
        $stderr = $service.StandardError.ReadToEndAsync()
        $deadline = [DateTime]::UtcNow.AddSeconds(60)
        while (-not (Get-SchedulerEvent -Store $Store -Type SchedulerStarted) -and [DateTime]::UtcNow -lt $deadline -and -not $service.HasExited) {
            Start-Sleep -Milliseconds 100
        }

        $service, $stdout, $stderr
    }
}

AfterAll {
    Remove-Module Scheduler -ErrorAction SilentlyContinue
}

Describe 'A job with -Executor Process' {
    BeforeEach {
        $store = Join-Path $TestDrive ([guid]::NewGuid().ToString() + '.db')
        Start-Scheduler -Store $store
    }

    AfterEach {
        Stop-Scheduler
    }

    It 'runs in a child pwsh of this PowerShell''s version, with its arguments and $using: values' {
        $greeting = 'hello'
        Register-ScheduledJobEx -Name child -Interval 1h -Executor Process -ArgumentList 'from a child' -ScriptBlock {
            param($Suffix)
            "$using:greeting $Suffix"
            "pid=$PID"
            "version=$($PSVersionTable.PSVersion)"
            "home=$PSHOME"
        }

        $run = Start-ScheduledJobEx -Name child -Wait

        $run.Outcome | Should -Be 'Succeeded'
        $lines = $run.Output -split "`r?`n"
        $lines[0] | Should -Be 'hello from a child'
        $lines | Should -Contain "version=$($PSVersionTable.PSVersion)"
        $lines | Should -Contain "home=$PSHOME"
        $lines | Should -Not -Contain "pid=$PID"
    }

    It 'gives the child its run as $JobContext' {
        Register-ScheduledJobEx -Name context -Interval 1h -Executor Process -ScriptBlock {
            '{0}|{1}|{2}|{3}' -f $JobContext.JobId, $JobContext.RunId, $JobContext.Attempt, $JobContext.ScheduledTime.UtcTicks
        }

        $run = Start-ScheduledJobEx -Name context -Wait

        $run.Outcome | Should -Be 'Succeeded'
        ($run.Output -split "`r?`n")[0] | Should -Be ('context|{0}|1|{1}' -f $run.RunId, ([DateTimeOffset]$run.ScheduledTime).UtcTicks)
    }

    It 'reports a failing child as Failed with its error and exit code' {
        Register-ScheduledJobEx -Name failing -Interval 1h -Executor Process -ScriptBlock { Write-Error 'disk full'; exit 3 }

        $run = Start-ScheduledJobEx -Name failing -Wait

        $run.Outcome | Should -Be 'Failed'
        $run.ExitCode | Should -Be 3
        $run.Error | Should -Match 'disk full'
        $run.Error | Should -Not -Match 'CLIXML|<Objs'
    }

    It 'passes on the exit code of a script file, and its streams as plain text' {
        $script = Join-Path $TestDrive 'exits.ps1'
        Set-Content -LiteralPath $script -Encoding UTF8 -Value @'
param($Name)
"hello $Name"
Write-Warning 'low disk'
Write-Information 'noted' -InformationAction Continue
Write-Error 'disk full'
exit 4
'@
        Register-ScheduledJobEx -Name exits -Interval 1h -Executor Process -FilePath $script -ArgumentList 'bob'

        $run = Start-ScheduledJobEx -Name exits -Wait

        $run.Outcome | Should -Be 'Failed'
        $run.ExitCode | Should -Be 4
        ($run.Output -split "`r?`n") | Select-Object -First 3 | Should -Be @('hello bob', 'WARNING: low disk', 'noted')
        ($run.Error -split "`r?`n")[0] | Should -Be 'The process exited with code 4.'
        $run.Error | Should -Match 'disk full'
        $run.Output + $run.Error | Should -Not -Match ('CLIXML|' + [regex]::Escape([string][char]27))
    }

    It 'runs the initialization script first, and not the job when it wrote errors' {
        Register-ScheduledJobEx -Name helped -Interval 1h -Executor Process -InitializationScript { function Get-Greeting { 'hello from init' } } -ScriptBlock { Get-Greeting }
        Register-ScheduledJobEx -Name unprepared -Interval 1h -Executor Process -InitializationScript { Write-Error 'no such module' } -ScriptBlock { 'job ran' }

        $helped = Start-ScheduledJobEx -Name helped -Wait
        $unprepared = Start-ScheduledJobEx -Name unprepared -Wait

        $helped.Outcome | Should -Be 'Succeeded'
        $helped.Output | Should -Match '^hello from init'
        $unprepared.Outcome | Should -Be 'Failed'
        $unprepared.Output | Should -BeNullOrEmpty
        ($unprepared.Error -split "`r?`n") | Select-Object -Skip 1 -First 2 | Should -Be @('no such module', 'The initialization script wrote errors; the job did not run.')
    }

    It 'fails on an error record as a runspace run does, not on a native command''s stderr, and keeps objects' -Skip:$IsWindows {
        Register-ScheduledJobEx -Name objects -Interval 1h -Executor Process -ScriptBlock {
            [pscustomobject]@{ Volume = 'data'; FreeGB = 10 }
            sh -c 'echo progress >&2'
        }
        Register-ScheduledJobEx -Name partial -Interval 1h -Executor Process -ScriptBlock { 'before'; Write-Error 'disk full'; 'after' }

        $objects = Start-ScheduledJobEx -Name objects -Wait
        $partial = Start-ScheduledJobEx -Name partial -Wait

        $objects.Outcome | Should -Be 'Succeeded'
        $objects.Output | Should -Match 'data\s+10'
        $objects.Error | Should -Be "progress`n"
        $partial.Outcome | Should -Be 'Failed'
        $partial.ExitCode | Should -Be 1
        ($partial.Output -split "`r?`n") | Select-Object -First 2 | Should -Be @('before', 'after')
        ($partial.Error -split "`r?`n")[1] | Should -Be 'disk full'
    }

    It 'gives each error the line of the job''s script it came from, as a runspace run does' {
        $job = {
            'start'
            Get-Item -LiteralPath '/no/such/path'
            throw 'gave up'
        }
        Register-ScheduledJobEx -Name lines -Interval 1h -Executor Process -ScriptBlock $job
        Register-ScheduledJobEx -Name lines-here -Interval 1h -ScriptBlock $job

        $child = Start-ScheduledJobEx -Name lines -Wait
        $here = Start-ScheduledJobEx -Name lines-here -Wait

        $child.Outcome | Should -Be 'Failed'
        ($child.Error -split "`r?`n") | Select-Object -Skip 1 | Where-Object { $_ } |
            Should -Be @("Cannot find path '/no/such/path' because it does not exist. (line 3)", 'gave up (line 4)')
        ($here.Error -split "`r?`n") | Should -Be @("Cannot find path '/no/such/path' because it does not exist. (line 3)", 'gave up (line 4)')
    }
}

Describe 'Stop-Scheduler' {
    It 'leaves no runspace or run behind, and the session exits at once' {
        $store = Join-Path $TestDrive 'stop.db'
        $script = Join-Path $TestDrive 'stop.ps1'
        Set-Content -LiteralPath $script -Encoding UTF8 -Value @'
param([string] $ModulePath, [string] $Store)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath
$before = @(Get-Runspace).Count
Register-ScheduledJobEx -Name quick -Store $Store -Interval 1h -ScriptBlock { 'quick' }
Register-ScheduledJobEx -Name slow -Store $Store -Interval 1h -ScriptBlock { Start-Sleep -Seconds 120 }
Start-Scheduler -Store $Store -MaxWorkers 3
1..3 | ForEach-Object { $null = Start-ScheduledJobEx -Name quick -Wait }
$null = Start-ScheduledJobEx -Name slow
$deadline = [DateTime]::UtcNow.AddSeconds(30)
while ((Get-Scheduler).ActiveRuns -eq 0 -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
$during = @(Get-Runspace).Count
Stop-Scheduler -NoWait
[pscustomobject]@{
    Before = $before
    During = $during
    After = @(Get-Runspace | Where-Object { $_.RunspaceStateInfo.State -eq 'Opened' }).Count
    State = "$((Get-Scheduler -Store $Store).State)"
    Slow = "$((Get-ScheduledJobExRun -Name slow -Store $Store -Last 1).Outcome)"
} | ConvertTo-Json -Compress
'@

        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        $output = & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -File $script -ModulePath $modulePath -Store $store 2>&1
        $watch.Stop()
        $result = $output | Where-Object { "$_".StartsWith('{') } | Select-Object -Last 1 | ConvertFrom-Json

        $result.During | Should -BeGreaterThan $result.Before
        $result.After | Should -Be $result.Before
        $result.State | Should -Be 'Stopped'
        $result.Slow | Should -Be 'Cancelled'
        # The slow run sleeps two minutes: the process ended without waiting for it.
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 60
        $LASTEXITCODE | Should -Be 0
    }
}

Describe 'A store another session keeps open' {
    It 'has a job registered by a pwsh that exits at once in the database file itself, not only in its log' {
        # This session keeps the store open (its own commits synced a second later), so the child's
        # connection is not the file's last and its exit does not checkpoint the log by itself.
        $store = Join-Path $TestDrive 'shared.db'
        Register-ScheduledJobEx -Name holder -Store $store -Interval 1h -ScriptBlock { 'holder' }
        Start-Sleep -Seconds 2

        $command = "Import-Module '$modulePath'; Register-ScheduledJobEx -Name child -Store '$store' -Interval 1h -ScriptBlock { 'child' } | Out-Null"
        $output = & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -Command $command 2>&1
        $LASTEXITCODE | Should -Be 0 -Because ($output -join "`n")

        # A copy of the file alone is what a power loss would leave if the log had never been synced.
        $copy = Join-Path $TestDrive 'shared-copy.db'
        Copy-Item -LiteralPath $store -Destination $copy
        (Get-ScheduledJobEx -Store $copy).Name | Sort-Object | Should -Be @('child', 'holder')
    }
}

Describe 'schedhost run' -Skip:(-not $IsLinux) {
    It 'runs a script-block job registered from PowerShell, in a child pwsh, and stops on SIGTERM' {
        $store = Join-Path $TestDrive 'service.db'
        $marker = Join-Path $TestDrive 'ran.txt'
        Register-ScheduledJobEx -Name from-pwsh -Store $store -Interval 1h -ScriptBlock {
            Set-Content -LiteralPath $using:marker -Value "ran in $PSHOME"
            'service output'
        }

        $service, $stdout, $stderr = Start-SchedHostService -Store $store
        try {
            # With a scheduler running on the store in another process, the run is requested of it.
            $run = Start-ScheduledJobEx -Name from-pwsh -Store $store -Wait

            $run.Outcome | Should -Be 'Succeeded'
            $run.Output.TrimEnd() | Should -Be 'service output'
            $run.SchedulerId | Should -Not -Be (Get-Scheduler -Store $store).Id
            Get-Content -LiteralPath $marker | Should -Be "ran in $PSHOME"

            # This session's scheduler is stopped; its table says another process runs the store.
            $here = Get-Scheduler -Store $store
            $here.State | Should -Be 'Stopped'
            $here.RunningElsewhere | Should -BeLike "'*' (pid $($service.Id) on host *"
            $here | Out-String -Width 80 | Should -Match '(?m)^Elsewhere\s+1\s+0\s+\d+\s'
        }
        finally {
            if (-not $service.HasExited) { & kill -TERM $service.Id }
            $exited = $service.WaitForExit(30000)
        }

        $exited | Should -BeTrue
        $service.ExitCode | Should -Be 0 -Because "schedhost said: $($stdout.Result) $($stderr.Result)"
        $stdout.Result | Should -Match 'JobExecuted from-pwsh'
    }
}

Describe 'Backup-SchedulerStore and Restore-SchedulerStore beside a schedhost service' -Skip:(-not $IsLinux) {
    It 'backs up the store the service runs on, refuses to restore it until the service stopped, then restores it' {
        $store = Join-Path $TestDrive 'service.db'
        $backup = Join-Path $TestDrive 'backup.db'
        Register-ScheduledJobEx -Name nightly -Store $store -Cron '0 2 * * *' -ScriptBlock { 'nightly' }

        $service, $stdout, $stderr = Start-SchedHostService -Store $store
        try {
            $file = Backup-SchedulerStore -Path $backup -Store $store
            Register-ScheduledJobEx -Name later -Store $store -Interval 1h -ScriptBlock { 'later' }

            $file.FullName | Should -Be $backup
            $file.UnixMode | Should -Be '-rw-------'
            (Get-ScheduledJobEx -Store $backup).Name | Should -Be 'nightly'

            Restore-SchedulerStore -Path $backup -Store $store -ErrorVariable refused -ErrorAction SilentlyContinue
            $refused.Count | Should -Be 1
            $refused[0].FullyQualifiedErrorId | Should -BeLike 'StoreRestoreFailed,*'
            $refused[0].Exception.Message | Should -BeLike "A scheduler runs on the store '$store' (pid $($service.Id) on host *"
            @(Get-ScheduledJobEx -Store $store | ForEach-Object Name | Sort-Object) | Should -Be @('later', 'nightly')
        }
        finally {
            if (-not $service.HasExited) { & kill -TERM $service.Id }
            $exited = $service.WaitForExit(30000)
        }

        $exited | Should -BeTrue
        $service.ExitCode | Should -Be 0 -Because "schedhost said: $($stdout.Result) $($stderr.Result)"
        $restored = Restore-SchedulerStore -Path $backup -Store $store -PassThru
        $restored.Name | Should -Be 'nightly'
        (Get-ScheduledJobEx -Store $store).Name | Should -Be 'nightly'
    }
}

Describe 'The per-user store' -Skip:(-not ($IsLinux -or $IsMacOS)) {
    It 'is created readable by its owner only, whatever the umask' {
        $dataHome = Join-Path $TestDrive 'xdg'
        $script = 'Import-Module $args[0]; Register-ScheduledJobEx -Name private -Interval 1h -ScriptBlock { 1 }; (Get-ScheduledJobEx -Name private).Store'
        # umask is a shell builtin; pwsh has none, so the child runs under sh with the umask set.
        $start = [System.Diagnostics.ProcessStartInfo]::new('/bin/sh')
        $start.ArgumentList.Add('-c')
        $start.ArgumentList.Add("umask 022 && exec `"`$0`" `"`$@`"")
        foreach ($argument in $pwsh + @('-NoProfile', '-NonInteractive', '-Command', "& { $script } '$modulePath'")) { $start.ArgumentList.Add($argument) }
        $start.Environment['XDG_DATA_HOME'] = $dataHome
        $start.Environment.Remove('SCHEDHOST_STORE') | Out-Null
        $start.RedirectStandardOutput = $true
        $child = [System.Diagnostics.Process]::Start($start)
        $output = $child.StandardOutput.ReadToEnd()
        $child.WaitForExit()

        $expected = Join-Path $dataHome 'scheduler/scheduler.db'
        $output.Trim() | Should -Be $expected
        (Get-Item -LiteralPath (Join-Path $dataHome 'scheduler')).UnixMode | Should -Be 'drwx------'
        (Get-Item -LiteralPath $expected).UnixMode | Should -Be '-rw-------'
        Get-ChildItem -LiteralPath (Join-Path $dataHome 'scheduler') -Force | ForEach-Object { $_.UnixMode | Should -BeLike '-rw-------' -Because $_.Name }
    }
}
