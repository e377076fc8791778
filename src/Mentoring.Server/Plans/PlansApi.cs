using Mentoring.Engine.Runtime;
using Mentoring.Server.Pairs;
using Mentoring.Server.Web;
using Mentoring.Server.Workflows;
using Mentoring.Server.Inputs;
using Mentoring.Server.Uploads;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Mentoring.Server.Plans;

/// <summary>The facilitator's plan tools and holiday calendar over HTTP: each POST takes an Idempotency-Key; refusals
/// are problem details (400 with field errors, 403, 404, 409, 422).</summary>
public static class PlansApi
{
    public static IHostApplicationBuilder AddMentoringPlans(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<PlanService>();
        return builder;
    }

    public static IEndpointRouteBuilder MapPlansApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").WithTags("Plans").RequireAuthorization();
        api.MapPost("/pairs/{pairId:guid}/plan/shift", (HttpContext http, Guid pairId, ShiftPlanRequest body, PlanService plans, CancellationToken ct) =>
            PostAsync(http, body, key => plans.ShiftPairAsync(PlanCaller.From(http.User), pairId, body, key, ct)));
        api.MapPost("/programme/plan/shift", (HttpContext http, ShiftPlanRequest body, PlanService plans, CancellationToken ct) =>
            PostAsync(http, body, key => plans.ShiftProgrammeAsync(PlanCaller.From(http.User), body, key, ct)));
        api.MapGet("/programme/pause", async (HttpContext http, PlanService plans, CancellationToken ct) =>
            Answer(http, await plans.PausesAsync(PlanCaller.From(http.User), ct)));
        api.MapPost("/programme/pause", (HttpContext http, PauseRequest body, PlanService plans, CancellationToken ct) =>
            PostAsync(http, body, key => plans.PauseAsync(PlanCaller.From(http.User), body, key, ct)));
        api.MapPost("/programme/resume", (HttpContext http, ResumeRequest body, PlanService plans, CancellationToken ct) =>
            PostAsync(http, body, key => plans.ResumeAsync(PlanCaller.From(http.User), body, key, ct)));
        api.MapPost("/pairs/{pairId:guid}/visits/{itemId:guid}/record-held", (HttpContext http, Guid pairId, Guid itemId,
                RecordVisitLateRequest body, PlanService plans, CancellationToken ct) =>
            PostAsync(http, body, key => plans.RecordVisitAsync(PlanCaller.From(http.User), pairId, itemId, body, key, ct)));
        api.MapPost("/pairs/{pairId:guid}/tasks/{itemId:guid}/record-done", (HttpContext http, Guid pairId, Guid itemId,
                RecordTaskLateRequest body, PlanService plans, CancellationToken ct) =>
            PostAsync(http, body, key => plans.RecordTaskAsync(PlanCaller.From(http.User), pairId, itemId, body, key, ct)));
        api.MapPost("/programme/tasks/{itemId:guid}/record-done", (HttpContext http, Guid itemId, RecordTaskLateRequest body,
                PlanService plans, CancellationToken ct) =>
            PostAsync(http, body, key => plans.RecordTaskAsync(PlanCaller.From(http.User), null, itemId, body, key, ct)));
        // The same records with the file the task needs, as multipart/form-data (fields date, note, link, choice, file):
        // the file is stored with the record, in its transaction, as a completion's is.
        api.MapPost("/pairs/{pairId:guid}/tasks/{itemId:guid}/record-done", (HttpContext http, Guid pairId, Guid itemId,
                [FromForm] DateOnly? date, [FromForm, Text(Limits.Note, MultiLine = true)] string? note,
                [FromForm, Text(Limits.Link)] string? link, [FromForm] string? choice, IFormFile? file, PlanService plans, Web.Texts text,
                IOptions<Web.WebOptions> options, CancellationToken ct) =>
            RecordWithFileAsync(http, date, note, link, choice, file, text, options.Value,
                (body, upload, key) => plans.RecordTaskAsync(PlanCaller.From(http.User), pairId, itemId, body, key, ct, upload), ct))
            .DisableAntiforgery();
        api.MapPost("/programme/tasks/{itemId:guid}/record-done", (HttpContext http, Guid itemId,
                [FromForm] DateOnly? date, [FromForm, Text(Limits.Note, MultiLine = true)] string? note,
                [FromForm, Text(Limits.Link)] string? link, [FromForm] string? choice, IFormFile? file, PlanService plans, Web.Texts text,
                IOptions<Web.WebOptions> options, CancellationToken ct) =>
            RecordWithFileAsync(http, date, note, link, choice, file, text, options.Value,
                (body, upload, key) => plans.RecordTaskAsync(PlanCaller.From(http.User), null, itemId, body, key, ct, upload), ct))
            .DisableAntiforgery();

