using Mentoring.Server.ActionPlans;
using Mentoring.Server.Benchmarks;
using Mentoring.Server.Data;
using Mentoring.Server.Pairs;
using Mentoring.Server.Practices;
using Mentoring.Server.Programme;
using Mentoring.Server.Web;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Mentoring.Server.Pages.ActionPlans;

/// <summary>A group's action plan (/pairs/{id}/action-plan): the mentee city's forms for the plan, its objectives and
/// actions, freezing a version and recording the endorsement; the mentor's and the facilitator's comments per action; the
/// versions and what changed between any two. The forms post the same typed commands as the API.</summary>
[Authorize]
public sealed class PlanModel(IDbContextFactory<MentoringDb> dbs, ActionPlanCommands commands, Texts texts, IOptions<WebOptions> options,
    Workflows.DefinitionStore definitions) : PageModel
{
    public ActionPlanView Plan { get; private set; } = null!;
    public string GroupLine { get; private set; } = "";
    public IReadOnlyList<KeyFactorView> Factors { get; private set; } = [];
    public IReadOnlyList<(Guid Id, string Title)> Practices { get; private set; } = [];
    public PlanDiff? Diff { get; private set; }
    public string? From { get; private set; }
    public string? To { get; private set; }
    public string FormKey { get; } = PageCommands.NewKey();
    public string? Error { get; private set; }

    public async Task<IActionResult> OnGetAsync(Guid id, string? from, string? to, CancellationToken ct)
    {
        if (await ShowAsync(id, ct) is { } refused) return refused;
        if (!string.IsNullOrEmpty(from) && !string.IsNullOrEmpty(to))
        {
            var diff = await commands.DiffAsync(User, id, from, to, ct);
            if (diff.Outcome == PlanOutcome.Done) (Diff, From, To) = (diff.Value, from, to);
            else Error = texts["There is no such version to compare."];
        }

        return Page();
    }

    public async Task<IActionResult> OnPostPlanAsync(Guid id, string? language, string? context, string? needs, int? revision, string? key,
        CancellationToken ct)
    {
        var request = new PlanRequest(language, context ?? "", needs ?? "", revision);
        return await AnswerAsync(id, await commands.EditPlanAsync(User, id, request, HttpContext.FormKey(key, request), ct), ct);
    }

    public async Task<IActionResult> OnPostObjectiveAsync(Guid id, Guid? objectiveId, string? title, string? description, List<Guid>? keyFactors,
        int? revision, string? key, CancellationToken ct)
    {
        var request = new ObjectiveRequest(title, description, keyFactors ?? [], revision);
        var formKey = HttpContext.FormKey(key, new { objectiveId, request });
        return await AnswerAsync(id, objectiveId is { } existing
            ? await commands.EditObjectiveAsync(User, id, existing, request, formKey, ct)
            : await commands.AddObjectiveAsync(User, id, request, formKey, ct), ct);
    }

    public async Task<IActionResult> OnPostActionAsync(Guid id, Guid? actionId, Guid? objectiveId, string? title, string? description, Guid? practiceId,
        string? activities, DateOnly? start, DateOnly? end, string? responsible, string? partners, decimal? cost, string? fundingSource, string? status,
        List<string>? indicatorName, List<string>? indicatorBaseline, List<string>? indicatorTarget, List<string>? indicatorUnit,
        List<string>? risk, List<string>? mitigation, int? revision, string? key, CancellationToken ct)
    {
        var indicators = new List<IndicatorRequest>();
        for (var i = 0; i < (indicatorName?.Count ?? 0); i++)
        {
            var (baseline, target, unit) = (At(indicatorBaseline, i), At(indicatorTarget, i), At(indicatorUnit, i));
            if (string.IsNullOrWhiteSpace(indicatorName![i]) && baseline.Length == 0 && target.Length == 0 && unit.Length == 0) continue;
            if (Number(baseline) is not (true, var b) || Number(target) is not (true, var t))
                return await RefuseAsync(id, texts["An indicator's baseline and target are numbers."], ct);
            indicators.Add(new IndicatorRequest(indicatorName[i], b, t, unit));
        }

        var risks = new List<RiskRequest>();
        for (var i = 0; i < (risk?.Count ?? 0); i++)
            if (!string.IsNullOrWhiteSpace(risk![i]) || At(mitigation, i).Length > 0) risks.Add(new RiskRequest(risk[i], At(mitigation, i)));
        var request = new ActionRequest(objectiveId, title, description, practiceId,
            (activities ?? "").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList(), start, end, responsible, partners, cost,
            fundingSource, indicators, risks, status, revision);
        var formKey = HttpContext.FormKey(key, new { actionId, request });
        return await AnswerAsync(id, actionId is { } existing
            ? await commands.EditActionAsync(User, id, existing, request, formKey, ct)
            : await commands.AddActionAsync(User, id, request, formKey, ct), ct);
    }

    public async Task<IActionResult> OnPostRemoveActionAsync(Guid id, Guid actionId, int? revision, string? key, CancellationToken ct) =>
        await AnswerAsync(id, await commands.RemoveActionAsync(User, id, actionId, revision, HttpContext.FormKey(key, new { actionId, revision }), ct), ct);

    public async Task<IActionResult> OnPostFreezeAsync(Guid id, string? label, int? revision, string? key, CancellationToken ct)
    {
        var request = new FreezeRequest(label, revision);
        return await AnswerAsync(id, await commands.FreezeAsync(User, id, request, HttpContext.FormKey(key, request), ct), ct);
    }

    public async Task<IActionResult> OnPostCommentAsync(Guid id, Guid actionId, string? version, string? text, string? key, CancellationToken ct)
    {
        var request = new ActionCommentRequest(text, version);
        return await AnswerAsync(id, await commands.CommentAsync(User, id, actionId, request, HttpContext.FormKey(key, new { actionId, request }), ct), ct,
            $"#action-{actionId}");
    }

    public async Task<IActionResult> OnPostEndorseAsync(Guid id, DateOnly? endorsedOn, string? body, IFormFile? document, string? key, CancellationToken ct)
    {
        var request = new EndorsementRequest(endorsedOn, body);
        Uploads.PendingUpload? upload = null;
        if (document is { Length: > 0 })
        {
            var read = await Uploads.UploadedFiles.ReadAsync(document, options.Value.MaxUploadBytes, texts, ct);
            if (read.Error is not null) return await RefuseAsync(id, read.Error, ct);
            upload = read.Upload;
        }

        var formKey = HttpContext.FormKey(key, new { request, file = upload?.FileName, size = upload?.Content.Length });
        return await AnswerAsync(id, await commands.EndorseAsync(User, id, request, upload, formKey, ct), ct);
    }

    private static string At(List<string>? values, int i) => values is not null && i < values.Count ? values[i]?.Trim() ?? "" : "";

    private static (bool Ok, decimal? Value) Number(string text) =>
        text.Length == 0 ? (true, null)
        : decimal.TryParse(text.Replace(',', '.'), System.Globalization.NumberStyles.Number, System.Globalization.CultureInfo.InvariantCulture, out var value)
            ? (true, value) : (false, null);

    private async Task<IActionResult> AnswerAsync(Guid id, PlanResult<PlanChange> result, CancellationToken ct, string anchor = "")
    {
        switch (result.Outcome)
        {
            case PlanOutcome.Done:
                TempData["Message"] = texts["Saved."];
                return Redirect($"/pairs/{id}/action-plan{anchor}");
            case PlanOutcome.NotFound when result.Detail?.StartsWith("There is no group", StringComparison.Ordinal) == true: return NotFound();
            case PlanOutcome.Forbidden: return Forbid();
            case PlanOutcome.Conflict when result.Detail == ActionPlanCommands.Stale:
                // Saved by someone else meanwhile: the page shows the plan as it is now, and says the change was not made.
                return await RefuseAsync(id, texts["action-plan-stale"], ct, StatusCodes.Status409Conflict);
        }

        return await RefuseAsync(id, result.Outcome switch
        {
            PlanOutcome.Invalid => string.Join(" ", (result.Errors ?? new Dictionary<string, string[]>()).SelectMany(e => e.Value).Select(m => texts[m])),
            PlanOutcome.KeyMissing or PlanOutcome.KeyReused => texts["The form is out of date: reload the page and try again."],
            _ => texts[result.Detail ?? ""],
        }, ct);
    }

    private async Task<IActionResult> RefuseAsync(Guid id, string error, CancellationToken ct, int status = StatusCodes.Status422UnprocessableEntity)
    {
        if (await ShowAsync(id, ct) is { } refused) return refused;
        Error = error;
        Response.StatusCode = status;
        return Page();
    }

    private async Task<IActionResult?> ShowAsync(Guid id, CancellationToken ct)
    {
        var opened = await commands.OpenAsync(User, id, ct);
        if (opened.Outcome == PlanOutcome.NotFound) return NotFound();
        if (opened.Outcome != PlanOutcome.Done) return Forbid();
        Plan = opened.Value!;
        await using var db = await dbs.CreateDbContextAsync(ct);
        GroupLine = await ActionPlanExports.GroupLineAsync(db, definitions, User, id, Texts.Language, ct);
        Factors = (await BenchmarkQueries.ForGroupAsync(db, id, ct))?.Factors ?? [];
        Practices = (await db.Set<Practice>().AsNoTracking().Where(p => p.ProgrammeId == Plan.ProgrammeId && p.Status == PracticeStatus.Published)
                .Select(p => new { p.Id, p.Title }).ToListAsync(ct))
            .OrderBy(p => p.Title, StringComparer.CurrentCultureIgnoreCase).Select(p => (p.Id, p.Title)).ToList();
        return null;
    }

    public string PracticeTitle(Guid? id) => id is { } p ? Practices.FirstOrDefault(x => x.Id == p).Title ?? "" : "";

    public string FactorTitle(Guid id) => Factors.FirstOrDefault(f => f.Id == id)?.Title ?? "";

    /// <summary>"Draft" for draft, consolidated and reviewed, in the reader's language; any other label as it is.</summary>
    public string LabelName(string label) => ActionPlanExports.LabelName(label, texts);
}
