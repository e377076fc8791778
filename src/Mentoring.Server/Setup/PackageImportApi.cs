using System.Security.Cryptography;
using Mentoring.Engine.Definitions;
using Mentoring.Server.Data;
using Mentoring.Server.Programme.Packages;
using Mentoring.Server.Web;
using Mentoring.Server.Workflows;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Setup;

/// <summary>What an uploaded package's import did, or (a dry run) would do: the plan <c>programme import --check</c> prints.</summary>
public sealed record PackageImportView(string Programme, bool Created, bool Unchanged, bool DryRun, IReadOnlyList<PlannedChange> Changes);

/// <summary>
/// <c>POST /api/programmes</c> with a zipped package (<c>application/zip</c>): a dry run (<c>?dryRun=true</c>) answers the
/// plan and writes nothing; otherwise the import runs once per Idempotency-Key, in one transaction with the key's
/// record. A refused package is a 400 whose <c>errors</c> list each problem with its file and JSON path.
/// </summary>
public static class PackageImportApi
{
    public static bool IsZip(HttpRequest request) =>
        request.ContentType?.Split(';')[0].Trim().ToLowerInvariant() is "application/zip" or "application/x-zip-compressed";

    public static async Task<Results<Ok<PackageImportView>, ProblemHttpResult>> ImportAsync(
        HttpContext http, IDbContextFactory<MentoringDb> dbs, TimeProvider clock, PackageUpload upload, bool dryRun, CancellationToken ct)
    {
        var zip = await ReadAsync(http.Request, ct);
        if (zip is null)
            return Refused([new DefinitionError(PackageUpload.UploadName, "", $"the zip is larger than {PackageUpload.MaxZipBytes} bytes, the most a package may be")]);
        if (dryRun)
        {
            await using var db = await dbs.CreateDbContextAsync(ct);
            var plan = await upload.ImportAsync(db, zip, new ImportOptions(Check: true), ct);
            return plan.Refused ? Refused(plan.Errors) : TypedResults.Ok(View(plan, dryRun: true));
        }

        // The fingerprint is the zip's hash: the same key with another package is a 422.
        if (http.ApiKey(new { package = Convert.ToHexStringLower(SHA256.HashData(zip)) }) is not { } key)
            return HttpIdempotency.KeyRequired();
        Idempotent<PackageImportView> outcome;
        try
        {
            outcome = await Idempotency.RunAsync<PackageImportView>(dbs, key, clock, async db =>
            {
                var imported = await upload.ImportAsync(db, zip, new ImportOptions(), ct);
                return imported.Refused ? Idempotent<PackageImportView>.Refused(imported) : Idempotent<PackageImportView>.Done(View(imported, dryRun: false));
            }, ct);
        }
        catch (DbUpdateException)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Imported at the same moment",
                detail: "Another import of this programme was written at the same moment; send the package again to see what is left to change.");
        }

        switch (outcome.Kind)
        {
            case IdempotentKind.Replayed:
                http.Response.MarkReplayed();
                return TypedResults.Ok(outcome.Response!);
            case IdempotentKind.KeyReused:
                return TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "Idempotency-Key reused",
                    detail: "This Idempotency-Key was used for another request; send a new one.");
            case IdempotentKind.InFlight:
                return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "In progress", detail: Idempotency.InFlightMessage);
            case IdempotentKind.Refused:
                return Refused(((ImportOutcome)outcome.Refusal!).Errors);
            default:
                return TypedResults.Ok(outcome.Response!);
        }
    }

    public static PackageImportView View(ImportOutcome outcome, bool dryRun) =>
        new(outcome.ProgrammeId, outcome.Created, outcome.Unchanged, dryRun, outcome.Changes);

    private static ProblemHttpResult Refused(IReadOnlyList<DefinitionError> errors) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The package was refused; nothing was changed.",
            detail: string.Join(Environment.NewLine, errors.Select(e => e.ToString())),
            extensions: new Dictionary<string, object?> { ["errors"] = errors.Select(e => new { file = e.File, path = e.Path, message = e.Message }).ToList() });

    /// <summary>The body, or null when it is over the package limit (read no further than one byte past it).</summary>
    public static async Task<byte[]?> ReadAsync(HttpRequest request, CancellationToken ct) => await ReadAsync(request.Body, ct);

    public static async Task<byte[]?> ReadAsync(Stream body, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await body.ReadAsync(chunk, ct)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > PackageUpload.MaxZipBytes) return null;
        }

        return buffer.ToArray();
    }
}
