using System.Data.Common;
using Mentoring.Server.Data;
using Microsoft.EntityFrameworkCore;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;

namespace Mentoring.Server.Tests.Infrastructure;

/// <summary>
/// A start on a copy of the seeded template must give a test the database a fresh start gives: the same tables and
/// columns, the same rows in each (ids, tokens and password hashes are random, so rows are counted, not compared).
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class SeededTemplateTests(DatabaseFixture database)
{
    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_start_on_a_copy_of_the_template_finds_what_a_fresh_start_leaves(DatabaseProvider provider)
    {
        string fresh;
        await using (var app = await StartAsync(database, provider, fresh: true)) fresh = await ContentsAsync(app);
        // The first non-fresh start of a kind may run fresh itself; the second is a copy of the template.
        await using (await StartAsync(database, provider)) { }
        await using var copy = await StartAsync(database, provider);

        Assert.Equal(fresh, await ContentsAsync(copy));
        Assert.Contains("people(", fresh); // the comparison saw the tables
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_copy_of_the_template_is_the_tests_own(DatabaseProvider provider)
    {
        await using (var first = await StartAsync(database, provider))
        await using (var db = first.Db())
            await db.ApiTokens.ExecuteDeleteAsync();
        await using (await StartAsync(database, provider)) { }

        await using var next = await StartAsync(database, provider);

        await using var nextDb = next.Db();
        Assert.True(await nextDb.ApiTokens.AnyAsync()); // the demo tokens, which the first test deleted in its copy
    }

    /// <summary>Every table with its columns and its number of rows, one line each.</summary>
    private static async Task<string> ContentsAsync(MentoringApp app)
    {
        await using var db = app.Db();
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        var columns = await ReadAsync(connection, app.Provider == DatabaseProvider.Sqlite
            ? "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table' ORDER BY m.name, p.cid"
            : "SELECT table_schema || '.' || table_name, column_name FROM information_schema.columns " +
              "WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, ordinal_position");
        var lines = new List<string>();
        foreach (var table in columns.GroupBy(c => c.Table))
        {
            var quoted = string.Join(".", table.Key.Split('.').Select(part => $"\"{part}\""));
            var rows = (await ReadAsync(connection, $"SELECT COUNT(*), '' FROM {quoted}")).Single().Table;
            lines.Add($"{table.Key}({string.Join(",", table.Select(c => c.Column))}): {rows}");
        }

        return string.Join("\n", lines);
    }

    private static async Task<List<(string Table, string Column)>> ReadAsync(DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(string, string)>();
        while (await reader.ReadAsync()) rows.Add((Convert.ToString(reader.GetValue(0))!, Convert.ToString(reader.GetValue(1))!));
        return rows;
    }
}
