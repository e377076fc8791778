using System.Security.Cryptography;
using Mentoring.Server.Auth;
using Mentoring.Server.Data;
using Mentoring.Server.Setup;
using Mentoring.Server.Web;
using Mentoring.Server.Workflows;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Mentoring.Server.Practices;

/// <summary>
/// The good-practice library over HTTP, under /api/programmes/{id}/practices, in the caller's current programme only
/// (another programme's id: 404). Each POST takes an Idempotency-Key; PUT is idempotent by itself. Refusals are problem
/// details: 400 with field errors, 403, 404, 409.
/// </summary>
public static class PracticesApi
{
    public static IHostApplicationBuilder AddMentoringPractices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<PracticesFile>();
        return builder;
    }

    public static IEndpointRouteBuilder MapPracticesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/programmes/{programmeId}/practices").WithTags("Practices").RequireAuthorization();
        api.MapGet("", async Task<Results<Ok<PracticeList>, ProblemHttpResult>> (HttpContext http, string programmeId, string? q, string? theme,
            string? city, int? skip, int? take, IDbContextFactory<MentoringDb> dbs, CancellationToken ct) =>
        {
            await using var db = await dbs.CreateDbContextAsync(ct);
            if (!await PracticeLibrary.InProgrammeAsync(db, http.User, programmeId, ct)) return NoProgramme();
            return TypedResults.Ok(await PracticeLibrary.SearchAsync(db, programmeId,
                new PracticeQuery(q, Blank(theme), Blank(city), skip ?? 0, take ?? 50), ct));
        }).WithSummary("The library: its published practices and the shared ones it shows, best match first. " +
                       "q: words (any text, read as words only; every word must match), theme, city (exact), skip, take (at most 200).");
        api.MapGet("/queue", async Task<Results<Ok<List<PracticeSummary>>, ProblemHttpResult>> (HttpContext http, string programmeId,
            IDbContextFactory<MentoringDb> dbs, CancellationToken ct) =>
        {
            await using var db = await dbs.CreateDbContextAsync(ct);
            if (!await PracticeLibrary.InProgrammeAsync(db, http.User, programmeId, ct)) return NoProgramme();
            if (!http.User.SeesWholeProgramme()) return Problem(StatusCodes.Status403Forbidden, "Facilitator only", "Only the facilitator sees the queue.");
            return TypedResults.Ok(await PracticeLibrary.QueueAsync(db, programmeId, ct));
        }).WithSummary("The facilitator's queue: practices proposed and waiting, and those sent back.");
        api.MapGet("/{practiceId:guid}", async Task<Results<Ok<PracticeView>, ProblemHttpResult>> (HttpContext http, string programmeId,
            Guid practiceId, IDbContextFactory<MentoringDb> dbs, CancellationToken ct) =>
        {
            await using var db = await dbs.CreateDbContextAsync(ct);
            if (!await PracticeLibrary.InProgrammeAsync(db, http.User, programmeId, ct)) return NoProgramme();
            return await PracticeLibrary.GetAsync(db, http.User, programmeId, practiceId, ct) is { } view ? TypedResults.Ok(view)
                : Problem(StatusCodes.Status404NotFound, "Not found", "There is no such practice.");
        }).WithSummary("One practice, with what you may do with it.");
        api.MapPost("", (HttpContext http, string programmeId, PracticeRequest body, IDbContextFactory<MentoringDb> dbs, TimeProvider clock,
                CancellationToken ct) =>
            PostAsync(http, programmeId, body, dbs, clock, db => Task.FromResult(PracticeLibrary.Propose(db, http.User, programmeId, body, clock.GetUtcNow())), ct))
            .WithSummary("Proposes a practice (a city coordinator or the facilitator): {title, city, country, language, summary, achieves, runBy, " +
                         "resources, results, contact, languages, links, themes, keyFactors}. It waits in the facilitator's queue.");
        api.MapPut("/{practiceId:guid}", (HttpContext http, string programmeId, Guid practiceId, PracticeRequest body,
                IDbContextFactory<MentoringDb> dbs, TimeProvider clock, CancellationToken ct) =>
            PutAsync(http, programmeId, dbs, db => PracticeLibrary.UpdateAsync(db, http.User, programmeId, practiceId, body, clock.GetUtcNow(), ct), ct))
            .WithSummary("Edits a practice: its proposer or their city's coordinators until it is published (a sent-back one is proposed again), the facilitator always.");
        api.MapPost("/{practiceId:guid}/publish", (HttpContext http, string programmeId, Guid practiceId, PublishPracticeRequest body,
                IDbContextFactory<MentoringDb> dbs, TimeProvider clock, CancellationToken ct) =>
            PostAsync(http, programmeId, new { practiceId, body }, dbs, clock,
                db => PracticeLibrary.PublishAsync(db, http.User, programmeId, practiceId, body, clock.GetUtcNow(), ct), ct))
            .WithSummary("Publishes a practice in the library (the facilitator), {shared}: whether other programmes' facilitators may show it.");
        api.MapPost("/{practiceId:guid}/send-back", (HttpContext http, string programmeId, Guid practiceId, SendBackPracticeRequest body,
                IDbContextFactory<MentoringDb> dbs, TimeProvider clock, CancellationToken ct) =>
            PostAsync(http, programmeId, new { practiceId, body }, dbs, clock,
                db => PracticeLibrary.SendBackAsync(db, http.User, programmeId, practiceId, body, clock.GetUtcNow(), ct), ct))
            .WithSummary("Sends a practice back to its proposer with {reason} (the facilitator); a published one leaves every library.");
        api.MapPost("/{practiceId:guid}/show", (HttpContext http, string programmeId, Guid practiceId, IDbContextFactory<MentoringDb> dbs,
                TimeProvider clock, CancellationToken ct) =>
            PostAsync(http, programmeId, new { practiceId }, dbs, clock,
                db => PracticeLibrary.ShowAsync(db, http.User, programmeId, practiceId, true, clock.GetUtcNow(), ct), ct))
            .WithSummary("Shows another programme's shared practice in this library (this programme's facilitator).");
        api.MapDelete("/{practiceId:guid}/show", (HttpContext http, string programmeId, Guid practiceId, IDbContextFactory<MentoringDb> dbs,
                TimeProvider clock, CancellationToken ct) =>
            PutAsync(http, programmeId, dbs, db => PracticeLibrary.ShowAsync(db, http.User, programmeId, practiceId, false, clock.GetUtcNow(), ct), ct))
            .WithSummary("Stops showing another programme's practice in this library.");
        api.MapPost("/{practiceId:guid}/files", async (HttpContext http, string programmeId, Guid practiceId, IFormFile? file,
                IDbContextFactory<MentoringDb> dbs, TimeProvider clock, Texts text, IOptions<WebOptions> options, CancellationToken ct) =>
        {
            if (file is not { Length: > 0 })
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["file"] = ["Send the file as multipart/form-data, field 'file'."] });
            var (upload, error) = await Uploads.UploadedFiles.ReadAsync(file, options.Value.MaxUploadBytes, text, ct);
            if (upload is null)
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["file"] = [error!] }, title: "The file is not accepted.");
            // The file's content is the fingerprint for the Idempotency-Key: the same key with another file is refused.
            var fingerprint = new { practiceId, upload.FileName, sha = Convert.ToHexStringLower(SHA256.HashData(upload.Content)) };
            return await PostAsync(http, programmeId, fingerprint, dbs, clock,
                db => PracticeLibrary.AttachAsync(db, http.User, programmeId, practiceId, upload, clock.GetUtcNow(), ct), ct);
        }).DisableAntiforgery().WithSummary("Adds a file to a practice (multipart/form-data, field 'file'): those who may edit it. " +
                                            "Files are read at GET /files/{id} by whoever may read the practice.");
        return app;
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static ProblemHttpResult Problem(int status, string title, string? detail) =>
        TypedResults.Problem(statusCode: status, title: title, detail: detail);

    private static ProblemHttpResult NoProgramme() =>
        Problem(StatusCodes.Status404NotFound, "Not found", "There is no such programme among yours: switch to it first.");

    private static async Task<Results<Ok<T>, ProblemHttpResult, ValidationProblem>> PutAsync<T>(HttpContext http, string programmeId,
        IDbContextFactory<MentoringDb> dbs, Func<MentoringDb, Task<AdminResult<T>>> change, CancellationToken ct)
    {
        await using (var db = await dbs.CreateDbContextAsync(ct))
            if (!await PracticeLibrary.InProgrammeAsync(db, http.User, programmeId, ct)) return NoProgramme();
        try
        {
            return Answer(await ProgrammeAdmin.InTransactionAsync(dbs, change, ct));
        }
        catch (DbUpdateConcurrencyException)
        {
            return Problem(StatusCodes.Status409Conflict, "Changed meanwhile", ChangedMeanwhile);
        }
    }

    public const string ChangedMeanwhile = "Someone changed this practice at the same moment: reload it and try again.";

    /// <summary>A POST: made once per Idempotency-Key, in one transaction with the key's record.</summary>
    private static async Task<Results<Ok<T>, ProblemHttpResult, ValidationProblem>> PostAsync<T>(HttpContext http, string programmeId,
        object body, IDbContextFactory<MentoringDb> dbs, TimeProvider clock, Func<MentoringDb, Task<AdminResult<T>>> change, CancellationToken ct)
    {
        await using (var db = await dbs.CreateDbContextAsync(ct))
            if (!await PracticeLibrary.InProgrammeAsync(db, http.User, programmeId, ct)) return NoProgramme();
        if (http.ApiKey(body) is not { } key)
            return HttpIdempotency.KeyRequired();
        var outcome = await RunAsync(dbs, key, clock, change, ct);
        return http.Answer(outcome, refusal => Answer((AdminResult<T>)refusal));
    }

    /// <summary>The change once per key, for the API and the pages; a concurrent change of the same practice is a refusal (409).</summary>
    public static async Task<Idempotent<T>> RunAsync<T>(IDbContextFactory<MentoringDb> dbs, IdempotencyKey key, TimeProvider clock,
        Func<MentoringDb, Task<AdminResult<T>>> change, CancellationToken ct)
    {
        try
        {
            return await Idempotency.RunAsync<T>(dbs, key, clock, async db =>
            {
                var result = await change(db);
                return result.Outcome == AdminOutcome.Done ? Idempotent<T>.Done(result.Value!) : Idempotent<T>.Refused(result);
            }, ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            return Idempotent<T>.Refused(AdminResult<T>.Conflict(ChangedMeanwhile));
        }
    }

    private static Results<Ok<T>, ProblemHttpResult, ValidationProblem> Answer<T>(AdminResult<T> result) => result.Outcome switch
    {
        AdminOutcome.Done => TypedResults.Ok(result.Value!),
        AdminOutcome.Invalid => TypedResults.ValidationProblem(result.Errors!, title: "The practice is not valid."),
        AdminOutcome.NotFound => Problem(StatusCodes.Status404NotFound, "Not found", result.Detail),
        AdminOutcome.Forbidden => Problem(StatusCodes.Status403Forbidden, "Not yours to do", result.Detail),
        _ => Problem(StatusCodes.Status409Conflict, "Not possible now", result.Detail),
    };
}
