using Mentoring.Server.Auth;
using Mentoring.Server.Data;
using Mentoring.Server.Workflows;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Inbox;

/// <summary>
/// "My inbox" over HTTP: <c>GET /api/me/tasks</c> (?filter=mine|team|overdue|due-this-week|waiting, ?sort=due|priority)
/// lists the signed-in person's open tasks across every programme they are in; <c>PUT /api/me/tasks/{id}/follow-up</c>
/// and <c>PUT /api/me/tasks/{id}/priority</c> set the person's follow-up date and the task's priority (the same body
/// twice gives the same answer). Bad values are problem details (400); a task not in the person's inbox, another
/// city's among them, is 404; a priority the person may not set, 403.
/// </summary>
public static class InboxApi
{
    public static IHostApplicationBuilder AddMentoringInbox(this IHostApplicationBuilder builder) => builder;

    public static IEndpointRouteBuilder MapInboxApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/me/tasks").WithTags("Me").RequireAuthorization();
        api.MapGet("", async Task<Results<Ok<InboxView>, ProblemHttpResult>> (HttpContext http, string? filter, string? sort,
                IDbContextFactory<MentoringDb> dbs, DefinitionStore definitions, TimeProvider clock, CancellationToken ct) =>
            {
                await using var db = await dbs.CreateDbContextAsync(ct);
                var view = await InboxQueries.ViewAsync(db, http.User.PersonId(), http.User.ProgrammeId(), filter, sort, clock.GetUtcNow(), ct,
                    definitions.Catalog);
                return view.Refusal == InboxRefusal.None ? TypedResults.Ok(view.Value!) : Problem(view.Refusal, filter, sort);
            })
            .WithSummary("The signed-in person's open tasks across all their programmes: ?filter=" + string.Join("|", InboxQueries.Filters) +
                         " (default mine), ?sort=" + string.Join("|", InboxQueries.Sorts) + " (default due); count is the header's.");
        api.MapPut("/{itemId:guid}/follow-up", async Task<Results<Ok<InboxTask>, ProblemHttpResult>> (HttpContext http, Guid itemId,
                FollowUpRequest body, IDbContextFactory<MentoringDb> dbs, TimeProvider clock, CancellationToken ct) =>
            {
                await using var db = await dbs.CreateDbContextAsync(ct);
                var set = await InboxQueries.SetFollowUpAsync(db, http.User.PersonId(), itemId, body.Date, clock.GetUtcNow(), ct);
                return set.Refusal == InboxRefusal.None ? TypedResults.Ok(set.Value!) : Problem(set.Refusal, body.Date, null);
            })
            .WithSummary("Sets your follow-up date for the task: {date: \"yyyy-MM-dd\"} from today on (null or \"\" clears it). Until that day the " +
                         "task is hidden from 'mine' and from the count.");
        api.MapPut("/{itemId:guid}/priority", async Task<Results<Ok<InboxTask>, ProblemHttpResult>> (HttpContext http, Guid itemId,
                PriorityRequest body, IDbContextFactory<MentoringDb> dbs, TimeProvider clock, CancellationToken ct) =>
            {
                await using var db = await dbs.CreateDbContextAsync(ct);
                var set = await InboxQueries.SetPriorityAsync(db, http.User.PersonId(), itemId, body.Priority, clock.GetUtcNow(), ct);
                return set.Refusal == InboxRefusal.None ? TypedResults.Ok(set.Value!) : Problem(set.Refusal, body.Priority, null);
            })
            .WithSummary("Sets the task's priority: {priority: " + string.Join("|", TaskPriorities.All) + "}; the task's city or the facilitator may.");
        return app;
    }

    private static ProblemHttpResult Problem(InboxRefusal refusal, string? value, string? sort) => refusal switch
    {
        InboxRefusal.BadFilter => Bad("Unknown filter", $"'{value}' is not a filter: use one of {string.Join(", ", InboxQueries.Filters)}."),
        InboxRefusal.BadSort => Bad("Unknown sort", $"'{sort}' is not a sort: use one of {string.Join(", ", InboxQueries.Sorts)}."),
        InboxRefusal.BadDate => Bad("Not a date", $"'{value}' is not a date: give it as yyyy-MM-dd, or null to clear the follow-up."),
        InboxRefusal.DateInThePast => Bad("The date has passed", $"{value} is before your today: a follow-up is a day to come."),
        InboxRefusal.DateTooFar => Bad("The date is too far", $"{value} is more than {InboxQueries.MaxFollowUpDays} days away."),
        InboxRefusal.BadPriority => Bad("Unknown priority", $"'{value}' is not a priority: use one of {string.Join(", ", TaskPriorities.All)}."),
        InboxRefusal.Forbidden => TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not yours to do",
            detail: "Only the task's city or the facilitator sets its priority."),
        _ => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: "No open task of yours has this id."),
    };

    private static ProblemHttpResult Bad(string title, string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: title, detail: detail);
}
