using Mentoring.Server.Auth;
using Mentoring.Server.Email;
using Mentoring.Server.Pairs;
using Mentoring.Server.Programme;
using Mentoring.Server.Web;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Mentoring.Server.Pages.Dashboard;

/// <summary>The facilitator's email log: what went out, what keeps failing and what was given up on, with a resend
/// that follows the rules of <c>POST /api/email/{id}/resend</c> (same OutboxAdmin, same idempotency records).</summary>
[Authorize(Roles = PersonRoles.Facilitator + "," + PersonRoles.Admin)]
public sealed class EmailModel(OutboxAdmin admin, Texts text, EmailDeliveryStatus delivery,
    Microsoft.EntityFrameworkCore.IDbContextFactory<Data.MentoringDb> dbs, TimeProvider clock) : PageModel
{
    public const int PageSize = 50;

    /// <summary>Set while this node's mail server refuses the sign-in: then no email goes out at all.</summary>
    public SignInRefusal? SignInRefused => delivery.SignInRefused;

    public IReadOnlyList<EmailLogEntry> Messages { get; private set; } = [];
    public int Total { get; private set; }
    public int PageNumber { get; private set; }
    public string FormKey { get; } = PageCommands.NewKey();

    public async Task OnGetAsync(int p, CancellationToken ct)
    {
        PageNumber = Math.Max(0, p);
        (Messages, Total) = await admin.LogAsync(User.ProgrammeId(), PageNumber * PageSize, PageSize, ct);
    }

    public async Task<IActionResult> OnPostResendAsync(Guid id, string? key, int p, CancellationToken ct)
    {
        // The hidden key is the Idempotency-Key; the message id is in the fingerprint, as it is in the API's path.
        if (HttpContext.FormKey(key, new ResendForm(id)) is not { } idempotencyKey)
        {
            TempData["Message"] = text["The change could not be made."];
            return Redirect(Back(p));
        }

        var result = await admin.ResendAsync(User.ProgrammeId(), id, idempotencyKey, ct);
        TempData["Message"] = result.Outcome switch
        {
            ResendOutcome.Resent or ResendOutcome.Replayed => text["The email is queued to be sent again."],
            ResendOutcome.AlreadyPending => text["That email is already waiting to be sent."],
            ResendOutcome.NotFound => text["There is no such email in the log."],
            _ => text["The change could not be made."],
        };
        return Redirect(Back(p));
    }

    /// <summary>The dashboard's bounce flag: dismissed for every standing bounce of the person, then back to the dashboard.
    /// Dismissing twice (a double submit) changes nothing the second time, so no key is needed.</summary>
    public async Task<IActionResult> OnPostDismissBounceAsync(Guid personId, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        await EmailBounces.DismissAsync(db, User.ProgrammeId(), personId, User.Identity?.Name ?? "facilitator", clock.GetUtcNow(), ct);
        TempData["Message"] = text["Saved."];
        return Redirect("/dashboard#email-bounces");
    }

    private static string Back(int p) => p > 0 ? $"/dashboard/email?p={p}" : "/dashboard/email";

    private sealed record ResendForm(Guid Id);
}
