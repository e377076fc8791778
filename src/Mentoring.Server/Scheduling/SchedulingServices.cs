using Mentoring.Server.Data;
using Microsoft.Extensions.Options;
using Quartz;

namespace Mentoring.Server.Scheduling;

public static class SchedulingServices
{
    /// <summary>
    /// The scheduler: Quartz with its job store in the app's own database (clustered on PostgreSQL, so each recurring
    /// job runs on one node at a time), running the cluster-wide recurring work only. Workflow timers are rows of the
    /// <c>timers</c> table swept in batches, never one Quartz trigger each. With <c>Scheduling:Enabled=false</c> no
    /// scheduler is started (a web-only node, or tests that drive the services themselves).
    /// </summary>
    public static IHostApplicationBuilder AddMentoringScheduling(this IHostApplicationBuilder builder)
    {
        builder.Services.Configure<SchedulingOptions>(builder.Configuration.GetSection(SchedulingOptions.Section));
        builder.Services.AddSingleton<DueWorkSignal>();
        builder.Services.AddSingleton<NudgeSender>();
        builder.Services.AddSingleton<DueWorkProcessor>();
        builder.Services.AddSingleton<FacilitatorDigest>();

        var scheduling = builder.Configuration.GetSection(SchedulingOptions.Section).Get<SchedulingOptions>() ?? new SchedulingOptions();
        if (!scheduling.Enabled) return builder;
        var database = builder.Configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions();

        builder.Services.AddQuartz(quartz =>
        {
            quartz.UsePersistentStore(store =>
            {
                if (database.Provider == DatabaseProvider.Postgres)
                {
                    store.UsePostgres(database.ConnectionString);
                    store.UseClustering(_ => { });
                }
                else
                {
                    store.UseSqlite(database.ConnectionString);
                }
            });

            quartz.ScheduleJob<SweepDueWorkJob>(
                trigger => trigger.WithIdentity("sweep-due-work", "mentoring").StartNow()
                    .WithSimpleSchedule(s => s.WithInterval(scheduling.SweepInterval).RepeatForever()
                        .WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount)),
                job => job.WithIdentity(SweepDueWorkJob.Key).StoreDurably());

            quartz.ScheduleJob<FacilitatorDigestJob>(
                trigger => trigger.WithIdentity("facilitator-digest", "mentoring")
                    .WithCronSchedule(scheduling.DigestCron, cron => cron
                        .InTimeZone(TimeZoneInfo.FindSystemTimeZoneById(scheduling.DigestTimeZone))
                        .WithMisfireInstruction(CronTriggerMisfireInstruction.FireAndProceed)),
                job => job.WithIdentity(FacilitatorDigestJob.Key));
        });
        builder.Services.AddQuartzHostedService(options => options.WaitForJobsToComplete = true);
        builder.Services.AddHostedService<SweepWaker>();
        builder.Services.AddHealthChecks().AddQuartz(_ => { });
        return builder;
    }
}

/// <summary>Triggers the sweep job at once when a commit on this node may have made work due, instead of at its next
/// interval; a burst of commits within the debounce triggers one sweep.</summary>
internal sealed class SweepWaker(DueWorkSignal signal, ISchedulerFactory schedulers, IOptions<SchedulingOptions> options,
    ILogger<SweepWaker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await signal.WaitAsync(Timeout.InfiniteTimeSpan, stoppingToken);
                await Task.Delay(options.Value.WakeDebounce, stoppingToken);
                var scheduler = await schedulers.GetScheduler(stoppingToken);
                await scheduler.TriggerJob(SweepDueWorkJob.Key, null, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Could not trigger the sweep early; it runs at its next interval");
            }
        }
    }
}
