using Mentoring.Engine.Definitions;
using Mentoring.Server.Auth;
using Mentoring.Server.Programme.Packages;
using Mentoring.Server.Data;
using Mentoring.Server.Setup;
using Mentoring.Server.Web;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Pages.Setup;

/// <summary>The programmes an admin or a facilitator sets up; admins create new ones here.</summary>
[Authorize]
public sealed class ProgrammesModel(IDbContextFactory<MentoringDb> dbs, Texts text, TimeProvider clock, PackageUpload upload) : PageModel
{
    /// <summary>The plan of an uploaded package: what its import did, or (checked only) would do.</summary>
    public PackageImportView? Import { get; private set; }
    /// <summary>Why an uploaded package was refused, each with its file and JSON path.</summary>
    public IReadOnlyList<DefinitionError> PackageErrors { get; private set; } = [];
    public static IReadOnlyList<string> Languages => ProgrammeSetup.Languages;
    public IReadOnlyList<ProgrammeSummary> Programmes { get; private set; } = [];
    public string? Error { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        Programmes = await ProgrammeAdmin.ProgrammesAsync(db, User, ct);
        return Programmes.Count == 0 && !User.IsAdmin() ? Forbid() : Page();
    }

    public async Task<IActionResult> OnPostCreateAsync(string? id, string? name, string[]? languages, string? timeZone, CancellationToken ct)
    {
        if (!User.IsAdmin()) return Forbid();
        var request = new CreateProgrammeRequest(id?.Trim(), name, languages, timeZone?.Trim(), null);
        var result = await ProgrammeAdmin.InTransactionAsync(dbs, db => ProgrammeAdmin.CreateProgrammeAsync(db, request, clock.GetUtcNow(), ct), ct);
        if (ProgrammePage.Refusal(result, text) is { } error)
        {
            Error = error;
            Response.StatusCode = StatusCodes.Status400BadRequest;
            await using var db = await dbs.CreateDbContextAsync(ct);
            Programmes = await ProgrammeAdmin.ProgrammesAsync(db, User, ct);
            return Page();
        }

        TempData["Message"] = text["Saved."];
        return Redirect($"/setup/programmes/{result.Value!.Id}");
    }

    /// <summary>Imports a zipped package through the same reader and importer as the API and the command line; a
    /// repeated upload of the same package finds it unchanged (its hash), so it needs no form key.</summary>
    public async Task<IActionResult> OnPostUploadAsync(IFormFile? package, bool dryRun, CancellationToken ct)
    {
        if (!User.IsAdmin()) return Forbid();
        byte[]? zip = null;
        if (package is not null)
        {
            await using var stream = package.OpenReadStream();
            zip = await PackageImportApi.ReadAsync(stream, ct);
        }

        ImportOutcome outcome;
        if (zip is null)
            outcome = new ImportOutcome("", false, false, [], [new DefinitionError(PackageUpload.UploadName, "",
                package is null ? text["choose the zip of a package folder"]
                    : string.Format(text["the zip is larger than {0} bytes, the most a package may be"], PackageUpload.MaxZipBytes))]);
        else
            try
            {
                await using var db = await dbs.CreateDbContextAsync(ct);
                outcome = await upload.ImportAsync(db, zip, new ImportOptions(Check: dryRun), ct);
            }
            catch (DbUpdateException)
            {
                outcome = new ImportOutcome("", false, false, [], [new DefinitionError(PackageUpload.UploadName, "",
                    text["another import of this programme was written at the same moment; upload the package again"])]);
            }

        if (outcome.Refused)
        {
            PackageErrors = outcome.Errors;
            Response.StatusCode = StatusCodes.Status400BadRequest;
        }
        else Import = PackageImportApi.View(outcome, dryRun);

        await using (var db = await dbs.CreateDbContextAsync(ct)) Programmes = await ProgrammeAdmin.ProgrammesAsync(db, User, ct);
        return Page();
    }
}
