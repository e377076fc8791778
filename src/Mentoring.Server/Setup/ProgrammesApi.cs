using System.Text.Json;
using Mentoring.Server.Auth;
using Mentoring.Server.Data;
using Mentoring.Server.Programme;
using Mentoring.Server.Programme.Packages;
using Mentoring.Server.Web;
using Mentoring.Server.Workflows;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Setup;

/// <summary>
/// Programmes and their set-up over HTTP: /api/programmes, and under /api/programmes/{id}/ its cities (members),
/// groups and people. Admins everywhere, a programme's facilitator in that programme, everybody else 403 (another
/// programme's id, for a facilitator: 404). Each POST takes an Idempotency-Key; PATCH and DELETE are idempotent by
/// themselves. Refusals are problem details: 400 with field errors, 403, 404, 409, 422.
/// </summary>
public static class ProgrammesApi
{
    private delegate Task<AdminResult<T>> Change<T>(MentoringDb db);

    public static IHostApplicationBuilder AddMentoringProgrammeAdmin(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ProgrammeAdmin>();
        builder.Services.AddSingleton<PackageUpload>();
        return builder;
    }

    public static IEndpointRouteBuilder MapProgrammesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/programmes").WithTags("Programmes").RequireAuthorization();
        api.MapGet("", async Task<Results<Ok<List<ProgrammeSummary>>, ProblemHttpResult>> (HttpContext http, IDbContextFactory<MentoringDb> dbs,
            CancellationToken ct) =>
        {
            await using var db = await dbs.CreateDbContextAsync(ct);
            var mine = await ProgrammeAdmin.ProgrammesAsync(db, http.User, ct);
            return mine.Count == 0 && !http.User.IsAdmin() ? Forbidden() : TypedResults.Ok(mine);
        }).WithSummary("The programmes you set up: every one for an admin, those you facilitate for a facilitator.");
        api.MapPost("", async Task<IResult> (HttpContext http,
            IDbContextFactory<MentoringDb> dbs, TimeProvider clock, PackageUpload upload, bool? dryRun, CancellationToken ct) =>
        {
            if (!http.User.IsAdmin()) return Forbidden("Only an admin creates a programme.");
            if (PackageImportApi.IsZip(http.Request)) return (await PackageImportApi.ImportAsync(http, dbs, clock, upload, dryRun == true, ct)).Result;
            JsonElement body;
            try
            {
                body = await http.Request.ReadFromJsonAsync<JsonElement>(ct);
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException)
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The body is not valid JSON",
                    detail: "Send a package's programme.json (application/json), or the whole package zipped (application/zip).");
            }

