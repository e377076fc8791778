using Mentoring.Server.Auth;
using Mentoring.Server.Data;
using Mentoring.Server.Practices;
using Mentoring.Server.Web;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using ProgrammePage = Mentoring.Server.Pages.Setup.ProgrammePage;

namespace Mentoring.Server.Pages.Practices;

/// <summary>The facilitator's queue: proposals to publish or send back, and other programmes' shared practices to show here.</summary>
[Authorize]
public sealed class QueueModel(IDbContextFactory<MentoringDb> dbs, Texts text, TimeProvider clock) : PageModel
{
    public IReadOnlyList<PracticeSummary> Waiting { get; private set; } = [];
    public IReadOnlyList<(PracticeSummary Practice, bool Shown)> Offered { get; private set; } = [];
    public string FormKey { get; } = PageCommands.NewKey();
    public string? Error { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct) => await LoadAsync(ct) ?? Page();

    public async Task<IActionResult> OnPostShowAsync(Guid id, bool show, string? key, CancellationToken ct)
    {
        if (await LoadAsync(ct) is { } refused) return refused;
        if (HttpContext.FormKey(key, new { id, show }) is not { } formKey)
            return Refused(text["The form is out of date: reload the page and try again."]);
        var outcome = await PracticesApi.RunAsync(dbs, formKey, clock,
            db => PracticeLibrary.ShowAsync(db, User, User.ProgrammeId(), id, show, clock.GetUtcNow(), ct), ct);
        if (outcome.Refusal is Mentoring.Server.Setup.AdminResult<PracticeSummary> result)
            return result.Outcome == Mentoring.Server.Setup.AdminOutcome.NotFound ? NotFound() : Refused(ProgrammePage.Refusal(result, text));
        TempData["Message"] = text["Saved."];
        return Redirect("/practices/queue");
    }

    private IActionResult Refused(string? error)
    {
        Error = error;
        Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        return Page();
    }

    private async Task<IActionResult?> LoadAsync(CancellationToken ct)
    {
        if (!User.SeesWholeProgramme()) return Forbid();
        await using var db = await dbs.CreateDbContextAsync(ct);
        var programmeId = User.ProgrammeId();
        if (!await PracticeLibrary.InProgrammeAsync(db, User, programmeId, ct)) return NotFound();
        Waiting = await PracticeLibrary.QueueAsync(db, programmeId, ct);
        Offered = await PracticeLibrary.OfferedAsync(db, programmeId, ct);
        return null;
    }
}
