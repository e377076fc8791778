using Mentoring.Server.Data;
using Mentoring.Server.Events;
using Mentoring.Server.Setup;
using Mentoring.Server.SupportNetworks;
using Mentoring.Server.Web;
using Mentoring.Server.Workflows;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using ProgrammePage = Mentoring.Server.Pages.Setup.ProgrammePage;

namespace Mentoring.Server.Pages.Events;

/// <summary>What both event pages do with a change: the form's key, the same command as the API's, and the page again
/// with what went wrong in words.</summary>
public abstract class EventPageModel(IDbContextFactory<MentoringDb> dbs, Texts text, TimeProvider clock) : PageModel
{
    public string FormKey { get; } = PageCommands.NewKey();
    public string? Error { get; protected set; }
    protected Texts Text => text;
    protected TimeProvider Clock => clock;

    protected abstract Task<IActionResult?> LoadAsync(MentoringDb db, CancellationToken ct);

    public async Task<IActionResult?> LoadAsync(CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        return await LoadAsync(db, ct);
    }

    protected IActionResult? Refused<T>(AdminResult<T> result) => result.Outcome switch
    {
        AdminOutcome.NotFound => NotFound(),
        AdminOutcome.Forbidden => Forbid(),
        _ => null,
    };

    protected async Task<IActionResult> ActAsync(string? key, object body, string done, Func<MentoringDb, Task<AdminResult<EventChange>>> change,
        CancellationToken ct)
    {
        if (PageCommands.Invalid(body, clock, text) is { } invalid) return await ShowAsync(invalid, StatusCodes.Status400BadRequest, ct);
        if (HttpContext.FormKey(key, body) is not { } formKey)
            return await ShowAsync(text["The form is out of date: reload the page and try again."], StatusCodes.Status422UnprocessableEntity, ct);
        var outcome = await SupportNetworksApi.RunAsync(dbs, formKey, clock, change, ct);
        if (outcome.Kind is IdempotentKind.Done or IdempotentKind.Replayed)
        {
            TempData["Message"] = text["Saved."];
            return Redirect(done.Replace("{id}", outcome.Response?.Id.ToString()));
        }

        if (outcome.Refusal is AdminResult<EventChange> refused)
            return Refused(refused) ?? await ShowAsync(ProgrammePage.Refusal(refused, text), refused.Outcome == AdminOutcome.Invalid ? 400 : 409, ct);
        return await ShowAsync(text[Idempotency.InFlightMessage], StatusCodes.Status409Conflict, ct);
    }

    private async Task<IActionResult> ShowAsync(string? error, int status, CancellationToken ct)
    {
        if (await LoadAsync(ct) is { } refused) return refused;
        Error = error;
        Response.StatusCode = status;
        return Page();
    }

