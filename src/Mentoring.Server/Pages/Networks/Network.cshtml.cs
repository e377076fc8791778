using Mentoring.Server.Auth;
using Mentoring.Server.Data;
using Mentoring.Server.Setup;
using Mentoring.Server.SupportNetworks;
using Mentoring.Server.Web;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using ProgrammePage = Mentoring.Server.Pages.Setup.ProgrammePage;

namespace Mentoring.Server.Pages.Networks;

/// <summary>/networks: a coordinator goes to their own city's network, the facilitator sees every city's in figures.</summary>
[Authorize]
public sealed class IndexModel(IDbContextFactory<MentoringDb> dbs) : PageModel
{
    public List<NetworkCitySummary> Cities { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (User.IsInRole(Programme.PersonRoles.Coordinator) && User.CityId() is { } city) return Redirect($"/networks/{city}");
        if (!User.SeesWholeProgramme()) return Forbid();
        await using var db = await dbs.CreateDbContextAsync(ct);
        var result = await SupportNetwork.CitiesAsync(db, User, User.ProgrammeId(), ct);
        if (result.Outcome != AdminOutcome.Done) return NotFound();
        Cities = result.Value!;
        return Page();
    }
}

/// <summary>One city's local support network (/networks/{city}): its coordinator adds organisations, people with their
/// consent and meetings with attendance, records a withdrawal and downloads a person's data; the facilitator reads it.
/// Every change goes through <see cref="SupportNetwork"/> with the form's key, as the API's do.</summary>
[Authorize]
public sealed class NetworkModel(IDbContextFactory<MentoringDb> dbs, Texts text, IEnumerable<IConsentWithdrawalEraser> erasers, TimeProvider clock) : PageModel
{
    public NetworkView Network { get; private set; } = null!;
    public string Grid { get; private set; } = "";
    public string FormKey { get; } = PageCommands.NewKey();
    public string? Error { get; private set; }

    public async Task<IActionResult> OnGetAsync(string cityId, CancellationToken ct) => await LoadAsync(cityId, ct) ?? Page();

    public Task<IActionResult> OnPostOrganisationAsync(string cityId, string? key, string? name, string? kind, int? importance, int? influence,
        CancellationToken ct)
    {
        var request = new OrganisationRequest(name, kind, importance, influence);
        return ActAsync(cityId, key, request, db => SupportNetwork.AddOrganisationAsync(db, User, User.ProgrammeId(), cityId, request, clock.GetUtcNow(), ct), ct);
    }

    public Task<IActionResult> OnPostPersonAsync(string cityId, string? key, Guid? organisationId, string? name, string? role, string? email,
        string? phone, string? purpose, DateOnly? givenOn, string? how, CancellationToken ct)
    {
        // No consent given on the form is no consent at all, as an API request without one: refused, naming it.
        var consent = string.IsNullOrWhiteSpace(purpose) && givenOn is null && string.IsNullOrEmpty(how) ? null : new ConsentRequest(purpose, givenOn, how);
        var request = new PersonRequest(organisationId, name, role, email, phone, consent);
        return ActAsync(cityId, key, request, db => SupportNetwork.AddPersonAsync(db, User, User.ProgrammeId(), cityId, request, clock.GetUtcNow(), ct), ct);
    }

    public Task<IActionResult> OnPostMeetingAsync(string cityId, string? key, DateOnly? date, string? title, string? notes, List<Guid>? people,
        List<Guid>? organisations, CancellationToken ct)
    {
        var request = new MeetingRequest(date, title, notes, people ?? [], organisations ?? []);
        return ActAsync(cityId, key, request, db => SupportNetwork.AddMeetingAsync(db, User, User.ProgrammeId(), cityId, request, clock.GetUtcNow(), ct), ct);
    }

    public Task<IActionResult> OnPostWithdrawAsync(string cityId, string? key, Guid personId, CancellationToken ct) =>
        ActAsync(cityId, key, new { personId }, db => SupportNetwork.WithdrawAsync(db, User, User.ProgrammeId(), cityId, personId, erasers, clock.GetUtcNow(), ct), ct);

    private async Task<IActionResult> ActAsync(string cityId, string? key, object body, Func<MentoringDb, Task<AdminResult<NetworkChange>>> change,
        CancellationToken ct)
    {
        if (PageCommands.Invalid(body, clock, text) is { } invalid) return await ShowAsync(cityId, invalid, StatusCodes.Status400BadRequest, ct);
        if (HttpContext.FormKey(key, body) is not { } formKey)
            return await ShowAsync(cityId, text["The form is out of date: reload the page and try again."], StatusCodes.Status422UnprocessableEntity, ct);
        var outcome = await SupportNetworksApi.RunAsync(dbs, formKey, clock, change, ct);
        if (outcome.Kind is Workflows.IdempotentKind.Done or Workflows.IdempotentKind.Replayed)
        {
            TempData["Message"] = text["Saved."];
            return Redirect($"/networks/{cityId}");
        }

        if (outcome.Refusal is AdminResult<NetworkChange> { Outcome: AdminOutcome.NotFound }) return NotFound();
        if (outcome.Refusal is AdminResult<NetworkChange> { Outcome: AdminOutcome.Forbidden }) return Forbid();
        return outcome.Refusal is AdminResult<NetworkChange> refused
            ? await ShowAsync(cityId, ProgrammePage.Refusal(refused, text), refused.Outcome == AdminOutcome.Invalid ? 400 : 409, ct)
            : await ShowAsync(cityId, text[Workflows.Idempotency.InFlightMessage], StatusCodes.Status409Conflict, ct);
    }

    private async Task<IActionResult> ShowAsync(string cityId, string? error, int status, CancellationToken ct)
    {
        if (await LoadAsync(cityId, ct) is { } refused) return refused;
        Error = error;
        Response.StatusCode = status;
        return Page();
    }

    private async Task<IActionResult?> LoadAsync(string cityId, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var result = await SupportNetwork.GetAsync(db, User, User.ProgrammeId(), cityId, ct);
        switch (result.Outcome)
        {
            case AdminOutcome.NotFound: return NotFound();
            case AdminOutcome.Forbidden: return Forbid();
        }

        Network = result.Value!;
        Grid = StakeholderGrid.Svg(Network, text);
        return null;
    }
}
