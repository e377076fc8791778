using Hangfire;
using Hangfire.AspNetCore;
using Hangfire.InMemory;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Mentoring.Server.Data;
using Mentoring.Server.Hosting;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Mentoring.Server.Scheduling;

public static class SchedulingServices
{
    /// <summary>
    /// The scheduler: Hangfire running the cluster-wide recurring work only (the sweep, the outbox, the digest, the
    /// clean-up), on Hangfire.PostgreSql in its own schema when the database is PostgreSQL (so each recurring job runs
    /// once per period across the nodes) and on Hangfire.InMemory with the embedded SQLite (one node by definition).
    /// Workflow timers are rows of the <c>timers</c> table swept in batches, never one Hangfire job each. With
    /// <c>Scheduling:Enabled=false</c> no Hangfire server runs on the node (a web-only node, or tests that drive the
    /// services themselves); the dashboard does.
    /// </summary>
    public static IHostApplicationBuilder AddMentoringScheduling(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<NudgeSender>();
        builder.Services.AddSingleton<DueWorkProcessor>();
        builder.Services.AddSingleton<FacilitatorDigest>();
        // Each host gets its own storage rather than Hangfire's process-wide JobStorage.Current, so two nodes hosted
        // in one process (tests) stay two nodes. Registered before AddHangfire, whose TryAdd then keeps these. Built
        // when first asked for, because the database settings are only final once the host is built.
        builder.Services.AddSingleton(sp =>
        {
            sp.GetRequiredService<IGlobalConfiguration>(); // Hangfire's logging first: the storage logs as it is made
            return HangfireStorage.Create(sp.GetRequiredService<IOptions<SchedulingOptions>>().Value, sp.GetRequiredService<DatabaseOptions>());
        });
        builder.Services.AddSingleton<JobActivator>(sp => new AspNetCoreJobActivator(sp.GetRequiredService<IServiceScopeFactory>()));
        builder.Services.AddHangfire((sp, configuration) =>
        {
            HangfireLogs.WriteTo(sp.GetRequiredService<ILoggerFactory>());
            configuration.SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
                .UseSimpleAssemblyNameTypeSerializer()
                .UseRecommendedSerializerSettings()
                .UseLogProvider(new HangfireLogs());
        });
        builder.Services.AddSingleton<ISettingsCheck, SchedulingSettingsCheck>();
        builder.Services.AddSingleton<IStartupStep, HangfireSchema>();
        // After StartupTasks (registered earlier): the database is migrated and Hangfire's schema installed first.
        builder.Services.AddSingleton<MentoringJobServer>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<MentoringJobServer>());
        builder.Services.AddHostedService<SweepWaker>();
        builder.Services.AddHealthChecks().AddCheck<HangfireServerReadyCheck>("scheduler", tags: ["ready"]);
        return builder;
    }
}

/// <summary>Hangfire's storage, as <c>Scheduling:Storage</c> and the database say.</summary>
internal static class HangfireStorage
{
    public static bool UsesPostgreSql(SchedulingOptions scheduling, DatabaseOptions database) =>
        scheduling.Storage.Equals(SchedulingStorage.PostgreSql, StringComparison.OrdinalIgnoreCase)
        || (scheduling.Storage.Equals(SchedulingStorage.Auto, StringComparison.OrdinalIgnoreCase) && database.Provider == DatabaseProvider.Postgres);

    public static JobStorage Create(SchedulingOptions scheduling, DatabaseOptions database)
    {
        // PostgreSql storage on a SQLite database is refused by the settings check before anything runs; the
        // dashboard asks for the storage before that check, so it gets one that does not parse the connection string.
        if (!UsesPostgreSql(scheduling, database) || database.Provider != DatabaseProvider.Postgres)
            return new InMemoryStorage(new InMemoryStorageOptions());
        var options = new PostgreSqlStorageOptions
        {
            SchemaName = scheduling.SchemaName,
            // Installed by HangfireSchema at start-up, after our migrations and under a lock: not by the first
            // resolution of the storage (the dashboard's, before start-up has checked the database at all).
            PrepareSchemaIfNecessary = false,
            QueuePollInterval = scheduling.PollInterval,
            // LISTEN/NOTIFY wakes a worker when a job is queued (a commit that triggers the sweep) instead of at its next poll.
            EnableLongPolling = true,
            // A running job keeps its claim by heartbeat however long it runs; a dead node's job is taken over after this.
            UseSlidingInvisibilityTimeout = true,
            InvisibilityTimeout = TimeSpan.FromMinutes(5),
        };
        return new PostgreSqlStorage(new NpgsqlConnectionFactory(database.ConnectionString, options), options);
    }
}

