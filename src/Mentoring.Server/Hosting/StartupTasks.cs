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
    Web.Accounts.AccountService accounts,
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
                if (tokens.Count > 0) PrintDemoTokens(tokens, await accounts.CreateDemoPasswordsAsync(cancellationToken));
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

    private static void PrintDemoTokens(IReadOnlyDictionary<string, string> tokens, IReadOnlyDictionary<string, string> passwords)
    {
        Console.WriteLine();
        Console.WriteLine("The IncluCities demo programme was created. API tokens (shown once; `tokens create` makes new ones):");
        foreach (var (email, token) in tokens) Console.WriteLine($"  {email,-42} {token}");
        Console.WriteLine();
        Console.WriteLine("Sign-in passwords for the web app (shown once; 'Forgot your password?' sends a new link):");
        foreach (var (email, password) in passwords) Console.WriteLine($"  {email,-42} {password}");
        Console.WriteLine();
    }
}

/// <summary>Whether start-up finished, for <c>/health/ready</c>.</summary>
public sealed class ReadinessState
{
    public volatile bool Ready;
}
