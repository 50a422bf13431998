#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
<#
    Pester 5 tests of the trigger cmdlets (New-SchedulerTrigger, Get-SchedulerFireTime) in a real
    pwsh or Windows PowerShell 5.1, against the staged module out/Scheduler (dotnet build stages it).
    What only a real shell shows is here: table views rendered by Format-Table, the module and SQLite in
    Windows PowerShell 5.1, and help. The hosted-engine xunit tests (tests/unit/PowerShell) cover the
    parameter sets and error ids in depth. Written for Windows PowerShell 5.1 as well: no ternaries,
    no ?? and no pipeline-chain operators.
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

Describe 'The Scheduler module' {
    It 'exports the trigger cmdlets' {
        Get-Command New-SchedulerTrigger -Module Scheduler | Should -Not -BeNullOrEmpty
        Get-Command Get-SchedulerFireTime -Module Scheduler | Should -Not -BeNullOrEmpty
    }

    It 'makes the engine types usable right after import' {
        [Scheduler.Triggers.Trigger].Assembly.Location | Should -BeLike ((Get-Module Scheduler).ModuleBase + '*')
    }

    It 'opens SQLite with the native library staged for this platform' {
        $store = Join-Path $TestDrive 'sqlite.db'
        Register-ScheduledJobEx -Name sqlite -Store $store -Interval 1h -ScriptBlock { 1 }

        (Get-ScheduledJobEx -Store $store).Name | Should -Be 'sqlite'
        if ($IsLinux) {
            # The module's load context maps dependencies/<runtime id>/libe_sqlite3.so, not a copy found elsewhere.
            $expected = Join-Path (Get-Module Scheduler).ModuleBase "dependencies/$([System.Runtime.InteropServices.RuntimeInformation]::RuntimeIdentifier)/libe_sqlite3.so"
            Get-Content /proc/self/maps | Where-Object { $_.EndsWith($expected) } | Should -Not -BeNullOrEmpty
        }
    }
}