    protected static EventRequest EventForm(string? kind, string? title, DateTime? eventStart, DateTime? eventEnd, string? timeZone, string? hostCity,
        string? eventVenue, string? url, string? eventAgenda, string? raisesEvent) =>
        new(kind, title, eventStart, eventEnd, Blank(timeZone), Blank(hostCity), Blank(eventVenue), Blank(url), eventAgenda, Blank(raisesEvent));

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

/// <summary>/programmes/{id}/events: the programme's events; the facilitator announces one.</summary>
[Authorize]
public sealed class IndexModel(IDbContextFactory<MentoringDb> dbs, Texts text, TimeProvider clock, EventPlanner events)
    : EventPageModel(dbs, text, clock)
{
    [FromRoute] public string ProgrammeId { get; set; } = "";
    public EventList Events { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(CancellationToken ct) => await LoadAsync(ct) ?? Page();

    public Task<IActionResult> OnPostAsync(string? key, string? kind, string? title, DateTime? eventStart, DateTime? eventEnd, string? timeZone,
        string? hostCity, string? eventVenue, string? url, string? eventAgenda, string? raisesEvent, CancellationToken ct)
    {
        var request = EventForm(kind, title, eventStart, eventEnd, timeZone, hostCity, eventVenue, url, eventAgenda, raisesEvent);
        return ActAsync(key, request, $"/programmes/{ProgrammeId}/events/{{id}}",
            db => events.CreateAsync(db, User, ProgrammeId, request, Clock.GetUtcNow(), ct), ct);
    }

    protected override async Task<IActionResult?> LoadAsync(MentoringDb db, CancellationToken ct)
    {
        var result = await events.ListAsync(db, User, ProgrammeId, ct);
        if (Refused(result) is { } refused) return refused;
        Events = result.Value!;
        return null;
    }
}

/// <summary>/programmes/{id}/events/{eventId}: one event with its materials and attendance; the facilitator edits it,
/// marks it held, records who attended and adds or removes materials.</summary>
[Authorize]
public sealed class EventModel(IDbContextFactory<MentoringDb> dbs, Texts text, TimeProvider clock, EventPlanner events, WorkflowHost host,
    IOptions<WebOptions> options) : EventPageModel(dbs, text, clock)
{
    [FromRoute] public string ProgrammeId { get; set; } = "";
    [FromRoute] public Guid EventId { get; set; }
    public EventView Event { get; private set; } = null!;
    public EventList Programme { get; private set; } = null!;

    private string Here => $"/programmes/{ProgrammeId}/events/{EventId}";

    public async Task<IActionResult> OnGetAsync(CancellationToken ct) => await LoadAsync(ct) ?? Page();

    public Task<IActionResult> OnPostEditAsync(string? key, string? kind, string? title, DateTime? eventStart, DateTime? eventEnd, string? timeZone,
        string? hostCity, string? eventVenue, string? url, string? eventAgenda, string? raisesEvent, CancellationToken ct)
    {
        var request = EventForm(kind, title, eventStart, eventEnd, timeZone, hostCity, eventVenue, url, eventAgenda, raisesEvent);
        return ActAsync(key, request, Here, db => events.UpdateAsync(db, User, ProgrammeId, EventId, request, Clock.GetUtcNow(), ct), ct);
    }

    public async Task<IActionResult> OnPostHeldAsync(string? key, CancellationToken ct)
    {
        var answer = await ActAsync(key, new { EventId }, Here, db => events.HoldAsync(db, User, ProgrammeId, EventId, Clock.GetUtcNow(), ct), ct);
        host.ProgrammeEventsCommitted();
        return answer;
    }

    public Task<IActionResult> OnPostCancelAsync(string? key, CancellationToken ct) =>
        ActAsync(key, new { EventId, cancel = true }, Here, db => events.CancelAsync(db, User, ProgrammeId, EventId, Clock.GetUtcNow(), ct), ct);

    public Task<IActionResult> OnPostAttendanceAsync(string? key, List<Guid>? people, CancellationToken ct)
    {
        var request = new EventAttendanceRequest(people ?? []);
        return ActAsync(key, request, Here, db => events.SetAttendanceAsync(db, User, ProgrammeId, EventId, request, Clock.GetUtcNow(), ct), ct);
    }

    public async Task<IActionResult> OnPostMaterialAsync(string? key, string? title, string? url, IFormFile? file, CancellationToken ct)
    {
        var request = new EventMaterialRequest(title, string.IsNullOrWhiteSpace(url) ? null : url.Trim());
        Uploads.PendingUpload? upload = null;
        if (file is { Length: > 0 })
        {
            var (read, error) = await Uploads.UploadedFiles.ReadAsync(file, options.Value.MaxUploadBytes, Text, ct);
            if (read is null)
            {
                if (await LoadAsync(ct) is { } refused) return refused;
                Error = error;
                Response.StatusCode = StatusCodes.Status400BadRequest;
                return Page();
            }

            upload = read;
        }

        return await ActAsync(key, new { request, file = upload?.FileName }, Here,
            db => events.AddMaterialAsync(db, User, ProgrammeId, EventId, request, upload, Clock.GetUtcNow(), ct), ct);
    }

    public Task<IActionResult> OnPostRemoveMaterialAsync(string? key, Guid material, CancellationToken ct) =>
        ActAsync(key, new { EventId, material, remove = true }, Here,
            db => events.RemoveMaterialAsync(db, User, ProgrammeId, EventId, material, Clock.GetUtcNow(), ct), ct);

    protected override async Task<IActionResult?> LoadAsync(MentoringDb db, CancellationToken ct)
    {
        var result = await events.GetAsync(db, User, ProgrammeId, EventId, ct);
        if (Refused(result) is { } refused) return refused;
        Event = result.Value!;
        Programme = (await events.ListAsync(db, User, ProgrammeId, ct)).Value!;
        return null;
    }
}
