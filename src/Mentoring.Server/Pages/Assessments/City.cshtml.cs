using Mentoring.Server.Assessments;
using Mentoring.Server.Auth;
using Mentoring.Server.Data;
using Mentoring.Server.Web;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Pages.Assessments;

/// <summary>
/// One city's needs assessment (/programmes/{id}/assessment, the reader's own city; .../assessment/{city} any city the
/// API lets them read): the questionnaire by sections for its coordinator to save as a draft and submit, read-only once
/// submitted, and, once the facilitator shares them, the other cities' submitted answers. Every read and change goes
/// through <see cref="AssessmentCommands"/>, so the page allows exactly what the API allows.
/// </summary>
[Authorize]
public sealed class CityModel(IDbContextFactory<MentoringDb> dbs, AssessmentCommands commands, Texts text, TimeProvider clock) : PageModel
{
    public string ProgrammeId { get; private set; } = "";
    public Questionnaire Questionnaire { get; private set; } = null!;
    public AssessmentView View { get; private set; } = null!;

    /// <summary>The answers the form shows: the stored ones, or the ones just sent when they were refused.</summary>
    public IReadOnlyDictionary<string, AssessmentAnswer> Answers { get; private set; } = new Dictionary<string, AssessmentAnswer>();

    /// <summary>What is wrong with a question's answer, by question id.</summary>
    public Dictionary<string, string> Problems { get; } = new(StringComparer.Ordinal);

    public string? Error { get; private set; }

    /// <summary>The other cities whose submitted answers the reader may read (once the facilitator shared them).</summary>
    public IReadOnlyList<(string Id, string Name)> SharedCities { get; private set; } = [];

    public string FormKey { get; } = PageCommands.NewKey();
    public bool Facilitator => User.SeesWholeProgramme();

    public async Task<IActionResult> OnGetAsync(string id, string? city, CancellationToken ct)
    {
        if (city is null && User.CityId() is null && User.SeesWholeProgramme()) return Redirect(AssessmentPage.OverviewPath(id));
        return await LoadAsync(id, city, null, ct) ?? Page();
    }

    public async Task<IActionResult> OnPostSaveAsync(string id, string? city, CancellationToken ct)
    {
        if (await LoadAsync(id, city, null, ct) is { } refused) return refused;
        var sent = Sent();
        var saved = await commands.SaveAsync(User, id, View.CityId, sent, ct);
        if (saved.Outcome == AssessmentOutcome.Done)
        {
            TempData["Message"] = text["Saved as a draft: it is not submitted yet."];
            return Redirect(AssessmentPage.CityPath(id, View.CityId));
        }

        return await RefusedAsync(id, saved, sent, ct);
    }

    /// <summary>Submits the answers sent. Refused for unanswered required questions, the answers are still saved as the
    /// draft, so nothing typed is lost, and the page names the questions.</summary>
    public async Task<IActionResult> OnPostSubmitAsync(string id, string? city, string? key, CancellationToken ct)
    {
        if (await LoadAsync(id, city, null, ct) is { } refused) return refused;
        var sent = Sent();
        if (HttpContext.FormKey(key, new { city = View.CityId, sent.Answers }) is not { } formKey)
            return await ShowAsync(id, text["The form is out of date: reload the page and try again."], StatusCodes.Status422UnprocessableEntity, sent, ct);
        var outcome = await AssessmentsApi.OnceAsync(dbs, formKey, clock, db => commands.SubmitAsync(db, User, id, View.CityId, sent, ct), ct);
        if (AssessmentPage.NotDone(outcome, text) is not { } error)
        {
            TempData["Message"] = text["Submitted. The assessment is read-only now; the facilitator may reopen it."];
            return Redirect(AssessmentPage.CityPath(id, View.CityId));
        }

        if (outcome.Refusal is AssessmentResult<AssessmentView> { Outcome: AssessmentOutcome.Invalid } invalid
            && invalid.Errors?.Values.All(e => e.SequenceEqual([AssessmentCommands.AnsweredRequired])) == true)
        {
            var draft = await commands.SaveAsync(User, id, View.CityId, sent, ct);
            if (draft.Outcome != AssessmentOutcome.Done) return await RefusedAsync(id, draft, sent, ct);
        }

        return outcome.Refusal is AssessmentResult<AssessmentView> result
            ? await RefusedAsync(id, result, sent, ct)
            : await ShowAsync(id, error, StatusCodes.Status409Conflict, sent, ct);
    }

