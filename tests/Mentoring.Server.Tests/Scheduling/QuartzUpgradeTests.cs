using System.Data.Common;
using System.Net;
using Mentoring.Server.Data;
using Mentoring.Server.Data.Migrations;
using Mentoring.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;

namespace Mentoring.Server.Tests.Scheduling;

/// <summary>A database made while Quartz scheduled the work upgrades to Hangfire: its Quartz tables go, nothing else.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class QuartzUpgradeTests(DatabaseFixture database)
{
    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_database_made_with_quartz_upgrades_and_loses_its_quartz_tables(DatabaseProvider provider)
    {
        var connectionString = await database.ResetAsync(provider);
        var runner = new MigrationRunner(new DatabaseOptions { Provider = provider, ConnectionString = connectionString },
            NullLogger<MigrationRunner>.Instance);
        Migration[] shipped =
        [
            new M001_Initial(), new ShippedQuartzMigration(), new M003_Accounts(), new M005_DashboardIndexes(),
            new M006_AccountSecurity(), new M007_FileOwners(), new M009_PlansAndCalendars(),
        ];
        await runner.MigrateAsync(shipped, CancellationToken.None);
        // As Quartz left them: a job, its trigger (whose foreign key the drop must get past) and a lock row.
        await using (var connection = Open(provider, connectionString))
        {
            await connection.OpenAsync();
            await using var insert = connection.CreateCommand();
            insert.CommandText = """
                INSERT INTO qrtz_job_details (sched_name, job_name, job_group, job_class_name, is_durable, is_nonconcurrent,
                    is_update_data, requests_recovery) VALUES ('mentoring', 'sweep-due-work', 'mentoring', 'SweepDueWorkJob', true, true, false, false);
                INSERT INTO qrtz_triggers (sched_name, trigger_name, trigger_group, job_name, job_group, trigger_state, trigger_type,
                    start_time) VALUES ('mentoring', 'sweep-due-work', 'mentoring', 'sweep-due-work', 'mentoring', 'WAITING', 'SIMPLE', 0);
                INSERT INTO qrtz_simple_triggers (sched_name, trigger_name, trigger_group, repeat_count, repeat_interval,
                    times_triggered) VALUES ('mentoring', 'sweep-due-work', 'mentoring', -1, 5000, 3);
                INSERT INTO qrtz_locks (sched_name, lock_name) VALUES ('mentoring', 'TRIGGER_ACCESS');
                """;
            await insert.ExecuteNonQueryAsync();
        }

        // Everything after M009, the last migration the Quartz-era code shipped, M010 (dropping Quartz's tables) first.
        Assert.Equal(MigrationRunner.All.Where(m => m.Version > 9).Select(m => m.Version), (await runner.PendingAsync()).Select(m => m.Version));
        Assert.Equal(10, (await runner.PendingAsync())[0].Version);

        await using var app = StartOnExisting(provider, connectionString);

        await using var upgraded = app.Db();
        var tables = await TablesAsync(upgraded);
        Assert.DoesNotContain(tables, table => table.StartsWith("qrtz_", StringComparison.Ordinal));
        Assert.Contains("workflow_instances", tables);
        Assert.Equal(4, await upgraded.Groups.CountAsync());
        Assert.Empty(await runner.PendingAsync());
        Assert.Equal(HttpStatusCode.OK, (await app.CreateClient().GetAsync("/health/ready")).StatusCode);
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_new_database_gets_no_quartz_tables(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        await using var db = app.Db();
        Assert.DoesNotContain(await TablesAsync(db), table => table.StartsWith("qrtz_", StringComparison.Ordinal));
    }

    private static DbConnection Open(DatabaseProvider provider, string connectionString) => provider == DatabaseProvider.Postgres
        ? new Npgsql.NpgsqlConnection(connectionString)
        : new Microsoft.Data.Sqlite.SqliteConnection(connectionString);

    private static async Task<HashSet<string>> TablesAsync(MentoringDb db)
    {
        var sql = db.IsSqlite
            ? "SELECT lower(name) FROM sqlite_master WHERE type = 'table'"
            : "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'";
        var connection = db.Database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Open) await connection.OpenAsync();
        await using DbCommand command = connection.CreateCommand();
        command.CommandText = sql;
        var tables = new HashSet<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) tables.Add(reader.GetString(0));
        return tables;
    }
}
