using Mentoring.Server.Assessments;
using Mentoring.Server.Data;
using Mentoring.Server.Web;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Pages.Assessments;

/// <summary>The facilitator's overview of the needs assessment (/programmes/{id}/assessments): every member city with
/// its status, reopening a submitted one, sharing the submitted answers with the cities, each city's need and strength
/// per theme as a table, and the same figures as the SVG chart. Whoever the API refuses the overview (403, 404), the
/// page refuses too.</summary>
[Authorize]
public sealed class OverviewModel(IDbContextFactory<MentoringDb> dbs, AssessmentCommands commands, Texts text, TimeProvider clock) : PageModel
{
    public AssessmentOverview Overview { get; private set; } = null!;
    public string Chart { get; private set; } = "";
    public string? Error { get; private set; }
    public string FormKey { get; } = PageCommands.NewKey();

    public string Theme(string id) => Overview.Themes.FirstOrDefault(t => t.Id == id) is { } theme ? theme.Title.In(Texts.Language).Text : id;

    public async Task<IActionResult> OnGetAsync(string id, CancellationToken ct) => await LoadAsync(id, ct) ?? Page();

    public Task<IActionResult> OnPostShareAsync(string id, string? key, bool shared, CancellationToken ct) =>
        ActAsync(id, key, new { shared }, db => commands.ShareAsync(db, User, id, shared, ct),
            shared ? text["Shared: every city now reads the other cities' submitted answers."] : text["Sharing stopped: each city reads only its own answers."], ct);

    public Task<IActionResult> OnPostReopenAsync(string id, string? key, string? city, CancellationToken ct) =>
        ActAsync(id, key, new { city }, db => commands.ReopenAsync(db, User, id, city ?? "", ct),
            text["Reopened: the city may change its answers and submit again."], ct);

    private async Task<IActionResult> ActAsync<T>(string id, string? key, object body, Func<MentoringDb, Task<AssessmentResult<T>>> change, string done,
        CancellationToken ct)
    {
        if (await LoadAsync(id, ct) is { } refused) return refused;
        string? error;
        if (HttpContext.FormKey(key, body) is not { } formKey) error = text["The form is out of date: reload the page and try again."];
        else
        {
            var outcome = await AssessmentsApi.OnceAsync(dbs, formKey, clock, change, ct);
            if (outcome.Refusal is AssessmentResult<T> { Outcome: AssessmentOutcome.NotFound }) return NotFound();
            error = AssessmentPage.NotDone(outcome, text);
        }

        if (error is null)
        {
            TempData["Message"] = done;
            return Redirect(AssessmentPage.OverviewPath(id));
        }

        Error = error;
        Response.StatusCode = StatusCodes.Status409Conflict;
        return await LoadAsync(id, ct) ?? Page();
    }

    private async Task<IActionResult?> LoadAsync(string id, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var result = await AssessmentCommands.OverviewAsync(db, User, id, ct);
        switch (result.Outcome)
        {
            case AssessmentOutcome.NotFound: return NotFound();
            case AssessmentOutcome.Forbidden: return Forbid();
        }

        Overview = result.Value!;
        Chart = AssessmentChart.Svg(Overview, text);
        return null;
    }
}
