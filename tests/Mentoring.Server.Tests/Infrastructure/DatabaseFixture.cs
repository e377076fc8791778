using Mentoring.Server.Data;
using Npgsql;

namespace Mentoring.Server.Tests.Infrastructure;

[CollectionDefinition(Name)]
public sealed class DatabaseCollection : ICollectionFixture<DatabaseFixture>
{
    public const string Name = "database";
}

/// <summary>
/// The real databases the tests run against: a SQLite file, and a PostgreSQL database on the server named by
/// <c>MENTORING_TEST_POSTGRES</c> (tests/run.sh starts one; the fallback is a local server). Each test starts from an
/// empty database: <see cref="ResetAsync"/> drops everything, so migrations run again as on a fresh install.
/// </summary>
public sealed class DatabaseFixture : IAsyncLifetime
{
    private const string LocalPostgres = "Host=127.0.0.1;Port=5432;Username=postgres;Database=mentoring_test";
    private readonly string _sqliteFolder = Path.Combine(Path.GetTempPath(), "mentoring-tests-" + Guid.NewGuid().ToString("N")[..8]);
    private string? _postgresAdmin;
    private int _sqliteFiles;

    public static TheoryData<DatabaseProvider> Providers => new() { DatabaseProvider.Sqlite, DatabaseProvider.Postgres };

    /// <summary>The PostgreSQL database this test run owns (created fresh, dropped at the end).</summary>
    public string PostgresConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_sqliteFolder);
        var configured = Environment.GetEnvironmentVariable("MENTORING_TEST_POSTGRES");
        _postgresAdmin = string.IsNullOrWhiteSpace(configured) ? LocalPostgres : configured;
        var database = "mentoring_t" + Environment.ProcessId + "_" + Guid.NewGuid().ToString("N")[..6];
        await using (var admin = new NpgsqlConnection(_postgresAdmin))
        {
            try
            {
                await admin.OpenAsync();
            }
            catch (Exception e)
            {
                throw new InvalidOperationException(
                    $"PostgreSQL is not reachable at '{_postgresAdmin}'. Run the tests with `bash tests/run.sh`, which starts one, " +
                    "or set MENTORING_TEST_POSTGRES.", e);
            }

            await using var create = new NpgsqlCommand($"CREATE DATABASE {database}", admin);
            await create.ExecuteNonQueryAsync();
        }

        PostgresConnectionString = new NpgsqlConnectionStringBuilder(_postgresAdmin) { Database = database, MaxPoolSize = 50 }.ConnectionString;
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using (var admin = new NpgsqlConnection(_postgresAdmin))
        {
            await admin.OpenAsync();
            var database = new NpgsqlConnectionStringBuilder(PostgresConnectionString).Database;
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {database} WITH (FORCE)", admin);
            await drop.ExecuteNonQueryAsync();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_sqliteFolder, recursive: true);
        }
        catch (IOException)
        {
            // A file still open by a pooled connection; the temp folder is cleaned by the OS.
        }
    }

    /// <summary>An empty database of the given kind, and its connection string (Hangfire's schema gone too).</summary>
    public async Task<string> ResetAsync(DatabaseProvider provider)
    {
        if (provider == DatabaseProvider.Sqlite)
        {
            var file = Path.Combine(_sqliteFolder, $"test-{Interlocked.Increment(ref _sqliteFiles)}.db");
            return $"Data Source={file}";
        }

        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(PostgresConnectionString);
        await connection.OpenAsync();
        await using var reset = new NpgsqlCommand("DROP SCHEMA IF EXISTS hangfire CASCADE; DROP SCHEMA public CASCADE; CREATE SCHEMA public;", connection);
        await reset.ExecuteNonQueryAsync();
        return PostgresConnectionString;
    }
}
