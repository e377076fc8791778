using Mentoring.Server.Auth;
using Mentoring.Server.Data;
using Mentoring.Server.Setup;
using Mentoring.Server.Web;
using Mentoring.Server.Workflows;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Matching;

/// <summary>
/// Matching over HTTP, under /api/programmes/{id}/matching: the proposal, the facilitator's constraints (a whole
/// document, PUT) and publishing (POST, with an Idempotency-Key). Admins and the programme's facilitator; another
/// programme's facilitator is told 404, everybody else 403, as the programme's set-up is.
/// </summary>
public static class MatchingApi
{
    public static IHostApplicationBuilder AddMentoringMatching(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<MatchingPublisher>();
        return builder;
    }

    public static IEndpointRouteBuilder MapMatchingApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/programmes/{programmeId}/matching").WithTags("Matching").RequireAuthorization();
        api.MapGet("/proposal", async Task<Results<Ok<MatchingProposal>, ProblemHttpResult, ValidationProblem>> (HttpContext http, string programmeId,
            IDbContextFactory<MentoringDb> dbs, CancellationToken ct) =>
        {
            await using var db = await dbs.CreateDbContextAsync(ct);
            if (await RefusedAsync(db, http, programmeId, ct) is { } refused) return refused;
            return Answer(await MatchingProposals.ProposeAsync(db, programmeId, "en", Words.English, ct));
        }).WithSummary("The proposal: pairs with theme, score and breakdown, each mentee's runner-up and gap, the matrix, the total, and what the constraints cost.");
        api.MapGet("/constraints", async Task<Results<Ok<MatchingConstraints>, ProblemHttpResult, ValidationProblem>> (HttpContext http, string programmeId,
            IDbContextFactory<MentoringDb> dbs, CancellationToken ct) =>
        {
            await using var db = await dbs.CreateDbContextAsync(ct);
            if (await RefusedAsync(db, http, programmeId, ct) is { } refused) return refused;
            if (await MatchingSettingsStore.ReadAsync(db, programmeId, ct) is not { } settings)
                return Answer(new MatchingResult<MatchingConstraints>(MatchingOutcome.Unprocessable,
                    Detail: Words.English["This programme has no matching settings: its package needs a matching.json."]));
            return TypedResults.Ok(await MatchingConstraintsStore.ReadAsync(db, programmeId, settings, ct));
        }).WithSummary("The facilitator's constraints: locks, forbids, capacity per mentor, every mentee or the most.");
        api.MapPut("/constraints", async Task<Results<Ok<MatchingConstraints>, ProblemHttpResult, ValidationProblem>> (HttpContext http, string programmeId,
            ConstraintsRequest body, IDbContextFactory<MentoringDb> dbs, TimeProvider clock, CancellationToken ct) =>
        {
            await using var db = await dbs.CreateDbContextAsync(ct);
            if (await RefusedAsync(db, http, programmeId, ct) is { } refused) return refused;
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            var saved = await MatchingConstraintsStore.SaveAsync(db, programmeId, body, http.User.PersonId(), clock.GetUtcNow(), Words.English, ct);
            if (saved.Outcome != MatchingOutcome.Done) return Answer(saved);
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
            return TypedResults.Ok(saved.Value!);
        }).WithSummary("Replaces the constraints; 400 naming the field (a pairing both locked and forbidden, a city not a candidate), 422 when no proposal can meet them.");
        api.MapPost("/publish", async Task<Results<Ok<PublishResult>, ProblemHttpResult, ValidationProblem>> (HttpContext http, string programmeId,
            PublishRequest? body, IDbContextFactory<MentoringDb> dbs, TimeProvider clock, MatchingPublisher publisher, CancellationToken ct) =>
        {
            await using (var db = await dbs.CreateDbContextAsync(ct))
                if (await RefusedAsync(db, http, programmeId, ct) is { } refused) return refused;
            var request = body ?? new PublishRequest(null);
            if (http.ApiKey(request) is not { } key)
                return HttpIdempotency.KeyRequired();
            return await PublishAsync(http, dbs, clock, publisher, programmeId, request, key, ct);
        }).WithSummary("Publishes the proposal: forms and starts the groups of pairs that do not run yet, in one transaction, recorded with the proposal.");
        return app;
    }

    /// <summary>Publishes once per key (a retry gets the first answer); the page's form comes here with its own key.</summary>
    public static async Task<Results<Ok<PublishResult>, ProblemHttpResult, ValidationProblem>> PublishAsync(HttpContext http,
        IDbContextFactory<MentoringDb> dbs, TimeProvider clock, MatchingPublisher publisher, string programmeId, PublishRequest request,
        IdempotencyKey key, CancellationToken ct)
    {
        var by = http.User.ActorFor(null) ?? new Engine.Runtime.Actor(http.User.PersonId().ToString(), http.User.Identity?.Name ?? "", Engine.Runtime.ActorRole.Facilitator);
        var outcome = await Idempotency.RunAsync<PublishResult>(dbs, key, clock, async db =>
        {
            var result = await publisher.PublishAsync(db, programmeId, request, by, http.User.PersonId(), clock.GetUtcNow(), http.RequestAborted);
            return result.Outcome == MatchingOutcome.Done ? Idempotent<PublishResult>.Done(result.Value!) : Idempotent<PublishResult>.Refused(result);
        }, ct);
        if (outcome.Refusal is MatchingResult<PublishResult> { Lines: { } lines }) PageText.Keep(http, lines);
        return http.Answer(outcome, refusal => Answer((MatchingResult<PublishResult>)refusal));
    }

    public static async Task<ProblemHttpResult?> RefusedAsync(MentoringDb db, HttpContext http, string programmeId, CancellationToken ct) =>
        await ProgrammeAdmin.AccessAsync(db, http.User, programmeId, ct) switch
        {
            ProgrammeAccess.Allowed => null,
            ProgrammeAccess.NotFound => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: "There is no such programme."),
            _ => TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Admin or the programme's facilitator only",
                detail: "Only an admin or the programme's facilitator matches the programme's cities."),
        };

    private static Results<Ok<T>, ProblemHttpResult, ValidationProblem> Answer<T>(MatchingResult<T> result) => result.Outcome switch
    {
        MatchingOutcome.Done => TypedResults.Ok(result.Value!),
        MatchingOutcome.Invalid => TypedResults.ValidationProblem(result.Errors!, title: "The request is not valid."),
        MatchingOutcome.NotFound => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: result.Detail),
        MatchingOutcome.Unprocessable => TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "No proposal can be made",
            detail: result.Detail),
        _ => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Not possible now", detail: result.Detail),
    };
}
