using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Mentoring.Server.Data.Migrations;

/// <summary>
/// Applies pending migrations in one transaction under a database-wide lock, so two nodes starting at once
/// apply each migration exactly once: the second waits, then finds nothing left to do.
/// </summary>
public sealed class MigrationRunner(DatabaseOptions options, ILogger<MigrationRunner> logger)
{
    /// <summary>Every migration, in order. Add new ones at the end.</summary>
    public static readonly IReadOnlyList<Migration> All =
        [new M001_Initial(), new M002_Quartz(), new M003_Accounts(), new M005_DashboardIndexes(),
        new M006_AccountSecurity(), new M007_FileOwners(),
        new M009_PlansAndCalendars(), new M010_DropQuartz(), new M013_PageLanguage(), new M014_Programmes(),
        new M015_GroupShapes(), new M016_GroupComments(),
        new M018_Assessments(), new M019_Matching(),
        new M020_Practices(),
        new M021_Benchmarks(),
        new M022_BenchmarkScores(),
        new M023_SupportNetworks(),
        new M024_PracticeSearchIndexes(),
        new M025_Calendar(),
        new M026_StudyVisits(),
        new M027_Events(),
        new M028_ActionPlans(),
        new M029_Outputs(),
        new M030_PracticeSearchInline(),
        new M031_Teams(),
        new M032_Inbox(),
        new M033_EmailBounces(),
        new M034_MethodGaps(),
        new M035_LeanResumeIndexes()];

    // An arbitrary constant that names this application's migration lock among PostgreSQL advisory locks.
    private const long PostgresLockKey = 0x4D454E544F52;

    public Task<IReadOnlyList<Migration>> MigrateAsync(CancellationToken cancellationToken = default) =>
        MigrateAsync(All, cancellationToken);

    /// <summary>Applies another list of migrations: for tests that build a database as an earlier version did.</summary>
    internal async Task<IReadOnlyList<Migration>> MigrateAsync(IReadOnlyList<Migration> all, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        // SQLite changes a table's columns by rebuilding it (M014), which foreign-key enforcement forbids while other
        // tables point at it; enforcement is off for the migration and every key is checked before the commit instead.
        // The pragma does nothing inside a transaction, so it comes first.
        if (connection is SqliteConnection) await ExecuteAsync(connection, null, "PRAGMA foreign_keys = OFF;", cancellationToken);
        await using var transaction = await BeginLockedAsync(connection, cancellationToken);
        await ExecuteAsync(connection, transaction, """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version integer PRIMARY KEY,
                name text NOT NULL,
                applied_at text NOT NULL
            );
            """, cancellationToken);

        var applied = await AppliedAsync(connection, transaction, cancellationToken);
        var unknown = applied.Where(v => all.All(m => m.Version != v)).ToList();
        if (unknown.Count > 0)
            throw new Hosting.StartupRefusedException(
                $"The database has migration(s) {string.Join(", ", unknown)} that this version of Mentoring does not know: it is older than the database.");

        var pending = all.Where(m => !applied.Contains(m.Version)).OrderBy(m => m.Version).ToList();
        foreach (var migration in pending)
        {
            logger.LogInformation("Applying migration {Version} {Name}", migration.Version, migration.Name);
            // A migration may be empty now (M002): it is still recorded, so the history matches older databases.
            if (migration.SqlFor(options.Provider) is { Length: > 0 } sql && !string.IsNullOrWhiteSpace(sql))
                await ExecuteAsync(connection, transaction, sql, cancellationToken);
            await using var insert = connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = "INSERT INTO schema_migrations (version, name, applied_at) VALUES (@v, @n, @a)";
            AddParameter(insert, "@v", migration.Version);
            AddParameter(insert, "@n", migration.Name);
            AddParameter(insert, "@a", DateTimeOffset.UtcNow.ToString("O"));
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        if (connection is SqliteConnection) await CheckForeignKeysAsync(connection, transaction, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        if (connection is SqliteConnection) await ExecuteAsync(connection, null, "PRAGMA foreign_keys = ON;", cancellationToken);
        return pending;
    }

    /// <summary>The migrations the database lacks, without changing it (no file is created for a SQLite database that
    /// does not exist yet): for starting with <c>MigrateOnStartup</c> off, and for commands that need the tables.</summary>
    public async Task<IReadOnlyList<Migration>> PendingAsync(CancellationToken cancellationToken = default)
    {
        if (options.Provider == DatabaseProvider.Sqlite)
        {
            var builder = new SqliteConnectionStringBuilder(options.ConnectionString);
            if (builder.Mode != SqliteOpenMode.Memory && builder.DataSource != ":memory:" && !File.Exists(builder.DataSource))
                return All;
        }

        await using var connection = await OpenAsync(cancellationToken);
        var exists = connection is SqliteConnection
            ? "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
            : "SELECT count(*) FROM pg_catalog.pg_tables WHERE tablename = 'schema_migrations' AND schemaname = current_schema()";
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = exists;
            if (Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken)) == 0) return All;
        }

        var applied = await AppliedAsync(connection, null, cancellationToken);
        return All.Where(m => !applied.Contains(m.Version)).OrderBy(m => m.Version).ToList();
    }

    private static async Task<HashSet<int>> AppliedAsync(DbConnection connection, DbTransaction? transaction,
        CancellationToken cancellationToken)
    {
        var applied = new HashSet<int>();
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT version FROM schema_migrations";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) applied.Add(reader.GetInt32(0));
        return applied;
    }

    private async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        DbConnection connection;
        if (options.Provider == DatabaseProvider.Postgres)
        {
            connection = new NpgsqlConnection(options.ConnectionString);
        }
        else
        {
            var builder = new SqliteConnectionStringBuilder(options.ConnectionString);
            if (Path.GetDirectoryName(Path.GetFullPath(builder.DataSource)) is { } folder
                && builder.Mode != SqliteOpenMode.Memory && builder.DataSource != ":memory:")
                Directory.CreateDirectory(folder);
            connection = new SqliteConnection(options.ConnectionString);
        }

        await connection.OpenAsync(cancellationToken);
        if (connection is SqliteConnection)
            await ExecuteAsync(connection, null, "PRAGMA journal_mode=WAL;", cancellationToken);
        return connection;
    }

    private static async Task<DbTransaction> BeginLockedAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        if (connection is SqliteConnection sqlite)
        {
            // A deferred transaction would let two processes both read "not applied"; IMMEDIATE takes the write lock first.
            return sqlite.BeginTransaction(deferred: false);
        }

        var pg = await connection.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync(connection, pg, $"SELECT pg_advisory_xact_lock({PostgresLockKey});", cancellationToken);
        return pg;
    }

    private static async Task CheckForeignKeysAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "PRAGMA foreign_key_check;";
        var broken = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            while (await reader.ReadAsync(cancellationToken)) broken.Add($"{reader.GetString(0)} row {reader.GetValue(1)} -> {reader.GetString(2)}");
        if (broken.Count > 0)
            throw new InvalidOperationException("The migration would leave rows that point at nothing: " + string.Join("; ", broken.Take(10)));
    }

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.CommandTimeout = 120;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static void AddParameter(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
