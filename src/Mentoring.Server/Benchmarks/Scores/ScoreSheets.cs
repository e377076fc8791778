using System.Data.Common;
using System.Globalization;
using System.Security.Claims;
using Mentoring.Server.Auth;
using Mentoring.Server.Data;
using Mentoring.Server.Matching;
using Mentoring.Server.Pairs;
using Mentoring.Server.Programme;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Benchmarks.Scores;

public enum ScoreOutcome { Done, Invalid, NotFound, Forbidden, Conflict }

/// <summary>What a score read or change came to; the API says it as problem details, the page as a message. Title and
/// detail are in the words the caller passed (English for the API).</summary>
public sealed record ScoreResult<T>(ScoreOutcome Outcome, T? Value = default, string? Title = null, string? Detail = null,
    IReadOnlyDictionary<string, string[]>? Errors = null)
{
    public static ScoreResult<T> Done(T value) => new(ScoreOutcome.Done, value);
    public static ScoreResult<T> Fail(ScoreOutcome outcome, string title, string? detail = null) => new(outcome, default, title, detail);
}

/// <summary>One key factor's score at a moment, with who entered it and when (no score yet: nulls).</summary>
public sealed record FactorScoreView(Guid Factor, int Position, string Title, bool Local, int? Score, string? Comment, string? EnteredBy,
    DateTimeOffset? EnteredAt);

/// <summary>A moment's scores on every key factor of the benchmark as it is now, and whether the reader may enter them.</summary>
public sealed record ScoreSheet(Guid GroupId, string Moment, int BenchmarkVersion, bool MayEnter, IReadOnlyList<FactorScoreView> Factors);

/// <summary>A key factor's baseline and review score side by side, for the chart and the exports.</summary>
public sealed record ScoreChange(Guid Factor, int Position, string Title, bool Local, int? Baseline, int? Review, string? BaselineComment,
    string? ReviewComment)
{
    public int? Change => Baseline is { } b && Review is { } r ? r - b : null;
}

/// <summary>
/// The one writer of <c>benchmark_scores</c>. Who may read the group reads its scores (the pair's cities, the
/// facilitator, the programme-scope roles, the associations of its cities: <see cref="CurrentUser.CanRead"/>); only
/// a coordinator of the city that holds the need-side role in the group (<see cref="ScoreRules.NeedRole"/>) enters
/// them. A sheet is replaced whole, in one transaction; a row keeps who entered it and when, and is left as it was
/// when its score and comment do not change. The review on a factor needs its baseline, and a factor's baseline stays
/// as it was once the factor has a review score, so the change the chart shows is the change that happened.
/// </summary>
public static class ScoreSheets
{
    public const string NoBenchmark = "This pair has no benchmark yet.";
    public const string NotTheMentee = "Only the mentee city's coordinators enter its self-scores; everyone else who follows the pair reads them.";
    public const string BenchmarkChanged = "The benchmark has changed since these scores were entered (version {0}, now {1}): read it again and score its key factors as they are now.";
    public const string BaselineFirst = "Score the baseline of these key factors before their review: {0}.";
    public const string BaselineKept = "The baseline of these key factors is kept as it was, since they have a review score: {0}.";
    public const string ChangedMeanwhile = "The scores or the benchmark changed at the same moment: read them again and retry.";

    /// <summary>The reader's access to the group, the group and its members. The titles are the API's (a page answers
    /// 403 or 404 without them).</summary>
    private static async Task<(ScoreOutcome? Refused, string? Title, Group? Group, IReadOnlyList<GroupMember> Members)> AccessAsync(
        MentoringDb db, ClaimsPrincipal user, Guid groupId, CancellationToken ct)
    {
        var (access, group, members) = await PairPageData.CheckAsync(db, user, groupId, ct);
        return access switch
        {
            PairPageData.Access.Ok => (null, null, group, members),
            PairPageData.Access.Forbidden => (ScoreOutcome.Forbidden, "Not your pair", null, []),
            _ => (ScoreOutcome.NotFound, "No such pair", null, []),
        };
    }

    /// <summary>Does this reader enter the group's self-scores? A coordinator of its need-side city.</summary>
    public static async Task<bool> MayEnterAsync(MentoringDb db, ClaimsPrincipal user, Group group, IReadOnlyCollection<GroupMember> members,
        CancellationToken ct)
    {
        if (!user.IsInRole(PersonRoles.Coordinator) || user.CityId() is not { } city || group.ProgrammeId != user.ProgrammeId()) return false;
        var need = ScoreRules.NeedRole(await MatchingSettingsStore.ReadAsync(db, group.ProgrammeId, ct));
        return members.Any(m => m.CityId == city && m.Role == need);
    }

