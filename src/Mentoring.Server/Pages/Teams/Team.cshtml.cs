using Mentoring.Server.Data;
using Mentoring.Server.Setup;
using Mentoring.Server.Teams;
using Mentoring.Server.Web;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Pages.Teams;

/// <summary>A city's team (/teams/{city}): its members and roles, absences, and the city's open tasks with who holds and
/// who answers for each. The lead and the facilitator invite, remove and change roles; a member records their own
/// absence. Every change goes through <see cref="TeamCommands"/>, as the API's do.</summary>
[Authorize]
public sealed class TeamModel(IDbContextFactory<MentoringDb> dbs, TeamCommands commands, Texts text, TimeProvider clock) : PageModel
{
    public TeamView Team { get; private set; } = null!;
    public string? Error { get; private set; }
    public Guid Me => Auth.CurrentUser.PersonId(User);

    public async Task<IActionResult> OnGetAsync(string cityId, CancellationToken ct) => await LoadAsync(cityId, ct) ?? Page();

    public Task<IActionResult> OnPostInviteAsync(string cityId, string? name, string? email, string? language, string? teamRole, CancellationToken ct) =>
        ActAsync(cityId, db => commands.InviteAsync(db, User, cityId, new InviteMemberRequest(name, email, language, teamRole), clock.GetUtcNow(), ct), ct);

    public Task<IActionResult> OnPostRoleAsync(string cityId, Guid personId, string? teamRole, CancellationToken ct) =>
        ActAsync(cityId, db => TeamCommands.SetRoleAsync(db, User, cityId, personId, teamRole, clock.GetUtcNow(), ct), ct);

    public Task<IActionResult> OnPostRemoveAsync(string cityId, Guid personId, CancellationToken ct) =>
        ActAsync(cityId, db => TeamCommands.RemoveAsync(db, User, cityId, personId, clock.GetUtcNow(), ct), ct);

    /// <summary>The form gives days: away from the first day's start to the end of the last day, in the reader's zone.</summary>
    public Task<IActionResult> OnPostAbsenceAsync(string cityId, Guid? personId, DateOnly? from, DateOnly? to, Guid? deputyId, CancellationToken ct)
    {
        var request = new AbsenceRequest(personId, from is { } f ? StartOf(f) : null, to is { } t ? StartOf(t.AddDays(1)) : null, deputyId);
        return ActAsync(cityId, db => commands.AddAbsenceAsync(db, User, cityId, request, clock.GetUtcNow(), ct), ct);
    }

    public Task<IActionResult> OnPostEndAbsenceAsync(string cityId, Guid absenceId, CancellationToken ct) =>
        ActAsync(cityId, db => TeamCommands.RemoveAbsenceAsync(db, User, cityId, absenceId, clock.GetUtcNow(), ct), ct);

    /// <summary>Why a person answers for a task, in words.</summary>
    public static string Why(Texts T, string why) => why switch
    {
        "assignee" => T["answer-assignee"],
        "deputy" => T["answer-deputy"],
        "lead" => T["answer-lead"],
        _ => T["answer-lead-for-absent"],
    };

    private static DateTimeOffset StartOf(DateOnly day)
    {
        var local = day.ToDateTime(TimeOnly.MinValue);
        return new DateTimeOffset(local, Fmt.Zone.GetUtcOffset(local));
    }

    private async Task<IActionResult> ActAsync<T>(string cityId, Func<MentoringDb, Task<AdminResult<T>>> change, CancellationToken ct)
    {
        var result = await ProgrammeAdmin.InTransactionAsync(dbs, change, ct);
        switch (result.Outcome)
        {
            case AdminOutcome.Done:
                TempData["Message"] = text["Saved."];
                return Redirect($"/teams/{cityId}");
            case AdminOutcome.NotFound when result.Detail == "There is no such city in this programme.":
                return NotFound();
            case AdminOutcome.Forbidden:
                return Forbid();
        }

        if (await LoadAsync(cityId, ct) is { } refused) return refused;
        Error = Mentoring.Server.Pages.Setup.ProgrammePage.Refusal(result, text);
        Response.StatusCode = result.Outcome == AdminOutcome.Invalid ? 400 : result.Outcome == AdminOutcome.NotFound ? 404 : 409;
        return Page();
    }

    private async Task<IActionResult?> LoadAsync(string cityId, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var result = await TeamCommands.TeamAsync(db, User, cityId, clock.GetUtcNow(), ct);
        switch (result.Outcome)
        {
            case AdminOutcome.NotFound: return NotFound();
            case AdminOutcome.Forbidden: return Forbid();
        }

        Team = result.Value!;
        return null;
    }
}
