#
# Module manifest for Scheduler: an in-process job scheduler (triggers, job stores, executors) for
# Windows PowerShell 5.1 and PowerShell 7.6+. The build stages the loadable module in out/Scheduler.
#
@{
    RootModule           = 'Scheduler.PowerShell.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = 'b8faf803-0ba7-468c-8536-97b637500198'
    Author               = 'Scheduler contributors'
    CompanyName          = 'Scheduler contributors'
    Copyright            = '(c) Scheduler contributors.'
    Description          = 'In-process job scheduler in the spirit of APScheduler: cron, interval, calendar and date triggers with exact time-zone and DST rules, persistent job stores and PowerShell, .NET and process executors.'
    PowerShellVersion    = '5.1'
    CompatiblePSEditions = @('Desktop', 'Core')
    # .NET Framework 4.7.2 is the first with full netstandard2.0 support.
    DotNetFrameworkVersion = '4.7.2'
    FormatsToProcess     = @('Scheduler.format.ps1xml')
    # Imported before the cmdlets: it makes the engine and its dependencies (in dependencies/) loadable,
    # in a load context of their own on PowerShell 7, so other versions in the session cannot conflict.
    NestedModules        = @('Scheduler.PowerShell.Loader.dll')

    # Listed one by one (never '*') so the manifest is the reviewed public surface; the tests compare
    # it with the cmdlets the assembly defines.
    CmdletsToExport      = @(
        'Backup-SchedulerStore'
        'Get-ScheduledJobEx'
        'Get-ScheduledJobExRun'
        'Get-Scheduler'
        'Get-SchedulerEvent'
        'Get-SchedulerFireTime'
        'New-SchedulerTrigger'
        'Register-ScheduledJobEx'
        'Resume-ScheduledJobEx'
        'Restore-SchedulerStore'
        'Resume-Scheduler'
        'Set-ScheduledJobEx'
        'Start-ScheduledJobEx'
        'Start-Scheduler'
        'Stop-Scheduler'
        'Suspend-ScheduledJobEx'
        'Suspend-Scheduler'
        'Unregister-ScheduledJobEx'
        'Wait-Scheduler'
    )
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()

    PrivateData          = @{
        PSData = @{
            Tags         = @('Scheduler', 'Cron', 'Jobs', 'ScheduledJob', 'PSEdition_Core', 'PSEdition_Desktop', 'Windows', 'Linux', 'MacOS')
            # Placeholders until the repository has a public home.
            ProjectUri   = 'https://example.invalid/scheduler/README.md'
            LicenseUri   = 'https://example.invalid/scheduler/README.md#license'
        }
    }
}
