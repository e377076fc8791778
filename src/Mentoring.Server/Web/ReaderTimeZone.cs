using System.Security.Claims;
using Mentoring.Server.Data;
using Mentoring.Server.Programme;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Web;

/// <summary>
/// Sets <see cref="Fmt.Zone"/> for a page request: the person's own time zone, or for a coordinator their city's,
/// since they act for the city and its deadlines are the city's. Read from the database on each page request, not
/// from the cookie, so a changed zone shows at once. The API speaks UTC and skips this.
/// </summary>
public static class ReaderTimeZone
{
    public static WebApplication UseReaderTimeZone(this WebApplication app)
    {
        app.Use(ResolveAsync);
        return app;
    }

    private static async Task ResolveAsync(HttpContext context, Func<Task> next)
    {
        Fmt.Zone = TimeZoneInfo.Utc;
        if (context.User.Identity?.IsAuthenticated == true && !IsApi(context.Request.Path)
            && Guid.TryParse(context.User.FindFirstValue(ClaimTypes.NameIdentifier), out var personId))
        {
            var dbs = context.RequestServices.GetRequiredService<IDbContextFactory<MentoringDb>>();
            await using var db = await dbs.CreateDbContextAsync(context.RequestAborted);
            // A coordinator reads in their city's zone (in the current programme), anyone else in their own.
            var city = context.User.IsInRole(PersonRoles.Coordinator) ? context.User.FindFirstValue(Auth.CurrentUser.CityClaim) : null;
            var zone = await db.People.Where(p => p.Id == personId)
                .Select(p => db.Cities.Where(c => c.Id == city).Select(c => c.TimeZone).FirstOrDefault() ?? p.TimeZone)
                .FirstOrDefaultAsync(context.RequestAborted);
            if (zone is not null && TimeZoneInfo.TryFindSystemTimeZoneById(zone, out var found)) Fmt.Zone = found;
        }

        await next();
    }

    private static bool IsApi(PathString path) =>
        path.StartsWithSegments("/api") || path.StartsWithSegments("/health") || path.StartsWithSegments("/site.css");
}
