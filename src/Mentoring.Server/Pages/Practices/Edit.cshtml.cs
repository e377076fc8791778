using Mentoring.Server.Auth;
using Mentoring.Server.Data;
using Mentoring.Server.Practices;
using Mentoring.Server.Programme;
using Mentoring.Server.Web;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using AdminOutcome = Mentoring.Server.Setup.AdminOutcome;
using AdminResult = Mentoring.Server.Setup.AdminResult<Mentoring.Server.Practices.PracticeView>;
using ProgrammePage = Mentoring.Server.Pages.Setup.ProgrammePage;

namespace Mentoring.Server.Pages.Practices;

/// <summary>Proposing a practice (/practices/new) or editing one (/practices/{id}/edit), through the same commands as the API.</summary>
[Authorize]
public sealed class EditModel(IDbContextFactory<MentoringDb> dbs, Texts text, TimeProvider clock) : PageModel
{
    public Guid? Id { get; private set; }
    public PracticeForm Form { get; private set; } = new();
    public string FormKey { get; } = PageCommands.NewKey();
    public string? Error { get; private set; }

    public async Task<IActionResult> OnGetAsync(Guid? id, CancellationToken ct)
    {
        Id = id;
        if (id is null) return User.SeesWholeProgramme() || User.IsInRole(PersonRoles.Coordinator) ? Page() : Forbid();
        await using var db = await dbs.CreateDbContextAsync(ct);
        if (await PracticeLibrary.GetAsync(db, User, User.ProgrammeId(), id.Value, ct) is not { } practice) return NotFound();
        if (!practice.MayEdit) return Forbid();
        Form = PracticeForm.Of(practice);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(Guid? id, string? key, [FromForm] PracticeForm form, CancellationToken ct)
    {
        Id = id;
        Form = form;
        var request = form.Request();
        var errors = Inputs.Input.Check(request, clock.GetUtcNow());
        if (errors.Count > 0) return Refused(string.Join(" ", errors.Select(e => e.Format(k => text[k]))), StatusCodes.Status400BadRequest);
        var programmeId = User.ProgrammeId();
        AdminResult result;
        try
        {
            if (id is null)
            {
                if (HttpContext.FormKey(key, request) is not { } formKey) return Refused(text["The form is out of date: reload the page and try again."], 422);
                var outcome = await PracticesApi.RunAsync(dbs, formKey, clock, db => Task.FromResult(PracticeLibrary.Propose(db, User, programmeId, request, clock.GetUtcNow())), ct);
                result = outcome.Kind is Workflows.IdempotentKind.Done or Workflows.IdempotentKind.Replayed ? AdminResult.Done(outcome.Response!)
                    : outcome.Refusal as AdminResult ?? AdminResult.Conflict(Workflows.Idempotency.InFlightMessage);
            }
            else
            {
                result = await Mentoring.Server.Setup.ProgrammeAdmin.InTransactionAsync(dbs,
                    db => PracticeLibrary.UpdateAsync(db, User, programmeId, id.Value, request, clock.GetUtcNow(), ct), ct);
            }
        }
        catch (DbUpdateConcurrencyException)
        {
            result = AdminResult.Conflict(PracticesApi.ChangedMeanwhile);
        }

        switch (result.Outcome)
        {
            case AdminOutcome.Done:
                TempData["Message"] = text["Saved."];
                return Redirect($"/practices/{result.Value!.Id}");
            case AdminOutcome.NotFound:
                return NotFound();
            case AdminOutcome.Forbidden:
                return Forbid();
            default:
                return Refused(ProgrammePage.Refusal(result, text), result.Outcome == AdminOutcome.Invalid ? 400 : 409);
        }
    }

    private PageResult Refused(string? error, int status)
    {
        Error = error;
        Response.StatusCode = status;
        return Page();
    }
}

/// <summary>The form's fields: lists are one entry per line.</summary>
public sealed class PracticeForm
{
    public string? Title { get; set; }
    public string? City { get; set; }
    public string? Country { get; set; }
    public string? Language { get; set; } = "en";
    public string? Summary { get; set; }
    public string? Achieves { get; set; }
    public string? RunBy { get; set; }
    public string? Resources { get; set; }
    public string? Results { get; set; }
    public string? Contact { get; set; }
    public string? Languages { get; set; }
    public string? Links { get; set; }
    public string? Themes { get; set; }
    public string? KeyFactors { get; set; }

    private static List<string> Lines(string? text) =>
        (text ?? "").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();

    public PracticeRequest Request() => new(Title, City, Country?.Trim().ToUpperInvariant(), Language, Summary, Achieves, RunBy, Resources,
        Results, Contact, Lines(Languages), Lines(Links), Lines(Themes), Lines(KeyFactors));

    public static PracticeForm Of(PracticeView p) => new()
    {
        Title = p.Title, City = p.City, Country = p.Country, Language = p.Language, Summary = p.Summary, Achieves = p.Achieves, RunBy = p.RunBy,
        Resources = p.Resources, Results = p.Results, Contact = p.Contact, Languages = string.Join("\n", p.Languages),
        Links = string.Join("\n", p.Links), Themes = string.Join("\n", p.Themes), KeyFactors = string.Join("\n", p.KeyFactors),
    };
}
