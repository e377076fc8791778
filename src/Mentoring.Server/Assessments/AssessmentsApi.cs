using System.Security.Claims;
using Mentoring.Server.Data;
using Mentoring.Server.Web;
using Mentoring.Server.Workflows;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Assessments;

/// <summary>
/// The needs assessment over HTTP, under /api/programmes/{id}: the questionnaire, each city's assessment (GET, PUT a
/// draft, POST submit; the facilitator's POST reopen), and for the facilitator every city's status and profile, the
/// chart, and sharing the submitted answers with the cities. PUT is idempotent by itself; each POST takes an
/// Idempotency-Key. Refusals are problem details: 400 with field errors, 403, 404, 409.
/// </summary>
public static class AssessmentsApi
{
    public static IHostApplicationBuilder AddMentoringAssessments(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<AssessmentCommands>();
        builder.Services.AddSingleton<IWorkItemRequirement, AssessmentRequirement>();
        return builder;
    }

    public static IEndpointRouteBuilder MapAssessmentsApi(this IEndpointRouteBuilder app)
    {
        var programme = app.MapGroup("/api/programmes/{programmeId}").WithTags("Needs assessment").RequireAuthorization();
        programme.MapGet("/questionnaire", async Task<Results<Ok<Questionnaire>, ProblemHttpResult>> (ClaimsPrincipal user, string programmeId,
            IDbContextFactory<MentoringDb> dbs, CancellationToken ct) =>
        {
            await using var db = await dbs.CreateDbContextAsync(ct);
            if (programmeId != Auth.CurrentUser.ProgrammeId(user) && !Auth.CurrentUser.IsAdmin(user))
                return Problem(AssessmentOutcome.NotFound, "No such programme", $"There is no programme '{programmeId}' here.");
            return await AssessmentQueries.QuestionnaireAsync(db, programmeId, ct) is { } questionnaire
                ? TypedResults.Ok(questionnaire)
                : Problem(AssessmentOutcome.NotFound, "No questionnaire", $"The programme '{programmeId}' has no needs-assessment questionnaire.");
        }).WithSummary("The programme's needs-assessment questionnaire: themes, sections, questions, their weights and labels.");

        programme.MapGet("/assessments", async (ClaimsPrincipal user, string programmeId, IDbContextFactory<MentoringDb> dbs, CancellationToken ct) =>
        {
            await using var db = await dbs.CreateDbContextAsync(ct);
            return Answer(await AssessmentCommands.OverviewAsync(db, user, programmeId, ct));
        }).WithSummary("Facilitator: every member city's assessment status and, once submitted, its need and strength per theme.");

        programme.MapGet("/assessments/chart.svg", async Task<IResult> (ClaimsPrincipal user, string programmeId, IDbContextFactory<MentoringDb> dbs,
            Texts texts, CancellationToken ct) =>
        {
            await using var db = await dbs.CreateDbContextAsync(ct);
            var overview = await AssessmentCommands.OverviewAsync(db, user, programmeId, ct);
            if (overview.Outcome != AssessmentOutcome.Done) return Problem(overview.Outcome, overview.Title!, overview.Detail);
            return Results.Text(AssessmentChart.Svg(overview.Value!, texts), "image/svg+xml; charset=utf-8");
        }).WithSummary("Facilitator: the cities against the themes as an SVG chart (title, description, one bar per need and strength).");

        programme.MapPost("/assessments/share", (HttpContext http, string programmeId, ShareRequest body, IDbContextFactory<MentoringDb> dbs,
                AssessmentCommands commands, TimeProvider clock, CancellationToken ct) =>
            PostAsync(http, body, dbs, clock, db => commands.ShareAsync(db, http.User, programmeId, body.Shared ?? true, ct), ct))
            .WithSummary("Facilitator: shares the submitted answers with every city of the programme ({shared: true}), or stops ({shared: false}).");

        var city = programme.MapGroup("/cities/{cityId}/assessment");
        city.MapGet("", async (ClaimsPrincipal user, string programmeId, string cityId, AssessmentCommands commands, CancellationToken ct) =>
            Answer(await commands.GetAsync(user, programmeId, cityId, ct)))
            .WithSummary("A city's assessment: its own (draft or submitted), any for the facilitator, another city's submitted one once shared.");
        city.MapPut("", async (ClaimsPrincipal user, string programmeId, string cityId, SaveAssessmentRequest body, AssessmentCommands commands,
                CancellationToken ct) => Answer(await commands.SaveAsync(user, programmeId, cityId, body, ct)))
            .WithSummary("The city's coordinator saves a draft: {answers: {question: {level | options | text}}} replaces the draft's answers.");
        city.MapPost("/submit", (HttpContext http, string programmeId, string cityId, SaveAssessmentRequest? body, IDbContextFactory<MentoringDb> dbs,
                AssessmentCommands commands, TimeProvider clock, CancellationToken ct) =>
            PostAsync(http, body ?? new SaveAssessmentRequest(null), dbs, clock,
                db => commands.SubmitAsync(db, http.User, programmeId, cityId, body, ct), ct))
            .WithSummary("The city's coordinator submits (with {answers} saved first, when given); 400 listing unanswered required questions.");
        city.MapPost("/reopen", (HttpContext http, string programmeId, string cityId, IDbContextFactory<MentoringDb> dbs, AssessmentCommands commands,
                TimeProvider clock, CancellationToken ct) =>
            PostAsync(http, new { programmeId, cityId }, dbs, clock, db => commands.ReopenAsync(db, http.User, programmeId, cityId, ct), ct))
            .WithSummary("Facilitator: a submitted assessment becomes a draft again, for its city to change and submit.");
        return app;
    }

