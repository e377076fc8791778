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

    /// <summary>Whether practice <c>p</c> is in @programme's library: its own published practices and the shared ones it shows.</summary>
    private const string Visible = """
        p.status = 'published' AND (p.programme_id = @programme
            OR (p.shared AND EXISTS (SELECT 1 FROM practice_shows s WHERE s.practice_id = p.id AND s.programme_id = @programme)))
        """;

    /// <summary>The SQL of a search in <paramref name="programmeId"/>'s library (its own published practices and the
    /// shared ones it shows), the ids best first; parameters @programme, @match, @theme, @city, @take, @skip, and on SQLite
    /// with words and no city @candidates (<see cref="Candidates"/>).</summary>
    public static string Sql(bool sqlite, PracticeQuery query, bool hasWords)
    {
        var filters = (query.Theme is null ? "" : " AND EXISTS (SELECT 1 FROM practice_themes t WHERE t.practice_id = p.id AND t.theme = @theme)")
                      + (query.City is null ? "" : " AND p.city = @city");
        if (!hasWords)
            // The programme's own practices and the shared ones it shows, each side's first skip + take in title order
            // (the own side read in order from ix_practices_visible_title, M024), then the page of both: a visible
            // practice is on exactly one side, and a page's practices are among the first skip + take of their side.
            return $"""
                SELECT id FROM (
                    SELECT id, title FROM (SELECT p.id, p.title FROM practices p
                        WHERE p.programme_id = @programme AND p.status = 'published'{filters}
                        ORDER BY p.title, p.id LIMIT @take + @skip) own
                    UNION ALL
                    SELECT id, title FROM (SELECT p.id, p.title FROM practice_shows s JOIN practices p ON p.id = s.practice_id
                        WHERE s.programme_id = @programme AND p.programme_id <> @programme AND p.status = 'published' AND p.shared{filters}
                        ORDER BY p.title, p.id LIMIT @take + @skip) shown
                ) page ORDER BY title, id LIMIT @take OFFSET @skip
                """;
        if (sqlite && query.City is not null)
            // A city holds few of the best matches: SQLite starts from the city's practices and ranks all their matches.
            return $"""
                SELECT p.id FROM practices_search f JOIN practices p ON p.rowid = f.rowid
                WHERE practices_search MATCH @match AND {Visible}{filters}
                ORDER BY bm25(practices_search, 10.0, 1.0), p.title, p.id LIMIT @take OFFSET @skip
                """;
        if (sqlite)
            // FTS5 ranks every match cheaply on its own (bm25 over its index); what costs is joining each match to its
            // practice for the visibility rule and sorting them all by title. So the best @candidates matches by bm25 are
            // taken inside FTS5 and only those are joined. The page is exact when the candidates are every match, or when
            // the page's last practice scores strictly better than the worst candidate: any match left out scores no
            // better than that one, so it comes after the page. Otherwise the same search runs over every match (the
            // second branch; its constant condition is false, so SQLite does not run it in the first case).
            return $"""
                WITH c AS MATERIALIZED (
                    SELECT rowid AS r, bm25(practices_search, 10.0, 1.0) AS score FROM practices_search
                    WHERE practices_search MATCH @match ORDER BY score LIMIT @candidates),
                hit AS MATERIALIZED (SELECT p.id, c.score, p.title FROM c JOIN practices p ON p.rowid = c.r WHERE {Visible}{filters}),
                exact AS MATERIALIZED (SELECT coalesce((SELECT COUNT(*) FROM c) < @candidates
                    OR (SELECT score FROM hit ORDER BY score, title, id LIMIT 1 OFFSET @take + @skip - 1) < (SELECT MAX(score) FROM c), 0) AS yes)
                SELECT id FROM (
                    SELECT id, score, title FROM hit WHERE (SELECT yes FROM exact)
                    UNION ALL
                    SELECT p.id, bm25(practices_search, 10.0, 1.0), p.title FROM practices_search f JOIN practices p ON p.rowid = f.rowid
                    WHERE NOT (SELECT yes FROM exact) AND practices_search MATCH @match AND {Visible}{filters}
                ) page ORDER BY score, title, id LIMIT @take OFFSET @skip
                """;
        // One branch per language, so each practice is matched by the query stemmed as its own text was, and the GIN
        // index on search serves every branch. The seven queries are made once (q), not once per row: the statement is
        // prepared, and a generic plan would otherwise call websearch_to_tsquery for every practice it reads and ranks.
        var queries = string.Join(", ", Configurations.Select(c => $"websearch_to_tsquery('{c.Value}', @match) AS {c.Key}"));
        var matches = string.Join(" OR ", Configurations.Select(c => $"(p.language = '{c.Key}' AND p.search @@ q.{c.Key})"));
        var rank = "CASE p.language " + string.Join(" ", Configurations.Select(c => $"WHEN '{c.Key}' THEN ts_rank(p.search, q.{c.Key})")) + " ELSE 0 END";
        return $"""
            WITH q AS MATERIALIZED (SELECT {queries})
            SELECT p.id FROM q CROSS JOIN practices p
            WHERE ({matches}) AND {Visible}{filters}
            ORDER BY {rank} DESC, p.title, p.id LIMIT @take OFFSET @skip
            """;
    }

    /// <summary>How many of the best matches SQLite's search joins and sorts (@candidates): a few pages' worth, more with a
    /// theme (about one practice in six has a given one); null for a search with a city, which reads the city's matches
    /// instead. Only the speed depends on it: the page is the same (see <see cref="Sql"/>).</summary>
    public static int? Candidates(PracticeQuery query) =>
        query.City is not null ? null : Math.Max(200, 4 * (Math.Max(0, query.Skip) + Math.Clamp(query.Take, 1, 200))) * (query.Theme is null ? 1 : 4);

    /// <summary>The themes (rows <c>'t', theme</c>) and the cities (<c>'c', city</c>) of @programme's library, what its
    /// filters offer, unordered. Each distinct theme and city is found by skipping from one to the next in an index
    /// (ix_practice_themes_theme; ix_practices_visible_city, M024): a few dozen seeks, not a read of every visible practice.
    /// A theme counts when one visible practice has it (a scalar subquery with LIMIT 1, which PostgreSQL cannot turn into a
    /// join over every theme row as it does an EXISTS); the shared practices shown here add their cities.</summary>
    public const string FiltersSql = $"""
        WITH RECURSIVE th(theme) AS (
            SELECT MIN(theme) FROM practice_themes
            UNION ALL
            SELECT (SELECT MIN(x.theme) FROM practice_themes x WHERE x.theme > th.theme) FROM th WHERE th.theme IS NOT NULL)
        SELECT 't', th.theme FROM th WHERE th.theme IS NOT NULL AND (
            SELECT 1 FROM practice_themes t JOIN practices p ON p.id = t.practice_id WHERE t.theme = th.theme AND {Visible} LIMIT 1) = 1;
        WITH RECURSIVE c(city) AS (
            SELECT MIN(city) FROM practices WHERE programme_id = @programme AND status = 'published'
            UNION ALL
            SELECT (SELECT MIN(p.city) FROM practices p WHERE p.programme_id = @programme AND p.status = 'published' AND p.city > c.city)
            FROM c WHERE c.city IS NOT NULL)
        SELECT 'c', c.city FROM c WHERE c.city IS NOT NULL
        UNION
        SELECT 'c', p.city FROM practice_shows s JOIN practices p ON p.id = s.practice_id
        WHERE s.programme_id = @programme AND p.status = 'published' AND p.shared
        """;

    private static async Task<DbCommand> CommandAsync(MentoringDb db, CancellationToken ct)
    {
        var connection = db.Database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Open) await db.Database.OpenConnectionAsync(ct);
        var command = connection.CreateCommand();
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        return command;
    }

    /// <summary>Runs the command prepared on PostgreSQL: Npgsql keeps a statement prepared on each pooled connection, so
    /// the search's long SQL (a branch per language) is planned once per connection rather than on every call.</summary>
    private static async Task<DbDataReader> ReadAsync(MentoringDb db, DbCommand command, CancellationToken ct)
    {
        if (!db.IsSqlite) await command.PrepareAsync(ct);
        return await command.ExecuteReaderAsync(ct);
    }

    /// <summary>The ids of the practices that match, best first, and the themes and cities the filters offer: one command
    /// (<see cref="Sql"/> then <see cref="FiltersSql"/>), so one round trip to the database.</summary>
    /// <param name="candidates">For tests: how many best matches SQLite takes before the visibility rule and the filters,
    /// instead of <see cref="Candidates"/>.</param>
    public static async Task<(List<Guid> Ids, List<string> Themes, List<string> Cities)> SearchAsync(MentoringDb db, string programmeId,
        PracticeQuery query, CancellationToken ct, int? candidates = null)
    {
        var words = Words(query.Words);
        await using var command = await CommandAsync(db, ct);
        command.CommandText = Sql(db.IsSqlite, query, words.Count > 0) + ";\n" + FiltersSql;
        Add(command, "@programme", programmeId);
        if (words.Count > 0) Add(command, "@match", db.IsSqlite ? Fts5Match(words) : WebSearch(words));
        if (query.Theme is not null) Add(command, "@theme", query.Theme);
        if (query.City is not null) Add(command, "@city", query.City);
        Add(command, "@take", Math.Clamp(query.Take, 1, 200));
        Add(command, "@skip", Math.Max(0, query.Skip));
        if (words.Count > 0 && db.IsSqlite && (candidates ?? Candidates(query)) is { } best) Add(command, "@candidates", best);
        var (ids, themes, cities) = (new List<Guid>(), new List<string>(), new List<string>());
        await using var reader = await ReadAsync(db, command, ct);
        while (await reader.ReadAsync(ct))
            ids.Add(reader.GetValue(0) switch { Guid g => g, var v => Guid.Parse((string)v) });
        while (await reader.NextResultAsync(ct))
            while (await reader.ReadAsync(ct))
                (reader.GetString(0) == "t" ? themes : cities).Add(reader.GetString(1));
        return (ids, themes, cities);
    }

    private static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
