using System.Security.Claims;
using Mentoring.Server.Benchmarks.Export;
using Mentoring.Server.Data;
using Mentoring.Server.Web;
using Mentoring.Server.Workflows;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Benchmarks.Scores;

/// <summary>
/// The mentee's self-scores over HTTP, <c>GET/PUT /api/pairs/{id}/benchmark/scores/{baseline|review}</c>, and the
/// benchmark's exports (<see cref="BenchmarkExports"/>). A PUT replaces the moment's sheet once per Idempotency-Key, in
/// one transaction with the key's record. Refusals are problem details: 400 with field errors, 403, 404, 409.
/// </summary>
public static class ScoresApi
{
    private static readonly Func<string, string> English = key => key;

    public static IEndpointRouteBuilder MapBenchmarkScoresApi(this IEndpointRouteBuilder app)
    {
        var scores = app.MapGroup("/api/pairs/{pairId:guid}/benchmark/scores/{moment}").WithTags("Benchmark scores").RequireAuthorization();
        scores.MapGet("", async Task<Results<Ok<ScoreSheet>, ProblemHttpResult, ValidationProblem>> (ClaimsPrincipal user, Guid pairId,
            string moment, IDbContextFactory<MentoringDb> dbs, CancellationToken ct) =>
        {
            if (ScoreRules.Moment(moment) is not { } at) return UnknownMoment(moment);
            await using var db = await dbs.CreateDbContextAsync(ct);
            return Answer(await ScoreSheets.ReadAsync(db, user, pairId, at, English, ct));
        }).WithSummary("The mentee's self-scores at the baseline or the review: every key factor of the benchmark with its score, comment, who and when.");

        scores.MapPut("", async Task<Results<Ok<ScoreSheet>, ProblemHttpResult, ValidationProblem>> (HttpContext http, Guid pairId,
            string moment, ScoreSheetBody body, IDbContextFactory<MentoringDb> dbs, TimeProvider clock, CancellationToken ct) =>
        {
            if (ScoreRules.Moment(moment) is not { } at) return UnknownMoment(moment);
            if (http.ApiKey(body) is not { } key) return HttpIdempotency.KeyRequired();
            var outcome = await SaveAsync(dbs, key, clock, db => ScoreSheets.SaveAsync(db, http.User, pairId, at, body, clock.GetUtcNow(), English, ct), ct);
            return http.Answer(outcome, refusal => Answer((ScoreResult<ScoreSheet>)refusal));
        }).WithSummary("The mentee city's coordinator replaces the moment's scores: {benchmarkVersion, scores: [{factor, score: 0-4, comment}]}.");

        return app.MapBenchmarkExports();
    }

    /// <summary>The sheet saved once per key; a write that lost a race with another is a refusal (409), never a 500.</summary>
    public static async Task<Idempotent<ScoreSheet>> SaveAsync(IDbContextFactory<MentoringDb> dbs, IdempotencyKey key, TimeProvider clock,
        Func<MentoringDb, Task<ScoreResult<ScoreSheet>>> save, CancellationToken ct)
    {
        try
        {
            return await Idempotency.RunAsync<ScoreSheet>(dbs, key, clock, async db =>
            {
                var result = await save(db);
                return result.Outcome == ScoreOutcome.Done ? Idempotent<ScoreSheet>.Done(result.Value!) : Idempotent<ScoreSheet>.Refused(result);
            }, ct);
        }
        catch (Exception e) when (ScoreSheets.IsRace(e))
        {
            return Idempotent<ScoreSheet>.Refused(ScoreResult<ScoreSheet>.Fail(ScoreOutcome.Conflict, "Changed meanwhile", ScoreSheets.ChangedMeanwhile));
        }
    }

    private static ValidationProblem UnknownMoment(string moment) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["moment"] = [$"'{moment}' is no moment: use baseline or review."] },
            title: "The request has invalid input.");

    private static Results<Ok<T>, ProblemHttpResult, ValidationProblem> Answer<T>(ScoreResult<T> result) => result.Outcome switch
    {
        ScoreOutcome.Done => TypedResults.Ok(result.Value!),
        ScoreOutcome.Invalid => TypedResults.ValidationProblem(result.Errors ?? new Dictionary<string, string[]>(), result.Detail, title: result.Title),
        _ => TypedResults.Problem(statusCode: result.Outcome switch
        {
            ScoreOutcome.NotFound => StatusCodes.Status404NotFound,
            ScoreOutcome.Forbidden => StatusCodes.Status403Forbidden,
            _ => StatusCodes.Status409Conflict,
        }, title: result.Title, detail: result.Detail),
    };
}