    /// <summary>A POST, made once per Idempotency-Key in one transaction with the key's record; nothing written when refused.</summary>
    private static async Task<Results<Ok<T>, ProblemHttpResult, ValidationProblem>> PostAsync<T>(HttpContext http, object body,
        IDbContextFactory<MentoringDb> dbs, TimeProvider clock, Func<MentoringDb, Task<AssessmentResult<T>>> change, CancellationToken ct)
    {
        if (http.ApiKey(body) is not { } key)
            return HttpIdempotency.KeyRequired();
        var outcome = await OnceAsync(dbs, key, clock, change, ct);
        return http.Answer(outcome, refusal => Answer((AssessmentResult<T>)refusal));
    }

    /// <summary>A change made once per key (the API's header, a page's form key), in one transaction with the key's
    /// record; a refusal (its <see cref="AssessmentResult{T}"/>) writes nothing.</summary>
    public static Task<Idempotent<T>> OnceAsync<T>(IDbContextFactory<MentoringDb> dbs, IdempotencyKey key, TimeProvider clock,
        Func<MentoringDb, Task<AssessmentResult<T>>> change, CancellationToken ct) =>
        Idempotency.RunAsync<T>(dbs, key, clock, async db =>
        {
            var result = await change(db);
            return result.Outcome == AssessmentOutcome.Done ? Idempotent<T>.Done(result.Value!) : Idempotent<T>.Refused(result);
        }, ct);

    private static Results<Ok<T>, ProblemHttpResult, ValidationProblem> Answer<T>(AssessmentResult<T> result) => result.Outcome switch
    {
        AssessmentOutcome.Done => TypedResults.Ok(result.Value!),
        AssessmentOutcome.Invalid => TypedResults.ValidationProblem(result.Errors ?? new Dictionary<string, string[]>(), result.Detail, title: result.Title),
        _ => Problem(result.Outcome, result.Title!, result.Detail),
    };

    private static ProblemHttpResult Problem(AssessmentOutcome outcome, string title, string? detail) =>
        TypedResults.Problem(statusCode: outcome switch
        {
            AssessmentOutcome.NotFound => StatusCodes.Status404NotFound,
            AssessmentOutcome.Forbidden => StatusCodes.Status403Forbidden,
            _ => StatusCodes.Status409Conflict,
        }, title: title, detail: detail);
}