    /// <summary>Every score of the group, both moments, with the names of who entered them.</summary>
    public static async Task<IReadOnlyList<(BenchmarkScore Row, string By)>> RowsAsync(MentoringDb db, Guid groupId, CancellationToken ct) =>
        (await (from score in db.Set<BenchmarkScore>().AsNoTracking()
                where score.GroupId == groupId
                join person in db.People on score.EnteredBy equals person.Id
                select new { score, person.Name }).ToListAsync(ct))
        .Select(r => (r.score, r.Name)).ToList();

    /// <summary>The benchmark's key factors in order with their baseline and review scores.</summary>
    public static IReadOnlyList<ScoreChange> Changes(BenchmarkView benchmark, IEnumerable<BenchmarkScore> rows)
    {
        var scores = rows.ToLookup(r => r.FactorId);
        return benchmark.Factors.OrderBy(f => f.Position).Select(f =>
        {
            var baseline = scores[f.Id].FirstOrDefault(s => s.Moment == "baseline");
            var review = scores[f.Id].FirstOrDefault(s => s.Moment == "review");
            return new ScoreChange(f.Id, f.Position, f.Title, f.Local, baseline?.Score, review?.Score, baseline?.Comment, review?.Comment);
        }).ToList();
    }

    /// <summary>The group's benchmark with its scores, for a reader who may read the group (the pair page's section, the
    /// exports); null when the group has no benchmark.</summary>
    public static async Task<(BenchmarkView Benchmark, IReadOnlyList<ScoreChange> Changes)?> ChangesAsync(MentoringDb db, Guid groupId,
        CancellationToken ct)
    {
        if (await BenchmarkQueries.ForGroupAsync(db, groupId, ct) is not { } benchmark) return null;
        return (benchmark, Changes(benchmark, (await RowsAsync(db, groupId, ct)).Select(r => r.Row)));
    }

    public static async Task<ScoreResult<ScoreSheet>> ReadAsync(MentoringDb db, ClaimsPrincipal user, Guid groupId, ScoreMoment moment,
        Func<string, string> words, CancellationToken ct)
    {
        var (refused, title, group, members) = await AccessAsync(db, user, groupId, ct);
        if (refused is { } outcome) return ScoreResult<ScoreSheet>.Fail(outcome, title!);
        if (await BenchmarkQueries.ForGroupAsync(db, groupId, ct) is not { } benchmark)
            return ScoreResult<ScoreSheet>.Fail(ScoreOutcome.NotFound, words(NoBenchmark));
        return ScoreResult<ScoreSheet>.Done(await SheetAsync(db, benchmark, moment, await MayEnterAsync(db, user, group!, members, ct), ct));
    }

    private static async Task<ScoreSheet> SheetAsync(MentoringDb db, BenchmarkView benchmark, ScoreMoment moment, bool mayEnter,
        CancellationToken ct)
    {
        var name = moment.Name();
        var rows = (await RowsAsync(db, benchmark.GroupId, ct)).Where(r => r.Row.Moment == name).ToDictionary(r => r.Row.FactorId);
        return new ScoreSheet(benchmark.GroupId, name, benchmark.Version, mayEnter, benchmark.Factors.OrderBy(f => f.Position).Select(f =>
            rows.TryGetValue(f.Id, out var r)
                ? new FactorScoreView(f.Id, f.Position, f.Title, f.Local, r.Row.Score, r.Row.Comment, r.By, r.Row.EnteredAt)
                : new FactorScoreView(f.Id, f.Position, f.Title, f.Local, null, null, null, null)).ToList());
    }

