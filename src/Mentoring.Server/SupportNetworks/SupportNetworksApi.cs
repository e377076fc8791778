using Mentoring.Server.Data;
using Mentoring.Server.Setup;
using Mentoring.Server.Web;
using Mentoring.Server.Workflows;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.SupportNetworks;

/// <summary>
/// The local support networks over HTTP, under /api/programmes/{id}/cities/{city}/network: the network (organisations,
/// their people and consents, meetings and attendance), the grid as SVG, and the changes, each in one transaction. Each
/// POST takes an Idempotency-Key; a PUT is idempotent by itself. Refusals are problem details: 400 with field errors,
/// 403, 404, 409.
/// </summary>
public static class SupportNetworksApi
{
    public static IHostApplicationBuilder AddMentoringSupportNetworks(this IHostApplicationBuilder builder) => builder;

    public static IEndpointRouteBuilder MapSupportNetworksApi(this IEndpointRouteBuilder app)
    {
        var programme = app.MapGroup("/api/programmes/{programmeId}").WithTags("Support networks").RequireAuthorization();
        programme.MapGet("/networks", (HttpContext http, string programmeId, IDbContextFactory<MentoringDb> dbs, CancellationToken ct) =>
                ReadAsync(dbs, db => SupportNetwork.CitiesAsync(db, http.User, programmeId, ct), ct))
            .WithSummary("Every member city's network in figures (the facilitator; a coordinator gets their own city's).");
        var api = programme.MapGroup("/cities/{cityId}/network");
        api.MapGet("", (HttpContext http, string programmeId, string cityId, IDbContextFactory<MentoringDb> dbs, CancellationToken ct) =>
                ReadAsync(dbs, db => SupportNetwork.GetAsync(db, http.User, programmeId, cityId, ct), ct))
            .WithSummary("The city's network: organisations with their grid place and people (with their consents), meetings with attendance.");
        api.MapGet("/grid.svg", async Task<IResult> (HttpContext http, string programmeId, string cityId, IDbContextFactory<MentoringDb> dbs,
            Texts texts, CancellationToken ct) =>
        {
            await using var db = await dbs.CreateDbContextAsync(ct);
            var network = await SupportNetwork.GetAsync(db, http.User, programmeId, cityId, ct);
            return network.Outcome == AdminOutcome.Done
                ? Results.Text(StakeholderGrid.Svg(network.Value!, texts), "image/svg+xml; charset=utf-8")
                : Refusal(network);
        }).WithSummary("The stakeholder grid as SVG: influence across, importance up, each organisation numbered as in the network's list.");
        api.MapPost("/organisations", (HttpContext http, string programmeId, string cityId, OrganisationRequest body, IDbContextFactory<MentoringDb> dbs,
                TimeProvider clock, CancellationToken ct) =>
            PostAsync(http, body, dbs, clock, db => SupportNetwork.AddOrganisationAsync(db, http.User, programmeId, cityId, body, clock.GetUtcNow(), ct), ct))
            .WithSummary("The city's coordinator adds an organisation: {name, kind, importance (1-5), influence (1-5)}.");
        api.MapPut("/organisations/{organisationId:guid}", (HttpContext http, string programmeId, string cityId, Guid organisationId,
                OrganisationRequest body, IDbContextFactory<MentoringDb> dbs, TimeProvider clock, CancellationToken ct) =>
            PutAsync(dbs, db => SupportNetwork.UpdateOrganisationAsync(db, http.User, programmeId, cityId, organisationId, body, clock.GetUtcNow(), ct), ct))
            .WithSummary("Edits an organisation: {name, kind, importance, influence}.");
        api.MapPost("/people", (HttpContext http, string programmeId, string cityId, PersonRequest body, IDbContextFactory<MentoringDb> dbs,
                TimeProvider clock, CancellationToken ct) =>
            PostAsync(http, body, dbs, clock, db => SupportNetwork.AddPersonAsync(db, http.User, programmeId, cityId, body, clock.GetUtcNow(), ct), ct))
            .WithSummary("Adds a person with their consent: {organisationId, name, role, email, phone, consent: {purpose, givenOn, how}}; " +
                         "without a consent it is a 400 naming the field. Answers the new person's id only.");
        api.MapPut("/people/{personId:guid}", (HttpContext http, string programmeId, string cityId, Guid personId, PersonRequest body,
                IDbContextFactory<MentoringDb> dbs, TimeProvider clock, CancellationToken ct) =>
            PutAsync(dbs, db => SupportNetwork.UpdatePersonAsync(db, http.User, programmeId, cityId, personId, body, clock.GetUtcNow(), ct), ct))
            .WithSummary("Edits a person: {organisationId, name, role, email, phone}; a person who withdrew is 409.");
        api.MapPost("/people/{personId:guid}/consents", (HttpContext http, string programmeId, string cityId, Guid personId, ConsentRequest body,
                IDbContextFactory<MentoringDb> dbs, TimeProvider clock, CancellationToken ct) =>
            PostAsync(http, new { personId, body }, dbs, clock,
                db => SupportNetwork.AddConsentAsync(db, http.User, programmeId, cityId, personId, body, clock.GetUtcNow(), ct), ct))
            .WithSummary("Records a further consent of a person: {purpose, givenOn, how}.");
        api.MapPost("/people/{personId:guid}/withdraw", (HttpContext http, string programmeId, string cityId, Guid personId,
                IDbContextFactory<MentoringDb> dbs, IEnumerable<IConsentWithdrawalEraser> erasers, TimeProvider clock, CancellationToken ct) =>
            PostAsync(http, new { personId }, dbs, clock,
                db => SupportNetwork.WithdrawAsync(db, http.User, programmeId, cityId, personId, erasers, clock.GetUtcNow(), ct), ct))
            .WithSummary("The person withdraws their consent: their personal data is erased everywhere the network keeps it; the counts stay.");
        api.MapGet("/people/{personId:guid}/export", async Task<IResult> (HttpContext http, string programmeId, string cityId, Guid personId,
            IDbContextFactory<MentoringDb> dbs, TimeProvider clock, CancellationToken ct) =>
        {
            await using var db = await dbs.CreateDbContextAsync(ct);
            var export = await SupportNetwork.ExportAsync(db, http.User, programmeId, cityId, personId, clock.GetUtcNow(), ct);
            if (export.Outcome != AdminOutcome.Done) return Refusal(export);
            http.Response.Headers.ContentDisposition = $"attachment; filename=\"person-{personId}.json\"";
            return TypedResults.Json(export.Value!, WorkflowHost.Json);
        }).WithSummary("Everything the network holds about one person, as JSON, for a subject-access request.");
        api.MapPost("/meetings", (HttpContext http, string programmeId, string cityId, MeetingRequest body, IDbContextFactory<MentoringDb> dbs,
                TimeProvider clock, CancellationToken ct) =>
            PostAsync(http, body, dbs, clock, db => SupportNetwork.AddMeetingAsync(db, http.User, programmeId, cityId, body, clock.GetUtcNow(), ct), ct))
            .WithSummary("Records a meeting: {date, title, notes, people: [person ids], organisations: [organisation ids present without a name]}.");
        api.MapPut("/meetings/{meetingId:guid}", (HttpContext http, string programmeId, string cityId, Guid meetingId, MeetingRequest body,
                IDbContextFactory<MentoringDb> dbs, TimeProvider clock, CancellationToken ct) =>
            PutAsync(dbs, db => SupportNetwork.UpdateMeetingAsync(db, http.User, programmeId, cityId, meetingId, body, clock.GetUtcNow(), ct), ct))
            .WithSummary("Edits a meeting: {date, title, notes}, and its attendance when people or organisations are given.");
        api.MapPut("/meetings/{meetingId:guid}/attendance", (HttpContext http, string programmeId, string cityId, Guid meetingId,
                AttendanceRequest body, IDbContextFactory<MentoringDb> dbs, CancellationToken ct) =>
            PutAsync(dbs, db => SupportNetwork.SetAttendanceAsync(db, http.User, programmeId, cityId, meetingId, body, ct), ct))
            .WithSummary("Replaces who attended a meeting: {people, organisations}.");
        return app;
    }

