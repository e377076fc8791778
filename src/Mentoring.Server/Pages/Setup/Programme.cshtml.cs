using Mentoring.Engine.Definitions;
using Mentoring.Server.Auth;
using Mentoring.Server.Data;
using Mentoring.Server.Programme;
using Mentoring.Server.Setup;
using Mentoring.Server.Web;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Pages.Setup;

/// <summary>One programme's set-up: its members, its groups (formed here, their workflows started) and its people.
/// The same checks as /api/programmes/{id}: an admin, or this programme's facilitator; another programme's is told 404.</summary>
[Authorize]
public sealed class ProgrammeModel(IDbContextFactory<MentoringDb> dbs, ProgrammeAdmin admin, Texts text, TimeProvider clock) : PageModel
{
    public static IReadOnlyList<string> Languages => ProgrammeSetup.Languages;
    public static readonly string[] PlaceRoles = [PersonRoles.Facilitator, PersonRoles.Coordinator, PersonRoles.Observer];
    public ProgrammeSummary Programme { get; private set; } = null!;
    public IReadOnlyList<MemberView> Members { get; private set; } = [];
    public IReadOnlyList<GroupView> Groups { get; private set; } = [];
    public IReadOnlyList<ProgrammePersonView> People { get; private set; } = [];
    public IReadOnlyList<WorkflowDefinition> Workflows { get; private set; } = [];
    /// <summary>The programme's stored shapes (its package's); a programme without any offers the usual three.</summary>
    public IReadOnlyList<string> Shapes { get; private set; } = [];
    /// <summary>Every group role of the workflows a group may run: one city list each in the form.</summary>
    public IReadOnlyList<string> GroupRoles { get; private set; } = [];
    public string? Error { get; private set; }

    public async Task<IActionResult> OnGetAsync(string id, CancellationToken ct) =>
        await RefusedAsync(id, ct) ?? await LoadAsync(id, ct);

    public Task<IActionResult> OnPostMemberAsync(string id, string? cityId, string? name, string? country, string? timeZone, string? language,
        string? association, CancellationToken ct) =>
        ChangeAsync(id, db => ProgrammeAdmin.AddMemberAsync(db, id, new AddMemberRequest(cityId, name, country, timeZone, language, association), ct), ct);

    public Task<IActionResult> OnPostUpdateMemberAsync(string id, string cityId, string? timeZone, string? language, string? association,
        CancellationToken ct) =>
        ChangeAsync(id, db => ProgrammeAdmin.UpdateMemberAsync(db, id, cityId, new UpdateMemberRequest(timeZone, language, association ?? ""), ct), ct);

    public Task<IActionResult> OnPostRemoveMemberAsync(string id, string cityId, CancellationToken ct) =>
        ChangeAsync(id, db => ProgrammeAdmin.RemoveMemberAsync(db, id, cityId, ct), ct);

    /// <summary>Forms a group from the cities chosen per role (fields <c>members.{role}</c>) and starts its workflow.</summary>
    public Task<IActionResult> OnPostGroupAsync(string id, string? shape, string? workflow, string? title, string? notes, CancellationToken ct)
    {
        var members = Request.Form.Where(f => f.Key.StartsWith("members.", StringComparison.Ordinal))
            .ToDictionary(f => f.Key["members.".Length..], f => (IReadOnlyList<string>)f.Value.Where(v => !string.IsNullOrEmpty(v)).Select(v => v!).ToList())
            .Where(m => m.Value.Count > 0).ToDictionary();
        var actor = User.ActorFor(null) ?? new Engine.Runtime.Actor(User.PersonId().ToString(), User.Identity?.Name ?? "", Engine.Runtime.ActorRole.Facilitator);
        return ChangeAsync(id, db => admin.FormGroupAsync(db, id, new FormGroupRequest(shape, workflow, title, notes, members), actor, ct), ct);
    }

    public Task<IActionResult> OnPostRemoveGroupAsync(string id, Guid groupId, CancellationToken ct) =>
        ChangeAsync(id, db => ProgrammeAdmin.RemoveGroupAsync(db, id, groupId, ct), ct);

    public Task<IActionResult> OnPostPersonAsync(string id, string? name, string? email, string? role, string? cityId, string? language,
        bool invite, CancellationToken ct) =>
        ChangeAsync(id, db => admin.AddPersonAsync(db, id, User,
            new AddProgrammePersonRequest(name, email, role, cityId, null, language, invite), clock.GetUtcNow(), ct), ct);

    public Task<IActionResult> OnPostUpdatePersonAsync(string id, Guid personId, string? role, string? cityId, string? language,
        CancellationToken ct) =>
        ChangeAsync(id, db => admin.UpdatePersonAsync(db, id, personId, new UpdateProgrammePersonRequest(role, cityId ?? "", language), ct), ct);

    public Task<IActionResult> OnPostRemovePersonAsync(string id, Guid personId, CancellationToken ct) =>
        ChangeAsync(id, db => ProgrammeAdmin.RemovePersonAsync(db, id, personId, ct), ct);

    private async Task<IActionResult> ChangeAsync<T>(string id, Func<MentoringDb, Task<AdminResult<T>>> change, CancellationToken ct)
    {
        if (await RefusedAsync(id, ct) is { } refused) return refused;
        var result = await ProgrammeAdmin.InTransactionAsync(dbs, change, ct);
        if (ProgrammePage.Refusal(result, text) is { } error)
        {
            Error = error;
            Response.StatusCode = result.Outcome == AdminOutcome.Conflict ? StatusCodes.Status409Conflict : StatusCodes.Status400BadRequest;
            return await LoadAsync(id, ct);
        }

        TempData["Message"] = text["Saved."];
        return Redirect($"/setup/programmes/{id}");
    }

    private async Task<IActionResult?> RefusedAsync(string id, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        return await ProgrammeAdmin.AccessAsync(db, User, id, ct) switch
        {
            ProgrammeAccess.Allowed => null,
            ProgrammeAccess.NotFound => NotFound(),
            _ => Forbid(),
        };
    }

    private async Task<IActionResult> LoadAsync(string id, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        Programme = ProgrammeAdmin.Summary(await db.Programmes.AsNoTracking().SingleAsync(p => p.Id == id, ct));
        Members = await ProgrammeAdmin.MembersAsync(db, id, ct);
        Groups = await ProgrammeAdmin.GroupsAsync(db, id, null, ct);
        People = await ProgrammeAdmin.PeopleAsync(db, id, ct);
        Workflows = await admin.GroupWorkflowsAsync(db, ct);
        var shapes = (await GroupShapes.OfAsync(db, id, ct)).Select(s => s.Id).ToList();
        Shapes = shapes.Count > 0 ? shapes : ["pair", "cluster", "member"];
        GroupRoles = Workflows.SelectMany(w => w.Roles).Where(r => r.Scope == RoleScope.Group).Select(r => r.Id).Distinct().ToList();
        return Page();
    }
}

/// <summary>How the set-up pages say a refusal: each field's problem in the reader's language.</summary>
public static class ProgrammePage
{
    public static string? Refusal<T>(AdminResult<T> result, Texts text) => result.Outcome switch
    {
        AdminOutcome.Done => null,
        _ when result.Lines is { Count: > 0 } lines => string.Join(" ", lines.Select(l => text[l]).Distinct()),
        AdminOutcome.Invalid => string.Join(" ", result.Errors!.SelectMany(e => e.Value).Distinct().Select(e => text[e])),
        _ => result.Detail is null ? null : text[result.Detail],
    };
}
