using Mentoring.Server.Data;
using Mentoring.Server.Outputs;
using Mentoring.Server.Setup;
using Mentoring.Server.SupportNetworks;
using Mentoring.Server.Web;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using ProgrammePage = Mentoring.Server.Pages.Setup.ProgrammePage;

namespace Mentoring.Server.Pages.Outputs;

/// <summary>How the outputs pages read a form into a request: languages as codes separated by commas or spaces, and the
/// checklist only for a one-stop-shop (boxes ticked for another kind are sent, so the refusal names them).</summary>
public static class OutputForm
{
    public static OutputRequest Request(string? title, string? kind, string? ownedBy, string? status, string? link, string? languages,
        List<string>? checklist) =>
        new(title, kind, ownedBy, status, link,
            (languages ?? "").Split([',', ' ', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(l => l.ToLowerInvariant()).ToList(),
            kind == OutputLists.OneStopShop ? checklist ?? [] : checklist is { Count: > 0 } ? checklist : null);

    public static string Path(string programmeId) => $"/programmes/{programmeId}/outputs";
}

/// <summary>The outputs register (/programmes/{id}/outputs): every output of the programme, filtered by kind, status and
/// owner; a coordinator adds their city's, the facilitator any. Changes go through <see cref="OutputRegister"/> with the
/// form's key, as the API's do.</summary>
[Authorize]
public sealed class IndexModel(IDbContextFactory<MentoringDb> dbs, Texts text, TimeProvider clock) : PageModel
{
    public OutputRegisterView Register { get; private set; } = null!;
    public OutputFilter Filter { get; private set; } = new(null, null, null);
    public string FormKey { get; } = PageCommands.NewKey();
    public string? Error { get; private set; }

    public async Task<IActionResult> OnGetAsync(string id, string? kind, string? status, string? city, CancellationToken ct)
    {
        Filter = new OutputFilter(kind, status, city);
        return await ShowAsync(id, null, StatusCodes.Status200OK, ct);
    }

    public async Task<IActionResult> OnPostAsync(string id, string? key, string? title, string? kind, string? ownedBy, string? status, string? link,
        string? languages, List<string>? checklist, CancellationToken ct)
    {
        var request = OutputForm.Request(title, kind, ownedBy, status, link, languages, checklist);
        if (PageCommands.Invalid(request, clock, text) is { } invalid) return await ShowAsync(id, invalid, StatusCodes.Status400BadRequest, ct);
        if (HttpContext.FormKey(key, request) is not { } formKey)
            return await ShowAsync(id, text["The form is out of date: reload the page and try again."], StatusCodes.Status422UnprocessableEntity, ct);
        var outcome = await SupportNetworksApi.RunAsync(dbs, formKey, clock,
            db => OutputRegister.AddAsync(db, User, id, request, clock.GetUtcNow(), ct), ct);
        if (outcome.Kind is Workflows.IdempotentKind.Done or Workflows.IdempotentKind.Replayed)
        {
            TempData["Message"] = text["Saved."];
            return Redirect(OutputForm.Path(id));
        }

        return outcome.Refusal switch
        {
            AdminResult<OutputChange> { Outcome: AdminOutcome.NotFound } => NotFound(),
            AdminResult<OutputChange> { Outcome: AdminOutcome.Forbidden } => Forbid(),
            AdminResult<OutputChange> refused => await ShowAsync(id, ProgrammePage.Refusal(refused, text), StatusCodes.Status400BadRequest, ct),
            _ => await ShowAsync(id, text[Workflows.Idempotency.InFlightMessage], StatusCodes.Status409Conflict, ct),
        };
    }

    /// <summary>The register as filtered, with the form's error if any; another programme's is not there.</summary>
    private async Task<IActionResult> ShowAsync(string id, string? error, int status, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var result = await OutputRegister.ListAsync(db, User, id, Filter, ct);
        if (result.Outcome != AdminOutcome.Done) return NotFound();
        (Register, Error) = (result.Value!, error);
        if (status != StatusCodes.Status200OK) Response.StatusCode = status;
        return Page();
    }
}

/// <summary>One output's edit form (/programmes/{id}/outputs/{outputId}/edit), for whoever may change it.</summary>
[Authorize]
public sealed class EditModel(IDbContextFactory<MentoringDb> dbs, Texts text, TimeProvider clock, IOptions<WebOptions> options) : PageModel
{
    public OutputView Output { get; private set; } = null!;
    public IReadOnlyList<OutputOwner> Owners { get; private set; } = [];
    public string? Error { get; private set; }

    public async Task<IActionResult> OnGetAsync(string id, Guid outputId, CancellationToken ct) => await LoadAsync(id, outputId, ct) ?? Page();

    public async Task<IActionResult> OnPostAsync(string id, Guid outputId, string? title, string? kind, string? ownedBy, string? status, string? link,
        string? languages, List<string>? checklist, CancellationToken ct)
    {
        if (await LoadAsync(id, outputId, ct) is { } refused) return refused;
        var request = OutputForm.Request(title, kind, ownedBy, status, link, languages, checklist);
        var error = PageCommands.Invalid(request, clock, text);
        if (error is null)
        {
            var result = await ProgrammeAdmin.InTransactionAsync(dbs, db => OutputRegister.UpdateAsync(db, User, id, outputId, request, clock.GetUtcNow(), ct), ct);
            if (result.Outcome == AdminOutcome.Done)
            {
                TempData["Message"] = text["Saved."];
                return Redirect(OutputForm.Path(id));
            }

            if (result.Outcome == AdminOutcome.Forbidden) return Forbid();
            error = ProgrammePage.Refusal(result, text);
        }

        Error = error;
        Response.StatusCode = StatusCodes.Status400BadRequest;
        return Page();
    }

    /// <summary>The output's file from the page, as the API's multipart POST attaches it (a new file replaces the old).</summary>
    public async Task<IActionResult> OnPostFileAsync(string id, Guid outputId, IFormFile? file, CancellationToken ct)
    {
        if (await LoadAsync(id, outputId, ct) is { } refused) return refused;
        string? error;
        if (file is not { Length: > 0 }) error = text["Choose a file to add."];
        else
        {
            var (upload, unreadable) = await Uploads.UploadedFiles.ReadAsync(file, options.Value.MaxUploadBytes, text, ct);
            error = unreadable;
            if (upload is not null)
            {
                var result = await ProgrammeAdmin.InTransactionAsync(dbs, db => OutputRegister.AttachAsync(db, User, id, outputId, upload, clock.GetUtcNow(), ct), ct);
                if (result.Outcome == AdminOutcome.Done)
                {
                    TempData["Message"] = text["Saved."];
                    return Redirect(OutputForm.Path(id));
                }

                if (result.Outcome == AdminOutcome.Forbidden) return Forbid();
                error = ProgrammePage.Refusal(result, text);
            }
        }

        Error = error;
        Response.StatusCode = StatusCodes.Status400BadRequest;
        return Page();
    }

    private async Task<IActionResult?> LoadAsync(string id, Guid outputId, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var result = await OutputRegister.ListAsync(db, User, id, new OutputFilter(null, null, null), ct);
        if (result.Outcome != AdminOutcome.Done || result.Value!.Outputs.FirstOrDefault(o => o.Id == outputId) is not { } output) return NotFound();
        if (!output.MayEdit) return Forbid();
        Output = output;
        Owners = result.Value.EditableOwners;
        return null;
    }
}
