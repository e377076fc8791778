using Mentoring.Server.Data;
using Mentoring.Server.Data.Migrations;
using Mentoring.Server.Programme.Packages;
using Mentoring.Server.Workflows;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Mentoring.Server.Hosting;

/// <summary>An area's settings that cannot work, checked first at start-up: each problem names its setting.</summary>
public interface ISettingsCheck
{
    IEnumerable<string> Problems();
}

/// <summary>An area's own start-up work, run after the migrations and before the server is ready.</summary>
public interface IStartupStep
{
    Task RunAsync(CancellationToken cancellationToken);
}

/// <summary>
/// Runs before anything else starts: the areas' settings checks, migrations, the definition snapshots, and the demo programme on an empty
/// database. <see cref="ServerStart"/> runs it before the host starts, so a refusal is printed as a message rather
/// than logged by the host with a stack trace; it is also the first hosted service (doing nothing the second time),
/// for hosts started without <see cref="ServerStart"/> (the benchmarks).
/// </summary>
public sealed class StartupTasks(
    IOptions<DatabaseOptions> database,
    MigrationRunner migrations,
    IDbContextFactory<MentoringDb> dbs,
    DefinitionStore definitions,
    DemoProgramme demo,
    TimeProvider clock,
    ReadinessState readiness,
    IEnumerable<IDemoCredentialIssuer> issuers,
    IEnumerable<ISettingsCheck> settingsChecks,
    IEnumerable<IStartupStep> steps,
    ILogger<StartupTasks> logger) : IHostedService
{
    private readonly Lock _gate = new();
    private Task? _run;

    /// <summary>Runs the start-up work once; later calls return the same task.</summary>
    public Task RunAsync(CancellationToken cancellationToken)
    {
        lock (_gate) return _run ??= RunOnceAsync(cancellationToken);
    }

    public Task StartAsync(CancellationToken cancellationToken) => RunAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        // Every setting that cannot work is named at once, so a start-up is not fixed one refusal at a time.
        if (settingsChecks.SelectMany(check => check.Problems()).ToList() is { Count: > 0 } problems)
            throw new StartupRefusedException(string.Join(Environment.NewLine, problems.Append($"{problems.Count} setting(s) to fix.")));
        if (database.Value.MigrateOnStartup) await migrations.MigrateAsync(cancellationToken);
        else if (await migrations.PendingAsync(cancellationToken) is { Count: > 0 } pending)
            throw StartupRefusedException.NotMigrated(pending);
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        await definitions.SyncAsync(db, clock.GetUtcNow(), cancellationToken);
        foreach (var warning in definitions.Catalog.Warnings) logger.LogWarning("{Warning}", warning.ToString());
        if (database.Value.SeedDemoProgramme)
        {
            try
            {
                var tokens = await demo.ImportIfEmptyAsync(db, cancellationToken);
                if (tokens.Count > 0) await PrintDemoCredentialsAsync(tokens, cancellationToken);
            }
            catch (DbUpdateException)
            {
                await using var fresh = await dbs.CreateDbContextAsync(cancellationToken);
                if (!await fresh.Programmes.AnyAsync(cancellationToken)) throw;
                logger.LogInformation("Another node imported the demo programme at the same time; using its data");
            }
        }

        foreach (var step in steps) await step.RunAsync(cancellationToken);
        readiness.Ready = true;
    }

    private async Task PrintDemoCredentialsAsync(IReadOnlyDictionary<string, string> tokens, CancellationToken cancellationToken)
    {
        Console.WriteLine();
        Print("The IncluCities demo programme was imported from workflows/inclucities. API tokens (shown once; `tokens create` makes new ones):", tokens);
        foreach (var issuer in issuers) Print(issuer.Heading, await issuer.IssueAsync(cancellationToken));
    }

    private static void Print(string heading, IReadOnlyDictionary<string, string> credentials)
    {
        Console.WriteLine(heading);
        foreach (var (email, credential) in credentials) Console.WriteLine($"  {email,-42} {credential}");
        Console.WriteLine();
    }
}


/// <summary>Whether start-up finished, for <c>/health/ready</c>; and why it was refused, when it was.</summary>
public sealed class ReadinessState
{
    public volatile bool Ready;

    /// <summary>Set by <see cref="ServerStart"/> when the server would not start (it then never starts the host).</summary>
    public Exception? Refusal { get; set; }
}