            var request = ReadProgramme(body);
            return (await PostAsync(http, request, dbs, clock, null, db => ProgrammeAdmin.CreateProgrammeAsync(db, request, clock.GetUtcNow(), ct), ct)).Result;
        }).Accepts<JsonElement>("application/json", "application/zip").Produces<PackageImportView>().ProducesProblem(StatusCodes.Status400BadRequest)
            .WithSummary("Creates or updates a programme from its whole package, zipped (application/zip; ?dryRun=true returns the plan and " +
                         "writes nothing), or a bare programme (application/json: a programme.json's id, name, languages, time zone and terms).");

        var one = api.MapGroup("/{programmeId}");
        one.MapGet("/cities", (HttpContext http, string programmeId, IDbContextFactory<MentoringDb> dbs, CancellationToken ct) =>
            ReadAsync(http, dbs, programmeId, db => ProgrammeAdmin.MembersAsync(db, programmeId, ct), ct)).WithSummary("The programme's member cities.");
        one.MapPost("/cities", (HttpContext http, string programmeId, AddMemberRequest body, IDbContextFactory<MentoringDb> dbs, TimeProvider clock,
                CancellationToken ct) => PostAsync(http, body, dbs, clock, programmeId, db => ProgrammeAdmin.AddMemberAsync(db, programmeId, body, ct), ct))
            .WithSummary("Adds a member city: an installation-wide city by its id, or a new one (id, name, country, timeZone, language).");
        one.MapPatch("/cities/{cityId}", (HttpContext http, string programmeId, string cityId, UpdateMemberRequest body,
                IDbContextFactory<MentoringDb> dbs, CancellationToken ct) =>
            WriteAsync(http, dbs, programmeId, db => ProgrammeAdmin.UpdateMemberAsync(db, programmeId, cityId, body, ct), ct))
            .WithSummary("Changes a member's time zone, language or association.");
        one.MapDelete("/cities/{cityId}", (HttpContext http, string programmeId, string cityId, IDbContextFactory<MentoringDb> dbs, CancellationToken ct) =>
            WriteAsync(http, dbs, programmeId, db => ProgrammeAdmin.RemoveMemberAsync(db, programmeId, cityId, ct), ct))
            .WithSummary("Removes a city from the programme; 409 naming its running groups while it is in any.");

        one.MapGet("/groups", (HttpContext http, string programmeId, IDbContextFactory<MentoringDb> dbs, CancellationToken ct) =>
            ReadAsync(http, dbs, programmeId, db => ProgrammeAdmin.GroupsAsync(db, programmeId, null, ct), ct)).WithSummary("The programme's groups.");
        one.MapPost("/groups", (HttpContext http, string programmeId, FormGroupRequest body, IDbContextFactory<MentoringDb> dbs, TimeProvider clock,
                ProgrammeAdmin admin, CancellationToken ct) =>
            PostAsync(http, body, dbs, clock, programmeId, db => admin.FormGroupAsync(db, programmeId, body, Actor(http), ct), ct))
            .WithSummary("Forms a group (shape, workflow, title, notes, members by role) and starts its workflow, in one transaction.");
        one.MapPatch("/groups/{groupId:guid}", (HttpContext http, string programmeId, Guid groupId, UpdateGroupRequest body,
                IDbContextFactory<MentoringDb> dbs, CancellationToken ct) =>
            WriteAsync(http, dbs, programmeId, db => ProgrammeAdmin.UpdateGroupAsync(db, programmeId, groupId, body, ct), ct))
            .WithSummary("Changes a group's title or notes.");
        one.MapDelete("/groups/{groupId:guid}", (HttpContext http, string programmeId, Guid groupId, IDbContextFactory<MentoringDb> dbs,
                CancellationToken ct) => WriteAsync(http, dbs, programmeId, db => ProgrammeAdmin.RemoveGroupAsync(db, programmeId, groupId, ct), ct))
            .WithSummary("Removes a group whose workflow is not running; 409 while it runs.");

        one.MapGet("/people", (HttpContext http, string programmeId, IDbContextFactory<MentoringDb> dbs, CancellationToken ct) =>
            ReadAsync(http, dbs, programmeId, db => ProgrammeAdmin.PeopleAsync(db, programmeId, ct), ct)).WithSummary("The programme's people.");
        one.MapPost("/people", (HttpContext http, string programmeId, AddProgrammePersonRequest body, IDbContextFactory<MentoringDb> dbs,
                TimeProvider clock, ProgrammeAdmin admin, CancellationToken ct) =>
            PostAsync(http, body, dbs, clock, programmeId, db => admin.AddPersonAsync(db, programmeId, http.User, body, clock.GetUtcNow(), ct), ct))
            .WithSummary("Adds a person with a role (a city for a coordinator, an organisation) and invites them when asked; an existing person by email joins this programme.");
        one.MapPatch("/people/{personId:guid}", (HttpContext http, string programmeId, Guid personId, UpdateProgrammePersonRequest body,
                IDbContextFactory<MentoringDb> dbs, ProgrammeAdmin admin, CancellationToken ct) =>
            WriteAsync(http, dbs, programmeId, db => admin.UpdatePersonAsync(db, programmeId, personId, body, ct), ct))
            .WithSummary("Changes a person's role, city or language.");
        one.MapDelete("/people/{personId:guid}", (HttpContext http, string programmeId, Guid personId, IDbContextFactory<MentoringDb> dbs,
                CancellationToken ct) => WriteAsync(http, dbs, programmeId, db => ProgrammeAdmin.RemovePersonAsync(db, programmeId, personId, ct), ct))
            .WithSummary("Takes a person out of this programme (they stay in their others).");
        return app;
    }

    /// <summary>The bare programme a package's programme.json describes: its name may be a text or a map of language
    /// to text (English first).</summary>
    public static CreateProgrammeRequest ReadProgramme(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object) return new CreateProgrammeRequest(null, null, null, null, null);
        string? Text(string name) => body.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        var name = body.TryGetProperty("name", out var n)
            ? n.ValueKind switch
            {
                JsonValueKind.String => n.GetString(),
                JsonValueKind.Object => n.TryGetProperty("en", out var en) && en.ValueKind == JsonValueKind.String ? en.GetString()
                    : n.EnumerateObject().Select(p => p.Value).FirstOrDefault(v => v.ValueKind == JsonValueKind.String) is { ValueKind: JsonValueKind.String } any
                        ? any.GetString() : null,
                _ => null,
            }
            : null;
        var languages = body.TryGetProperty("languages", out var l) && l.ValueKind == JsonValueKind.Array
            ? l.EnumerateArray().Select(x => x.ValueKind == JsonValueKind.String ? x.GetString() ?? "" : "").ToList()
            : null;
        JsonElement? terms = body.TryGetProperty("terms", out var t) ? t.Clone() : null;
        return new CreateProgrammeRequest(Text("id"), name, languages, Text("timeZone"), terms);
    }

    private static Mentoring.Engine.Runtime.Actor Actor(HttpContext http) =>
        http.User.ActorFor(null) ?? new Mentoring.Engine.Runtime.Actor(http.User.PersonId().ToString(), http.User.Identity?.Name ?? "", Engine.Runtime.ActorRole.Facilitator);

    private static ProblemHttpResult Forbidden(string? detail = null) =>
        TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Admin or the programme's facilitator only",
            detail: detail ?? "Only an admin or the programme's facilitator sets a programme up.");

    private static ProblemHttpResult NotFound(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: detail);

    private static async Task<ProblemHttpResult?> RefusedAsync(MentoringDb db, HttpContext http, string programmeId, CancellationToken ct) =>
        await ProgrammeAdmin.AccessAsync(db, http.User, programmeId, ct) switch
        {
            ProgrammeAccess.Allowed => null,
            ProgrammeAccess.NotFound => NotFound("There is no such programme."),
            _ => Forbidden(),
        };

    private static async Task<Results<Ok<T>, ProblemHttpResult>> ReadAsync<T>(HttpContext http, IDbContextFactory<MentoringDb> dbs,
        string programmeId, Func<MentoringDb, Task<T>> read, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        if (await RefusedAsync(db, http, programmeId, ct) is { } refused) return refused;
        return TypedResults.Ok(await read(db));
    }

    /// <summary>A PATCH or DELETE: checked, then written in one transaction, or nothing written when refused.</summary>
    private static async Task<Results<Ok<T>, ProblemHttpResult, ValidationProblem>> WriteAsync<T>(HttpContext http,
        IDbContextFactory<MentoringDb> dbs, string programmeId, Change<T> change, CancellationToken ct)
    {
        await using (var db = await dbs.CreateDbContextAsync(ct))
            if (await RefusedAsync(db, http, programmeId, ct) is { } refused) return refused;
        return Answer(await ProgrammeAdmin.InTransactionAsync(dbs, db => change(db), ct));
    }

    /// <summary>A POST: checked, then made once per Idempotency-Key, in one transaction with the key's record.</summary>
    private static async Task<Results<Ok<T>, ProblemHttpResult, ValidationProblem>> PostAsync<T>(HttpContext http, object body,
        IDbContextFactory<MentoringDb> dbs, TimeProvider clock, string? programmeId, Change<T> change, CancellationToken ct)
    {
        if (programmeId is not null)
        {
            await using var db = await dbs.CreateDbContextAsync(ct);
            if (await RefusedAsync(db, http, programmeId, ct) is { } refused) return refused;
        }

        if (http.ApiKey(body) is not { } key)
            return HttpIdempotency.KeyRequired();
        var outcome = await Idempotency.RunAsync<T>(dbs, key, clock, async db =>
        {
            var result = await change(db);
            return result.Outcome == AdminOutcome.Done ? Idempotent<T>.Done(result.Value!) : Idempotent<T>.Refused(result);
        }, ct);
        return http.Answer(outcome, refusal => Answer((AdminResult<T>)refusal));
    }

    private static Results<Ok<T>, ProblemHttpResult, ValidationProblem> Answer<T>(AdminResult<T> result) => result.Outcome switch
    {
        AdminOutcome.Done => TypedResults.Ok(result.Value!),
        AdminOutcome.Invalid => TypedResults.ValidationProblem(result.Errors!, title: "The request is not valid."),
        AdminOutcome.NotFound => NotFound(result.Detail ?? ""),
        AdminOutcome.Forbidden => Forbidden(result.Detail),
        _ => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Not possible now", detail: result.Detail),
    };
}
