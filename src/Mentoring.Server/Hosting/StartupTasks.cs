using Mentoring.Server.Data;
using Mentoring.Server.Data.Migrations;
using Mentoring.Server.Programme;
using Mentoring.Server.Workflows;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Mentoring.Server.Hosting;

/// <summary>
/// Runs before anything else starts: migrations, the definition snapshots, and the demo programme on an empty
/// database. Registered first, so the scheduler and the web server start only once the database is ready.
/// </summary>
public sealed class StartupTasks(
    IOptions<DatabaseOptions> database,
    MigrationRunner migrations,
    IDbContextFactory<MentoringDb> dbs,
    DefinitionStore definitions,
    IncluCitiesSeed seed,
    TimeProvider clock,
    ReadinessState readiness,
    IEnumerable<IDemoCredentialIssuer> issuers,
    ILogger<StartupTasks> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (database.Value.MigrateOnStartup) await migrations.MigrateAsync(cancellationToken);
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        await definitions.SyncAsync(db, clock.GetUtcNow(), cancellationToken);
        if (database.Value.SeedDemoProgramme)
        {
            try
            {
                var tokens = await seed.SeedIfEmptyAsync(db, cancellationToken);
                if (tokens.Count > 0) await PrintDemoCredentialsAsync(tokens, cancellationToken);
            }
            catch (DbUpdateException)
            {
                await using var fresh = await dbs.CreateDbContextAsync(cancellationToken);
                if (!await fresh.Programmes.AnyAsync(cancellationToken)) throw;
                logger.LogInformation("Another node seeded the programme at the same time; using its data");
            }
        }

        readiness.Ready = true;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task PrintDemoCredentialsAsync(IReadOnlyDictionary<string, string> tokens, CancellationToken cancellationToken)
    {
        Console.WriteLine();
        Print("The IncluCities demo programme was created. API tokens (shown once; `tokens create` makes new ones):", tokens);
        foreach (var issuer in issuers) Print(issuer.Heading, await issuer.IssueAsync(cancellationToken));
    }

    private static void Print(string heading, IReadOnlyDictionary<string, string> credentials)
    {
        Console.WriteLine(heading);
        foreach (var (email, credential) in credentials) Console.WriteLine($"  {email,-42} {credential}");
        Console.WriteLine();
    }
}

/// <summary>Whether start-up finished, for <c>/health/ready</c>.</summary>
public sealed class ReadinessState
{
    public volatile bool Ready;
}
