using Mentoring.Server.Auth;
using Mentoring.Server.Calendar;
using Mentoring.Server.Data;
using Mentoring.Server.Email;
using Mentoring.Server.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Mentoring.Server.Pages.Calendar;

/// <summary>The person's private calendar feeds: create one (its address shown once), list, revoke.</summary>
public sealed class FeedsModel(IDbContextFactory<MentoringDb> dbs, Texts text, TimeProvider clock, IOptions<EmailOptions> options) : PageModel
{
    public IReadOnlyList<CalendarFeedView> List { get; private set; } = [];
    public CreatedCalendarFeed? Created { get; private set; }
    public string? Error { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        List = await CalendarFeedsApi.ListAsync(db, User.PersonId(), ct);
    }

    public async Task OnPostCreateAsync(string? name, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var invalid = string.IsNullOrWhiteSpace(name) ? text[CalendarFeedsApi.NameMissing]
            : PageCommands.Invalid(new CreateCalendarFeedRequest(name), clock, text);
        if (invalid is not null)
        {
            Error = invalid;
            Response.StatusCode = StatusCodes.Status400BadRequest;
        }
        else
        {
            Created = await CalendarFeedsApi.CreateAsync(db, User.PersonId(), name!.Trim(), options.Value.PublicUrl, clock.GetUtcNow(), ct);
        }

        List = await CalendarFeedsApi.ListAsync(db, User.PersonId(), ct);
    }

    public async Task<IActionResult> OnPostRevokeAsync(Guid id, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        await CalendarFeedsApi.RevokeAsync(db, User.PersonId(), id, clock.GetUtcNow(), ct);
        TempData["Message"] = text["The calendar feed is revoked: its address no longer answers."];
        return Redirect("/me/calendar");
    }
}
