using Mentoring.Server.Auth;
using Mentoring.Server.Data;
using Mentoring.Server.Practices;
using Mentoring.Server.Web;
using AdminOutcome = Mentoring.Server.Setup.AdminOutcome;
using ProgrammePage = Mentoring.Server.Pages.Setup.ProgrammePage;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Mentoring.Server.Pages.Practices;

/// <summary>One practice; its editors add files here, the facilitator publishes it or sends it back.</summary>
[Authorize]
public sealed class PracticeModel(IDbContextFactory<MentoringDb> dbs, Texts text, TimeProvider clock, IOptions<WebOptions> options) : PageModel
{
    public PracticeView Practice { get; private set; } = null!;
    public string FormKey { get; } = PageCommands.NewKey();
    public string? Error { get; private set; }

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct) => await LoadAsync(id, ct) ? Page() : NotFound();

    public Task<IActionResult> OnPostPublishAsync(Guid id, string? key, bool shared, CancellationToken ct) =>
        ActAsync(id, key, new { id, shared }, db => PracticeLibrary.PublishAsync(db, User, User.ProgrammeId(), id, new PublishPracticeRequest(shared), clock.GetUtcNow(), ct), ct);

    public Task<IActionResult> OnPostSendBackAsync(Guid id, string? key, string? reason, CancellationToken ct) =>
        ActAsync(id, key, new { id, reason }, db => PracticeLibrary.SendBackAsync(db, User, User.ProgrammeId(), id, new SendBackPracticeRequest(reason), clock.GetUtcNow(), ct), ct);

    public async Task<IActionResult> OnPostFileAsync(Guid id, string? key, IFormFile? file, CancellationToken ct)
    {
        if (file is not { Length: > 0 }) return await ShowAsync(id, text["Choose a file to add."], ct);
        var (upload, error) = await Uploads.UploadedFiles.ReadAsync(file, options.Value.MaxUploadBytes, text, ct);
        if (upload is null) return await ShowAsync(id, error, ct);
        return await ActAsync(id, key, new { id, upload.FileName, upload.Content.Length },
            db => PracticeLibrary.AttachAsync(db, User, User.ProgrammeId(), id, upload, clock.GetUtcNow(), ct), ct);
    }

    private async Task<IActionResult> ActAsync<T>(Guid id, string? key, object body, Func<MentoringDb, Task<Mentoring.Server.Setup.AdminResult<T>>> change,
        CancellationToken ct)
    {
        if (HttpContext.FormKey(key, body) is not { } formKey) return await ShowAsync(id, text["The form is out of date: reload the page and try again."], ct);
        var outcome = await PracticesApi.RunAsync(dbs, formKey, clock, change, ct);
        if (outcome.Kind is Workflows.IdempotentKind.Done or Workflows.IdempotentKind.Replayed)
        {
            TempData["Message"] = text["Saved."];
            return Redirect($"/practices/{id}");
        }

        if (outcome.Refusal is Mentoring.Server.Setup.AdminResult<T> { Outcome: AdminOutcome.NotFound }) return NotFound();
        if (outcome.Refusal is Mentoring.Server.Setup.AdminResult<T> { Outcome: AdminOutcome.Forbidden }) return Forbid();
        var message = outcome.Refusal is Mentoring.Server.Setup.AdminResult<T> refused ? ProgrammePage.Refusal(refused, text) : text[Workflows.Idempotency.InFlightMessage];
        return await ShowAsync(id, message, ct);
    }

    private async Task<IActionResult> ShowAsync(Guid id, string? error, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        Error = error;
        Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        return Page();
    }

    private async Task<bool> LoadAsync(Guid id, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        if (await PracticeLibrary.GetAsync(db, User, User.ProgrammeId(), id, ct) is not { } practice) return false;
        Practice = practice;
        return true;
    }
}
