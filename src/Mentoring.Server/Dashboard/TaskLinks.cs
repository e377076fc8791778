using Mentoring.Server.Auth;
using Mentoring.Server.Data;
using Mentoring.Server.Pairs;
using Mentoring.Server.Workflows;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Dashboard;

/// <summary>
/// Where the links in emails land. Every email about a task, visit or approval links to <c>/tasks/{id}</c>, which
/// sends the reader to the page that shows it: the pair's page, or the programme's own work page, at the item. The
/// reader must be allowed to see it there; another city's task is 403, an unknown one 404. Links written before this
/// route (<c>/pairs/{pair}/items/{item}</c>, <c>/programme/items/{item}</c>, a 404 then) go the same way.
/// </summary>
public static class TaskLinks
{
    public static string For(string publicUrl, Guid workItemId) => $"{publicUrl.TrimEnd('/')}/tasks/{workItemId}";

    public static IEndpointRouteBuilder MapTaskLinks(this IEndpointRouteBuilder app)
    {
        app.MapGet("/tasks/{itemId:guid}", async (Guid itemId, HttpContext http, IDbContextFactory<MentoringDb> dbs, DefinitionStore definitions,
                CancellationToken ct) =>
            {
                await using var db = await dbs.CreateDbContextAsync(ct);
                var found = await (from item in db.WorkItems
                        where item.Id == itemId
                        join instance in db.Instances on item.InstanceId equals instance.Id
                        select new { instance.GroupId, instance.ProgrammeId })
                    .AsNoTracking().SingleOrDefaultAsync(ct);
                if (found is null) return Results.NotFound();
                if (found.GroupId is { } pairId)
                {
                    var (access, _, _) = await PairPageData.CheckAsync(db, http.User, pairId, ct);
                    return access switch
                    {
                        PairPageData.Access.Ok => Results.Redirect($"/pairs/{pairId}#item-{itemId}"),
                        PairPageData.Access.Forbidden => Results.Forbid(),
                        _ => Results.NotFound(),
                    };
                }

                // The programme's own work: its facilitator's and its programme-scope roles' (admins may look). Another
                // programme's is not there for them, as its groups are not.
                if (found.ProgrammeId != http.User.ProgrammeId()) return Results.NotFound();
                var (_, definition) = await definitions.ProgrammeWorkflowAsync(db, found.ProgrammeId, ct);
                return http.User.SeesProgrammeWork(found.ProgrammeId, definition)
                    ? Results.Redirect($"/programme#item-{itemId}")
                    : Results.Forbid();
            })
            .RequireAuthorization().ExcludeFromDescription();
        app.MapGet("/pairs/{pairId:guid}/items/{itemId:guid}", (Guid itemId) => Results.Redirect($"/tasks/{itemId}"))
            .ExcludeFromDescription();
        app.MapGet("/programme/items/{itemId:guid}", (Guid itemId) => Results.Redirect($"/tasks/{itemId}"))
            .ExcludeFromDescription();
        return app;
    }
}
