using Mentoring.Server.Data;
using Microsoft.Extensions.Diagnostics.HealthChecks;
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
        builder.Services.AddSingleton<NudgeSender>();
        builder.Services.AddSingleton<DueWorkProcessor>();
        builder.Services.AddSingleton<FacilitatorDigest>();
        // After StartupTasks (registered earlier): the qrtz_ tables exist before Quartz validates them.
        builder.Services.AddSingleton<MentoringScheduler>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<MentoringScheduler>());
        builder.Services.AddHostedService<SweepWaker>();
        builder.Services.AddHealthChecks().AddCheck<SchedulerReadyCheck>("scheduler", tags: ["ready"]);
        return builder;
    }

    /// <summary>The Quartz configuration. Built when the host starts rather than at registration, because the database
    /// provider and connection string are only final then (configuration sources added by the host, e.g. tests).</summary>
    internal static void Configure(IQuartzBuilder quartz, SchedulingOptions scheduling, DatabaseOptions database)
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

        // Recurring jobs skip what they missed while every node was down: the sweep goes on at its next interval
        // (it catches up on all due timers in one run anyway), a missed digest fires once.
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

        quartz.ScheduleJob<DispatchOutboxJob>(
            trigger => trigger.WithIdentity("dispatch-outbox", "mentoring").StartNow()
                .WithSimpleSchedule(s => s.WithInterval(scheduling.DispatchInterval).RepeatForever()
                    .WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount)),
            job => job.WithIdentity(DispatchOutboxJob.Key).StoreDurably());

        quartz.ScheduleJob<CleanUpSentMailJob>(
            trigger => trigger.WithIdentity("clean-up-sent-mail", "mentoring")
                .WithCronSchedule(scheduling.CleanupCron, cron => cron
                    .WithMisfireInstruction(CronTriggerMisfireInstruction.DoNothing)),
            job => job.WithIdentity(CleanUpSentMailJob.Key));
    }
}

/// <summary>
/// Runs this node's Quartz scheduler when scheduling is enabled. Quartz gets a container of its own holding the jobs
/// and the app services they call, so its configuration can follow the database settings the host ends up with.
/// </summary>
public sealed class MentoringScheduler(IServiceProvider app, IOptions<SchedulingOptions> scheduling, DatabaseOptions database)
    : IHostedService, IAsyncDisposable
{
    private ServiceProvider? _quartz;

    /// <summary>The running scheduler, or null when this node does not schedule.</summary>
    public IScheduler? Scheduler { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!scheduling.Value.Enabled) return;
        var services = new ServiceCollection();
        services.AddSingleton(app.GetRequiredService<ILoggerFactory>());
        services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        services.AddSingleton(app.GetRequiredService<TimeProvider>());
        // Quartz's container sees a lifetime that never stops: this service starts and stops the scheduler, once.
        services.AddSingleton<IHostApplicationLifetime>(new OwnedLifetime());
        services.AddSingleton(app.GetRequiredService<IConfiguration>());
        services.AddSingleton(app.GetRequiredService<DueWorkProcessor>());
        services.AddSingleton(app.GetRequiredService<FacilitatorDigest>());
        services.AddSingleton(app.GetRequiredService<Email.OutboxDispatcher>());
        services.AddQuartz(quartz => SchedulingServices.Configure(quartz, scheduling.Value, database));
        _quartz = services.BuildServiceProvider();
        Scheduler = await _quartz.GetRequiredService<ISchedulerFactory>().GetScheduler(cancellationToken);
        await Scheduler.Start(cancellationToken);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Scheduler is not { } scheduler) return;
        Scheduler = null;
        try
        {
            await scheduler.Shutdown(true, cancellationToken);
        }
        catch (ObjectDisposedException)
        {
            // Quartz keeps schedulers in a process-wide repository by name; where two nodes share a process (tests),
            // one node's shutdown can reach the other's container after it is gone. Nothing is left to stop then.
        }
    }

    private sealed class OwnedLifetime : IHostApplicationLifetime
    {
        public CancellationToken ApplicationStarted => new(canceled: true);
        public CancellationToken ApplicationStopping => CancellationToken.None;
        public CancellationToken ApplicationStopped => CancellationToken.None;
        public void StopApplication() { }
    }

    public async ValueTask DisposeAsync()
    {
        if (_quartz is not null) await _quartz.DisposeAsync();
    }
}

/// <summary>Ready when this node's scheduler runs (or the node does not schedule).</summary>
internal sealed class SchedulerReadyCheck(MentoringScheduler scheduler, IOptions<SchedulingOptions> options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!options.Value.Enabled) return HealthCheckResult.Healthy("Scheduling is off on this node.");
        if (scheduler.Scheduler is not { } running) return HealthCheckResult.Unhealthy("The scheduler has not started.");
        var status = await running.GetStatus(cancellationToken);
        return status == SchedulerStatus.Running
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy($"The scheduler is {status}.");
    }
}

/// <summary>Triggers the sweep job at once when a commit on this node may have made work due, instead of at its next
/// interval; a burst of commits within the debounce triggers one sweep.</summary>
internal sealed class SweepWaker(DueWorkSignal signal, MentoringScheduler scheduler, IOptions<SchedulingOptions> options,
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
                if (scheduler.Scheduler is { } running)
                {
                    await running.TriggerJob(SweepDueWorkJob.Key, null, stoppingToken);
                    // The commit may have written email too (a gate waiting, a visit proposed): send it now, not later.
                    await running.TriggerJob(DispatchOutboxJob.Key, null, stoppingToken);
                }
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
