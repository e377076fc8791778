using Mentoring.Server.Benchmarks.Scores;
using Mentoring.Server.Data;
using Mentoring.Server.Web;
using Mentoring.Server.Workflows;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Pages.Benchmarks;

/// <summary>The mentee's self-scores at one moment (/pairs/{id}/benchmark/scores/{baseline|review}): a form for the
/// mentee city's coordinators, the scores as a table for everyone else who follows the pair. The form goes through the
/// same writer as the API, once per form key.</summary>
[Authorize]
public sealed class ScoresModel(IDbContextFactory<MentoringDb> dbs, Texts text, TimeProvider clock) : PageModel
{
    public ScoreSheet Sheet { get; private set; } = null!;
    public ScoreMoment Moment { get; private set; }
    public string FormKey { get; } = PageCommands.NewKey();
    public string? Error { get; private set; }
    public IReadOnlyDictionary<string, string[]> FieldErrors { get; private set; } = new Dictionary<string, string[]>();

    /// <summary>What was sent, shown again with a refusal so nothing typed is lost.</summary>
    public IReadOnlyDictionary<Guid, (string Score, string Comment)> Sent { get; private set; } = new Dictionary<Guid, (string, string)>();

    private string Words(string key) => text[key];

    public Task<IActionResult> OnGetAsync(Guid id, string moment, CancellationToken ct) => ShowAsync(id, moment, ct);

    public async Task<IActionResult> OnPostAsync(Guid id, string moment, string? key, int? version, CancellationToken ct)
    {
        if (ScoreRules.Moment(moment) is not { } at) return NotFound();
        var sent = new Dictionary<Guid, (string Score, string Comment)>();
        foreach (var field in Request.Form.Keys.Where(k => k.StartsWith("score-", StringComparison.Ordinal)))
            if (Guid.TryParse(field["score-".Length..], out var factor))
                sent[factor] = (Request.Form[field].ToString(), Request.Form[$"comment-{factor}"].ToString());
        Sent = sent;
        // A factor left without a score and without a comment is not scored; a comment without a score is refused.
        var entries = sent.Where(s => s.Value.Score.Length > 0 || s.Value.Comment.Trim().Length > 0)
            .Select(s => new ScoreEntry(s.Key, int.TryParse(s.Value.Score, out var score) ? score : null, s.Value.Comment)).ToList();
        var body = new ScoreSheetBody(version, entries);
        if (HttpContext.FormKey(key, body) is not { } formKey) return await RefusedAsync(id, moment, text["The form is out of date: reload the page and try again."], 422, ct);
        var outcome = await ScoresApi.SaveAsync(dbs, formKey, clock, db => ScoreSheets.SaveAsync(db, User, id, at, body, clock.GetUtcNow(), Words, ct), ct);
        switch (outcome.Kind)
        {
            case IdempotentKind.Done or IdempotentKind.Replayed:
                TempData["Message"] = text["The scores are saved."];
                return Redirect($"/pairs/{id}#benchmark-scores");
            case IdempotentKind.KeyReused:
                return await RefusedAsync(id, moment, text["The form is out of date: reload the page and try again."], 422, ct);
            case IdempotentKind.InFlight:
                return await RefusedAsync(id, moment, text[Idempotency.InFlightMessage], 409, ct);
        }

        var refusal = (ScoreResult<ScoreSheet>)outcome.Refusal!;
        switch (refusal.Outcome)
        {
            case ScoreOutcome.NotFound: return NotFound();
            case ScoreOutcome.Forbidden: return Forbid();
            case ScoreOutcome.Invalid:
                FieldErrors = Fields(refusal.Errors!, entries);
                return await RefusedAsync(id, moment, refusal.Title, 400, ct);
            default:
                // A lost race's detail is the writer's English (it comes from outside the words passed); the others are in words already.
                return await RefusedAsync(id, moment, text[refusal.Detail ?? refusal.Title ?? ""], 409, ct);
        }
    }

    /// <summary>The writer names fields by their place in the list sent (<c>scores[2].score</c>); the form by factor.</summary>
    private static Dictionary<string, string[]> Fields(IReadOnlyDictionary<string, string[]> errors, IReadOnlyList<ScoreEntry> entries)
    {
        var fields = new Dictionary<string, string[]>();
        foreach (var (field, messages) in errors)
        {
            var match = System.Text.RegularExpressions.Regex.Match(field, @"^scores\[(\d+)\]\.?(\w*)$");
            var name = match.Success && int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) is var i && i < entries.Count
                ? $"{(match.Groups[2].Value == "comment" ? "comment" : "score")}-{entries[i].Factor}"
                : "";
            fields[name] = [.. fields.GetValueOrDefault(name, []), .. messages];
        }

        return fields;
    }

    private async Task<IActionResult> RefusedAsync(Guid id, string moment, string? error, int status, CancellationToken ct)
    {
        var shown = await ShowAsync(id, moment, ct);
        if (shown is not PageResult) return shown;
        Error = error;
        Response.StatusCode = status;
        return shown;
    }

    private async Task<IActionResult> ShowAsync(Guid id, string moment, CancellationToken ct)
    {
        if (ScoreRules.Moment(moment) is not { } at) return NotFound();
        Moment = at;
        await using var db = await dbs.CreateDbContextAsync(ct);
        var read = await ScoreSheets.ReadAsync(db, User, id, at, Words, ct);
        switch (read.Outcome)
        {
            case ScoreOutcome.Forbidden: return Forbid();
            case ScoreOutcome.Done: break;
            default: return NotFound();
        }

        Sheet = read.Value!;
        return Page();
    }
}
