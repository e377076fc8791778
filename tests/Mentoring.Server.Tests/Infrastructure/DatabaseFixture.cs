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
/// <c>MENTORING_TEST_POSTGRES</c> (tests/run.sh starts one; the fallback is a local server). <see cref="ResetAsync"/>
/// gives an empty database, so migrations run again as on a fresh install. <see cref="CopyOfTemplateAsync"/> gives a
/// copy of the database a fresh start left (see tests/README.md, "Seeded templates"): a start costs seconds (all
/// migrations, the definitions, the demo programme with its hashed passwords), a copy a fraction of one.
/// </summary>
public sealed class DatabaseFixture : IAsyncLifetime
{
    private const string LocalPostgres = "Host=127.0.0.1;Port=5432;Username=postgres;Database=mentoring_test";
    private readonly string _sqliteFolder = Path.Combine(Path.GetTempPath(), "mentoring-tests-" + Guid.NewGuid().ToString("N")[..8]);
    private string? _postgresAdmin;
    private int _sqliteFiles;
    private readonly Dictionary<string, string> _templates = new();
    private readonly HashSet<string> _seenOnce = new();
    private readonly Queue<string> _postgresCopies = new();
    private int _postgresCopyNumber;

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
        var databases = _templates.Where(t => t.Key.StartsWith(nameof(DatabaseProvider.Postgres) + "|", StringComparison.Ordinal))
            .Select(t => new NpgsqlConnectionStringBuilder(t.Value).Database!)
            .Append(new NpgsqlConnectionStringBuilder(PostgresConnectionString).Database!).Concat(_postgresCopies).ToList();
        foreach (var database in databases) await DropPostgresAsync(database);

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

    /// <summary>
    /// A copy of the database that a fresh start of this kind (<paramref name="key"/>: the provider and whatever decides
    /// what start-up writes) left behind, or null the first time a kind is asked for: the caller then starts fresh, as a
    /// kind used once gains nothing from a template. The second time, <paramref name="seed"/> starts and stops a server
    /// on a new empty database, which becomes the kind's template; that time and every later one get a copy of it.
    /// </summary>
    public async Task<string?> CopyOfTemplateAsync(DatabaseProvider provider, string key, Func<string, Task> seed)
    {
        key = provider + "|" + key;
        if (!_templates.TryGetValue(key, out var template))
        {
            if (_seenOnce.Add(key)) return null;
            template = await NewTemplateAsync(provider, _templates.Count + 1);
            await seed(template);
            await CloseConnectionsAsync(provider, template);
            _templates[key] = template;
        }

        return provider == DatabaseProvider.Sqlite ? CopySqlite(template) : await CopyPostgresAsync(template);
    }

    private async Task<string> NewTemplateAsync(DatabaseProvider provider, int number)
    {
        if (provider == DatabaseProvider.Sqlite) return $"Data Source={Path.Combine(_sqliteFolder, $"template-{number}.db")}";
        var name = new NpgsqlConnectionStringBuilder(PostgresConnectionString).Database + "_tpl" + number;
        await AdminAsync($"CREATE DATABASE {name}");
        return WithDatabase(name);
    }

    /// <summary>A copy needs the template at rest: SQLite's WAL folded into the file, PostgreSQL with no one connected
    /// (CREATE DATABASE ... TEMPLATE refuses otherwise).</summary>
    private static async Task CloseConnectionsAsync(DatabaseProvider provider, string template)
    {
        if (provider == DatabaseProvider.Postgres)
        {
            ClearPostgresPools(template);
            return;
        }

        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection(template))
        {
            await connection.OpenAsync();
            await using var checkpoint = connection.CreateCommand();
            checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
            await checkpoint.ExecuteNonQueryAsync();
        }

        await using var closing = new Microsoft.Data.Sqlite.SqliteConnection(template);
        Microsoft.Data.Sqlite.SqliteConnection.ClearPool(closing);
    }

    private string CopySqlite(string template)
    {
        var source = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(template).DataSource;
        var file = Path.Combine(_sqliteFolder, $"test-{Interlocked.Increment(ref _sqliteFiles)}.db");
        File.Copy(source, file);
        return $"Data Source={file}";
    }

    /// <summary>A new database cloned from the template. Older copies are dropped, so a run does not fill the disk; the
    /// last few are kept, for a test that starts a second server while its first still runs.</summary>
    private async Task<string> CopyPostgresAsync(string template)
    {
        while (_postgresCopies.Count >= 3) await DropPostgresAsync(_postgresCopies.Dequeue());
        var name = new NpgsqlConnectionStringBuilder(PostgresConnectionString).Database + "_copy" + Interlocked.Increment(ref _postgresCopyNumber);
        var source = new NpgsqlConnectionStringBuilder(template).Database;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await AdminAsync($"CREATE DATABASE {name} TEMPLATE {source}");
                break;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ObjectInUse && attempt < 3)
            {
                // An idle connection the stopped seeding server's data source still holds (ClearPool does not reach a
                // data source's own pool): nobody uses the template after seeding, so it is ended.
                await AdminAsync($"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{source}' AND pid <> pg_backend_pid()");
            }
        }

        _postgresCopies.Enqueue(name);
        return WithDatabase(name);
    }

    private async Task DropPostgresAsync(string database)
    {
        ClearPostgresPools(WithDatabase(database));
        await AdminAsync($"DROP DATABASE IF EXISTS {database} WITH (FORCE)");
    }

    /// <summary>The pool of the connection string as given, and of the one the server makes of it.</summary>
    private static void ClearPostgresPools(string connectionString)
    {
        foreach (var pooled in new[] { connectionString, Mentoring.Server.Hosting.MentoringServices.PostgresConnectionString(connectionString) })
        {
            using var connection = new NpgsqlConnection(pooled);
            NpgsqlConnection.ClearPool(connection);
        }
    }

    private string WithDatabase(string database) =>
        new NpgsqlConnectionStringBuilder(PostgresConnectionString) { Database = database }.ConnectionString;

    private async Task AdminAsync(string sql)
    {
        await using var admin = new NpgsqlConnection(_postgresAdmin);
        await admin.OpenAsync();
        await using var command = new NpgsqlCommand(sql, admin);
        await command.ExecuteNonQueryAsync();
    }
}
