using Mentoring.Server.ActionPlans;
using Mentoring.Server.Data;
using Mentoring.Server.Workflows;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Pages.ActionPlans;

/// <summary>The plan as a document to print (/pairs/{id}/action-plan/print?version=label) in the plan's language, for
/// whoever may read the plan.</summary>
[Authorize]
public sealed class PrintModel(IDbContextFactory<MentoringDb> dbs, DefinitionStore definitions, ActionPlanCommands commands) : PageModel
{
    public PlanExport Export { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(Guid id, string? version, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var export = await ActionPlanExports.LoadAsync(commands, db, definitions, User, id, version, ct);
        switch (export.Outcome)
        {
            case PlanOutcome.Done:
                Export = export.Value!;
                return Page();
            case PlanOutcome.Forbidden:
                return Forbid();
            default:
                return NotFound();
        }
    }
}
