using Mentoring.Server.Dashboard;
using Mentoring.Server.Data;
using Mentoring.Server.Pairs;
using Mentoring.Server.Programme;
using Mentoring.Server.Web;
using Mentoring.Server.Workflows;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

// Not "Pages.Programme": that namespace would hide Mentoring.Server.Programme from every other page.
namespace Mentoring.Server.Pages.ProgrammeWide;

/// <summary>The programme's own work: the programme workflow's tasks (trainings, academies, forums, committee
/// meetings) and approvals, with the forms of whoever may act on them, its events, and the pairs waiting for each.</summary>
/// <remarks>Who sees it and who acts on which item follows the programme workflow's definition
/// (<see cref="Auth.CurrentUser.SeesProgrammeWork"/>); the engine decides in the end.</remarks>
public sealed class IndexModel(IDbContextFactory<MentoringDb> dbs, DefinitionStore definitions, WorkItemCommands commands,
    Texts text, IOptions<WebOptions> options, TimeProvider clock) : PageModel
{
    public ProgrammeWork Work { get; private set; } = null!;
    public string FormKey { get; } = PageCommands.NewKey();
    public string? Error { get; private set; }
    public DateTimeOffset Now => clock.GetUtcNow();

    public async Task<IActionResult> OnGetAsync(CancellationToken ct) => await LoadAsync(ct) ?? Page();

    public Task<IActionResult> OnPostCompleteAsync(Guid itemId, string? key, string? note, string? link, string? choice, IFormFile? file,
        CancellationToken ct) =>
        ActAsync(key, async sentKey =>
        {
            var (command, error) = await PageCommands.CompletionAsync(itemId,
                new CompleteTaskRequest(Clean(note), Clean(link), null, Clean(choice)), file, options.Value.MaxUploadBytes, clock, text, ct);
            return error ?? PageCommands.Message(await commands.RunAsync(null, command!, User, sentKey, ct), text);
        }, ct);

    public Task<IActionResult> OnPostApproveAsync(Guid itemId, string? key, string? comment, CancellationToken ct) =>
        ActAsync(key, async sentKey =>
        {
            var body = new ApproveRequest(Clean(comment));
            return PageCommands.Invalid(body, clock, text)
                ?? PageCommands.Message(await commands.RunAsync(null, new ApproveCommand(itemId, body.Comment), User, sentKey, ct), text);
        }, ct);

    public Task<IActionResult> OnPostSendBackAsync(Guid itemId, string? key, string? reason, CancellationToken ct) =>
        ActAsync(key, async sentKey =>
        {
            if (string.IsNullOrWhiteSpace(reason)) return text["Say why the step is sent back."];
            var body = new SendBackRequest(reason.Trim());
            return PageCommands.Invalid(body, clock, text)
                ?? PageCommands.Message(await commands.RunAsync(null, new SendBackCommand(itemId, body.Reason!), User, sentKey, ct), text);
        }, ct);

    private static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private async Task<IActionResult> ActAsync(string? key, Func<string, Task<string?>> act, CancellationToken ct)
    {
        if (await LoadAsync(ct) is { } refused) return refused;
        if (Work.Actor is null) return Forbid();
        Error = string.IsNullOrWhiteSpace(key) ? text["The form is out of date: reload the page and try again."] : await act(key);
        if (Error is null)
        {
            TempData["Message"] = text["Saved."];
            return Redirect("/programme");
        }

        Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        return await LoadAsync(ct) ?? Page();
    }

    private async Task<IActionResult?> LoadAsync(CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        if (await ProgrammeWork.LoadAsync(db, definitions, User, ct) is not { } work)
        {
            // Not for their role (403), or they are in no programme at all (404).
            var programmeId = Auth.CurrentUser.ProgrammeId(User);
            return await db.Programmes.AnyAsync(p => p.Id == programmeId, ct) ? Forbid() : NotFound();
        }
        Work = work;
        return null;
    }
}
