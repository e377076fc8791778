using Mentoring.Server.Auth;
using Mentoring.Server.Data;
using Mentoring.Server.Practices;
using Mentoring.Server.Programme;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Pages.Practices;

/// <summary>The good-practice library of the current programme: search by words, theme and city.</summary>
[Authorize]
public sealed class IndexModel(IDbContextFactory<MentoringDb> dbs) : PageModel
{
    [BindProperty(SupportsGet = true)] public string? Q { get; set; }
    [BindProperty(SupportsGet = true)] public string? Theme { get; set; }
    [BindProperty(SupportsGet = true)] public string? City { get; set; }
    public PracticeList Library { get; private set; } = new([], [], []);
    public IReadOnlyList<PracticeSummary> Mine { get; private set; } = [];
    public bool MayPropose => User.SeesWholeProgramme() || User.IsInRole(PersonRoles.Coordinator);

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        var programmeId = User.ProgrammeId();
        await using var db = await dbs.CreateDbContextAsync(ct);
        if (!await PracticeLibrary.InProgrammeAsync(db, User, programmeId, ct)) return NotFound();
        // Over-long filters are cut, not refused: a search box never answers with an error page.
        string? Short(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim() is var v && v.Length > 200 ? v[..200] : v.Trim();
        Library = await PracticeLibrary.SearchAsync(db, programmeId, new PracticeQuery(Short(Q), Short(Theme), Short(City)), ct);
        Mine = await PracticeLibrary.MineAsync(db, User, programmeId, ct);
        return Page();
    }
}
