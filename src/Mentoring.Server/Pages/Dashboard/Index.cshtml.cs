using Mentoring.Server.Auth;
using Mentoring.Server.Dashboard;
using Mentoring.Server.Data;
using Mentoring.Server.Email;
using Mentoring.Server.Pairs;
using Mentoring.Server.Programme;
using Mentoring.Server.Web;
using Mentoring.Server.Workflows;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Mentoring.Server.Pages.Dashboard;

[Authorize(Roles = PersonRoles.Facilitator + "," + PersonRoles.Admin)]
public sealed class IndexModel(IDbContextFactory<MentoringDb> dbs, DefinitionStore definitions, OutboxWriter outbox,
    IOptions<EmailOptions> email, Texts text, TimeProvider clock) : PageModel
{
    public IReadOnlyList<PairSummary> Pairs { get; private set; } = [];
    /// <summary>The page's pairs by workflow, with that workflow's steps as the table's columns.</summary>
    public IReadOnlyList<WorkflowProgress> Workflows { get; private set; } = [];
    public IReadOnlyList<OpenItemRow> Overdue { get; private set; } = [];
    public IReadOnlyList<OpenItemRow> Visits { get; private set; } = [];
    public IReadOnlyList<OpenItemRow> Gates { get; private set; } = [];
    public Dictionary<Guid, List<StageSpan>> Spans { get; private set; } = [];
    public int TotalPairs { get; private set; }
    public int PageNumber { get; private set; }
    public DateTimeOffset Now { get; } = clock.GetUtcNow();
    public string FormKey { get; } = PageCommands.NewKey();
    /// <summary>The programme's words for its groups, in the reader's language.</summary>
    public ProgrammeTerms Terms { get; private set; } = ProgrammeTerms.None;

    public async Task OnGetAsync(int p, CancellationToken ct)
    {
        PageNumber = Math.Max(0, p);
        await using var db = await dbs.CreateDbContextAsync(ct);
        Pairs = await DashboardQueries.PageAsync(db, User, PageNumber, ct);
        var summary = await DashboardQueries.SummaryAsync(db, definitions.Catalog, User.ProgrammeId(), Now, Fmt.Today(Now), ct);
        Terms = await ProgrammeTerms.ForPageAsync(HttpContext, dbs);
        (TotalPairs, Overdue, Visits, Gates) = (summary.TotalPairs, summary.Overdue, summary.Visits, summary.Gates);
        Spans = await DashboardQueries.SpansAsync(db, Pairs, Now, ct);
        Workflows = await DashboardQueries.ByWorkflowAsync(db, definitions.Catalog, Pairs, ct);
    }

    /// <summary>A group's one-line name, its members in the order its definition declares their roles.</summary>
    public string Line(PairSummary pair) => pair.Names(definitions.Catalog).Line;

    /// <summary>The steps of the workflow a pair runs (for its timeline row's colours and titles).</summary>
    public WorkflowSteps StepsOf(PairSummary pair) => Workflows.First(w => w.Pairs.Contains(pair)).Steps;

    public async Task<IActionResult> OnPostNudgeAsync(Guid itemId, string? key, CancellationToken ct)
    {
        // The hidden key is the Idempotency-Key, as on the API; the task is in the fingerprint.
        if (HttpContext.FormKey(string.IsNullOrWhiteSpace(key) ? PageCommands.NewKey() : key, new NudgeRequest(itemId)) is not { } idempotencyKey)
        {
            TempData["Message"] = text["The change could not be made."];
            return Redirect("/dashboard");
        }

        var sent = await DashboardQueries.NudgeAsync(dbs, outbox, itemId, User.ProgrammeId(), idempotencyKey, clock, email.Value.PublicUrl, ct);
        TempData["Message"] = sent.Kind switch
        {
            IdempotentKind.Done or IdempotentKind.Replayed => text["Reminder sent."],
            IdempotentKind.Refused => text["That task is not open any more."],
            _ => text["The change could not be made."],
        };
        return Redirect("/dashboard");
    }
}
