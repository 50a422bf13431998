using System.Runtime.Versioning;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Scheduler.Host.Commands;

namespace Scheduler.Host;

/// <summary>
/// <c>schedhost run</c> started by the Windows service control manager. A service must answer the SCM
/// (start, stop), which a console program does not: the generic host's Windows service lifetime does
/// that, and its stop request stops the daemon as Ctrl+C does. The log lines go to the Windows event
/// log (source "schedhost") instead of a console nobody sees.
/// </summary>
[SupportedOSPlatform("windows")]
internal static class WindowsService
{
    public const string ServiceName = "schedhost";

    public static async Task<int> RunAsync(StoreSession session, bool demo, TimeSpan stopTimeout, HostContext context)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = AppContext.BaseDirectory });
        builder.Services.AddWindowsService(options => options.ServiceName = ServiceName);

        // The event log provider keeps warnings and errors only by default; the daemon's log is information.
        builder.Logging.AddFilter<Microsoft.Extensions.Logging.EventLog.EventLogLoggerProvider>(null, LogLevel.Information);

        // The host waits for the daemon's own bounded stop, not less.
        builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = stopTimeout + TimeSpan.FromSeconds(5));
        var exitCode = SchedHost.Success;
        builder.Services.AddHostedService(services => new Daemon(async stop =>
        {
            var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(ServiceName);
            using var errors = new StringWriter();
            exitCode = await RunCommand.RunDaemonAsync(
                session,
                line => logger.LogInformation("{Line}", line),
                errors,
                demo,
                stopTimeout,
                context.Time,
                Task.Delay(Timeout.Infinite, CancellationToken.None),
                stop).ConfigureAwait(false);
            if (exitCode != SchedHost.Success)
            {
                logger.LogError("{Error}", errors.ToString().Trim());
                services.GetRequiredService<IHostApplicationLifetime>().StopApplication();
            }
        }));

        using var host = builder.Build();
        await host.RunAsync(context.Stopping).ConfigureAwait(false);
        return exitCode;
    }

    private sealed class Daemon(Func<CancellationToken, Task> run) : BackgroundService
    {
        protected override Task ExecuteAsync(CancellationToken stoppingToken) => run(stoppingToken);
    }
}