        api.MapGet("/calendar", async (HttpContext http, PlanService plans, CancellationToken ct) =>
            Answer(http, await plans.CalendarAsync(PlanCaller.From(http.User), ct)));
        api.MapPost("/calendar/days-off", (HttpContext http, DayOffRequest body, PlanService plans, CancellationToken ct) =>
            PostAsync(http, body, key => plans.AddDayOffAsync(PlanCaller.From(http.User), body, key, ct)));
        api.MapDelete("/calendar/days-off/{id:guid}", async (HttpContext http, Guid id, PlanService plans, CancellationToken ct) =>
            Answer(http, await plans.RemoveDayOffAsync(PlanCaller.From(http.User), id, ct)));
        api.MapPost("/calendar/august-off", (HttpContext http, AugustOffRequest body, PlanService plans, CancellationToken ct) =>
            PostAsync(http, body, key => plans.SetAugustOffAsync(PlanCaller.From(http.User), body, key, ct)));
        return app;
    }

    private static async Task<Results<Ok<T>, ProblemHttpResult, ValidationProblem>> PostAsync<T>(HttpContext http, object body,
        Func<IdempotencyKey, Task<BatchOutcome<T>>> run)
    {
        if (http.ApiKey(body) is not { } key)
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Idempotency-Key header required",
                detail: "Send a unique Idempotency-Key header (for example a new UUID) with every change, and the same one when you retry it.");
        return Answer(http, await run(key));
    }

    private static async Task<Results<Ok<CommandResponse>, ProblemHttpResult, ValidationProblem>> RecordWithFileAsync(HttpContext http,
        DateOnly? date, string? note, string? link, string? choice, IFormFile? file, Web.Texts text, Web.WebOptions options,
        Func<RecordTaskLateRequest, PendingUpload?, IdempotencyKey, Task<BatchOutcome<CommandResponse>>> record, CancellationToken ct)
    {
        var (form, upload, invalid) = await PairsApi.FormAsync(note, link, choice, file, text, options, ct);
        if (invalid is not null) return invalid;
        // The fields without the file are the fingerprint for the Idempotency-Key, as for a multipart completion.
        var body = new RecordTaskLateRequest(date, form.Note, form.Link, null, form.Choice);
        return await PostAsync(http, body, key => record(body, upload, key));
    }

    /// <summary>The outcome as the API answers it; the pages say the same in words (<see cref="Message"/>).</summary>
    public static Results<Ok<T>, ProblemHttpResult, ValidationProblem> Answer<T>(HttpContext http, BatchOutcome<T> outcome)
    {
        switch (outcome.Kind)
        {
            case OutcomeKind.Applied:
                return TypedResults.Ok(outcome.Response!);
            case OutcomeKind.Replayed:
                http.Response.MarkReplayed();
                return TypedResults.Ok(outcome.Response!);
            case OutcomeKind.NotFound:
                return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: outcome.Rejection?.Message);
            case OutcomeKind.KeyReused:
                return TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "Idempotency-Key reused",
                    detail: outcome.Rejection?.Message);
        }

        var rejection = outcome.Rejection!;
        return rejection.Kind switch
        {
            RejectionKind.Invalid => TypedResults.ValidationProblem(rejection.FieldErrors ?? new Dictionary<string, string[]>(),
                title: rejection.Message),
            RejectionKind.Forbidden => TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Facilitator only",
                detail: rejection.Message),
            RejectionKind.NotOpen => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Not open", detail: rejection.Message),
            _ => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Not possible now", detail: rejection.Message),
        };
    }

    /// <summary>Null when the change was made (or replayed); else what went wrong, with every field's problem.</summary>
    public static string? Message<T>(BatchOutcome<T> outcome) =>
        outcome.Kind is OutcomeKind.Applied or OutcomeKind.Replayed ? null
        : string.Join(" ", new[] { outcome.Rejection?.Message }
            .Concat((outcome.Rejection?.FieldErrors ?? new Dictionary<string, string[]>()).SelectMany(e => e.Value))
            .Where(s => !string.IsNullOrWhiteSpace(s)));
}
