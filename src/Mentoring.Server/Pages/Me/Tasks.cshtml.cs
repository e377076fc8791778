using Mentoring.Server.Auth;
using Mentoring.Server.Data;
using Mentoring.Server.Inbox;
using Mentoring.Server.Web;
using Mentoring.Server.Workflows;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Pages.Me;

/// <summary>"My tasks": the person's inbox across every programme they are in (<see cref="InboxQueries"/>), with its
/// filters and sorts as links, and per task a follow-up date and (for its city or the facilitator) a priority.</summary>
public sealed class TasksModel(IDbContextFactory<MentoringDb> dbs, DefinitionStore definitions, Texts text, TimeProvider clock) : PageModel
{
    public InboxView? View { get; private set; }
    public string Filter { get; private set; } = InboxQueries.Mine;
    public string Sort { get; private set; } = InboxQueries.ByDue;
    public string? Error { get; private set; }

    public async Task OnGetAsync(string? filter, string? sort, CancellationToken ct) => await LoadAsync(filter, sort, ct);

    public async Task<IActionResult> OnPostFollowUpAsync(Guid itemId, string? on, string? filter, string? sort, CancellationToken ct)
    {
        await using (var db = await dbs.CreateDbContextAsync(ct))
        {
            var set = await InboxQueries.SetFollowUpAsync(db, User.PersonId(), itemId, on, clock.GetUtcNow(), ct);
            if (set.Refusal != InboxRefusal.None) return await RefusedAsync(set.Refusal, filter, sort, ct);
            TempData["Message"] = set.Value!.FollowUpOn is { } day
                ? string.Format(text["You will see this task again on {0}."], Fmt.Date(day))
                : text["The follow-up date is cleared."];
        }

        return Redirect(Back(filter, sort));
    }

    public async Task<IActionResult> OnPostPriorityAsync(Guid itemId, string? priority, string? filter, string? sort, CancellationToken ct)
    {
        await using (var db = await dbs.CreateDbContextAsync(ct))
        {
            var set = await InboxQueries.SetPriorityAsync(db, User.PersonId(), itemId, priority, clock.GetUtcNow(), ct);
            if (set.Refusal == InboxRefusal.Forbidden) return Redirect("/forbidden");
            if (set.Refusal != InboxRefusal.None) return await RefusedAsync(set.Refusal, filter, sort, ct);
            TempData["Message"] = text["The priority is saved."];
        }

        return Redirect(Back(filter, sort));
    }

    public string Link(string? filter, string? sort) => Back(filter ?? Filter, sort ?? Sort);

    private static string Back(string? filter, string? sort) =>
        $"/me/tasks?filter={Uri.EscapeDataString(InboxQueries.Filters.Contains(filter ?? "") ? filter! : InboxQueries.Mine)}" +
        $"&sort={Uri.EscapeDataString(InboxQueries.Sorts.Contains(sort ?? "") ? sort! : InboxQueries.ByDue)}";

    private async Task<IActionResult> RefusedAsync(InboxRefusal refusal, string? filter, string? sort, CancellationToken ct)
    {
        if (refusal == InboxRefusal.NotFound) return NotFound();
        await LoadAsync(filter, sort, ct);
        Error = Message(refusal);
        Response.StatusCode = StatusCodes.Status400BadRequest;
        return Page();
    }

    private async Task LoadAsync(string? filter, string? sort, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow();
        var view = await InboxQueries.ViewAsync(db, User.PersonId(), User.ProgrammeId(), filter, sort, now, ct, definitions.Catalog);
        if (view.Refusal != InboxRefusal.None)
        {
            // An address typed or kept from elsewhere: say what was wrong and show the default list.
            Error = Message(view.Refusal);
            Response.StatusCode = StatusCodes.Status400BadRequest;
            view = await InboxQueries.ViewAsync(db, User.PersonId(), User.ProgrammeId(), null, null, now, ct, definitions.Catalog);
        }

        View = view.Value;
        Filter = View!.Filter;
        Sort = View.Sort;
    }

    private string Message(InboxRefusal refusal) => refusal switch
    {
        InboxRefusal.BadFilter => text["This list does not exist: choose one of the lists above."],
        InboxRefusal.BadSort => text["This order does not exist: sort by due date or by priority."],
        InboxRefusal.BadDate => text["Give the follow-up date as a date (day, month, year)."],
        InboxRefusal.DateInThePast => text["The follow-up date has passed: choose today or a later day."],
        InboxRefusal.DateTooFar => text["The follow-up date is more than a year away: choose an earlier day."],
        _ => text["Choose a priority: low, normal or high."],
    };
}