    internal static async Task<Results<Ok<T>, ProblemHttpResult, ValidationProblem>> ReadAsync<T>(IDbContextFactory<MentoringDb> dbs,
        Func<MentoringDb, Task<AdminResult<T>>> read, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        return Answer(await read(db));
    }

    internal static async Task<Results<Ok<T>, ProblemHttpResult, ValidationProblem>> PutAsync<T>(IDbContextFactory<MentoringDb> dbs,
        Func<MentoringDb, Task<AdminResult<T>>> change, CancellationToken ct) =>
        Answer(await ProgrammeAdmin.InTransactionAsync(dbs, change, ct));

    /// <summary>A POST: made once per Idempotency-Key, in one transaction with the key's record. Events/ answers its own
    /// admin results the same way, through these.</summary>
    internal static async Task<Results<Ok<T>, ProblemHttpResult, ValidationProblem>> PostAsync<T>(HttpContext http, object body,
        IDbContextFactory<MentoringDb> dbs, TimeProvider clock, Func<MentoringDb, Task<AdminResult<T>>> change, CancellationToken ct)
    {
        if (http.ApiKey(body) is not { } key) return HttpIdempotency.KeyRequired();
        return http.Answer(await RunAsync(dbs, key, clock, change, ct), refusal => Answer((AdminResult<T>)refusal));
    }

    /// <summary>The change once per key, for the API and the pages alike.</summary>
    public static Task<Idempotent<T>> RunAsync<T>(IDbContextFactory<MentoringDb> dbs, IdempotencyKey key, TimeProvider clock,
        Func<MentoringDb, Task<AdminResult<T>>> change, CancellationToken ct) =>
        Idempotency.RunAsync<T>(dbs, key, clock, async db =>
        {
            var result = await change(db);
            return result.Outcome == AdminOutcome.Done ? Idempotent<T>.Done(result.Value!) : Idempotent<T>.Refused(result);
        }, ct);

    private static Results<Ok<T>, ProblemHttpResult, ValidationProblem> Answer<T>(AdminResult<T> result) => result.Outcome switch
    {
        AdminOutcome.Done => TypedResults.Ok(result.Value!),
        AdminOutcome.Invalid => TypedResults.ValidationProblem(result.Errors!, title: "The request is not valid."),
        _ => Refusal(result),
    };

    private static ProblemHttpResult Refusal<T>(AdminResult<T> result) => result.Outcome switch
    {
        AdminOutcome.NotFound => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: result.Detail),
        AdminOutcome.Forbidden => TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not yours to do", detail: result.Detail),
        _ => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Not possible now", detail: result.Detail),
    };
}
