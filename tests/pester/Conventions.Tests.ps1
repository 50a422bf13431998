#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
<#
    Pester 5 tests of what every output type of the module gives the commands users pipe it to in real
    pwsh: Sort-Object, Where-Object, Export-Csv/Import-Csv and ConvertTo-Json, plus the conventions of
    waiting cmdlets (a numeric -Timeout is seconds) and of fire times (they convert to and compare with
    dates). Written for Windows PowerShell 5.1 as well: no ternaries, no ??.
#>

BeforeAll {
    $modulePath = Join-Path $PSScriptRoot '../../out/Scheduler/Scheduler.psd1'
    if (-not (Test-Path -LiteralPath $modulePath)) {
        throw "The staged module is missing at $modulePath; run 'dotnet build src/Scheduler.PowerShell' first."
    }

    Import-Module $modulePath -Force -ErrorAction Stop

    # ConvertTo-Json at its default depth, with its warnings (a truncated object) collected.
    function ConvertTo-CheckedJson {
        param([Parameter(ValueFromPipeline)] $InputObject)
        begin { $items = [System.Collections.Generic.List[object]]::new() }
        process { $items.Add($InputObject) }
        end {
            $json = $items | ConvertTo-Json -WarningVariable truncation -WarningAction SilentlyContinue -ErrorAction Stop
            [pscustomobject]@{ Text = $json; Warnings = @($truncation); Value = $json | ConvertFrom-Json }
        }
    }

    function Export-AndImport {
        param([Parameter(ValueFromPipeline)] $InputObject)
        begin { $items = [System.Collections.Generic.List[object]]::new() }
        process { $items.Add($InputObject) }
        end {
            $file = Join-Path $TestDrive ([guid]::NewGuid().ToString() + '.csv')
            $items | Export-Csv -LiteralPath $file -NoTypeInformation
            Import-Csv -LiteralPath $file
        }
    }
}

AfterAll {
    Remove-Module Scheduler -ErrorAction SilentlyContinue
}

Describe 'Fire times' {
    BeforeAll {
        $times = New-SchedulerTrigger -Cron '0 9 * * *' -TimeZone Europe/Berlin | Get-SchedulerFireTime -Count 3 -After 2024-03-30
    }

    It 'cast to DateTimeOffset and DateTime' {
        [DateTimeOffset]$times[0] | Should -Be ([DateTimeOffset]'2024-03-30T09:00:00+01:00')
        ([DateTimeOffset]$times[1]).Offset | Should -Be ([TimeSpan]::FromHours(2))
        ([datetime]$times[0]).ToUniversalTime() | Should -Be ([datetime]::SpecifyKind([datetime]'2024-03-30T08:00:00', 'Utc'))
    }

    It 'compare with dates, on either side, and with each other' {
        $times[0] -lt (Get-Date) | Should -BeTrue
        (Get-Date) -gt $times[0] | Should -BeTrue
        $times[0] -lt [DateTimeOffset]'2024-03-30T07:30:00Z' | Should -BeFalse
        $times[0] -lt [DateTimeOffset]'2024-03-30T08:30:00Z' | Should -BeTrue
        $times[0] -eq [DateTimeOffset]'2024-03-30T08:00:00Z' | Should -BeTrue
        $times[0] -lt $times[1] | Should -BeTrue
    }

    It 'sort by instant and filter by date' {
        ($times | Sort-Object -Descending | Select-Object -First 1).Number | Should -Be 3
        @($times | Where-Object { $_ -gt [datetime]'2024-03-31T00:00:00' }).Number | Should -Be @(2, 3)
        @($times | Where-Object Time -gt '2024-03-31T00:00:00+00:00').Count | Should -Be 2
    }

    It 'export to CSV with times that read back as the same instants' {
        $rows = $times | Export-AndImport

        $rows.Number | Should -Be @('1', '2', '3')
        [DateTimeOffset]$rows[1].Time | Should -Be ([DateTimeOffset]$times[1])
        $rows[1].TimeZone | Should -Be 'Europe/Berlin'
        $rows[1].DayOfWeek | Should -Be 'Sunday'
    }

    It 'convert to JSON with ISO 8601 times and nothing truncated' {
        $json = $times | ConvertTo-CheckedJson

        $json.Warnings | Should -BeNullOrEmpty
        $json.Text | Should -Match '"Time": "2024-03-31T09:00:00\+02:00"'
        $json.Value[1].TimeZone | Should -Be 'Europe/Berlin'
    }
}

