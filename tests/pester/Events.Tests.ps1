#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
<#
    Pester 5 tests of the scheduler's events in a real pwsh or Windows PowerShell 5.1, against the staged
    module out/Scheduler: Get-SchedulerEvent (history, filters, -Wait streaming stopped by Select-Object
    -First), and the engine events for Register-EngineEvent and Wait-Event, which the hosted engine of
    the xunit tests does not have. Written for Windows PowerShell 5.1 as well: no ternaries, no ??.
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

Describe 'Get-SchedulerEvent' {
    BeforeEach {
        $store = Join-Path $TestDrive ([guid]::NewGuid().ToString() + '.db')
        Register-ScheduledJobEx -Name job -Store $store -Interval 1h -ScriptBlock { 'out' }
        Start-Scheduler -Store $store
    }

    AfterEach {
        Stop-Scheduler -NoWait
    }

    It 'lists what happened, oldest first' {
        $null = Start-ScheduledJobEx -Name job -Wait

        $types = (Get-SchedulerEvent -Name job).Type
        $types | Should -Contain 'JobStarted'
        $types[-1] | Should -Be 'JobExecuted'
    }

    It 'filters by type and count' {
        $null = Start-ScheduledJobEx -Name job -Wait
        $null = Start-ScheduledJobEx -Name job -Wait

        $executed = Get-SchedulerEvent -Type JobExecuted -Last 1
        @($executed).Count | Should -Be 1
        $executed.ReturnValue | Should -Be 'out'
    }

    It 'streams events as they happen with -Wait' {
        Register-ScheduledJobEx -Name soon -Interval 1h -ScriptBlock { 'soon' } -RunNow

        $event = Get-SchedulerEvent -Type JobExecuted -Name soon -Since '2000-01-01' -Wait -Timeout 30s | Select-Object -First 1

        $event.JobName | Should -Be 'soon'
    }

    It 'renders a table' {
        $null = Start-ScheduledJobEx -Name job -Wait
        $text = Get-SchedulerEvent -Type JobExecuted | Out-String -Width 400
        $text | Should -Match 'Sequence\s+Timestamp\s+Type\s+JobName\s+Outcome\s+Message'
        $text | Should -Match 'JobExecuted\s+job\s+Succeeded'

        # In an 80-column console the time of day is there, to the millisecond, and the job's name whole.
        $executed = Get-SchedulerEvent -Type JobExecuted -Last 1
        $narrow = $executed | Out-String -Width 80
        $narrow | Should -Match ([regex]::Escape($executed.Timestamp.ToLocalTime().ToString('yyyy-MM-dd\THH:mm:ss.fff')) + ' JobExecuted\s+job\s+Succeeded')
    }
}

Describe 'Engine events' {
    BeforeEach {
        $store = Join-Path $TestDrive ([guid]::NewGuid().ToString() + '.db')
        Register-ScheduledJobEx -Name job -Store $store -Interval 1h -ScriptBlock { throw 'boom' }
        Start-Scheduler -Store $store
    }

    AfterEach {
        Stop-Scheduler -NoWait
        Get-EventSubscriber | Where-Object SourceIdentifier -like 'Scheduler.*' | Unregister-Event
        Get-Event | Where-Object SourceIdentifier -like 'Scheduler.*' | Remove-Event
        Remove-Variable -Name SchedulerTestReceived -Scope Global -ErrorAction SilentlyContinue
    }

    It 'runs a Register-EngineEvent -Action for Scheduler.JobError with the event as its data' {
        # An action runs in its own scope: it reports through a global list.
        $global:SchedulerTestReceived = [System.Collections.ArrayList]::new()
        $received = $global:SchedulerTestReceived
        $null = Register-EngineEvent -SourceIdentifier Scheduler.JobError -Action {
            $null = $global:SchedulerTestReceived.Add($Event.MessageData)
        }
        $null = Start-ScheduledJobEx -Name job -Wait

        # Actions run between statements of the session's pipeline: Start-Sleep lets them.
        $deadline = [DateTime]::UtcNow.AddSeconds(30)
        while ($received.Count -eq 0 -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }

        $received | Should -HaveCount 1
        $received[0].JobName | Should -Be 'job'
        $received[0].Type | Should -Be 'JobError'
        $received[0].Error | Should -Match 'boom'
    }

    It 'queues nothing for types nobody subscribed to' {
        $null = Start-ScheduledJobEx -Name job -Wait
        Get-Event | Where-Object SourceIdentifier -like 'Scheduler.*' | Should -BeNullOrEmpty
    }
}
