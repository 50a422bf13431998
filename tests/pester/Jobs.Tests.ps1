#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
<#
    Pester 5 tests of the job cmdlets (Register-, Get-, Set-, Unregister-, Suspend-, Resume-,
    Start-ScheduledJobEx, Get-ScheduledJobExRun, Get-SchedulerFireTime -Name) and of runs as PowerShell
    jobs (Get-Job, Receive-Job), in a real pwsh or Windows PowerShell 5.1 against the staged module
    out/Scheduler. The full command set is available here: Write-Warning, Write-Host and Write-Error in
    jobs, Format-Table views. Written for Windows PowerShell 5.1 as well: no ternaries, no ??.
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

Describe 'Register-ScheduledJobEx' {
    BeforeEach {
        $store = Join-Path $TestDrive ([guid]::NewGuid().ToString() + '.db')
    }

    It 'stores the job with its trigger and options' {
        $job = Register-ScheduledJobEx -Name report -Store $store -Cron '30 7 * * MON-FRI' -TimeZone Europe/Berlin -ScriptBlock { 'hi' } `
            -Timeout 10m -RetryCount 2 -RetryDelay 30s -MaxInstances 2 -OverlapPolicy Queue -PassThru

        $job.Schedule | Should -Be '30 7 * * MON-FRI'
        $job.NextRunTime.TimeOfDay | Should -Be ([TimeSpan]'07:30:00')
        $job.Timeout | Should -Be ([TimeSpan]::FromMinutes(10))
        $job.OverlapPolicy | Should -Be 'Queue'
        $job.Executor | Should -Be 'Runspace'
    }

    It 'refuses a duplicate name without -Force' {
        Register-ScheduledJobEx -Name dup -Store $store -Interval 1h -ScriptBlock { 1 }

        { Register-ScheduledJobEx -Name DUP -Store $store -Interval 1h -ScriptBlock { 2 } -ErrorAction Stop } |
            Should -Throw -ErrorId 'DuplicateJobName,Scheduler.PowerShell.Commands.RegisterScheduledJobExCommand'
        Register-ScheduledJobEx -Name dup -Store $store -Interval 1h -ScriptBlock { 2 } -Force
        (Get-ScheduledJobEx -Name dup -Store $store).Command | Should -Be ' 2 '
    }

    It 'reports a bad cron expression and an unknown zone with stable ids' {
        { Register-ScheduledJobEx -Name bad -Store $store -Cron '61 * * * *' -ScriptBlock { 1 } -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidCronExpression,Scheduler.PowerShell.Commands.RegisterScheduledJobExCommand'
        { Register-ScheduledJobEx -Name bad -Store $store -Cron '0 9 * * *' -TimeZone Mars/Olympus -ScriptBlock { 1 } -ErrorAction Stop } |
            Should -Throw -ErrorId 'ParameterArgumentTransformationError,Scheduler.PowerShell.Commands.RegisterScheduledJobExCommand'
        Get-ScheduledJobEx -Store $store | Should -BeNullOrEmpty
    }

    It 'changes nothing with -WhatIf' {
        Register-ScheduledJobEx -Name nothing -Store $store -Interval 1h -ScriptBlock { 1 } -WhatIf
        Get-ScheduledJobEx -Store $store | Should -BeNullOrEmpty
    }

    It 'completes time zones' {
        $completion = TabExpansion2 -inputScript 'Register-ScheduledJobEx -TimeZone Berl' -cursorColumn 38
        $completion.CompletionMatches.CompletionText | Should -Contain 'Europe/Berlin'
    }
}

Describe 'Running jobs in the session' {
    BeforeEach {
        $store = Join-Path $TestDrive ([guid]::NewGuid().ToString() + '.db')
        Start-Scheduler -Store $store
    }

    AfterEach {
        Stop-Scheduler -NoWait
    }

    It 'captures output, warnings and information, with $using: values and arguments' {
        $name = 'world'
        Register-ScheduledJobEx -Name greet -Interval 1h -ArgumentList 'from a job' -ScriptBlock {
            param($Suffix)
            "hello $using:name $Suffix"
            Write-Warning 'careful'
            Write-Host 'shown'
        }

        $run = Start-ScheduledJobEx -Name greet -Wait

        $run.Outcome | Should -Be 'Succeeded'
        $run.Output | Should -Be "hello world from a job`nWARNING: careful`nshown"
    }

    It 'lets a job use the module''s cmdlets, imported by path and not on PSModulePath' {
        $backup = Join-Path $TestDrive 'nightly-backup.db'
        Register-ScheduledJobEx -Name 'store-backup' -Interval 1h -ScriptBlock {
            $file = Backup-SchedulerStore -Path $using:backup -Store $using:store -Force
            "$($file.Name): $((Get-ScheduledJobEx -Store $using:backup).Name)"
        }

        $run = Start-ScheduledJobEx -Name 'store-backup' -Wait

        $run.Error | Should -BeNullOrEmpty
        $run.Outcome | Should -Be 'Succeeded'
        $run.Output | Should -Be 'nightly-backup.db: store-backup'
    }

    It 'shows jobs and runs in an 80-column console, long names cut, times to the second' {
        Register-ScheduledJobEx -Name 'a-rather-long-job-name-for-reports' -Cron '0 3 * * *' -TimeZone Europe/Berlin -ScriptBlock { throw 'boom' }
        $run = Start-ScheduledJobEx -Name 'a-rather-long-job-name-for-reports' -Wait
        $job = Get-ScheduledJobEx -Name 'a-rather-long-job-name-for-reports'

        $jobs = $job | Out-String -Width 80
        $jobs | Should -Match '(?m)^Name\s+State\s+NextRunTime\s+Schedule\s*$'
        $jobs | Should -Match ('(?m)^a-rather-long-job\S* Scheduled ' + [regex]::Escape($job.NextRunTime.ToString('yyyy-MM-dd\THH:mm:sszzz')) + ' 0 3 \* \* \*\s*$')

        $runs = $run | Out-String -Width 80
        $runs | Should -Match '(?m)^JobName\s+Outcome\s+ScheduledTime\s+Duration\s+Error\s*$'
        $runs | Should -Match ('(?m)^a-rather-long-job\S* Failed\s+' + [regex]::Escape($run.ScheduledTime.ToString('yyyy-MM-dd\THH:mm:sszzz')) + ' PT\d+\.?\d{0,3}S\s+boom')
    }

    It 'records a failing job as Failed with its error' {
        Register-ScheduledJobEx -Name broken -Interval 1h -ScriptBlock { Write-Error 'disk full'; 'after' }

        $run = Start-ScheduledJobEx -Name broken -Wait

        $run.Outcome | Should -Be 'Failed'
        $run.Error | Should -Match 'disk full'
        $run.Output | Should -Be 'after'
    }

    It 'takes what a native command writes to stderr as error text, and its exit code as its outcome' -Skip:($IsWindows -or $PSVersionTable.PSVersion.Major -lt 6) {
        Register-ScheduledJobEx -Name progress -Interval 1h -ScriptBlock { sh -c 'echo fetching >&2; echo done' }
        Register-ScheduledJobEx -Name exit3 -Interval 1h -ScriptBlock { sh -c 'exit 3' }

        $progress = Start-ScheduledJobEx -Name progress -Wait
        $failed = Start-ScheduledJobEx -Name exit3 -Wait

        $progress.Outcome | Should -Be 'Succeeded'
        $progress.Output | Should -Be 'done'
        $progress.Error | Should -Match 'fetching'
        $failed.Outcome | Should -Be 'Failed'
        $failed.Error | Should -Be 'The last native command the job ran exited with code 3.'
    }

    It 'stops a run past its timeout' {
        Register-ScheduledJobEx -Name slow -Interval 1h -Timeout 500ms -ScriptBlock { Start-Sleep -Seconds 600 }

        $run = Start-ScheduledJobEx -Name slow -Wait

        $run.Outcome | Should -Be 'TimedOut'
    }

    It 'runs each time in a clean runspace' {
        Register-ScheduledJobEx -Name leaky -Interval 1h -ScriptBlock { if ($global:seen) { 'leaked' } else { 'clean' }; $global:seen = 1 }

        (Start-ScheduledJobEx -Name leaky -Wait).Output | Should -Be 'clean'
        (Start-ScheduledJobEx -Name leaky -Wait).Output | Should -Be 'clean'
    }

    It 'shows runs as PowerShell jobs' {
        Register-ScheduledJobEx -Name psjob-pester -Interval 1h -ScriptBlock { 1; 2 }
        $null = Start-ScheduledJobEx -Name psjob-pester -Wait

        $job = Get-Job -Name psjob-pester
        $job.PSJobTypeName | Should -Be 'ScheduledJobEx'
        $job.State | Should -Be 'Completed'
        Receive-Job -Job $job -Keep | Should -Be @(1, 2)
    }

    It 'keeps the run of a one-off job as a PowerShell job and a run once the job is gone' {
        Register-ScheduledJobEx -Name psjob-once -At (Get-Date).AddMilliseconds(300) -ScriptBlock { 'ran once' }
        Get-SchedulerEvent -Type JobExecuted -Name psjob-once -Last 1 -Wait -Timeout 30s | Select-Object -First 1 | Out-Null

        Get-ScheduledJobEx -Name psjob-once -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $job = Get-Job -Name psjob-once
        $job.State | Should -Be 'Completed'
        Receive-Job -Job $job -Keep | Should -Be 'ran once'
        (Get-ScheduledJobExRun -Name psjob-on*).Outcome | Should -Be 'Succeeded'
        (Get-ScheduledJobExRun).JobName | Should -Contain 'psjob-once'
    }

    It 'lists the run history newest first' {
        Register-ScheduledJobEx -Name twice -Interval 1h -ScriptBlock { $JobContext.RunId }
        $first = Start-ScheduledJobEx -Name twice -Wait
        $second = Start-ScheduledJobEx -Name twice -Wait

        (Get-ScheduledJobExRun -Name twice).RunId | Should -Be @($second.RunId, $first.RunId)
        (Get-ScheduledJobExRun -Name twice -Last 1).RunId | Should -Be $second.RunId
    }
}

Describe 'Managing stored jobs' {
    BeforeEach {
        $store = Join-Path $TestDrive ([guid]::NewGuid().ToString() + '.db')
        'report', 'reindex', 'backup' | ForEach-Object { Register-ScheduledJobEx -Name $_ -Store $store -Interval 1h -ScriptBlock { 1 } }
    }

    It 'gets jobs by wildcard' {
        (Get-ScheduledJobEx -Name 're*' -Store $store).Name | Sort-Object | Should -Be @('reindex', 'report')
    }

    It 'reports an unknown job as JobNotFound' {
        { Get-ScheduledJobEx -Name nope -Store $store -ErrorAction Stop } | Should -Throw -ErrorId 'JobNotFound,Scheduler.PowerShell.Commands.GetScheduledJobExCommand'
        { Suspend-ScheduledJobEx -Name nope -Store $store -ErrorAction Stop } | Should -Throw -ErrorId 'JobNotFound,Scheduler.PowerShell.Commands.SuspendScheduledJobExCommand'
    }

    It 'suspends, resumes and changes piped jobs' {
        $paused = Get-ScheduledJobEx -Store $store | Suspend-ScheduledJobEx -PassThru
        $paused.State | Should -Be @('Paused', 'Paused', 'Paused')

        'report' | Resume-ScheduledJobEx -Store $store
        (Get-ScheduledJobEx -Name report -Store $store).State | Should -Be 'Scheduled'

        Get-ScheduledJobEx -Name report -Store $store | Set-ScheduledJobEx -Cron '0 6 * * *' -TimeZone UTC
        (Get-ScheduledJobEx -Name report -Store $store).Schedule | Should -Be '0 6 * * *'
    }

    It 'unregisters jobs' {
        Get-ScheduledJobEx -Name backup -Store $store | Unregister-ScheduledJobEx
        (Get-ScheduledJobEx -Store $store).Name | Should -Not -Contain 'backup'
    }

    It 'previews stored jobs' {
        $times = Get-SchedulerFireTime -Name report -Store $store -Count 2
        $times.Count | Should -Be 2
        $times[0].JobName | Should -Be 'report'
    }

    It 'completes job names from the store' {
        $line = "Get-ScheduledJobEx -Store '$store' -Name re"
        $completion = TabExpansion2 -inputScript $line -cursorColumn $line.Length
        $completion.CompletionMatches.CompletionText | Should -Be @('reindex', 'report')
    }

    It 'shows jobs and runs in tables' {
        $text = Get-ScheduledJobEx -Store $store | Out-String -Width 400
        $text | Should -Match 'Name\s+State\s+NextRunTime\s+Schedule\s+TimeZone\s+Executor\s+Command'
        $text | Should -Match 'report\s+Scheduled'
    }

    It 'keeps jobs across Remove-Module and Import-Module' {
        Remove-Module Scheduler
        Import-Module (Join-Path $PSScriptRoot '../../out/Scheduler/Scheduler.psd1')

        (Get-ScheduledJobEx -Store $store).Count | Should -Be 3
    }
}
