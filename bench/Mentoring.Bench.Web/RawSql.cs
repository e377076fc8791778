using Npgsql;

namespace Mentoring.Bench.Web;

/// <summary>The SQL the dashboard's EF Core queries send (same joins, filters, order and limits), sent raw through Npgsql
/// and read to the last column: the floor the server's figures are compared with.</summary>
public static class RawSql
{
    public const string Page = """
        SELECT p.id, p.number, m.id, m.name, e.id, e.name, p.title, i.stage_number, i.stage_name, i.status, i.next_due_at
        FROM "groups" p
        JOIN workflow_instances i ON p.instance_id = i.id
        JOIN group_members gm ON gm.group_id = p.id AND gm.role = 'mentor' JOIN cities m ON gm.city_id = m.id
        JOIN group_members ge ON ge.group_id = p.id AND ge.role = 'mentee' JOIN cities e ON ge.city_id = e.id
        ORDER BY p.number
        LIMIT 50 OFFSET 0
        """;

    public const string Spans = """
        SELECT p.id, j.at, j.type, j.data
        FROM "groups" p JOIN journal_entries j ON p.instance_id = j.instance_id
        WHERE p.id = ANY(@ids) AND j.type IN ('stage-started', 'stage-restarted', 'completed')
        ORDER BY j.id
        """;

    public const string Count = "SELECT count(*)::int FROM \"groups\"";

    private const string OpenItems = """
        SELECT w.id, p.id, p.number, c.name, w.kind, w.title, w.assignee, w.due_at, w.visit_date, w.visit_host, w.visit_phase
        FROM (SELECT * FROM work_items w
              WHERE w.status = 'open' AND w.kind IN ('task', 'study-visit', 'approval') AND {0}
              ORDER BY {1} LIMIT 100) w
        JOIN "groups" p ON w.instance_id = p.instance_id
        JOIN group_members ge ON ge.group_id = p.id AND ge.role = 'mentee' JOIN cities c ON ge.city_id = c.id
        ORDER BY {1}
        """;

    public static readonly string Overdue = string.Format(OpenItems, "w.kind <> 'approval' AND w.due_at IS NOT NULL AND w.due_at < @now", "w.due_at");
    public static readonly string Visits = string.Format(OpenItems, "w.kind = 'study-visit' AND w.visit_date IS NOT NULL AND w.visit_date >= @today", "w.visit_date");
    public static readonly string Gates = string.Format(OpenItems, "w.kind = 'approval'", "w.opened_at");

    public const string ExportOverdue = """
        SELECT w.instance_id, count(*)::int FROM work_items w
        WHERE w.status = 'open' AND w.due_at IS NOT NULL AND w.due_at < @now
        GROUP BY w.instance_id
        """;

    public const string ExportInstances =
        "SELECT p.id, p.instance_id, i.definition_id, i.definition_version FROM \"groups\" p JOIN workflow_instances i ON i.id = p.instance_id";

    public const string ExportPairs = """
        SELECT p.id, p.number, m.id, m.name, e.id, e.name, p.title, i.stage_number, i.stage_name, i.status, i.next_due_at
        FROM "groups" p
        JOIN workflow_instances i ON p.instance_id = i.id
        JOIN group_members gm ON gm.group_id = p.id AND gm.role = 'mentor' JOIN cities m ON gm.city_id = m.id
        JOIN group_members ge ON ge.group_id = p.id AND ge.role = 'mentee' JOIN cities e ON ge.city_id = e.id
        ORDER BY p.number
        """;

    /// <summary>Runs the query and reads every column of every row; returns column <paramref name="collect"/> of each
    /// row when asked (the page's pair ids, for the timeline query).</summary>
    public static async Task<List<Guid>> ReadAsync(NpgsqlConnection connection, string sql, int collect = -1,
        (string Name, object Value)[]? parameters = null)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters ?? []) command.Parameters.AddWithValue(name, value);
        await using var reader = await command.ExecuteReaderAsync();
        var collected = new List<Guid>();
        var values = new object[reader.FieldCount];
        while (await reader.ReadAsync())
        {
            reader.GetValues(values);
            if (collect >= 0) collected.Add((Guid)values[collect]);
        }

        return collected;
    }

    public static IEnumerable<(string Name, string Sql, (string, object)? Parameter)> Explained(DateTimeOffset now, DateOnly today) =>
    [
        ("page of pairs", Page, null),
        ("count", Count, null),
        ("overdue", Overdue, ("now", now)),
        ("visits", Visits, ("today", today)),
        ("gates", Gates, null),
        ("export: overdue per instance", ExportOverdue, ("now", now)),
        ("export: all pairs", ExportPairs, null),
    ];

    public static async Task<List<string>> ExplainAsync(NpgsqlConnection connection, string sql, (string Name, object Value)? parameter)
    {
        await using var command = new NpgsqlCommand("EXPLAIN (ANALYZE, BUFFERS) " + sql, connection);
        if (parameter is { } p) command.Parameters.AddWithValue(p.Name, p.Value);
        await using var reader = await command.ExecuteReaderAsync();
        var lines = new List<string>();
        while (await reader.ReadAsync()) lines.Add(reader.GetString(0));
        return lines;
    }
}
