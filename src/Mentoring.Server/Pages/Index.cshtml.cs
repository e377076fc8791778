using Mentoring.Server.Auth;
using Mentoring.Server.Data;
using Mentoring.Server.Programme;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Pages;

/// <summary>Sends each person to their home: the facilitator to the dashboard, a coordinator to their pair,
/// an observer to their association's pairs.</summary>
public sealed class IndexModel(IDbContextFactory<MentoringDb> dbs) : PageModel
{
    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (User.IsFacilitator() || User.IsAdmin()) return Redirect("/dashboard");
        if (User.IsInRole(PersonRoles.Coordinator) && User.CityId() is { } city)
        {
            await using var db = await dbs.CreateDbContextAsync(ct);
            var programmeId = User.ProgrammeId();
            var pair = await db.Groups.Where(g => g.ProgrammeId == programmeId && db.GroupMembers.Any(m => m.GroupId == g.Id && m.CityId == city))
                .OrderBy(p => p.Number)
                .Select(p => (Guid?)p.Id).FirstOrDefaultAsync(ct);
            if (pair is { } id) return Redirect($"/pairs/{id}");
        }

        if (User.IsInRole(PersonRoles.Observer)) return Redirect("/pairs");
        return Page();
    }
}
