using Microsoft.Extensions.Options;

namespace Mentoring.Server.Scheduling;

/// <summary>Sweeps for due timers and undelivered programme events every interval, or at once when a commit wakes it.</summary>
public sealed class DueWorkService(DueWorkProcessor processor, DueWorkSignal signal, IOptions<SchedulingOptions> options,
    ILogger<DueWorkService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled) return;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await processor.FireResumeTimersAsync(stoppingToken);
                await processor.DeliverProgrammeEventsAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Sweeping due work failed; trying again at the next interval");
            }

            try
            {
                await signal.WaitAsync(options.Value.SweepInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
