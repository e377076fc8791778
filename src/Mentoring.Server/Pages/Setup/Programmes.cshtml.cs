using Mentoring.Server.Auth;
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
public sealed class ProgrammesModel(IDbContextFactory<MentoringDb> dbs, Texts text, TimeProvider clock) : PageModel
{
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
}