/// <summary>Installs or upgrades Hangfire.PostgreSql's tables in their own schema, on every node (a web-only node's
/// dashboard reads them too).</summary>
internal sealed class HangfireSchema(IOptions<SchedulingOptions> scheduling, DatabaseOptions database) : IStartupStep
{
    // An arbitrary constant naming this lock among PostgreSQL advisory locks (the migrations use another).
    private const long LockKey = 0x48414E4746495245;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (!HangfireStorage.UsesPostgreSql(scheduling.Value, database)) return;
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        // Nodes starting at once: one installs, the others wait and find it done.
        await using (var command = new NpgsqlCommand($"SELECT pg_advisory_lock({LockKey})", connection))
            await command.ExecuteNonQueryAsync(cancellationToken);
        try
        {
            PostgreSqlObjectsInstaller.Install(connection, scheduling.Value.SchemaName);
        }
        finally
        {
            await using var unlock = new NpgsqlCommand($"SELECT pg_advisory_unlock({LockKey})", connection);
            await unlock.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }
}

/// <summary>
/// This node's Hangfire server, when scheduling is on: registers the recurring jobs, runs them, and at start triggers
/// the digest once (Hangfire.InMemory starts with an empty schedule after a restart, so a digest whose time came while
/// every node was down would otherwise wait a week; the job writes nothing unless this week's is due and unwritten).
/// </summary>
public sealed class MentoringJobServer(
    JobStorage storage,
    IRecurringJobManager recurring,
    JobActivator activator,
    IOptions<SchedulingOptions> options) : IHostedService, IDisposable
{
    /// <summary>Four recurring jobs, each one run at a time, plus the early runs a commit triggers waiting for them.</summary>
    private const int Workers = 8;

    /// <summary>The server's name, which its id in Hangfire's storage starts with.</summary>
    public string Name { get; } = $"mentoring-{Environment.MachineName}-{Guid.NewGuid().ToString("N")[..8]}".ToLowerInvariant();

    /// <summary>The running server, or null when this node does not schedule.</summary>
    public BackgroundJobServer? Server { get; private set; }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.Enabled) return Task.CompletedTask;
        RecurringWork.Register(recurring, options.Value);
        Server = new BackgroundJobServer(new BackgroundJobServerOptions
        {
            ServerName = Name,
            WorkerCount = Workers,
            SchedulePollingInterval = options.Value.PollInterval,
            Activator = activator,
        }, storage);
        recurring.Trigger(FacilitatorDigestJob.Id);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Server is not { } server) return;
        Server = null;
        server.SendStop();
        await server.WaitForShutdownAsync(cancellationToken);
        server.Dispose();
    }

    public void Dispose() => Server?.Dispose();
}

/// <summary>The recurring jobs and their schedules.</summary>
internal static class RecurringWork
{
    public static void Register(IRecurringJobManager recurring, SchedulingOptions options)
    {
        // Relaxed: occurrences missed while every node was down become one run, not one each (a sweep catches up on
        // every due timer in one run anyway; the digest is one per week).
        var utc = new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc, MisfireHandling = MisfireHandlingMode.Relaxed };
        recurring.AddOrUpdate<SweepDueWorkJob>(SweepDueWorkJob.Id, job => job.RunAsync(CancellationToken.None),
            IntervalCron(options.SweepInterval)!, utc);
        recurring.AddOrUpdate<DispatchOutboxJob>(DispatchOutboxJob.Id, job => job.RunAsync(CancellationToken.None),
            IntervalCron(options.DispatchInterval)!, utc);
        recurring.AddOrUpdate<FacilitatorDigestJob>(FacilitatorDigestJob.Id, job => job.RunAsync(CancellationToken.None),
            Cron.Weekly(options.DigestDay, options.DigestTime.Hour, options.DigestTime.Minute),
            new RecurringJobOptions
            {
                TimeZone = TimeZoneInfo.FindSystemTimeZoneById(options.DigestTimeZone), MisfireHandling = MisfireHandlingMode.Relaxed,
            });
        recurring.AddOrUpdate<CleanUpJob>(CleanUpJob.Id, job => job.RunAsync(CancellationToken.None),
            Cron.Daily(options.CleanupTime.Hour, options.CleanupTime.Minute), utc);
    }

    /// <summary>A cron expression that fires every <paramref name="interval"/>, or null when cron cannot say it: whole
    /// seconds that divide a minute, whole minutes that divide an hour, or one hour.</summary>
    public static string? IntervalCron(TimeSpan interval)
    {
        if (interval <= TimeSpan.Zero || interval.Ticks % TimeSpan.TicksPerSecond != 0) return null;
        var seconds = (long)interval.TotalSeconds;
        if (seconds < 60) return 60 % seconds == 0 ? $"*/{seconds} * * * * *" : null;
        if (seconds % 60 != 0) return null;
        var minutes = seconds / 60;
        if (minutes < 60) return 60 % minutes == 0 ? $"*/{minutes} * * * *" : null;
        return minutes == 60 ? "0 * * * *" : null;
    }
}

