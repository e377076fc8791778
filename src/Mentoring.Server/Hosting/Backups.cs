using Mentoring.Server.Data;
using Mentoring.Server.Data.Migrations;
using Microsoft.Data.Sqlite;

namespace Mentoring.Server.Hosting;

/// <summary>
/// <c>backup FILE</c> and <c>restore FILE [--force]</c> for the embedded SQLite database. Uploaded files live in the
/// database (<c>uploaded_files</c>), so one file holds everything. The backup uses SQLite's online backup API: it
/// copies one consistent snapshot while the server goes on writing. PostgreSQL is backed up with pg_dump (README).
/// </summary>
public static class Backups
{
    public static async Task<int> BackupAsync(DatabaseOptions database, string file, CancellationToken cancellationToken = default)
    {
        var source = SqliteSource(database, "backup");
        if (!File.Exists(source))
            throw new StartupRefusedException($"There is no database at {source} (Database:ConnectionString) to back up.");
        var target = Path.GetFullPath(file);
        if (Path.GetDirectoryName(target) is { } folder) Directory.CreateDirectory(folder);
        // Written beside the target and moved over it at the end, so an interrupted backup never leaves a half file
        // under the name a restore would be given.
        var partial = target + ".partial";
        File.Delete(partial);
        await using (var from = await OpenAsync($"Data Source={source};Mode=ReadOnly", cancellationToken))
        await using (var to = await OpenAsync($"Data Source={partial};Pooling=False", cancellationToken))
        {
            from.BackupDatabase(to);
            // One self-contained file: no -wal beside it.
            await ExecuteAsync(to, "PRAGMA journal_mode=DELETE;", cancellationToken);
        }

        var summary = await CheckAsync(partial, cancellationToken);
        File.Move(partial, target, overwrite: true);
        Console.WriteLine($"Backed up {source} to {target}: {summary}.");
        return 0;
    }

    public static async Task<int> RestoreAsync(DatabaseOptions database, string file, bool force, CancellationToken cancellationToken = default)
    {
        var target = SqliteSource(database, "restore");
        var backup = Path.GetFullPath(file);
        if (!File.Exists(backup)) throw new StartupRefusedException($"There is no backup file at {backup}.");
        // Checked before the database is touched: a file that is not a sound Mentoring backup changes nothing.
        var summary = await CheckAsync(backup, cancellationToken);
        if (!force && File.Exists(target) && await TableCountAsync(target, cancellationToken) > 0)
            throw new StartupRefusedException(
                $"The database {target} is not empty: restoring would replace everything in it. " +
                "Stop every server using it, then run `restore FILE --force` to replace it.");
        if (Path.GetDirectoryName(target) is { } folder) Directory.CreateDirectory(folder);
        await using (var from = await OpenAsync($"Data Source={backup};Mode=ReadOnly;Pooling=False", cancellationToken))
        await using (var to = await OpenAsync($"Data Source={target};Pooling=False", cancellationToken))
        {
            // The backup API writes the whole database in one transaction on the target: it either all arrives, or
            // nothing changes.
            from.BackupDatabase(to);
            await ExecuteAsync(to, "PRAGMA journal_mode=WAL;", cancellationToken);
        }

        SqliteConnection.ClearAllPools();
        Console.WriteLine($"Restored {backup} into {target}: {summary}.");
        return 0;
    }

    private static string SqliteSource(DatabaseOptions database, string command)
    {
        if (database.Provider != DatabaseProvider.Sqlite)
            throw new StartupRefusedException(
                $"`{command}` is for the embedded SQLite database; Database:Provider is {database.Provider}. " +
                "Back up PostgreSQL with pg_dump and restore it with pg_restore (README, 'Backups and restore').");
        var builder = new SqliteConnectionStringBuilder(database.ConnectionString);
        if (builder.Mode == SqliteOpenMode.Memory || builder.DataSource is ":memory:" or "")
            throw new StartupRefusedException("Database:ConnectionString names an in-memory database: there is no file to back up or restore.");
        return Path.GetFullPath(builder.DataSource);
    }

    /// <summary>Proves a file is a sound Mentoring database this version can run; returns what it holds.</summary>
    private static async Task<string> CheckAsync(string file, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await OpenAsync($"Data Source={file};Mode=ReadOnly;Pooling=False", cancellationToken);
            var integrity = await ScalarAsync(connection, "PRAGMA integrity_check;", cancellationToken);
            if (!Equals(integrity, "ok")) throw NotABackup(file, $"SQLite's integrity check says: {integrity}");
            if (Convert.ToInt64(await ScalarAsync(connection,
                    "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'", cancellationToken)) == 0)
                throw NotABackup(file, "it has no schema_migrations table");
            var newest = Convert.ToInt32(await ScalarAsync(connection, "SELECT coalesce(max(version), 0) FROM schema_migrations", cancellationToken));
            if (newest > MigrationRunner.All.Max(m => m.Version))
                throw NotABackup(file, $"it comes from a newer version of Mentoring (migration {newest})");
            // Pairs became groups in M014; a backup taken before it still has its pairs table.
            var groups = await ScalarAsync(connection, newest >= 14 ? "SELECT count(*) FROM \"groups\"" : "SELECT count(*) FROM pairs",
                cancellationToken);
            var files = await ScalarAsync(connection, "SELECT count(*) FROM uploaded_files", cancellationToken);
            return $"migration {newest:000}, {groups} group(s), {files} uploaded file(s), {new FileInfo(file).Length / 1024} KB";
        }
        catch (SqliteException e)
        {
            throw NotABackup(file, e.Message);
        }
    }

    private static StartupRefusedException NotABackup(string file, string why) =>
        new($"{file} is not a Mentoring backup: {why}. Nothing was changed.");

    private static async Task<long> TableCountAsync(string file, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync($"Data Source={file};Mode=ReadOnly;Pooling=False", cancellationToken);
        return Convert.ToInt64(await ScalarAsync(connection, "SELECT count(*) FROM sqlite_master WHERE type = 'table'", cancellationToken));
    }

    private static async Task<SqliteConnection> OpenAsync(string connectionString, CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    private static async Task<object?> ScalarAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync(cancellationToken);
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