Describe 'New-SchedulerTrigger' {
    Context 'Cron' {
        It 'builds a cron trigger in the given zone' {
            $trigger = New-SchedulerTrigger -Cron '0 9 * * *' -TimeZone Europe/Berlin
            $trigger | Should -BeOfType ([Scheduler.Triggers.CronTrigger])
            $trigger.Expression | Should -Be '0 9 * * *'
        }

        It 'takes the expression by position' {
            (New-SchedulerTrigger '*/15 * * * *' -TimeZone UTC).Expression | Should -Be '*/15 * * * *'
        }

        It 'reports an invalid expression as InvalidCronExpression, quoting it' {
            { New-SchedulerTrigger -Cron '61 * * * *' -TimeZone UTC -ErrorAction Stop } |
                Should -Throw -ErrorId 'InvalidCronExpression,Scheduler.PowerShell.Commands.NewSchedulerTriggerCommand' -ExpectedMessage "*'61 * * * *'*"
        }
    }

    Context 'Time zones' {
        It 'accepts a Windows id like its IANA zone' {
            $windows = New-SchedulerTrigger -Cron '0 9 * * *' -TimeZone 'W. Europe Standard Time' | Get-SchedulerFireTime -Count 2 -After 2024-03-30
            $iana = New-SchedulerTrigger -Cron '0 9 * * *' -TimeZone Europe/Berlin | Get-SchedulerFireTime -Count 2 -After 2024-03-30
            ($windows | ForEach-Object { "$_" }) | Should -Be ($iana | ForEach-Object { "$_" })
        }

        It 'accepts a TimeZoneInfo object' {
            (New-SchedulerTrigger -Cron '0 9 * * *' -TimeZone ([System.TimeZoneInfo]::Utc)).TimeZone.Id | Should -Be ([System.TimeZoneInfo]::Utc.Id)
        }

        It 'rejects an unknown zone at binding, naming it, with UnknownTimeZone inside' {
            $thrown = { New-SchedulerTrigger -Cron '0 9 * * *' -TimeZone 'Mars/Olympus_Mons' } |
                Should -Throw -ErrorId 'ParameterArgumentTransformationError*' -ExpectedMessage "*'Mars/Olympus_Mons'*" -PassThru
            $thrown.Exception.InnerException.ErrorRecord.FullyQualifiedErrorId | Should -Be 'UnknownTimeZone'
        }

        It 'completes zone ids with Tab' {
            $line = "New-SchedulerTrigger -Cron '0 9 * * *' -TimeZone Berl"
            (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Contain 'Europe/Berlin'
        }
    }

    Context 'Interval' {
        It 'reads <Text> as <Expected>' -TestCases @(
            @{ Text = '90m'; Expected = [timespan]::FromMinutes(90) }
            @{ Text = 'PT1H30M'; Expected = [timespan]::FromMinutes(90) }
            @{ Text = '01:30:00'; Expected = [timespan]::FromMinutes(90) }
            @{ Text = '500ms'; Expected = [timespan]::FromMilliseconds(500) }
        ) {
            param($Text, $Expected)
            (New-SchedulerTrigger -Interval $Text -TimeZone UTC).Every | Should -Be $Expected
        }

        It 'keeps the unit of unquoted 90s and 2d' {
            (New-SchedulerTrigger -Interval 90s -TimeZone UTC).Every | Should -Be ([timespan]::FromSeconds(90))
            (New-SchedulerTrigger -Interval 2d -TimeZone UTC).Every | Should -Be ([timespan]::FromDays(2))
        }

        It 'counts elapsed time across a DST change' {
            $times = New-SchedulerTrigger -Interval 1h -StartDate '2024-03-31T00:00' -TimeZone Europe/Berlin |
                Get-SchedulerFireTime -Count 3 -After '2024-03-31T00:30' | ForEach-Object { "$_" }
            $times | Should -Be @('2024-03-31T01:00:00+01:00', '2024-03-31T03:00:00+02:00', '2024-03-31T04:00:00+02:00')
        }

        It 'shows whole fire times with fractions and offsets in an 80-column table' {
            $times = New-SchedulerTrigger -Interval 90s -StartDate '2026-12-08T03:19:33.941' -TimeZone America/New_York |
                Get-SchedulerFireTime -Count 2 -After '2026-12-08T00:00'
            $narrow = $times | Out-String -Width 80
            $narrow | Should -Match '(?m)^\s+1 2026-12-08T03:19:33\.941-05:00\s+Tuesday\s+America/New_York\s*$'
            $narrow | Should -Match '(?m)^\s+2 2026-12-08T03:21:03\.941-05:00\s+Tuesday\s+America/New_York\s*$'
        }

        It 'reports a zero interval as InvalidDuration' {
            { New-SchedulerTrigger -Interval '0s' -TimeZone UTC -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidDuration,*'
        }

        It 'rejects text that is no duration at binding, naming it' {
            $thrown = { New-SchedulerTrigger -Interval '5x' -TimeZone UTC } | Should -Throw -ExpectedMessage "*'5x'*" -PassThru
            $thrown.Exception.InnerException.ErrorRecord.FullyQualifiedErrorId | Should -Be 'InvalidDuration'
        }
    }

    Context 'At' {
        It 'reads a date-time without an offset in the zone' {
            (New-SchedulerTrigger -At '2024-07-01T10:00' -TimeZone Europe/Berlin).At.UtcDateTime | Should -Be ([datetime]::new(2024, 7, 1, 8, 0, 0, [DateTimeKind]::Utc))
        }

        It 'moves a time in a spring-forward gap to the first instant after it' {
            "$(New-SchedulerTrigger -At '2024-03-31 02:30' -TimeZone Europe/Berlin | Get-SchedulerFireTime -After 2024-01-01)" | Should -Be '2024-03-31T03:00:00+02:00'
        }
    }

    Context 'Calendar interval' {
        It 'skips months without the day' {
            $times = New-SchedulerTrigger -CalendarInterval P1M -TimeOfDay 09:00 -StartDate 2024-01-31 -TimeZone UTC |
                Get-SchedulerFireTime -Count 3 -After 2024-01-01 | ForEach-Object { "$_" }
            $times | Should -Be @('2024-01-31T09:00:00+00:00', '2024-03-31T09:00:00+00:00', '2024-05-31T09:00:00+00:00')
        }

        It 'reports an invalid period as InvalidPeriod' {
            { New-SchedulerTrigger -CalendarInterval P1X -TimeZone UTC -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidPeriod,*' -ExpectedMessage "*'P1X'*"
        }
    }

    Context 'All and Any' {
        It 'merges fire times with -Any' {
            $nine = New-SchedulerTrigger -Cron '0 9 * * *' -TimeZone UTC
            $once = New-SchedulerTrigger -At '2024-05-01T12:00:00Z' -TimeZone UTC
            $times = New-SchedulerTrigger -Any $nine, $once -TimeZone UTC | Get-SchedulerFireTime -Count 3 -After 2024-05-01 | ForEach-Object { "$_" }
            $times | Should -Be @('2024-05-01T09:00:00+00:00', '2024-05-01T12:00:00+00:00', '2024-05-02T09:00:00+00:00')
        }

        It 'reports triggers that never agree as TriggersNeverAgree instead of hanging' {
            $nine = New-SchedulerTrigger -Cron '0 9 * * *' -TimeZone UTC
            $halfPast = New-SchedulerTrigger -Cron '30 9 * * *' -TimeZone UTC
            { New-SchedulerTrigger -All $nine, $halfPast -TimeZone UTC | Get-SchedulerFireTime -After 2024-01-01 -ErrorAction Stop } |
                Should -Throw -ErrorId 'TriggersNeverAgree,*'
        }
    }

    Context 'Pipeline' {
        It 'makes one trigger per object of the kind its properties select' {
            $triggers = @(
                [pscustomobject]@{ Cron = '0 9 * * *'; TimeZone = 'UTC' }
                [pscustomobject]@{ Interval = '1h'; TimeZone = 'UTC' }
            ) | New-SchedulerTrigger
            $triggers[0] | Should -BeOfType ([Scheduler.Triggers.CronTrigger])
            $triggers[1] | Should -BeOfType ([Scheduler.Triggers.IntervalTrigger])
        }
    }
}

Describe 'Get-SchedulerFireTime' {
    It 'numbers the fire times and gives them the zone offset at each instant' {
        $rows = New-SchedulerTrigger -Cron '0 9 * * *' -TimeZone Europe/Berlin | Get-SchedulerFireTime -Count 2 -After 2024-03-30
        $rows.Number | Should -Be @(1, 2)
        $rows[0].Time.Offset | Should -Be ([timespan]::FromHours(1))
        $rows[1].Time.Offset | Should -Be ([timespan]::FromHours(2))
    }

    It 'warns when the trigger never fires again' {
        $rows = New-SchedulerTrigger -At '2024-01-01T00:00:00Z' -TimeZone UTC | Get-SchedulerFireTime -After 2024-06-01 -WarningVariable warnings -WarningAction SilentlyContinue
        $rows | Should -BeNullOrEmpty
        $warnings | Should -HaveCount 1
    }
}

Describe 'Default views' {
    It 'shows a trigger as a table row with its kind, schedule and zone' {
        $text = New-SchedulerTrigger -Cron '0 9 * * *' -TimeZone UTC -StartDate 2024-01-01 | Out-String -Width 400
        $text | Should -Match 'Kind\s+Schedule\s+TimeZone\s+Start'
        $text | Should -Match 'cron\s+0 9 \* \* \*\s+UTC\s+2024-01-01T00:00:00\+00:00'
    }

    It 'shows fire times as ISO 8601 with the offset' {
        $text = New-SchedulerTrigger -Cron '0 9 * * *' -TimeZone UTC | Get-SchedulerFireTime -Count 1 -After 2024-01-01 | Out-String -Width 400
        $text | Should -Match 'Number\s+Time\s+DayOfWeek\s+TimeZone'
        $text | Should -Match '1\s+2024-01-01T09:00:00\+00:00\s+Monday\s+UTC'
    }
}
