using System.Data.Common;
using System.Text.RegularExpressions;
using Mentoring.Server.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Mentoring.Server.Practices;

/// <summary>What a library search asks: words (any text: it is read as words only), a theme, a city; a page of it.</summary>
public sealed record PracticeQuery(string? Words, string? Theme, string? City, int Skip = 0, int Take = 50);

/// <summary>
/// The library's search, in SQL of each database's own full-text search: SQLite's FTS5 table (porter stemming, ranked by
/// bm25 with the title weighing ten times the rest) and PostgreSQL's generated tsvector (each practice stemmed in its own
/// language, ranked by ts_rank with the title weighing most). What a person types is read as words, never as query
/// syntax: quotes, <c>*</c>, <c>NEAR</c>, <c>OR</c>, <c>-</c> and parentheses are separators or plain words on both, so
/// no input can break the query, and every word must match.
/// </summary>
public static partial class PracticeSearch
{
    /// <summary>A practice's language and the PostgreSQL text search configuration that stems it (M020 writes the same).</summary>
    public static readonly IReadOnlyDictionary<string, string> Configurations = new Dictionary<string, string>
    {
        ["en"] = "english", ["fr"] = "french", ["nl"] = "dutch", ["it"] = "italian", ["es"] = "spanish", ["el"] = "greek", ["lv"] = "simple",
    };

    public const int MaxWords = 12;

    /// <summary>PostgreSQL's English stop words (tsearch_data/english.stop): its english configuration drops them from
    /// both text and query, so the words typed drop them too and FTS5 asks the same as PostgreSQL does.</summary>
    private static readonly HashSet<string> StopWords =
    [
        "i", "me", "my", "myself", "we", "our", "ours", "ourselves", "you", "your", "yours", "yourself",
        "yourselves", "he", "him", "his", "himself", "she", "her", "hers", "herself", "it", "its", "itself", "they",
        "them", "their", "theirs", "themselves", "what", "which", "who", "whom", "this", "that", "these", "those",
        "am", "is", "are", "was", "were", "be", "been", "being", "have", "has", "had", "having", "do", "does",
        "did", "doing", "a", "an", "the", "and", "but", "if", "or", "because", "as", "until", "while", "of", "at",
        "by", "for", "with", "about", "against", "between", "into", "through", "during", "before", "after", "above",
        "below", "to", "from", "up", "down", "in", "out", "on", "off", "over", "under", "again", "further", "then",
        "once", "here", "there", "when", "where", "why", "how", "all", "any", "both", "each", "few", "more", "most",
        "other", "some", "such", "no", "nor", "not", "only", "own", "same", "so", "than", "too", "very", "s", "t",
        "can", "will", "just", "don", "should", "now"
    ];


    [GeneratedRegex(@"[\p{L}\p{Nd}][\p{L}\p{M}\p{Nd}]*")]
    private static partial Regex Word();

    /// <summary>The words of what was typed, lower-case, without stop words, at most <see cref="MaxWords"/> of at most
    /// 60 characters.</summary>
    public static IReadOnlyList<string> Words(string? text) =>
        text is null ? [] : Word().Matches(text).Select(m => m.Value.ToLowerInvariant()).Where(w => !StopWords.Contains(w))
            .Select(w => w.Length > 60 ? w[..60] : w).Distinct().Take(MaxWords).ToList();

    /// <summary>FTS5: each word a quoted string (so AND, OR, NOT, NEAR and * are only words), all of them required.</summary>
    public static string Fts5Match(IReadOnlyList<string> words) => string.Join(" AND ", words.Select(w => $"\"{w}\""));

    /// <summary>websearch_to_tsquery: each word quoted, so "or" and "-" are words, not operators; all of them required.</summary>
    public static string WebSearch(IReadOnlyList<string> words) => string.Join(" ", words.Select(w => $"\"{w}\""));

    /// <summary>The SQL of a search in <paramref name="programmeId"/>'s library (its own published practices and the
    /// shared ones it shows), the ids best first; parameters @programme, @match, @theme, @city, @take, @skip.</summary>
    public static string Sql(bool sqlite, PracticeQuery query, bool hasWords)
    {
        var visible = """
            p.status = 'published' AND (p.programme_id = @programme
                OR (p.shared AND EXISTS (SELECT 1 FROM practice_shows s WHERE s.practice_id = p.id AND s.programme_id = @programme)))
            """;
        var filters = (query.Theme is null ? "" : " AND EXISTS (SELECT 1 FROM practice_themes t WHERE t.practice_id = p.id AND t.theme = @theme)")
                      + (query.City is null ? "" : " AND p.city = @city");
        if (!hasWords)
            return $"SELECT p.id FROM practices p WHERE {visible}{filters} ORDER BY p.title, p.id LIMIT @take OFFSET @skip";
        if (sqlite)
            return $"""
                SELECT p.id FROM practices_search f JOIN practices p ON p.rowid = f.rowid
                WHERE practices_search MATCH @match AND {visible}{filters}
                ORDER BY bm25(practices_search, 10.0, 1.0), p.title, p.id LIMIT @take OFFSET @skip
                """;
        // One branch per language, so each practice is matched by the query stemmed as its own text was, and the GIN
        // index on search serves every branch.
        var matches = string.Join(" OR ", Configurations.Select(c =>
            $"(p.language = '{c.Key}' AND p.search @@ websearch_to_tsquery('{c.Value}', @match))"));
        var rank = "CASE p.language " + string.Join(" ", Configurations.Select(c =>
            $"WHEN '{c.Key}' THEN ts_rank(p.search, websearch_to_tsquery('{c.Value}', @match))")) + " ELSE 0 END";
        return $"""
            SELECT p.id FROM practices p
            WHERE ({matches}) AND {visible}{filters}
            ORDER BY {rank} DESC, p.title, p.id LIMIT @take OFFSET @skip
            """;
    }

    /// <summary>The ids of the practices that match, best first.</summary>
    public static async Task<List<Guid>> IdsAsync(MentoringDb db, string programmeId, PracticeQuery query, CancellationToken ct)
    {
        var words = Words(query.Words);
        var connection = db.Database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Open) await db.Database.OpenConnectionAsync(ct);
        await using var command = connection.CreateCommand();
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        command.CommandText = Sql(db.IsSqlite, query, words.Count > 0);
        Add(command, "@programme", programmeId);
        if (words.Count > 0) Add(command, "@match", db.IsSqlite ? Fts5Match(words) : WebSearch(words));
        if (query.Theme is not null) Add(command, "@theme", query.Theme);
        if (query.City is not null) Add(command, "@city", query.City);
        Add(command, "@take", Math.Clamp(query.Take, 1, 200));
        Add(command, "@skip", Math.Max(0, query.Skip));
        var ids = new List<Guid>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            ids.Add(reader.GetValue(0) switch { Guid g => g, var v => Guid.Parse((string)v) });
        return ids;
    }

    private static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