    /// <summary>Replaces the moment's sheet in <paramref name="db"/>'s transaction (the caller's, with its idempotency
    /// record), saving the changes; nothing is written when it is refused.</summary>
    public static async Task<ScoreResult<ScoreSheet>> SaveAsync(MentoringDb db, ClaimsPrincipal user, Guid groupId, ScoreMoment moment,
        ScoreSheetBody body, DateTimeOffset now, Func<string, string> words, CancellationToken ct)
    {
        var (refused, title, group, members) = await AccessAsync(db, user, groupId, ct);
        if (refused is { } outcome) return ScoreResult<ScoreSheet>.Fail(outcome, title!);
        if (!await MayEnterAsync(db, user, group!, members, ct))
            return ScoreResult<ScoreSheet>.Fail(ScoreOutcome.Forbidden, "Not yours to enter", words(NotTheMentee));
        if (await BenchmarkQueries.ForGroupAsync(db, groupId, ct) is not { } benchmark)
            return ScoreResult<ScoreSheet>.Fail(ScoreOutcome.Conflict, words(NoBenchmark));
        var errors = ScoreRules.Check(benchmark, body, now, words);
        if (errors.Count > 0) return new ScoreResult<ScoreSheet>(ScoreOutcome.Invalid, Title: words("The scores are refused."), Errors: errors);
        if (body.BenchmarkVersion is { } read && read != benchmark.Version)
            return ScoreResult<ScoreSheet>.Fail(ScoreOutcome.Conflict, "The benchmark has changed",
                string.Format(CultureInfo.CurrentCulture, words(BenchmarkChanged), read, benchmark.Version));

        var name = moment.Name();
        var rows = await db.Set<BenchmarkScore>().Where(s => s.GroupId == groupId).ToListAsync(ct);
        var mine = rows.Where(r => r.Moment == name).ToDictionary(r => r.FactorId);
        var given = body.Scores!.ToDictionary(e => e.Factor!.Value, e => (Score: e.Score!.Value, Comment: Clean(e.Comment)));
        string Titles(IEnumerable<Guid> ids) => string.Join("; ", benchmark.Factors.Where(f => ids.Contains(f.Id)).OrderBy(f => f.Position).Select(f => f.Title));

        if (moment == ScoreMoment.Review)
        {
            var baselines = rows.Where(r => r.Moment == "baseline").Select(r => r.FactorId).ToHashSet();
            if (given.Keys.Where(f => !baselines.Contains(f)).ToList() is { Count: > 0 } unscored)
                return ScoreResult<ScoreSheet>.Fail(ScoreOutcome.Conflict, "The baseline comes first",
                    string.Format(CultureInfo.CurrentCulture, words(BaselineFirst), Titles(unscored)));
        }
        else
        {
            var reviewed = rows.Where(r => r.Moment == "review").Select(r => r.FactorId).ToHashSet();
            var touched = reviewed.Where(f => mine.TryGetValue(f, out var row)
                ? !given.TryGetValue(f, out var g) || g.Score != row.Score || g.Comment != row.Comment
                : given.ContainsKey(f)).ToList();
            if (touched.Count > 0)
                return ScoreResult<ScoreSheet>.Fail(ScoreOutcome.Conflict, "The baseline is kept",
                    string.Format(CultureInfo.CurrentCulture, words(BaselineKept), Titles(touched)));
        }

        var by = user.PersonId();
        foreach (var (factor, row) in mine.Where(m => !given.ContainsKey(m.Key)))
            db.Remove(row);
        foreach (var (factor, (score, comment)) in given)
        {
            if (mine.TryGetValue(factor, out var row))
            {
                if (row.Score == score && row.Comment == comment) continue;
                row.Score = score;
                row.Comment = comment;
                row.EnteredBy = by;
                row.EnteredAt = now;
            }
            else
                db.Add(new BenchmarkScore { GroupId = groupId, FactorId = factor, Moment = name, Score = score, Comment = comment, EnteredBy = by, EnteredAt = now });
        }

        await db.SaveChangesAsync(ct);
        return ScoreResult<ScoreSheet>.Done(await SheetAsync(db, benchmark, moment, mayEnter: true, ct));
    }

    /// <summary>A write that lost a race: another sheet took the same factor and moment, or the factor went from the
    /// benchmark, at the same moment (a unique or foreign-key violation).</summary>
    public static bool IsRace(Exception e) => e switch
    {
        Npgsql.PostgresException { SqlState: "23505" or "23503" } pg => pg.TableName == "benchmark_scores",
        Microsoft.Data.Sqlite.SqliteException { SqliteErrorCode: 19 } sqlite => !sqlite.Message.Contains("idempotency_keys"),
        DbUpdateException or DbException when e.InnerException is { } inner => IsRace(inner),
        _ => false,
    };

    private static string? Clean(string? comment) => string.IsNullOrWhiteSpace(comment) ? null : comment.Trim();
}
