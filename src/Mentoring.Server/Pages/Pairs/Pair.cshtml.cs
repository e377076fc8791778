using System.Globalization;
using Mentoring.Engine.Runtime;
using Mentoring.Server.Auth;
using Mentoring.Server.Data;
using Mentoring.Server.Pairs;
using Mentoring.Server.Web;
using Mentoring.Server.Uploads;
using Mentoring.Server.Workflows;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Mentoring.Server.Pages.Pairs;

/// <summary>One pair: the coordinator's home ("my pair") and the facilitator's and observers' view of it.</summary>
public sealed class PairModel(IDbContextFactory<MentoringDb> dbs, DefinitionStore definitions, WorkItemActions actions,
    Texts text, IOptions<WebOptions> options, TimeProvider clock) : PageModel
{
    public PairPageData Data { get; private set; } = null!;
    public Actor? Actor { get; private set; }
    public string FormKey { get; } = PageCommands.NewKey();
    public string? Error { get; private set; }
    public DateTimeOffset Now => clock.GetUtcNow();

    /// <summary>The latest date the input rules accept, for the date fields' <c>max</c>.</summary>
    public string LastDate => DateOnly.FromDateTime(Now.UtcDateTime).AddYears(Inputs.Limits.DateWindowYears)
        .ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct) => await LoadAsync(id, ct) ?? Page();

    public Task<IActionResult> OnPostCompleteAsync(Guid id, Guid itemId, string? key, string? note, string? link, IFormFile? file,
        CancellationToken ct) =>
        ActAsync(id, key, async (pair, actor) =>
        {
            // The fingerprint leaves the file out: a double submit sends the file twice but is still the same change,
            // and the file is stored once, with the completion that is applied.
            var body = new CompleteTaskRequest(Clean(note), Clean(link), null, null);
            if (PageCommands.Invalid(body, clock, text) is { } invalid) return invalid;
            PendingUpload? upload = null;
            if (file is { Length: > 0 })
            {
                var read = await UploadedFiles.ReadAsync(file, options.Value.MaxUploadBytes, text, ct);
                if (read.Error is not null) return read.Error;
                upload = read.Upload;
            }

            return PageCommands.Problem(await actions.CompleteTaskAsync(HttpContext, pair.InstanceId, pair.Id, itemId, actor, body,
                upload, ct), text);
        }, ct);

    public Task<IActionResult> OnPostProposeAsync(Guid id, Guid itemId, string? key, string? date, string? host, CancellationToken ct) =>
        ActAsync(id, key, async (pair, actor) =>
        {
            if (!DateOnly.TryParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
                return text["Give the date of the visit."];
            if (string.IsNullOrWhiteSpace(host)) return text["Choose the host city."];
            return await CommandAsync(pair, itemId, "study-visit", new ProposeVisitRequest(day, host),
                item => new ProposeVisit(actor, item.StepId, item.Activation, day, host), ct);
        }, ct);

    public Task<IActionResult> OnPostConfirmAsync(Guid id, Guid itemId, string? key, CancellationToken ct) =>
        ActAsync(id, key, (pair, actor) => CommandAsync(pair, itemId, "study-visit", new EmptyRequest(),
            item => new ConfirmVisit(actor, item.StepId, item.Activation), ct), ct);

    public Task<IActionResult> OnPostHeldAsync(Guid id, Guid itemId, string? key, string? participants, CancellationToken ct) =>
        ActAsync(id, key, async (pair, actor) =>
        {
            var names = (participants ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (names.Length == 0) return text["List the participants, one per line."];
            return await CommandAsync(pair, itemId, "study-visit", new VisitHeldRequest(names),
                item => new RecordVisitHeld(actor, item.StepId, item.Activation, names), ct);
        }, ct);

    public Task<IActionResult> OnPostReportAsync(Guid id, Guid itemId, string? key, string? note, string? link, CancellationToken ct) =>
        ActAsync(id, key, async (pair, actor) =>
        {
            var body = new ReportVisitRequest(Clean(note), Clean(link));
            return await CommandAsync(pair, itemId, "study-visit", body,
                item => new ReportVisit(actor, item.StepId, item.Activation, body.Note, body.Link), ct);
        }, ct);

    public Task<IActionResult> OnPostApproveAsync(Guid id, Guid itemId, string? key, string? comment, CancellationToken ct) =>
        ActAsync(id, key, async (pair, actor) =>
        {
            var body = new ApproveRequest(Clean(comment));
            return await CommandAsync(pair, itemId, "approval", body,
                item => new Approve(actor, item.StepId, item.Activation, body.Comment), ct);
        }, ct);

    public Task<IActionResult> OnPostSendBackAsync(Guid id, Guid itemId, string? key, string? reason, CancellationToken ct) =>
        ActAsync(id, key, async (pair, actor) =>
        {
            if (string.IsNullOrWhiteSpace(reason)) return text["Say why the step is sent back."];
            var body = new SendBackRequest(reason.Trim());
            return await CommandAsync(pair, itemId, "approval", body,
                item => new SendBack(actor, item.StepId, item.Activation, body.Reason!), ct);
        }, ct);

    /// <summary>The form's request through the API's input rules, then its command; null when it was done.</summary>
    private async Task<string?> CommandAsync(Programme.Pair pair, Guid itemId, string kind, object body,
        Func<WorkItem, WorkflowCommand> command, CancellationToken ct) =>
        PageCommands.Invalid(body, clock, text)
        ?? PageCommands.Problem(await actions.ExecuteAsync(HttpContext, pair.InstanceId, itemId, kind, body, command, ct), text);

    private static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private async Task<IActionResult> ActAsync(Guid id, string? key, Func<Programme.Pair, Actor, Task<string?>> act, CancellationToken ct)
    {
        Programme.Pair pair;
        await using (var db = await dbs.CreateDbContextAsync(ct))
        {
            var (access, found) = await PairPageData.CheckAsync(db, User, id, ct);
            if (access == PairPageData.Access.NotFound) return NotFound();
            if (access == PairPageData.Access.Forbidden) return Forbid();
            pair = found!;
        }

        if (User.ActorFor(pair) is not { } actor) return Forbid();
        if (string.IsNullOrWhiteSpace(key))
        {
            Error = text["The form is out of date: reload the page and try again."];
        }
        else
        {
            PageCommands.UseFormKey(HttpContext, key);
            Error = await act(pair, actor);
        }

        if (Error is null)
        {
            TempData["Message"] = text["Saved."];
            return Redirect($"/pairs/{id}");
        }

        Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        return await LoadAsync(id, ct) ?? Page();
    }

    private async Task<IActionResult?> LoadAsync(Guid id, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var (access, pair) = await PairPageData.CheckAsync(db, User, id, ct);
        if (access == PairPageData.Access.NotFound) return NotFound();
        if (access == PairPageData.Access.Forbidden) return Forbid();
        Data = await PairPageData.LoadAsync(db, definitions, User, pair!, ct);
        Actor = User.ActorFor(pair);
        return null;
    }

    /// <summary>May the signed-in person act on this item? The engine decides in the end; this only hides forms
    /// that would be refused.</summary>
    public bool Mine(string? role) => Actor is { } actor && (actor.Role == ActorRole.Facilitator
        ? role == "facilitator"
        : role == "both" || string.Equals(role, actor.Role.ToString(), StringComparison.OrdinalIgnoreCase));
}
