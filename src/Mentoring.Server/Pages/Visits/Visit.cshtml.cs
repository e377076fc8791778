using Mentoring.Server.Auth;
using Mentoring.Server.Data;
using Mentoring.Server.Pairs;
using Mentoring.Server.Setup;
using Mentoring.Server.SupportNetworks;
using Mentoring.Server.Visits;
using Mentoring.Server.Web;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Pages.Visits;

/// <summary>A study visit's page (/pairs/{pairId}/visits/{itemId}): the coordinators of the group's two cities and the
/// facilitator propose it with its plan, change the plan, report it and tick next steps off; the same commands as the
/// API's, with the form's key.</summary>
[Authorize]
public sealed class VisitModel(IDbContextFactory<MentoringDb> dbs, WorkItemCommands commands, StudyVisitRows rows, Texts text, TimeProvider clock)
    : PageModel
{
    public VisitDetailView Visit { get; private set; } = null!;
    public IReadOnlyList<(string Id, string Name, string TimeZone)> Cities { get; private set; } = [];
    public IReadOnlyList<(Guid Id, string Name, string Organisation, string CityId)> Candidates { get; private set; } = [];
    public string FormKey { get; } = PageCommands.NewKey();
    public string? Error { get; private set; }

    public async Task<IActionResult> OnGetAsync(Guid pairId, Guid itemId, CancellationToken ct) => await LoadAsync(pairId, itemId, ct) ?? Page();

    public Task<IActionResult> OnPostProposalAsync(Guid pairId, Guid itemId, string? key, DateOnly? start, DateOnly? end, string? format,
        string? hostCity, string? agenda, string?[] sessionDate, string?[] sessionStarts, string?[] sessionEnds, string?[] sessionTitle,
        string?[] sessionPlace, string?[] sessionLink, Guid[] participants, string? delegation, CancellationToken ct)
    {
        var plan = Plan(start, end, format, hostCity, agenda, sessionDate, sessionStarts, sessionEnds, sessionTitle, sessionPlace, sessionLink,
            participants, delegation);
        return CommandAsync(pairId, itemId, key, new ProposeStudyVisitCommand(itemId, plan), ct);
    }

    public async Task<IActionResult> OnPostPlanAsync(Guid pairId, Guid itemId, DateOnly? start, DateOnly? end, string? format,
        string? hostCity, string? agenda, string?[] sessionDate, string?[] sessionStarts, string?[] sessionEnds, string?[] sessionTitle,
        string?[] sessionPlace, string?[] sessionLink, Guid[] participants, string? delegation, CancellationToken ct)
    {
        var plan = Plan(start, end, format, hostCity, agenda, sessionDate, sessionStarts, sessionEnds, sessionTitle, sessionPlace, sessionLink,
            participants, delegation);
        var result = await ProgrammeAdmin.InTransactionAsync(dbs, db => StudyVisit.UpdateAsync(db, User, pairId, itemId, plan, rows, clock.GetUtcNow(), ct), ct);
        return await AfterAsync(pairId, itemId, result.Outcome, result.Errors, result.Detail, ct);
    }

    public Task<IActionResult> OnPostReportAsync(Guid pairId, Guid itemId, string? key, string? seen, string? learnt, string?[] stepText,
        string?[] stepOwner, DateOnly?[] stepDue, CancellationToken ct)
    {
        var steps = stepText.Select((t, i) => (t, i)).Where(x => !string.IsNullOrWhiteSpace(x.t))
            .Select(x => new NextStepRequest(x.t, x.i < stepOwner.Length ? stepOwner[x.i] : null, null, x.i < stepDue.Length ? stepDue[x.i] : null)).ToList();
        return CommandAsync(pairId, itemId, key, new ReportStudyVisitCommand(itemId, new VisitReportRequest(seen, learnt, steps)), ct);
    }

    public async Task<IActionResult> OnPostTickAsync(Guid pairId, Guid itemId, Guid stepId, bool done, CancellationToken ct)
    {
        var result = await ProgrammeAdmin.InTransactionAsync(dbs, db => StudyVisit.TickAsync(db, User, pairId, itemId, stepId, done, clock.GetUtcNow(), ct), ct);
        return await AfterAsync(pairId, itemId, result.Outcome, result.Errors, result.Detail, ct);
    }

    private static VisitPlanRequest Plan(DateOnly? start, DateOnly? end, string? format, string? hostCity, string? agenda, string?[] dates,
        string?[] starts, string?[] ends, string?[] titles, string?[] places, string?[] links, Guid[] participants, string? delegation)
    {
        static string? At(string?[] values, int i) => i < values.Length && !string.IsNullOrWhiteSpace(values[i]) ? values[i] : null;
        var sessions = Enumerable.Range(0, dates.Length)
            .Where(i => At(dates, i) is not null || At(titles, i) is not null)
            .Select(i => new VisitSessionRequest(DateOnly.TryParse(At(dates, i), out var d) ? d : null, At(starts, i), At(ends, i), At(titles, i),
                At(places, i), At(links, i))).ToList();
        var members = (delegation ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split(';', StringSplitOptions.TrimEntries))
            .Select(p => new DelegateRequest(p[0], p.Length > 1 ? p[1] : null, p.Length > 2 ? p[2] : null)).ToList();
        // A one-day visit (an online session, a day in the host city) is entered with its first day only.
        return new VisitPlanRequest(start, end ?? start, format, hostCity, agenda, sessions, participants, members);
    }

    private async Task<IActionResult> CommandAsync(Guid pairId, Guid itemId, string? key, WorkItemCommand command, CancellationToken ct)
    {
        var result = await commands.RunAsync(pairId, command, User, key, ct);
        if (result.Succeeded) return Redirect($"/pairs/{pairId}/visits/{itemId}");
        if (await LoadAsync(pairId, itemId, ct) is { } refused) return refused;
        Error = result.Errors is { Count: > 0 } errors ? string.Join(" ", errors.SelectMany(e => e.Value)) : PageCommands.Message(result, text);
        return Page();
    }

    private async Task<IActionResult> AfterAsync(Guid pairId, Guid itemId, AdminOutcome outcome, IReadOnlyDictionary<string, string[]>? errors,
        string? detail, CancellationToken ct)
    {
        if (outcome == AdminOutcome.Done) return Redirect($"/pairs/{pairId}/visits/{itemId}");
        if (await LoadAsync(pairId, itemId, ct) is { } refused) return refused;
        Error = errors is { Count: > 0 } ? string.Join(" ", errors.SelectMany(e => e.Value)) : detail;
        return Page();
    }

    private async Task<IActionResult?> LoadAsync(Guid pairId, Guid itemId, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var (scope, refusal) = await StudyVisit.ScopeAsync<VisitDetailView>(db, User, pairId, itemId, ct);
        if (scope is null) return refusal!.Outcome == AdminOutcome.Forbidden ? Forbid() : NotFound();
        Visit = await StudyVisit.ViewAsync(db, User, scope, ct);
        var ids = scope.Members.Select(m => m.CityId).ToList();
        Cities = (await db.Cities.AsNoTracking().Where(c => ids.Contains(c.Id)).OrderBy(c => c.Name).ToListAsync(ct))
            .Select(c => (c.Id, c.Name, c.TimeZone)).ToList();
        Candidates = (await (from p in db.Set<SupportPerson>().AsNoTracking()
                             join o in db.Set<SupportOrganisation>() on p.OrganisationId equals o.Id
                             where p.ProgrammeId == scope.Group.ProgrammeId && ids.Contains(p.CityId) && p.WithdrawnAt == null && p.Name != null
                                   && db.Set<SupportConsent>().Any(c => c.PersonId == p.Id && c.WithdrawnAt == null)
                             select new { p.Id, p.Name, Organisation = o.Name, p.CityId }).ToListAsync(ct))
            .OrderBy(p => p.CityId).ThenBy(p => p.Name).Select(p => (p.Id, p.Name!, p.Organisation, p.CityId)).ToList();
        return null;
    }
}