/// <summary>Scheduling settings that cannot work, each naming its setting; start-up stops on any.</summary>
internal sealed class SchedulingSettingsCheck(IOptions<SchedulingOptions> scheduling, DatabaseOptions database,
    IConfiguration configuration) : ISettingsCheck
{
    private const string S = SchedulingOptions.Section;

    public IEnumerable<string> Problems()
    {
        var options = scheduling.Value;
        string[] storages = [SchedulingStorage.Auto, SchedulingStorage.PostgreSql, SchedulingStorage.InMemory];
        if (!storages.Contains(options.Storage, StringComparer.OrdinalIgnoreCase))
            yield return $"{S}:Storage is '{options.Storage}': use {string.Join(", ", storages)}.";
        else if (HangfireStorage.UsesPostgreSql(options, database) && database.Provider != DatabaseProvider.Postgres)
            yield return $"{S}:Storage is {SchedulingStorage.PostgreSql}, but Database:Provider is {database.Provider}: " +
                         $"use {SchedulingStorage.Auto} or {SchedulingStorage.InMemory} with SQLite.";
        if (!System.Text.RegularExpressions.Regex.IsMatch(options.SchemaName, "^[a-z_][a-z0-9_]{0,62}$"))
            yield return $"{S}:SchemaName is '{options.SchemaName}': use lower-case letters, digits and '_' (a PostgreSQL name).";
        if (options.PollInterval < TimeSpan.FromMilliseconds(100) || options.PollInterval > TimeSpan.FromMinutes(1))
            yield return $"{S}:PollInterval is {options.PollInterval}: use 00:00:00.100 to 00:01:00.";
        foreach (var (name, interval) in new[] { ("SweepInterval", options.SweepInterval), ("DispatchInterval", options.DispatchInterval) })
            if (RecurringWork.IntervalCron(interval) is null)
                yield return $"{S}:{name} is {interval}: use whole seconds that divide a minute (00:00:05), " +
                             "whole minutes that divide an hour (00:15:00) or 01:00:00.";
        if (options.BatchSize < 1) yield return $"{S}:BatchSize is {options.BatchSize}: use 1 or more.";
        if (options.NudgeWorkers < 1) yield return $"{S}:NudgeWorkers is {options.NudgeWorkers}: use 1 or more.";
        if (options.WakeDebounce < TimeSpan.Zero) yield return $"{S}:WakeDebounce is {options.WakeDebounce}: use 00:00:00 or more.";
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(options.DigestTimeZone, out _))
            yield return $"{S}:DigestTimeZone is '{options.DigestTimeZone}': use an IANA time zone such as Europe/Brussels.";
        // Quartz's cron settings: left in a configuration they would be ignored without a word.
        if (configuration[$"{S}:DigestCron"] is not null)
            yield return $"{S}:DigestCron is no longer read: set {S}:DigestDay and {S}:DigestTime (e.g. Monday, 08:00) instead.";
        if (configuration[$"{S}:CleanupCron"] is not null)
            yield return $"{S}:CleanupCron is no longer read: set {S}:CleanupTime (e.g. 03:30, UTC) instead.";
    }
}

/// <summary>Ready when this node's Hangfire server has checked in to its storage (or the node does not schedule);
/// the storage answering is part of it.</summary>
internal sealed class HangfireServerReadyCheck(MentoringJobServer server, JobStorage storage, IOptions<SchedulingOptions> options)
    : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!options.Value.Enabled) return HealthCheckResult.Healthy("Scheduling is off on this node.");
        if (server.Server is null) return HealthCheckResult.Unhealthy("The Hangfire server has not started.");
        try
        {
            var servers = await Task.Run(() => storage.GetMonitoringApi().Servers(), cancellationToken);
            var mine = servers.FirstOrDefault(s => s.Name.StartsWith(server.Name, StringComparison.OrdinalIgnoreCase));
            return mine is null
                ? HealthCheckResult.Unhealthy($"The Hangfire server {server.Name} has not checked in to its storage.")
                : HealthCheckResult.Healthy($"Hangfire server {mine.Name}: {mine.WorkersCount} workers, {servers.Count} server(s) in the cluster.");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("Hangfire's storage does not answer.", e);
        }
    }
}

/// <summary>Triggers the sweep job at once when a commit on this node may have made work due, instead of at its next
/// interval; a burst of commits within the debounce triggers one sweep.</summary>
internal sealed class SweepWaker(DueWorkSignal signal, MentoringJobServer server, IRecurringJobManager recurring,
    IOptions<SchedulingOptions> options, ILogger<SweepWaker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await signal.WaitAsync(Timeout.InfiniteTimeSpan, stoppingToken);
                await Task.Delay(options.Value.WakeDebounce, stoppingToken);
                if (server.Server is null) continue;
                recurring.Trigger(SweepDueWorkJob.Id);
                // The commit may have written email too (a gate waiting, a visit proposed): send it now, not later.
                recurring.Trigger(DispatchOutboxJob.Id);
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
