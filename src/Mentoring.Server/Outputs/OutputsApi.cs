using System.Security.Cryptography;
using Mentoring.Server.Data;
using Mentoring.Server.Setup;
using Mentoring.Server.SupportNetworks;
using Mentoring.Server.Web;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Mentoring.Server.Outputs;

/// <summary>
/// The outputs register over HTTP, under /api/programmes/{id}/outputs: the list (filtered by kind, status, city), one
/// output, adding (POST, with an Idempotency-Key), editing (PUT) and a file (multipart). Refusals are problem details:
/// 400 with field errors, 403, 404.
/// </summary>
public static class OutputsApi
{
    public static IEndpointRouteBuilder MapOutputsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/programmes/{programmeId}/outputs").WithTags("Outputs").RequireAuthorization();
        api.MapGet("", async (HttpContext http, string programmeId, string? kind, string? status, string? city, IDbContextFactory<MentoringDb> dbs,
                CancellationToken ct) =>
            {
                await using var db = await dbs.CreateDbContextAsync(ct);
                return Answer(await OutputRegister.ListAsync(db, http.User, programmeId, new OutputFilter(kind, status, city), ct));
            })
            .WithSummary("The programme's outputs (?kind=, ?status=, ?city= a city id or 'programme'), each saying whether the reader may edit it.");
        api.MapGet("/{outputId:guid}", async (HttpContext http, string programmeId, Guid outputId, IDbContextFactory<MentoringDb> dbs, CancellationToken ct) =>
            {
                await using var db = await dbs.CreateDbContextAsync(ct);
                return Answer(await OutputRegister.GetAsync(db, http.User, programmeId, outputId, ct));
            })
            .WithSummary("One output.");
        api.MapPost("", async (HttpContext http, string programmeId, OutputRequest body, IDbContextFactory<MentoringDb> dbs, TimeProvider clock,
                CancellationToken ct) =>
            {
                if (http.ApiKey(body) is not { } key) return (IResult)HttpIdempotency.KeyRequired();
                var outcome = await SupportNetworksApi.RunAsync(dbs, key, clock,
                    db => OutputRegister.AddAsync(db, http.User, programmeId, body, clock.GetUtcNow(), ct), ct);
                return http.Answer(outcome, refusal => Answer((AdminResult<OutputChange>)refusal));
            })
            .WithSummary("Adds an output: {title, kind, ownedBy (a city id or 'programme'), status, link (http/https), languages (ISO 639-1), " +
                         "checklist (a one-stop-shop's items present: " + string.Join(", ", OutputLists.Checklist) + ")}.");
        api.MapPut("/{outputId:guid}", async (HttpContext http, string programmeId, Guid outputId, OutputRequest body, IDbContextFactory<MentoringDb> dbs,
                TimeProvider clock, CancellationToken ct) =>
            Answer(await ProgrammeAdmin.InTransactionAsync(dbs,
                db => OutputRegister.UpdateAsync(db, http.User, programmeId, outputId, body, clock.GetUtcNow(), ct), ct)))
            .WithSummary("Replaces an output's fields, as for adding one.");
        api.MapPost("/{outputId:guid}/file", async (HttpContext http, string programmeId, Guid outputId, IFormFile? file,
                IDbContextFactory<MentoringDb> dbs, TimeProvider clock, Texts text, IOptions<WebOptions> options, CancellationToken ct) =>
            {
                if (file is not { Length: > 0 })
                    return (IResult)TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["file"] = ["Send the file as multipart/form-data, field 'file'."] });
                var (upload, error) = await Uploads.UploadedFiles.ReadAsync(file, options.Value.MaxUploadBytes, text, ct);
                if (upload is null)
                    return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["file"] = [error!] }, title: "The file is not accepted.");
                var fingerprint = new { outputId, upload.FileName, sha = Convert.ToHexStringLower(SHA256.HashData(upload.Content)) };
                if (http.ApiKey(fingerprint) is not { } key) return HttpIdempotency.KeyRequired();
                var outcome = await SupportNetworksApi.RunAsync(dbs, key, clock,
                    db => OutputRegister.AttachAsync(db, http.User, programmeId, outputId, upload, clock.GetUtcNow(), ct), ct);
                return http.Answer(outcome, refusal => Answer((AdminResult<OutputChange>)refusal));
            })
            .DisableAntiforgery().WithSummary("Attaches the output's file (multipart/form-data, field 'file'): PDF, Word, Excel, OpenDocument, PNG or JPEG.");
        api.MapGet("/{outputId:guid}/file", async Task<IResult> (HttpContext http, string programmeId, Guid outputId, IDbContextFactory<MentoringDb> dbs,
                CancellationToken ct) =>
            {
                await using var db = await dbs.CreateDbContextAsync(ct);
                var file = await OutputRegister.FileAsync(db, http.User, programmeId, outputId, ct);
                if (file.Outcome != AdminOutcome.Done) return Answer(file);
                http.Response.Headers.XContentTypeOptions = "nosniff";
                http.Response.Headers.ContentSecurityPolicy = "default-src 'none'; sandbox";
                return Results.File(file.Value!.Content, "application/octet-stream", file.Value.FileName);
            })
            .WithSummary("The output's file, as a download.");
        return app;
    }

    public static Results<Ok<T>, ProblemHttpResult, ValidationProblem> Answer<T>(AdminResult<T> result) => result.Outcome switch
    {
        AdminOutcome.Done => TypedResults.Ok(result.Value!),
        AdminOutcome.Invalid => TypedResults.ValidationProblem(result.Errors!, title: "The output is not valid."),
        AdminOutcome.NotFound => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: result.Detail),
        AdminOutcome.Forbidden => TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not yours to do", detail: result.Detail),
        _ => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Not possible now", detail: result.Detail),
    };
}