    /// <summary>The facilitator reopens a submitted assessment from its page.</summary>
    public async Task<IActionResult> OnPostReopenAsync(string id, string? city, string? key, CancellationToken ct)
    {
        if (await LoadAsync(id, city, null, ct) is { } refused) return refused;
        if (HttpContext.FormKey(key, new { city = View.CityId }) is not { } formKey)
            return await ShowAsync(id, text["The form is out of date: reload the page and try again."], StatusCodes.Status422UnprocessableEntity, null, ct);
        var outcome = await AssessmentsApi.OnceAsync(dbs, formKey, clock, db => commands.ReopenAsync(db, User, id, View.CityId, ct), ct);
        if (outcome.Refusal is AssessmentResult<AssessmentView> { Outcome: AssessmentOutcome.Forbidden }) return Forbid();
        if (AssessmentPage.NotDone(outcome, text) is { } error) return await ShowAsync(id, error, StatusCodes.Status409Conflict, null, ct);
        TempData["Message"] = text["Reopened: the city may change its answers and submit again."];
        return Redirect(AssessmentPage.CityPath(id, View.CityId));
    }

    private async Task<IActionResult> RefusedAsync(string id, AssessmentResult<AssessmentView> result, SaveAssessmentRequest sent, CancellationToken ct)
    {
        switch (result.Outcome)
        {
            case AssessmentOutcome.NotFound: return NotFound();
            case AssessmentOutcome.Forbidden: return Forbid();
        }

        foreach (var (field, messages) in result.Errors ?? new Dictionary<string, string[]>())
            Problems[field.StartsWith("answers.", StringComparison.Ordinal) ? field["answers.".Length..] : field] = string.Join(" ", messages.Select(m => text[m]));
        var status = result.Outcome == AssessmentOutcome.Invalid ? StatusCodes.Status400BadRequest : StatusCodes.Status409Conflict;
        // A refused submit or save keeps what was typed on the page; a conflict shows the assessment as it is now.
        return await ShowAsync(id, AssessmentPage.Refusal(result, text), status, result.Outcome == AssessmentOutcome.Invalid ? sent : null, ct);
    }

    private async Task<IActionResult> ShowAsync(string id, string error, int status, SaveAssessmentRequest? sent, CancellationToken ct)
    {
        if (await LoadAsync(id, View.CityId, sent, ct) is { } refused) return refused;
        Error = error;
        Response.StatusCode = status;
        return Page();
    }

    /// <summary>The form's answers: <c>a.{question}</c> is a scale's level, a choice's option id (several for
    /// several choices) or a text; a question left blank is unanswered.</summary>
    private SaveAssessmentRequest Sent()
    {
        var answers = new Dictionary<string, AnswerRequest>(StringComparer.Ordinal);
        foreach (var question in Questionnaire.Questions)
        {
            var values = Request.Form["a." + question.Id].Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => v!.Trim()).ToList();
            if (values.Count == 0) continue;
            answers[question.Id] = question.Kind switch
            {
                QuestionKind.Scale => int.TryParse(values[0], out var level) ? new AnswerRequest(level, null, null) : new AnswerRequest(null, null, values[0]),
                QuestionKind.Choice or QuestionKind.Choices => new AnswerRequest(null, values, null),
                _ => new AnswerRequest(null, null, Request.Form["a." + question.Id].ToString().Trim()),
            };
        }

        return new SaveAssessmentRequest(answers);
    }

    /// <summary>The city's assessment as the reader may see it (the API's rules), or the refusal's page.</summary>
    private async Task<IActionResult?> LoadAsync(string id, string? city, SaveAssessmentRequest? sent, CancellationToken ct)
    {
        ProgrammeId = id;
        city ??= User.CityId();
        if (city is null) return Forbid();
        var result = await commands.GetAsync(User, id, city, ct);
        switch (result.Outcome)
        {
            case AssessmentOutcome.NotFound: return NotFound();
            case AssessmentOutcome.Forbidden: return Forbid();
        }

        View = result.Value!;
        Answers = sent?.ToAnswers() ?? View.Answers;
        await using var db = await dbs.CreateDbContextAsync(ct);
        Questionnaire = (await AssessmentQueries.QuestionnaireAsync(db, id, ct))!;
        if (View.Shared)
        {
            var submitted = (await AssessmentQueries.SubmittedAsync(db, id, ct)).Select(a => a.CityId).Where(c => c != View.CityId).ToList();
            SharedCities = (await db.Cities.AsNoTracking().Where(c => submitted.Contains(c.Id)).OrderBy(c => c.Name).Select(c => new { c.Id, c.Name }).ToListAsync(ct))
                .Select(c => (c.Id, c.Name)).ToList();
        }

        return null;
    }
}