Describe 'Stored jobs, runs, events and the scheduler' {
    BeforeAll {
        $store = Join-Path $TestDrive 'conventions.db'
        Register-ScheduledJobEx -Name zeta -Store $store -Cron '0 9 * * *' -TimeZone Europe/Berlin -ScriptBlock { 'z' } -Timeout 5m
        # alpha's next run is years away whatever the time of day the tests run, so zeta's comes first
        # by time, though not by name.
        Register-ScheduledJobEx -Name alpha -Store $store -Cron '0 0 7 1 1 * 2099' -TimeZone America/New_York -ScriptBlock { throw 'boom' }
        Start-Scheduler -Store $store
        $null = Start-ScheduledJobEx -Name zeta -Wait
        $null = Start-ScheduledJobEx -Name zeta -Wait
        $null = Start-ScheduledJobEx -Name alpha -Wait
    }

    AfterAll {
        Stop-Scheduler
    }

    It 'jobs sort by next run time, filter by zone, and export their schedule and zone as text' {
        $jobs = Get-ScheduledJobEx

        $jobs[0].NextRunTime | Should -BeOfType [DateTimeOffset]
        ($jobs | Sort-Object NextRunTime | Select-Object -First 1).Name | Should -Be 'zeta'
        ($jobs | Sort-Object NextRunTime -Descending | Select-Object -First 1).Name | Should -Be 'alpha'
        @($jobs | Where-Object TimeZone -eq 'America/New_York').Name | Should -Be 'alpha'
        $rows = $jobs | Export-AndImport
        $row = $rows | Where-Object Name -eq 'zeta'
        $row.Schedule | Should -Be '0 9 * * *'
        $row.TimeZone | Should -Be 'Europe/Berlin'
        $row.Timeout | Should -Be '00:05:00'
        [DateTimeOffset]$row.NextRunTime | Should -Be (($jobs | Where-Object Name -eq 'zeta').NextRunTime)
    }

    It 'jobs convert to JSON with their times, schedule and zone as text' {
        $json = Get-ScheduledJobEx -Name zeta | ConvertTo-CheckedJson

        $json.Value.Name | Should -Be 'zeta'
        $json.Value.Schedule | Should -Be '0 9 * * *'
        $json.Value.TimeZone | Should -Be 'Europe/Berlin'
        $json.Text | Should -Match '"NextRunTime": "\d{4}-\d\d-\d\dT09:00:00\+0[12]:00"'
    }

    It 'runs sort by start time, filter by outcome, and export and convert as data' {
        $runs = Get-ScheduledJobExRun -Name zeta, alpha

        ($runs | Sort-Object StartTime -Descending | Select-Object -First 1).JobName | Should -Be 'alpha'
        @($runs | Where-Object Outcome -eq 'Succeeded').Count | Should -Be 2
        @($runs | Where-Object Outcome -eq 'Failed').Error | Should -Match 'boom'
        $rows = $runs | Export-AndImport
        @($rows | Where-Object Outcome -eq 'Failed').JobName | Should -Be 'alpha'
        $json = $runs | ConvertTo-CheckedJson
        $json.Warnings | Should -BeNullOrEmpty
        @($json.Value | Where-Object JobName -eq 'alpha').Error | Should -Match 'boom'
    }

    It 'events from the live log, failures included, filter, sort, export and convert as data' {
        $events = Get-SchedulerEvent -Name zeta, alpha

        @($events | Where-Object Type -eq 'JobError').JobName | Should -Be 'alpha'
        ($events | Sort-Object Sequence -Descending | Select-Object -First 1).Sequence | Should -Be (($events | Measure-Object Sequence -Maximum).Maximum)
        @($events | Where-Object Type -eq 'JobError')[0].GetException() | Should -Not -BeNullOrEmpty
        $rows = $events | Export-AndImport
        @($rows | Where-Object Type -eq 'JobExecuted').Count | Should -Be 2
        $json = $events | ConvertTo-CheckedJson
        $json.Warnings | Should -BeNullOrEmpty
        @($json.Value | Where-Object JobName -eq 'alpha' | Where-Object Error).Error | Should -Match 'boom'
    }

    It 'the scheduler exports and converts as data' {
        $row = Get-Scheduler | Export-AndImport
        $row.State | Should -Be 'Running'
        $row.JobCount | Should -Be '2'

        $json = Get-Scheduler | ConvertTo-CheckedJson
        $json.Warnings | Should -BeNullOrEmpty
        $json.Value.Store | Should -Be $store
    }

    It 'triggers export their schedule' {
        $row = New-SchedulerTrigger -Cron '0 9 * * *' -TimeZone UTC -StartDate 2024-01-01 | Export-AndImport
        $row.Expression | Should -Be '0 9 * * *'
        [DateTimeOffset]$row.Start | Should -Be ([DateTimeOffset]'2024-01-01T00:00:00Z')
    }
}

Describe 'A numeric -Timeout on a waiting cmdlet is seconds' {
    BeforeAll {
        $store = Join-Path $TestDrive 'timeout.db'
        Register-ScheduledJobEx -Name idle -Store $store -Interval 1h -ScriptBlock { 1 }
        Start-Scheduler -Store $store
    }

    AfterAll {
        Stop-Scheduler
    }

    It 'Get-SchedulerEvent -Wait -Timeout <Timeout> stops after about <Seconds> s' -ForEach @(
        @{ Timeout = 1; Seconds = 1 }
        @{ Timeout = 0.5; Seconds = 0.5 }
        @{ Timeout = '1500ms'; Seconds = 1.5 }
    ) {
        $elapsed = Measure-Command { Get-SchedulerEvent -Type JobError -Wait -Timeout $Timeout }
        $elapsed.TotalSeconds | Should -BeGreaterOrEqual ($Seconds - 0.05)
        $elapsed.TotalSeconds | Should -BeLessThan ($Seconds + 5)
    }

    It 'Wait-Scheduler 1 returns after about a second, the scheduler still running' {
        $elapsed = Measure-Command { Wait-Scheduler 1 }
        $elapsed.TotalSeconds | Should -BeGreaterOrEqual 0.95
        $elapsed.TotalSeconds | Should -BeLessThan 6
        (Get-Scheduler).State | Should -Be 'Running'
    }

    It 'a negative number is refused, naming the value' {
        { Get-SchedulerEvent -Wait -Timeout (-3) -ErrorAction Stop } |
            Should -Throw -ErrorId 'ParameterArgumentTransformationError,*' -ExpectedMessage "*'-3' is not a number of seconds*"
    }

    It 'a job''s run -Timeout still needs a unit: a bare number is refused, never read as ticks' {
        { Register-ScheduledJobEx -Name bare -Store $store -Interval 1h -Timeout 6 -ScriptBlock { 1 } -ErrorAction Stop } |
            Should -Throw -ErrorId 'ParameterArgumentTransformationError,*'
    }
}
