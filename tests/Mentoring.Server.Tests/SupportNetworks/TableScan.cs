using System.Data.Common;
using System.Text;
using Mentoring.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Tests.SupportNetworks;

/// <summary>Reads every table of a test's database, for tests that prove a text is stored nowhere.</summary>
public static class TableScan
{
    /// <summary>Every table with a row that holds any of the texts, in any column.</summary>
    public static async Task<List<string>> TablesHoldingAsync(MentoringApp app, IReadOnlyList<string> texts, StringComparison comparison)
    {
        await using var db = app.Db();
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var list = connection.CreateCommand())
        {
            list.CommandText = db.IsSqlite
                ? "SELECT name FROM sqlite_master WHERE type = 'table'"
                : "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'";
            await using var reader = await list.ExecuteReaderAsync();
            while (await reader.ReadAsync()) tables.Add(reader.GetString(0));
        }

        var holding = new List<string>();
        foreach (var table in tables)
        {
            await using var select = connection.CreateCommand();
            select.CommandText = $"SELECT * FROM \"{table}\"";
            await using var rows = await select.ExecuteReaderAsync();
            while (await rows.ReadAsync())
                if (Enumerable.Range(0, rows.FieldCount).Select(i => Cell(rows, i)).Any(cell => texts.Any(t => cell.Contains(t, comparison))))
                {
                    holding.Add(table);
                    break;
                }
        }

        return holding;
    }

    private static string Cell(DbDataReader row, int column) => row.IsDBNull(column) ? "" : row.GetValue(column) switch
    {
        byte[] bytes => Encoding.UTF8.GetString(bytes),
        var value => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "",
    };
}
