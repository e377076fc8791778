using Mentoring.Server.Auth;
using Mentoring.Server.Data;
using Mentoring.Server.Programme;
using Mentoring.Server.Setup;
using Mentoring.Server.Web;
using Mentoring.Server.Accounts;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Pages.Setup;

/// <summary>The facilitator's programme set-up: cities' time zones and languages, people, and invitations.</summary>
[Authorize(Roles = PersonRoles.Facilitator + "," + PersonRoles.Admin)]
public sealed class IndexModel(IDbContextFactory<MentoringDb> dbs, AccountService accounts, Texts text, TimeProvider clock) : PageModel
{
    public static IReadOnlyList<string> Languages => ProgrammeSetup.Languages;
    public IReadOnlyList<CityView> Cities { get; private set; } = [];
    public IReadOnlyList<PersonView> People { get; private set; } = [];
    public string? Error { get; private set; }

    public Task OnGetAsync(CancellationToken ct) => LoadAsync(ct);

    public async Task<IActionResult> OnPostCityAsync(string id, string? timeZone, string? language, CancellationToken ct)
    {
        if (PageCommands.Invalid(new UpdateCityRequest(timeZone, language), clock, text) is { } invalid) return await FailAsync(invalid, ct);
        await using var db = await dbs.CreateDbContextAsync(ct);
        if (await ProgrammeSetup.UpdateCityAsync(db, User.ProgrammeId(), id, timeZone, language, ct) is { } error) return await FailAsync(text[error], ct);
        TempData["Message"] = text["Saved."];
        return Redirect("/setup");
    }

    public async Task<IActionResult> OnPostPersonAsync(string? name, string? email, string? role, string? cityId, string? language,
        bool invite, CancellationToken ct)
    {
        var request = new AddPersonRequest(name, email, role, string.IsNullOrEmpty(cityId) ? null : cityId, language, invite);
        if (PageCommands.Invalid(request, clock, text) is { } invalid) return await FailAsync(invalid, ct);
        await using var db = await dbs.CreateDbContextAsync(ct);
        var result = await ProgrammeSetup.AddPersonAsync(db, accounts, User, request, clock.GetUtcNow(), ct);
        if (result.Outcome != AddPersonOutcome.Added) return await FailAsync(string.Format(text[result.Error!], result.Email), ct);
        TempData["Message"] = invite ? text["Added and invited."] : text["Saved."];
        return Redirect("/setup");
    }

    public async Task<IActionResult> OnPostInviteAsync(Guid personId, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var programmeId = User.ProgrammeId();
        var person = await db.People.SingleOrDefaultAsync(p => p.Id == personId
            && db.ProgrammePeople.Any(place => place.PersonId == p.Id && place.ProgrammeId == programmeId), ct);
        if (person is null) return NotFound();
        await ProgrammeSetup.InviteAsync(db, accounts, User, person, null, ct);
        await db.SaveChangesAsync(ct);
        TempData["Message"] = text["Invitation sent."];
        return Redirect("/setup");
    }

    /// <summary>Ends every session of the person (a lost laptop, someone leaving the programme). Their API tokens stay:
    /// they list and revoke those themselves.</summary>
    public async Task<IActionResult> OnPostSignOutAsync(Guid personId, CancellationToken ct)
    {
        await using (var db = await dbs.CreateDbContextAsync(ct))
        {
            var programmeId = User.ProgrammeId();
            if (!await db.ProgrammePeople.AnyAsync(p => p.PersonId == personId && p.ProgrammeId == programmeId, ct)) return NotFound();
        }

        if (await accounts.SignOutEverywhereAsync(personId, ct) == SignOutEverywhereOutcome.NotFound) return NotFound();
        TempData["Message"] = text["Signed out everywhere."];
        return Redirect("/setup");
    }

    private async Task<IActionResult> FailAsync(string error, CancellationToken ct)
    {
        Error = error;
        Response.StatusCode = StatusCodes.Status400BadRequest;
        await LoadAsync(ct);
        return Page();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        Cities = await ProgrammeSetup.CitiesAsync(db, User.ProgrammeId(), ct);
        People = await ProgrammeSetup.PeopleAsync(db, User.ProgrammeId(), ct);
    }
}
