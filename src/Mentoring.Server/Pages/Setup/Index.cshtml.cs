using System.Net.Mail;
using Mentoring.Server.Auth;
using Mentoring.Server.Data;
using Mentoring.Server.Programme;
using Mentoring.Server.Web;
using Mentoring.Server.Web.Accounts;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Pages.Setup;

/// <summary>The facilitator's programme set-up: cities' time zones and languages, people, and invitations.</summary>
[Authorize(Roles = PersonRoles.Facilitator + "," + PersonRoles.Admin)]
public sealed class IndexModel(IDbContextFactory<MentoringDb> dbs, AccountService accounts, Texts text, TimeProvider clock) : PageModel
{
    public static readonly string[] Languages = ["en", "el", "fr", "nl", "it", "es", "lv"];
    public IReadOnlyList<City> Cities { get; private set; } = [];
    public IReadOnlyList<Person> People { get; private set; } = [];
    public string? Error { get; private set; }

    public Task OnGetAsync(CancellationToken ct) => LoadAsync(ct);

    public async Task<IActionResult> OnPostCityAsync(string id, string? timeZone, string? language, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var city = await db.Cities.SingleOrDefaultAsync(c => c.Id == id, ct);
        if (city is null) return NotFound();
        if (timeZone is null || !TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out _))
            return await FailAsync(text["Unknown time zone: use a name such as Europe/Athens."], ct);
        if (!Languages.Contains(language)) return await FailAsync(text["Choose one of the listed languages."], ct);
        city.TimeZone = timeZone;
        city.Language = language!;
        await db.SaveChangesAsync(ct);
        TempData["Message"] = text["Saved."];
        return Redirect("/setup");
    }

    public async Task<IActionResult> OnPostPersonAsync(string? name, string? email, string? role, string? cityId, string? language,
        bool invite, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        if (string.IsNullOrWhiteSpace(name)) return await FailAsync(text["Give the person's name."], ct);
        if (!MailAddress.TryCreate(email, out _)) return await FailAsync(text["Give a valid email address."], ct);
        if (!PersonRoles.All.Contains(role)) return await FailAsync(text["Choose a role."], ct);
        if (role == PersonRoles.Coordinator && !await db.Cities.AnyAsync(c => c.Id == cityId, ct))
            return await FailAsync(text["A coordinator needs a city."], ct);
        if (!Languages.Contains(language)) return await FailAsync(text["Choose one of the listed languages."], ct);
        if (await db.People.AnyAsync(p => p.Email == email, ct)) return await FailAsync(text["Somebody already has this email address."], ct);
        var city = role == PersonRoles.Coordinator ? await db.Cities.SingleAsync(c => c.Id == cityId, ct) : null;
        var person = new Person
        {
            ProgrammeId = User.FindFirst(CurrentUser.ProgrammeClaim)!.Value, Name = name.Trim(), Email = email!.Trim(), Role = role!,
            CityId = city?.Id, Organisation = city?.Association, Language = language!, TimeZone = city?.TimeZone ?? "Europe/Brussels",
            CreatedAt = clock.GetUtcNow(),
        };
        db.People.Add(person);
        if (invite) await InviteAsync(db, person, city, ct);
        await db.SaveChangesAsync(ct);
        TempData["Message"] = invite ? text["Added and invited."] : text["Saved."];
        return Redirect("/setup");
    }

    public async Task<IActionResult> OnPostInviteAsync(Guid personId, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var person = await db.People.SingleOrDefaultAsync(p => p.Id == personId, ct);
        if (person is null) return NotFound();
        var city = person.CityId is null ? null : await db.Cities.SingleAsync(c => c.Id == person.CityId, ct);
        await InviteAsync(db, person, city, ct);
        await db.SaveChangesAsync(ct);
        TempData["Message"] = text["Invitation sent."];
        return Redirect("/setup");
    }

    private async Task InviteAsync(MentoringDb db, Person person, City? city, CancellationToken ct)
    {
        var inviter = await db.People.AsNoTracking().SingleAsync(p => p.Id == User.PersonId(), ct);
        var role = city is null ? person.Role : $"{person.Role}, {city.Name}";
        accounts.AddLink(db, person, LinkPurpose.Invitation, inviter, role);
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
        Cities = await db.Cities.AsNoTracking().OrderBy(c => c.Name).ToListAsync(ct);
        People = await db.People.AsNoTracking().OrderBy(p => p.Role).ThenBy(p => p.Name).ToListAsync(ct);
    }
}
