using Mentoring.Server.Auth;
using Mentoring.Server.Calendar;
using Mentoring.Server.Data;
using Mentoring.Server.FunderReport;
using Mentoring.Server.Pairs;
using Mentoring.Server.Setup;
using Mentoring.Server.Uploads;
using Mentoring.Server.Web;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Mentoring.Server.Visits;

/// <summary>
/// Study visits over HTTP, beside the pair's visit commands under /api/pairs/{pairId}/visits/{itemId}: the visit as it
/// really is (GET), its proposal with a plan, changes to the plan, the structured report, files, and ticking next steps
/// off. The proposal and the report go through the work-item path (Idempotency-Key, the engine's phases); confirming is
/// the pair's /confirm, which sends the invitations. Refusals are problem details: 400 naming the field, 403, 404, 409.
/// </summary>
public static class VisitsApi
{
    public static IHostApplicationBuilder AddMentoringVisits(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<StudyVisitRows>();
        builder.Services.AddSingleton<IWorkItemCommandRows>(sp => sp.GetRequiredService<StudyVisitRows>());
        builder.Services.AddScoped<ICalendarSource, VisitCalendar>();
        builder.Services.AddScoped<IVisitFigures, VisitFigureSource>();
        builder.Services.AddSingleton<SupportNetworks.IConsentWithdrawalEraser, VisitConsentEraser>();
        return builder;
    }

