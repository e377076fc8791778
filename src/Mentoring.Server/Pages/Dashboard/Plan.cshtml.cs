using Mentoring.Server.Auth;
using System.Globalization;
using Mentoring.Server.Data;
using Mentoring.Server.Pairs;
using Mentoring.Server.Plans;
using Mentoring.Server.Programme;
using Mentoring.Server.Web;
using Mentoring.Server.Workflows;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Pages.Dashboard;

/// <summary>A group to choose, with its one-line name (<see cref="GroupNames.Line"/>).</summary>
public sealed record PairChoice(Guid Id, int Number, string Members);

public sealed record LateChoice(string Value, string Label);

/// <summary>The facilitator's plan tools: shift the plan, pause and resume the programme, record what already happened.
/// Plain forms (no script needed), each sent down <see cref="PlanService"/> with its own Idempotency-Key.</summary>
[Authorize(Roles = PersonRoles.Facilitator)]
public sealed class PlanModel(IDbContextFactory<MentoringDb> dbs, PlanService plans, Texts text, DefinitionStore definitions,
    Microsoft.Extensions.Options.IOptions<WebOptions> options) : FormPage
{
    public ProgrammeTerms Terms { get; private set; } = ProgrammeTerms.None;
    public PauseState Pauses { get; private set; } = new(null, []);
    public IReadOnlyList<PairChoice> Pairs { get; private set; } = [];
    public IReadOnlyList<LateChoice> Visits { get; private set; } = [];
    public IReadOnlyList<LateChoice> ProgrammeTasks { get; private set; } = [];
    public IReadOnlyList<string> Cities { get; private set; } = [];

    public Task OnGetAsync(CancellationToken ct) => LoadAsync(ct);

    public Task<IActionResult> OnPostShiftAsync(string? scope, string? days, string? toDate, string? reason, string? key, CancellationToken ct) =>
        ActAsync(key, async () =>
        {
            int? by = int.TryParse(days, NumberStyles.Integer, CultureInfo.InvariantCulture, out var d) ? d : null;
            DateOnly? to = DateOnly.TryParseExact(toDate, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var t) ? t : null;
            if (!string.IsNullOrWhiteSpace(days) && by is null) return text["Give the number of days as a whole number."];
            var body = new ShiftPlanRequest(by, to, null, reason);
            var caller = PlanCaller.From(User);
            return PlansApi.Message(Guid.TryParse(scope, out var pairId)
                ? await plans.ShiftPairAsync(caller, pairId, body, KeyFor(body), ct)
                : await plans.ShiftProgrammeAsync(caller, body, KeyFor(body), ct));
        }, ct);

    public Task<IActionResult> OnPostPauseAsync(string? reason, string? key, CancellationToken ct) =>
        ActAsync(key, async () =>
        {
            var body = new PauseRequest(reason);
            return PlansApi.Message(await plans.PauseAsync(PlanCaller.From(User), body, KeyFor(body), ct));
        }, ct);

    public Task<IActionResult> OnPostResumeAsync(bool moveDueDates, string? reason, string? key, CancellationToken ct) =>
        ActAsync(key, async () =>
        {
            var body = new ResumeRequest(moveDueDates, reason);
            return PlansApi.Message(await plans.ResumeAsync(PlanCaller.From(User), body, KeyFor(body), ct));
        }, ct);

    public Task<IActionResult> OnPostVisitAsync(string? visit, string? date, string? host, string? participants, string? key,
        CancellationToken ct) =>
        ActAsync(key, async () =>
        {
            if (visit?.Split('/') is not [var pair, var item] || !Guid.TryParse(pair, out var pairId) || !Guid.TryParse(item, out var itemId))
                return text["Choose the study visit."];
            var names = (participants ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var body = new RecordVisitLateRequest(Day(date), host, names);
            return PlansApi.Message(await plans.RecordVisitAsync(PlanCaller.From(User), pairId, itemId, body, KeyFor(body), ct));
        }, ct);

    public Task<IActionResult> OnPostTaskAsync(Guid itemId, string? date, string? note, string? link, IFormFile? file, string? key,
        CancellationToken ct) =>
        ActAsync(key, async () =>
        {
            Uploads.PendingUpload? upload = null;
            if (file is { Length: > 0 })
            {
                var read = await Uploads.UploadedFiles.ReadAsync(file, options.Value.MaxUploadBytes, text, ct);
                if (read.Error is not null) return read.Error;
                upload = read.Upload;
            }

            // The body without the file, for the key's fingerprint; the file is stored with the record, in its transaction.
            var body = new RecordTaskLateRequest(Day(date), note, link, null, null);
            return PlansApi.Message(await plans.RecordTaskAsync(PlanCaller.From(User), null, itemId, body, KeyFor(body), ct, upload));
        }, ct);

    private static DateOnly? Day(string? value) =>
        DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) ? day : null;

    protected override string PagePath => "/dashboard/plan";

    protected override async Task LoadAsync(CancellationToken ct)
    {
        Pauses = (await plans.PausesAsync(PlanCaller.From(User), ct)).Response ?? new PauseState(null, []);
        await using var db = await dbs.CreateDbContextAsync(ct);
        var programmeId = User.ProgrammeId();
        var groups = await db.Groups.AsNoTracking().Where(g => g.ProgrammeId == programmeId).OrderBy(g => g.Number).ToListAsync(ct);
        var names = await GroupNames.LoadAsync(db, groups.Select(g => g.Id).ToList(), ct, definitions.Catalog);
        Terms = await ProgrammeTerms.ForPageAsync(HttpContext, dbs);
        Pairs = groups.Select(g => new PairChoice(g.Id, g.Number, names[g.Id].Line)).ToList();
        var visits = await (from item in db.WorkItems
                where item.Status == WorkItemStatus.Open && item.Kind == "study-visit"
                      && item.VisitPhase != "held" && item.VisitPhase != "reported"
                join pair in db.Groups on item.InstanceId equals pair.InstanceId
                where pair.ProgrammeId == programmeId
                orderby pair.Number
                select new { PairId = pair.Id, pair.Number, ItemId = item.Id, item.Title })
            .AsNoTracking().ToListAsync(ct);
        Visits = visits.Select(v => new LateChoice($"{v.PairId}/{v.ItemId}", $"{Terms.Numbered(v.Number)}: {text.DefinitionText(v.Title)}")).ToList();
        var programmeInstance = await db.Programmes.Where(p => p.Id == programmeId).Select(p => p.ProgrammeInstanceId).FirstOrDefaultAsync(ct);
        ProgrammeTasks = await db.WorkItems.AsNoTracking()
            .Where(w => w.InstanceId == programmeInstance && w.Status == WorkItemStatus.Open && w.Kind == "task")
            .OrderBy(w => w.OpenedAt).Select(w => new LateChoice(w.Id.ToString(), w.Title)).ToListAsync(ct);
        ProgrammeTasks = ProgrammeTasks.Select(t => t with { Label = text.DefinitionText(t.Label) }).ToList();
        Cities = await db.Cities.AsNoTracking().OrderBy(c => c.Name).Select(c => c.Name).ToListAsync(ct);
    }
}
