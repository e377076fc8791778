using System.Security.Claims;
using Mentoring.Server.FunderReport;
using Mentoring.Server.Inputs;
using Mentoring.Server.Web;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Mentoring.Server.ActionPlans;

/// <summary>
/// A group's action plan under <c>/api/pairs/{id}/action-plan</c>: the plan (made on first open), its objectives and actions,
/// its frozen versions (any change to one is a 409), the diff between two versions, comments per action and the
/// endorsement. Every change takes an Idempotency-Key. A change of the working copy names the revision it was made on (the
/// plan's <c>revision</c>: required to replace or remove, checked when sent with an addition or a freeze); one made on an
/// older revision is a 409 and writes nothing, so a save never silently overwrites another. Refusals are problem details:
/// 400 with field errors, 403, 404, 409, 422 (a key reused).
/// </summary>
public static class ActionPlansApi
{
    public static IHostApplicationBuilder AddMentoringActionPlans(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ActionPlanCommands>();
        builder.Services.AddScoped<IActionPlanFigures, ActionPlanFiguresSource>();
        builder.Services.AddSingleton<Workflows.IWorkItemRequirement, ActionPlanRequirement>();
        return builder;
    }

    public static IEndpointRouteBuilder MapActionPlansApi(this IEndpointRouteBuilder app)
    {
        var plan = app.MapGroup("/api/pairs/{pairId:guid}/action-plan").WithTags("Action plans").RequireAuthorization();
        plan.MapGet("", async (Guid pairId, ClaimsPrincipal user, ActionPlanCommands commands, CancellationToken ct) =>
                Answer(null, await commands.OpenAsync(user, pairId, ct)))
            .WithSummary("The group's action plan: the working copy (context, needs, objectives, actions), the frozen versions, the comments and the endorsement.");
        plan.MapPut("", async (Guid pairId, PlanRequest body, HttpContext http, ActionPlanCommands commands, CancellationToken ct) =>
                Answer(http, await commands.EditPlanAsync(http.User, pairId, body, http.ApiKey(body), ct)))
            .WithSummary("The mentee city changes {language, context, needs, revision}; a field left out stays as it is.");
        plan.MapPost("/objectives", async (Guid pairId, ObjectiveRequest body, HttpContext http, ActionPlanCommands commands, CancellationToken ct) =>
                Answer(http, await commands.AddObjectiveAsync(http.User, pairId, body, http.ApiKey(body), ct)))
            .WithSummary("Adds an objective {title, description, keyFactors: [ids of the benchmark's key factors]}.");
        plan.MapPut("/objectives/{objectiveId:guid}", async (Guid pairId, Guid objectiveId, ObjectiveRequest body, HttpContext http,
                ActionPlanCommands commands, CancellationToken ct) =>
                Answer(http, await commands.EditObjectiveAsync(http.User, pairId, objectiveId, body, http.ApiKey(new { objectiveId, body }), ct)))
            .WithSummary("Replaces an objective {title, description, keyFactors, revision}.");
        plan.MapDelete("/objectives/{objectiveId:guid}", async (Guid pairId, Guid objectiveId, int? revision, HttpContext http, ActionPlanCommands commands,
                CancellationToken ct) =>
                Answer(http, await commands.RemoveObjectiveAsync(http.User, pairId, objectiveId, revision, http.ApiKey(new { objectiveId, revision }), ct)))
            .WithSummary("Removes an objective (?revision= the working copy's revision you read); its actions stay, under no objective.");
        plan.MapPost("/actions", async (Guid pairId, ActionRequest body, HttpContext http, ActionPlanCommands commands, CancellationToken ct) =>
                Answer(http, await commands.AddActionAsync(http.User, pairId, body, http.ApiKey(body), ct)))
            .WithSummary("Adds an action {objectiveId, title, description, practiceId, activities, start, end, responsible, partners, cost (euros), " +
                         "fundingSource, indicators: [{name, baseline, target, unit}], risks: [{risk, mitigation}], status}.");
        plan.MapPut("/actions/{actionId:guid}", async (Guid pairId, Guid actionId, ActionRequest body, HttpContext http, ActionPlanCommands commands,
                CancellationToken ct) =>
                Answer(http, await commands.EditActionAsync(http.User, pairId, actionId, body, http.ApiKey(new { actionId, body }), ct)))
            .WithSummary("Replaces an action of the working copy with the fields sent, with the working copy's revision you read ('revision').");
        plan.MapDelete("/actions/{actionId:guid}", async (Guid pairId, Guid actionId, int? revision, HttpContext http, ActionPlanCommands commands,
                CancellationToken ct) =>
                Answer(http, await commands.RemoveActionAsync(http.User, pairId, actionId, revision, http.ApiKey(new { actionId, revision }), ct)))
            .WithSummary("Removes an action from the working copy (?revision= the working copy's revision you read); the versions that have it keep it.");
        plan.MapPost("/actions/{actionId:guid}/comments", async (Guid pairId, Guid actionId, ActionCommentRequest body, HttpContext http,
                ActionPlanCommands commands, CancellationToken ct) =>
                Answer(http, await commands.CommentAsync(http.User, pairId, actionId, body, http.ApiKey(new { actionId, body }), ct)))
            .WithSummary("The mentor city or the facilitator comments on an action {text, version}: of the frozen version named by its label, or of the working copy.");
        plan.MapGet("/versions", async (Guid pairId, ClaimsPrincipal user, ActionPlanCommands commands, CancellationToken ct) =>
                Answer(null, await commands.VersionsAsync(user, pairId, ct)))
            .WithSummary("The frozen versions, oldest first.");
        plan.MapPost("/versions", async (Guid pairId, FreezeRequest body, HttpContext http, ActionPlanCommands commands, CancellationToken ct) =>
                Answer(http, await commands.FreezeAsync(http.User, pairId, body, http.ApiKey(body), ct)))
            .WithSummary("The mentee city freezes the working copy as an immutable version {label}: draft, consolidated, reviewed or another label its workflow names.");
        plan.MapGet("/versions/{label}", async (Guid pairId, string label, ClaimsPrincipal user, ActionPlanCommands commands, CancellationToken ct) =>
                Answer(null, await commands.VersionAsync(user, pairId, label, ct)))
            .WithSummary("A frozen version with its content.");
        foreach (var path in new[] { "/versions/{label}", "/versions/{label}/{**rest}" })
            plan.MapMethods(path, ["PUT", "PATCH", "DELETE", "POST"], async (Guid pairId, string label, ClaimsPrincipal user, ActionPlanCommands commands,
                    CancellationToken ct) => Answer(null, await commands.ChangeFrozenAsync(user, pairId, label, ct)))
                .DisableAntiforgery()
                .WithSummary("A frozen version never changes: 409, saying to edit the working copy and freeze a new version.");
        plan.MapGet("/diff", async (Guid pairId, [Text(Limits.Line)] string? from, [Text(Limits.Line)] string? to, ClaimsPrincipal user,
                ActionPlanCommands commands, CancellationToken ct) =>
                Answer(null, await commands.DiffAsync(user, pairId, from ?? "", to ?? ActionPlanCommands.Working, ct)))
            .WithSummary("What changed from one version to another (?from=draft&to=consolidated; 'working' is the working copy), action by action and field by field.");
        plan.MapPost("/endorsement", async (Guid pairId, [FromForm] DateOnly? endorsedOn, [FromForm, Text(Limits.Line)] string? body, IFormFile? file,
                HttpContext http, ActionPlanCommands commands, Texts texts, IOptions<WebOptions> options, CancellationToken ct) =>
            {
                var request = new EndorsementRequest(endorsedOn, body);
                Uploads.PendingUpload? document = null;
                if (file is { Length: > 0 })
                {
                    var read = await Uploads.UploadedFiles.ReadAsync(file, options.Value.MaxUploadBytes, texts, ct);
                    if (read.Error is not null)
                        return Answer(http, PlanResult<PlanChange>.Invalid(new Dictionary<string, string[]> { ["file"] = [read.Error] }));
                    document = read.Upload;
                }

                return Answer(http, await commands.EndorseAsync(http.User, pairId, request, document,
                    http.ApiKey(new { request, file = document?.FileName, size = document?.Content.Length }), ct));
            })
            // Bearer callers have no antiforgery token; cookie callers are held to their Origin (CookieApiOriginCheck).
            .DisableAntiforgery()
            .WithSummary("The mentee city records that the city administration endorsed the plan (multipart/form-data: endorsedOn, body, file).");
        plan.MapGet("/endorsement/document", async Task<IResult> (Guid pairId, HttpContext http, ActionPlanCommands commands, CancellationToken ct) =>
            {
                var file = await commands.DocumentAsync(http.User, pairId, ct);
                if (file.Outcome != PlanOutcome.Done) return Answer<PlanChange>(null, file.As<PlanChange>()).Result;
                http.Response.Headers.XContentTypeOptions = "nosniff";
                http.Response.Headers.ContentSecurityPolicy = "default-src 'none'; sandbox";
                return Results.File(file.Value!.Content, "application/octet-stream", file.Value.FileName);
            })
            .WithSummary("The endorsement's document, as a download.");
        return app.MapActionPlanExports();
    }

    internal static Results<Ok<T>, ProblemHttpResult, ValidationProblem> Answer<T>(HttpContext? http, PlanResult<T> result)
    {
        if (result.Outcome == PlanOutcome.Done)
        {
            if (result.Replayed) http?.Response.MarkReplayed();
            return TypedResults.Ok(result.Value!);
        }

        if (result.Outcome == PlanOutcome.Invalid)
            return TypedResults.ValidationProblem(result.Errors ?? new Dictionary<string, string[]>(), result.Detail, title: "The request is not valid.");
        if (result.Outcome == PlanOutcome.KeyMissing) return HttpIdempotency.KeyRequired();
        return result.Outcome switch
        {
            PlanOutcome.NotFound => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: result.Detail),
            PlanOutcome.Forbidden => TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not yours to do", detail: result.Detail),
            PlanOutcome.KeyReused => TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "Idempotency-Key reused", detail: result.Detail),
            _ => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Not possible now", detail: result.Detail),
        };
    }
}
