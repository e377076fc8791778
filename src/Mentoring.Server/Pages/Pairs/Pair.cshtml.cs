using Mentoring.Engine.Definitions;
using System.Globalization;
using Mentoring.Engine.Runtime;
using Mentoring.Server.Auth;
using Mentoring.Server.Data;
using Mentoring.Server.Pairs;
using Mentoring.Server.Web;
using Mentoring.Server.Workflows;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Mentoring.Server.Pages.Pairs;

/// <summary>One pair: the coordinator's home ("my pair") and the facilitator's and observers' view of it.</summary>
public sealed class PairModel(IDbContextFactory<MentoringDb> dbs, DefinitionStore definitions, WorkItemCommands commands,
    Texts text, IOptions<WebOptions> options, TimeProvider clock) : PageModel
{
    public PairPageData Data { get; private set; } = null!;
    public Actor? Actor { get; private set; }
    public string FormKey { get; } = PageCommands.NewKey();
    public string? Error { get; private set; }
    public DateTimeOffset Now => clock.GetUtcNow();

    /// <summary>The form's hidden key: the command's Idempotency-Key, so a double submit is one change.</summary>
    private string? _sentKey;

    /// <summary>The latest date the input rules accept, for the date fields' <c>max</c>.</summary>
    public string LastDate => DateOnly.FromDateTime(Now.UtcDateTime).AddYears(Inputs.Limits.DateWindowYears)
        .ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct) => await LoadAsync(id, ct) ?? Page();

    public Task<IActionResult> OnPostCompleteAsync(Guid id, Guid itemId, string? key, string? note, string? link, IFormFile? file,
        CancellationToken ct) =>
        ActAsync(id, key, async pair =>
        {
            // The fingerprint leaves the file out: a double submit sends the file twice but is still the same change,
            // and the file is stored once, with the completion that is applied.
            var (command, error) = await PageCommands.CompletionAsync(itemId, new CompleteTaskRequest(Clean(note), Clean(link), null, null),
                file, options.Value.MaxUploadBytes, clock, text, ct);
            return error ?? await RunAsync(pair, command!, ct);
        }, ct);

    public Task<IActionResult> OnPostProposeAsync(Guid id, Guid itemId, string? key, string? date, string? host, CancellationToken ct) =>
        ActAsync(id, key, async pair =>
        {
            if (!DateOnly.TryParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
                return text["Give the date of the visit."];
            if (string.IsNullOrWhiteSpace(host)) return text["Choose the host city."];
            return PageCommands.Invalid(new ProposeVisitRequest(day, host), clock, text)
                ?? await RunAsync(pair, new ProposeVisitCommand(itemId, day, host), ct);
        }, ct);

    public Task<IActionResult> OnPostConfirmAsync(Guid id, Guid itemId, string? key, CancellationToken ct) =>
        ActAsync(id, key, pair => RunAsync(pair, new ConfirmVisitCommand(itemId), ct), ct);

    public Task<IActionResult> OnPostHeldAsync(Guid id, Guid itemId, string? key, string? participants, CancellationToken ct) =>
        ActAsync(id, key, async pair =>
        {
            var names = (participants ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (names.Length == 0) return text["List the participants, one per line."];
            return PageCommands.Invalid(new VisitHeldRequest(names), clock, text)
                ?? await RunAsync(pair, new RecordVisitHeldCommand(itemId, names), ct);
        }, ct);

    public Task<IActionResult> OnPostReportAsync(Guid id, Guid itemId, string? key, string? note, string? link, CancellationToken ct) =>
        ActAsync(id, key, async pair =>
        {
            var body = new ReportVisitRequest(Clean(note), Clean(link));
            return PageCommands.Invalid(body, clock, text) ?? await RunAsync(pair, new ReportVisitCommand(itemId, body.Note, body.Link), ct);
        }, ct);

    public Task<IActionResult> OnPostApproveAsync(Guid id, Guid itemId, string? key, string? comment, CancellationToken ct) =>
        ActAsync(id, key, async pair =>
        {
            var body = new ApproveRequest(Clean(comment));
            return PageCommands.Invalid(body, clock, text) ?? await RunAsync(pair, new ApproveCommand(itemId, body.Comment), ct);
        }, ct);

    public Task<IActionResult> OnPostSendBackAsync(Guid id, Guid itemId, string? key, string? reason, CancellationToken ct) =>
        ActAsync(id, key, async pair =>
        {
            if (string.IsNullOrWhiteSpace(reason)) return text["Say why the step is sent back."];
            var body = new SendBackRequest(reason.Trim());
            return PageCommands.Invalid(body, clock, text) ?? await RunAsync(pair, new SendBackCommand(itemId, body.Reason!), ct);
        }, ct);

    /// <summary>The command with the form's key, through the same service as the API; null when it was done.</summary>
    private async Task<string?> RunAsync(Programme.Group pair, WorkItemCommand command, CancellationToken ct) =>
        PageCommands.Message(await commands.RunAsync(pair.Id, command, User, _sentKey, ct), text);

    private static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private async Task<IActionResult> ActAsync(Guid id, string? key, Func<Programme.Group, Task<string?>> act, CancellationToken ct)
    {
        Programme.Group pair;
        IReadOnlyList<Programme.GroupMember> members;
        await using (var db = await dbs.CreateDbContextAsync(ct))
        {
            var (access, found, foundMembers) = await PairPageData.CheckAsync(db, User, id, ct);
            if (access == PairPageData.Access.NotFound) return NotFound();
            if (access == PairPageData.Access.Forbidden) return Forbid();
            pair = found!;
            members = foundMembers;
        }

        if (User.ActorFor(pair, members) is null) return Forbid();
        if (string.IsNullOrWhiteSpace(key))
        {
            Error = text["The form is out of date: reload the page and try again."];
        }
        else
        {
            _sentKey = key;
            Error = await act(pair);
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
        var (access, pair, members) = await PairPageData.CheckAsync(db, User, id, ct);
        if (access == PairPageData.Access.NotFound) return NotFound();
        if (access == PairPageData.Access.Forbidden) return Forbid();
        Data = await PairPageData.LoadAsync(db, definitions, User, pair!, ct);
        Actor = User.ActorFor(pair, members);
        return null;
    }

    /// <summary>For an open approval with several levels: the level that waits, of how many, and the levels already
    /// approved in this round (since the gate last opened at level 1; a send-back starts a new round). Null for a
    /// one-level gate, whose journal carries no levels.</summary>
    public static ApprovalRound? RoundOf(IReadOnlyList<HistoryEntry> history, string stepId)
    {
        static int? Number(HistoryEntry entry, string field) =>
            entry.Data.ValueKind == System.Text.Json.JsonValueKind.Object && entry.Data.TryGetProperty(field, out var value)
            && value.ValueKind == System.Text.Json.JsonValueKind.Number ? value.GetInt32() : null;

        var requests = history.Where(h => h.StepId == stepId && h.Type == "approval-requested" && Number(h, "level") is not null).ToList();
        if (requests.Count == 0) return null;
        var waiting = requests[^1];
        var roundStart = requests.LastOrDefault(r => Number(r, "level") == 1)?.Id ?? 0;
        var approved = history.Where(h => h.StepId == stepId && h.Type == "approved" && h.Id > roundStart && Number(h, "level") is not null).ToList();
        return new ApprovalRound(Number(waiting, "level")!.Value, Number(waiting, "levels") ?? 0, approved);
    }

    public sealed record ApprovalRound(int Level, int Levels, IReadOnlyList<HistoryEntry> Approved);

    /// <summary>May the signed-in person act on this item? The engine decides in the end; this only hides forms
    /// that would be refused.</summary>
    /// <remarks>The definition decides, as the engine does: an observer city of a cluster (a role that does not act)
    /// sees no form, not even for "both".</remarks>
    public bool Mine(string? role) => Actor is { } actor && role is not null && (actor.Role == ActorRole.Facilitator
        ? role == "facilitator"
        : Data.Definition is { } definition ? actor.CanActFor(new Role(role), definition)
        : role == "both" || string.Equals(role, actor.Role.ToString(), StringComparison.OrdinalIgnoreCase));
}
