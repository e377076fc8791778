using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using Mentoring.Server.Data;
using Mentoring.Server.Hosting;
using Mentoring.Server.Tests.Infrastructure;
using Mentoring.Server.Accounts;
using Mentoring.Server.Uploads;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;

namespace Mentoring.Server.Tests.Hosting;

[Collection(DatabaseCollection.Name)]
public sealed class BackupTests(DatabaseFixture database)
{
    [Fact]
    public async Task Backup_taken_while_the_server_writes_restores_to_an_identical_database_with_its_uploads()
    {
        await using var app = await StartAsync(database, DatabaseProvider.Sqlite);
        var source = DataSource(app.Setting("Database:ConnectionString"));
        await AddUploadAsync(app, "questionnaire.pdf", "%PDF-1.7 our needs"u8.ToArray());
        var facilitator = await app.ClientForAsync(People.Facilitator);
        var folder = Directory.CreateTempSubdirectory("mentoring-backup-").FullName;
        var backup = Path.Combine(folder, "during-writes.db");

        // The server goes on creating tokens (each one request, one commit) while the backup runs.
        using var stop = new CancellationTokenSource();
        var written = 0;
        var writer = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "/api/tokens") { Content = JsonContent.Create(new { name = $"load {written}" }) };
                request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
                (await facilitator.SendAsync(request)).EnsureSuccessStatusCode();
                Interlocked.Increment(ref written);
            }
        });
        while (Volatile.Read(ref written) < 20) await Task.Delay(10);
        var before = Volatile.Read(ref written);
        Assert.Equal(0, await ServerCommands.RunAsync(app.Services, ["backup", backup]));
        var after = Volatile.Read(ref written);
        while (Volatile.Read(ref written) < after + 10) await Task.Delay(10);
        await stop.CancelAsync();
        await writer;

        // A snapshot of one moment: sound, and with some of the writes, not all of them.
        var inBackup = await CountAsync(backup, "SELECT count(*) FROM api_tokens WHERE name LIKE 'load %'");
        Assert.InRange(inBackup, before, after + 1);
        Assert.True(inBackup < written, "the backup holds writes made after it");
        Assert.Equal(1, await CountAsync(backup, "SELECT count(*) FROM uploaded_files WHERE file_name = 'questionnaire.pdf'"));

        // Restored into an empty database: the same rows, table by table, uploads included.
        var restored = Path.Combine(folder, "restored.db");
        Assert.Equal(0, await ServerCommands.RunAsync(Commands(restored), ["restore", backup]));
        Assert.Equal(await DumpAsync(backup), await DumpAsync(restored));

        // Once the writes stop, a backup restored over a database in use (--force) gives the server's database back.
        var quiet = Path.Combine(folder, "quiet.db");
        Assert.Equal(0, await ServerCommands.RunAsync(app.Services, ["backup", quiet]));
        Assert.Equal(0, await ServerCommands.RunAsync(Commands(restored), ["restore", quiet, "--force"]));
        Assert.Equal(await DumpAsync(source), await DumpAsync(restored));
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task Restore_into_a_database_that_is_not_empty_is_refused_without_force_and_changes_nothing()
    {
        await using var app = await StartAsync(database, DatabaseProvider.Sqlite);
        var source = DataSource(app.Setting("Database:ConnectionString"));
        var folder = Directory.CreateTempSubdirectory("mentoring-backup-").FullName;
        var backup = Path.Combine(folder, "backup.db");
        await Backups.BackupAsync(Sqlite(source), backup);
        var target = Path.Combine(folder, "other.db");
        await Backups.RestoreAsync(Sqlite(target), backup, force: false);
        await using (var db = new SqliteConnection($"Data Source={target};Pooling=False"))
        {
            await db.OpenAsync();
            await using var change = db.CreateCommand();
            change.CommandText = "DELETE FROM api_tokens";
            await change.ExecuteNonQueryAsync();
        }

        var dump = await DumpAsync(target);

        var refused = await Assert.ThrowsAsync<StartupRefusedException>(() => Backups.RestoreAsync(Sqlite(target), backup, force: false));
        Assert.Contains("not empty", refused.Message);
        Assert.Contains("--force", refused.Message);
        Assert.Equal(1, await ServerCommands.RunAsync(Commands(target), ["restore", backup]));
        Assert.Equal(dump, await DumpAsync(target));
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task A_backup_file_that_is_not_one_is_refused_with_a_clear_error_and_changes_nothing()
    {
        await using var app = await StartAsync(database, DatabaseProvider.Sqlite);
        var source = DataSource(app.Setting("Database:ConnectionString"));
        var folder = Directory.CreateTempSubdirectory("mentoring-backup-").FullName;
        var text = Path.Combine(folder, "notes.db");
        await File.WriteAllTextAsync(text, "these are not the pages of a database, but they are long enough to look like a header at first");
        var otherDatabase = Path.Combine(folder, "other-app.db");
        await using (var other = new SqliteConnection($"Data Source={otherDatabase};Pooling=False"))
        {
            await other.OpenAsync();
            await using var create = other.CreateCommand();
            create.CommandText = "CREATE TABLE invoices (id integer PRIMARY KEY)";
            await create.ExecuteNonQueryAsync();
        }

        var dump = await DumpAsync(source);

        foreach (var (file, why) in new[] { (text, "not a Mentoring backup"), (otherDatabase, "no schema_migrations table"),
                     (Path.Combine(folder, "missing.db"), "There is no backup file") })
        {
            var refused = await Assert.ThrowsAsync<StartupRefusedException>(() => Backups.RestoreAsync(Sqlite(source), file, force: true));
            Assert.Contains(why, refused.Message);
        }

        Assert.Equal(dump, await DumpAsync(source));
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task A_pg_dump_restored_into_an_empty_database_starts_and_serves_the_same_pairs()
    {
        await using var app = await StartAsync(database, DatabaseProvider.Postgres);
        await AddUploadAsync(app, "benchmark.pdf", "%PDF-1.7 thematic benchmark"u8.ToArray());
        var facilitator = await app.ClientForAsync(People.Facilitator);
        var pairs = await facilitator.GetStringAsync("/api/pairs");
        var folder = Directory.CreateTempSubdirectory("mentoring-pgdump-").FullName;
        var dump = Path.Combine(folder, "mentoring.dump");
        var connection = new NpgsqlConnectionStringBuilder(app.Setting("Database:ConnectionString"));
        var restoredName = connection.Database + "_restored";

        // The README's commands.
        await PgAsync("pg_dump", connection, connection.Database!, "--format=custom", "--no-owner", $"--file={dump}");
        await using (var admin = new NpgsqlConnection(connection.ConnectionString))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {restoredName}", admin);
            await create.ExecuteNonQueryAsync();
        }

        try
        {
            await PgAsync("pg_restore", connection, restoredName, "--no-owner", "--single-transaction", "--exit-on-error", dump);
            var restoredConnection = new NpgsqlConnectionStringBuilder(connection.ConnectionString) { Database = restoredName }.ConnectionString;
            await using var restored = app.StartAnotherNode(new Dictionary<string, string?> { ["Database:ConnectionString"] = restoredConnection });

            // The same token (it was restored too) reads the same pairs, and the upload came along.
            Assert.Equal(pairs, await Client(restored, facilitator).GetStringAsync("/api/pairs"));
            await using var db = restored.Db();
            Assert.Equal("benchmark.pdf", (await db.Set<UploadedFile>().SingleAsync()).FileName);
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await using var admin = new NpgsqlConnection(connection.ConnectionString);
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {restoredName} WITH (FORCE)", admin);
            await drop.ExecuteNonQueryAsync();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static HttpClient Client(MentoringApp node, HttpClient signedIn)
    {
        var client = node.CreateClient();
        client.DefaultRequestHeaders.Authorization = signedIn.DefaultRequestHeaders.Authorization;
        return client;
    }

    private static async Task PgAsync(string tool, NpgsqlConnectionStringBuilder connection, string database, params string[] args)
    {
        var bin = Environment.GetEnvironmentVariable("MENTORING_PG_BIN") is { Length: > 0 } configured ? configured : "/usr/lib/postgresql/15/bin";
        var start = new ProcessStartInfo(Path.Combine(bin, tool)) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in new[] { $"--host={connection.Host}", $"--port={connection.Port}", $"--username={connection.Username}", $"--dbname={database}" }.Concat(args))
            start.ArgumentList.Add(arg);
        if (!string.IsNullOrEmpty(connection.Password)) start.Environment["PGPASSWORD"] = connection.Password;
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{tool} failed: {await error}");
    }

    private static async Task AddUploadAsync(MentoringApp app, string name, byte[] content)
    {
        await using var db = app.Db();
        var person = await db.People.SingleAsync(p => p.Email == People.Coordinator("jelgava"));
        var pair = await db.Groups.OrderBy(p => p.Number).FirstAsync();
        db.Set<UploadedFile>().Add(new UploadedFile
        {
            UploadedBy = person.Id, GroupId = pair.Id, FileName = name, ContentType = "application/pdf", Size = content.Length,
            Content = content, UploadedAt = app.Clock.GetUtcNow(),
        });
        await db.SaveChangesAsync();
    }

    private static string DataSource(string connectionString) => new SqliteConnectionStringBuilder(connectionString).DataSource;

    private static DatabaseOptions Sqlite(string file) => new() { Provider = DatabaseProvider.Sqlite, ConnectionString = $"Data Source={file}" };

    private static ServiceProvider Commands(string file) => new ServiceCollection().AddSingleton(Sqlite(file)).BuildServiceProvider();

    private static async Task<long> CountAsync(string file, string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={file};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    /// <summary>Every row of every table, in storage order, as text: two databases with the same dump hold the same data.</summary>
    private static async Task<string> DumpAsync(string file)
    {
        await using var connection = new SqliteConnection($"Data Source={file};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var list = connection.CreateCommand())
        {
            list.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name";
            await using var reader = await list.ExecuteReaderAsync();
            while (await reader.ReadAsync()) tables.Add(reader.GetString(0));
        }

        var dump = new StringBuilder();
        foreach (var table in tables)
        {
            dump.AppendLine($"[{table}]");
            await using var rows = connection.CreateCommand();
            rows.CommandText = $"SELECT * FROM \"{table}\"";
            await using var reader = await rows.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                for (var i = 0; i < reader.FieldCount; i++)
                    dump.Append(reader.GetValue(i) switch { byte[] bytes => Convert.ToBase64String(bytes), var value => value?.ToString() }).Append('|');
                dump.AppendLine();
            }
        }

        return dump.ToString();
    }
}
