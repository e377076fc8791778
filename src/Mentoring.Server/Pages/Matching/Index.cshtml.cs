using Mentoring.Server.Auth;
using Mentoring.Server.Data;
using Mentoring.Server.Matching;
using Mentoring.Server.Setup;
using Mentoring.Server.Web;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Pages.Matching;

/// <summary>The facilitator's matching page: the score matrix as a heat map (a table of the numbers; the colour only
/// adds to it), the proposal with its reasons in words, the constraints (edited in the matrix, re-solved on saving,
/// locks kept) and publishing. The same access as the programme's set-up: an admin or this programme's facilitator.</summary>
[Authorize]
public sealed class IndexModel(IDbContextFactory<MentoringDb> dbs, MatchingPublisher publisher, Texts text, TimeProvider clock) : PageModel
{
    public string ProgrammeId { get; private set; } = "";
    public string ProgrammeName { get; private set; } = "";
    public MatchingProposal? Proposal { get; private set; }
    /// <summary>Why there is no proposal, in words.</summary>
    public string? Refusal { get; private set; }
    public string? Error { get; private set; }
    public string FormKey { get; } = PageCommands.NewKey();
    public Words Words => new(key => text[key]);
    public long MaxScore => Proposal?.Matrix.SelectMany(r => r.Cells).Select(c => c.Score).DefaultIfEmpty(0).Max() ?? 0;

    public string Name(string city) => Proposal?.Mentors.Concat(Proposal.Mentees).FirstOrDefault(c => c.Id == city)?.Name ?? city;
    public string Theme(string theme) => Proposal?.Themes.FirstOrDefault(t => t.Id == theme)?.Title ?? theme;

    /// <summary>The heat class of a score: five steps from none to the matrix's highest.</summary>
    public string Heat(long score) => $"heat-{(MaxScore == 0 ? 0 : (int)Math.Min(4, score * 5 / (MaxScore + 1)))}";

    public async Task<IActionResult> OnGetAsync(string id, CancellationToken ct) => await RefusedAsync(id, ct) ?? await LoadAsync(id, ct);

    /// <summary>Saves the constraints from the matrix (<c>pair.{mentor}.{mentee}</c>: lock or forbid), the capacities
    /// (<c>capacity.{mentor}</c>) and <c>every</c> (all, or most), then shows the proposal solved again.</summary>
    public async Task<IActionResult> OnPostConstraintsAsync(string id, string? every, CancellationToken ct)
    {
        if (await RefusedAsync(id, ct) is { } refused) return refused;
        var locks = new List<PairingRequest>();
        var forbids = new List<PairingRequest>();
        var capacity = new Dictionary<string, int>();
        var errors = new List<string>();
        foreach (var (field, values) in Request.Form)
        {
            var parts = field.Split('.');
            if (parts is ["pair", var mentor, var mentee])
            {
                if (values.Contains("lock")) locks.Add(new PairingRequest(mentor, mentee));
                if (values.Contains("forbid")) forbids.Add(new PairingRequest(mentor, mentee));
            }
            else if (parts is ["capacity", var city] && values.ToString() is { Length: > 0 } value)
            {
                if (int.TryParse(value, out var n)) capacity[city] = n;
                else errors.Add(text["A capacity is a whole number from 0 to 100."]);
            }
        }

        if (errors.Count == 0)
        {
            await using var db = await dbs.CreateDbContextAsync(ct);
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            var saved = await MatchingConstraintsStore.SaveAsync(db, id, new ConstraintsRequest(locks, forbids, capacity, every switch { "all" => true, "most" => false, _ => null }),
                User.PersonId(), clock.GetUtcNow(), Words, ct);
            if (saved.Outcome == MatchingOutcome.Done)
            {
                await db.SaveChangesAsync(ct);
                await transaction.CommitAsync(ct);
                TempData["Message"] = text["Saved: the proposal is solved again, your locks kept."];
                return Redirect($"/setup/programmes/{id}/matching");
            }

            errors.Add(saved.Detail ?? string.Join(" ", saved.Errors!.SelectMany(e => e.Value).Distinct()));
        }

        Error = string.Join(" ", errors);
        Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        return await LoadAsync(id, ct);
    }

    /// <summary>Clears every constraint, for a proposal that cannot be made under them.</summary>
    public async Task<IActionResult> OnPostClearAsync(string id, CancellationToken ct)
    {
        if (await RefusedAsync(id, ct) is { } refused) return refused;
        await using var db = await dbs.CreateDbContextAsync(ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var saved = await MatchingConstraintsStore.SaveAsync(db, id, new ConstraintsRequest([], [], null, null), User.PersonId(), clock.GetUtcNow(), Words, ct);
        if (saved.Outcome == MatchingOutcome.Done)
        {
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
        }

        TempData["Message"] = text["Saved: the proposal is solved again, your locks kept."];
        return Redirect($"/setup/programmes/{id}/matching");
    }

    public async Task<IActionResult> OnPostPublishAsync(string id, string? fingerprint, string? key, CancellationToken ct)
    {
        if (await RefusedAsync(id, ct) is { } refused) return refused;
        var request = new PublishRequest(fingerprint);
        if (HttpContext.FormKey(key, request) is not { } formKey)
        {
            Error = text["The form is out of date: reload the page and try again."];
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            return await LoadAsync(id, ct);
        }

        var answer = (await MatchingApi.PublishAsync(HttpContext, dbs, clock, publisher, id, request, formKey, ct)).Result;
        if (answer is Ok<PublishResult> { Value: { } published })
        {
            var created = published.Groups.Count(g => g.Created);
            TempData["Message"] = created == 0
                ? text["Every pair of the proposal runs already as a group: nothing new to publish."]
                : string.Format(text["Published: {0} groups formed and their workflows started; {1} ran already."], created, published.Groups.Count - created);
            return Redirect($"/setup/programmes/{id}/matching");
        }

        var problem = answer as ProblemHttpResult;
        // The API's details are English keys; one built from names (a city already in a group) comes as lines kept with the request.
        Error = PageText.Kept(HttpContext) is { } lines ? string.Join(" ", lines.Select(l => text[l]))
            : problem?.ProblemDetails.Detail is { } detail ? text[detail] : text["The form is out of date: reload the page and try again."];
        Response.StatusCode = problem?.StatusCode ?? StatusCodes.Status422UnprocessableEntity;
        return await LoadAsync(id, ct);
    }

    private async Task<IActionResult?> RefusedAsync(string id, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        return await ProgrammeAdmin.AccessAsync(db, User, id, ct) switch
        {
            ProgrammeAccess.Allowed => null,
            ProgrammeAccess.NotFound => NotFound(),
            _ => Forbid(),
        };
    }

    private async Task<IActionResult> LoadAsync(string id, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        ProgrammeId = id;
        ProgrammeName = await db.Programmes.AsNoTracking().Where(p => p.Id == id).Select(p => p.Name).SingleAsync(ct);
        var result = await MatchingProposals.ProposeAsync(db, id, Texts.Language, Words, ct);
        Proposal = result.Value;
        Refusal = result.Outcome == MatchingOutcome.Done ? null : result.Detail;
        return Page();
    }
}
