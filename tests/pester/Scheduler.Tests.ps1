#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
<#
    Pester 5 tests of the scheduler cmdlets (Start-, Stop-, Suspend-, Resume-, Get-, Wait-Scheduler) in a
    real pwsh or Windows PowerShell 5.1, against the staged module out/Scheduler (dotnet build stages it).
    The hosted-engine xunit tests (tests/unit/PowerShell) cover parameters and error ids in depth; these
    check what needs a real shell: the full command set (Write-Warning, Start-Sleep), table views, and
    Ctrl+C-like stops. Written for Windows PowerShell 5.1 as well: no ternaries, no ??.
#>

BeforeAll {
    $modulePath = Join-Path $PSScriptRoot '../../out/Scheduler/Scheduler.psd1'
    if (-not (Test-Path -LiteralPath $modulePath)) {
        throw "The staged module is missing at $modulePath; run 'dotnet build src/Scheduler.PowerShell' first."
    }

    Import-Module $modulePath -Force -ErrorAction Stop
}

AfterAll {
    Remove-Module Scheduler -ErrorAction SilentlyContinue
}

Describe 'Start-Scheduler and Stop-Scheduler' {
    BeforeEach {
        $store = Join-Path $TestDrive ([guid]::NewGuid().ToString() + '.db')
    }

    AfterEach {
        Stop-Scheduler -NoWait
    }

    It 'runs the store''s jobs in this session until stopped' {
        Register-ScheduledJobEx -Name tick -Store $store -Interval 1h -ScriptBlock { 'tick' }
        $started = Start-Scheduler -Store $store -MaxWorkers 2 -PassThru

        $started.State | Should -Be 'Running'
        $started.MaxWorkers | Should -Be 2
        (Get-Scheduler).Store | Should -Be $store

        $stopped = Stop-Scheduler -PassThru
        $stopped.State | Should -Be 'Stopped'
        (Get-ScheduledJobEx -Store $store).Name | Should -Be 'tick'
    }

    It 'refuses a second scheduler in the session' {
        Start-Scheduler -Store $store
        $other = Join-Path $TestDrive 'other.db'

        { Start-Scheduler -Store $other -ErrorAction Stop } | Should -Throw -ErrorId 'SchedulerAlreadyRunning,Scheduler.PowerShell.Commands.StartSchedulerCommand'
    }

    It 'does nothing when none runs' {
        { Stop-Scheduler -ErrorAction Stop } | Should -Not -Throw
    }

    It 'changes nothing with -WhatIf' {
        Start-Scheduler -Store $store -WhatIf
        (Get-Scheduler -Store $store).State | Should -Be 'Stopped'
    }

    It 'stops running jobs with -NoWait' {
        Register-ScheduledJobEx -Name long -Store $store -Interval 1h -ScriptBlock { Start-Sleep -Seconds 600 }
        Start-Scheduler -Store $store
        Start-ScheduledJobEx -Name long
        Get-SchedulerEvent -Type JobStarted -Name long -Last 1 -Wait -Timeout 30s | Select-Object -First 1 | Out-Null

        Stop-Scheduler -NoWait

        $run = Get-ScheduledJobExRun -Name long -Store $store
        $run.Outcome | Should -Be 'Cancelled'
    }
}

Describe 'Suspend-Scheduler and Resume-Scheduler' {
    BeforeEach {
        $store = Join-Path $TestDrive ([guid]::NewGuid().ToString() + '.db')
    }

    AfterEach {
        Stop-Scheduler -NoWait
    }

    It 'pauses and resumes the running scheduler' {
        Start-Scheduler -Store $store -Paused
        (Get-Scheduler).State | Should -Be 'Paused'
        (Resume-Scheduler -PassThru).State | Should -Be 'Running'
        (Suspend-Scheduler -PassThru).State | Should -Be 'Paused'
    }

    It 'needs a running scheduler' {
        { Suspend-Scheduler -ErrorAction Stop } | Should -Throw -ErrorId 'SchedulerNotRunning,Scheduler.PowerShell.Commands.SuspendSchedulerCommand'
        { Resume-Scheduler -ErrorAction Stop } | Should -Throw -ErrorId 'SchedulerNotRunning,Scheduler.PowerShell.Commands.ResumeSchedulerCommand'
    }
}

Describe 'Wait-Scheduler' {
    BeforeEach {
        $store = Join-Path $TestDrive ([guid]::NewGuid().ToString() + '.db')
    }

    AfterEach {
        Stop-Scheduler -NoWait
    }

    It 'returns nothing after its timeout' {
        Start-Scheduler -Store $store
        Wait-Scheduler -Timeout 200ms | Should -BeNullOrEmpty
        (Get-Scheduler).State | Should -Be 'Running'
    }

    It 'returns the stopped scheduler when a job shuts it down' {
        Register-ScheduledJobEx -Name last -Store $store -At '2000-01-01T00:00:00Z' -ScriptBlock { $null = $JobContext.Scheduler.ShutdownAsync() }
        Start-Scheduler -Store $store

        $stopped = Wait-Scheduler -Timeout 30s

        $stopped.State | Should -Be 'Stopped'
    }
}

Describe 'The scheduler view' {
    It 'shows state, jobs and store in a table' {
        $store = Join-Path $TestDrive 'view.db'
        Register-ScheduledJobEx -Name viewed -Store $store -Cron '0 9 * * *' -TimeZone UTC -ScriptBlock { 1 }

        $text = Get-Scheduler -Store $store | Out-String -Width 400

        $text | Should -Match 'State\s+Jobs\s+ActiveRuns\s+MaxWorkers\s+NextRunTime\s+Store'
        $text | Should -Match 'Stopped\s+1\s+0\s+5\s+\d{4}-\d{2}-\d{2}T09:00:00'
    }
}
