using Mentoring.Server.Data;
using Mentoring.Server.Setup;
using Mentoring.Server.Teams;
using Mentoring.Server.Web;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Pages.Teams;

/// <summary>Who handles an open task (/teams/tasks/{item}): for each city team that owes it, who holds it and who
/// answers for it now; a member claims it, the lead (or the facilitator, or its holder) gives it to a member with a note.
/// Reached from the pair page and the dashboard.</summary>
[Authorize]
public sealed class TaskModel(IDbContextFactory<MentoringDb> dbs, Texts text, TimeProvider clock) : PageModel
{
    public TaskTeamView Item { get; private set; } = null!;
    public string? Error { get; private set; }

    public async Task<IActionResult> OnGetAsync(Guid itemId, CancellationToken ct) => await LoadAsync(itemId, ct) ?? Page();

    public Task<IActionResult> OnPostClaimAsync(Guid itemId, CancellationToken ct) =>
        ActAsync(itemId, db => TeamCommands.ClaimAsync(db, User, itemId, clock.GetUtcNow(), ct), ct);

    public Task<IActionResult> OnPostAssignAsync(Guid itemId, Guid? personId, string? note, CancellationToken ct) =>
        ActAsync(itemId, db => TeamCommands.HandOverAsync(db, User, itemId, new HandOverRequest(personId, note), clock.GetUtcNow(), ct), ct);

    private async Task<IActionResult> ActAsync(Guid itemId, Func<MentoringDb, Task<AdminResult<TaskTeamView>>> change, CancellationToken ct)
    {
        AdminResult<TaskTeamView> result;
        try
        {
            result = await ProgrammeAdmin.InTransactionAsync(dbs, change, ct);
        }
        catch (DbUpdateException)
        {
            // Two claims at once: the other won; the page shows who holds it now.
            result = AdminResult<TaskTeamView>.Conflict("Someone else has just claimed this task.");
        }

        switch (result.Outcome)
        {
            case AdminOutcome.Done:
                TempData["Message"] = text["Saved."];
                return Redirect($"/teams/tasks/{itemId}");
            case AdminOutcome.Forbidden:
                return Forbid();
        }

        if (await LoadAsync(itemId, ct) is { } refused) return refused;
        Error = Mentoring.Server.Pages.Setup.ProgrammePage.Refusal(result, text);
        Response.StatusCode = result.Outcome == AdminOutcome.Invalid ? 400 : 409;
        return Page();
    }

    private async Task<IActionResult?> LoadAsync(Guid itemId, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var result = await TeamCommands.TaskAsync(db, User, itemId, clock.GetUtcNow(), ct);
        switch (result.Outcome)
        {
            case AdminOutcome.NotFound: return NotFound();
            case AdminOutcome.Forbidden: return Forbid();
        }

        Item = result.Value!;
        return null;
    }
}