    public static IEndpointRouteBuilder MapVisitsApi(this IEndpointRouteBuilder app)
    {
        var visit = app.MapGroup("/api/pairs/{pairId:guid}/visits/{itemId:guid}").WithTags("Study visits").RequireAuthorization();
        visit.MapGet("", (HttpContext http, Guid pairId, Guid itemId, IDbContextFactory<MentoringDb> dbs, CancellationToken ct) =>
                ReadAsync(dbs, db => StudyVisit.GetAsync(db, http.User, pairId, itemId, ct), ct))
            .WithSummary("The visit: days, format, host and visiting city, agenda, sessions, participants, report, next steps, files.");
        visit.MapPost("/proposal", (HttpContext http, Guid pairId, Guid itemId, VisitPlanRequest body, WorkItemCommands commands, CancellationToken ct) =>
                PairsApi.RunAsync(http, commands, pairId, new ProposeStudyVisitCommand(itemId, body), ct))
            .WithSummary("Proposes the visit with its plan: {start, end, format (in-person|online|hybrid), hostCity (a city id of the group), " +
                         "agenda, sessions: [{date, starts, ends (HH:mm, host city's time), title, place, onlineUrl}], participants: [support network " +
                         "person ids], delegation: [{name, role, email}]}.");
        visit.MapPut("/plan", (HttpContext http, Guid pairId, Guid itemId, VisitPlanRequest body, IDbContextFactory<MentoringDb> dbs,
                StudyVisitRows rows, TimeProvider clock, CancellationToken ct) =>
                ChangeAsync(dbs, db => StudyVisit.UpdateAsync(db, http.User, pairId, itemId, body, rows, clock.GetUtcNow(), ct), ct))
            .WithSummary("Changes the plan of a proposed visit (the same body; start and hostCity stay the proposal's). After confirmation a " +
                         "change of the sessions sends the invitations again.");
        visit.MapPost("/structured-report", (HttpContext http, Guid pairId, Guid itemId, VisitReportRequest body, WorkItemCommands commands,
                CancellationToken ct) =>
                PairsApi.RunAsync(http, commands, pairId, new ReportStudyVisitCommand(itemId, body), ct))
            .WithSummary("Reports a held visit: {seen, learnt, nextSteps: [{text, ownerCity or ownerPerson, due}]}.");
        visit.MapPost("/next-steps/{stepId:guid}/done", (HttpContext http, Guid pairId, Guid itemId, Guid stepId, IDbContextFactory<MentoringDb> dbs,
                TimeProvider clock, CancellationToken ct) =>
                ChangeAsync(dbs, db => Tick(db, http, pairId, itemId, stepId, true, clock, ct), ct))
            .WithSummary("Ticks a next step off (its owner city's coordinator, its owner, the facilitator).");
        visit.MapPost("/next-steps/{stepId:guid}/open", (HttpContext http, Guid pairId, Guid itemId, Guid stepId, IDbContextFactory<MentoringDb> dbs,
                TimeProvider clock, CancellationToken ct) =>
                ChangeAsync(dbs, db => Tick(db, http, pairId, itemId, stepId, false, clock, ct), ct))
            .WithSummary("Opens a next step again.");
        visit.MapPost("/files", async (HttpContext http, Guid pairId, Guid itemId, IFormFile? file, IDbContextFactory<MentoringDb> dbs,
                Texts text, IOptions<WebOptions> options, TimeProvider clock, CancellationToken ct) =>
            {
                if (file is null)
                    return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["file"] = ["Send the file (multipart/form-data, field 'file')."] });
                var (upload, error) = await UploadedFiles.ReadAsync(file, options.Value.MaxUploadBytes, text, ct);
                if (upload is null) return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["file"] = [error!] }, title: "The file is not accepted.");
                return await ChangeAsync(dbs, db => AttachAsync(db, http, pairId, itemId, upload, clock, ct), ct);
            })
            .DisableAntiforgery()
            .WithSummary("Adds a photo or a file to the visit's report (PDF, Word, Excel, OpenDocument, PNG, JPEG).");
        return app;
    }

    private static Task<AdminResult<NextStepView>> Tick(MentoringDb db, HttpContext http, Guid pairId, Guid itemId, Guid stepId, bool done,
        TimeProvider clock, CancellationToken ct) => StudyVisit.TickAsync(db, http.User, pairId, itemId, stepId, done, clock.GetUtcNow(), ct);

    public static async Task<AdminResult<VisitFileView>> AttachAsync(MentoringDb db, HttpContext http, Guid pairId, Guid itemId, PendingUpload upload,
        TimeProvider clock, CancellationToken ct)
    {
        var (scope, refusal) = await StudyVisit.ScopeAsync<VisitFileView>(db, http.User, pairId, itemId, ct);
        if (scope is null) return refusal!;
        if (!scope.MayEdit && !http.User.IsInRole(Programme.PersonRoles.Coordinator))
            return new AdminResult<VisitFileView>(AdminOutcome.Forbidden, Detail: "Only the group's coordinators and the facilitator add files.");
        UploadedFiles.Add(db, upload, http.User.PersonId(), scope.Group.Id, itemId, clock.GetUtcNow());
        return AdminResult<VisitFileView>.Done(new VisitFileView(upload.Id, upload.FileName));
    }

    private static async Task<Results<Ok<T>, ProblemHttpResult, ValidationProblem>> ReadAsync<T>(IDbContextFactory<MentoringDb> dbs,
        Func<MentoringDb, Task<AdminResult<T>>> read, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        return Answer(await read(db));
    }

    private static async Task<Results<Ok<T>, ProblemHttpResult, ValidationProblem>> ChangeAsync<T>(IDbContextFactory<MentoringDb> dbs,
        Func<MentoringDb, Task<AdminResult<T>>> change, CancellationToken ct) =>
        Answer(await ProgrammeAdmin.InTransactionAsync(dbs, change, ct));

    private static Results<Ok<T>, ProblemHttpResult, ValidationProblem> Answer<T>(AdminResult<T> result) => result.Outcome switch
    {
        AdminOutcome.Done => TypedResults.Ok(result.Value!),
        AdminOutcome.Invalid => TypedResults.ValidationProblem(result.Errors!, title: "The visit's plan is not accepted."),
        AdminOutcome.NotFound => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: result.Detail),
        AdminOutcome.Forbidden => TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not yours to do", detail: result.Detail),
        _ => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Not possible now", detail: result.Detail),
    };
}
