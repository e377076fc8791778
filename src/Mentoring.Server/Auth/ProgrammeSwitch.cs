using System.Security.Claims;
using Mentoring.Server.Accounts;
using Mentoring.Server.Data;
using Mentoring.Server.Programme;
using Mentoring.Server.Web;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Auth;

/// <summary>A programme the signed-in person may switch to, with their role there (null: an admin without one).</summary>
public sealed record ProgrammeChoice(string Id, string Name, string? Role, string? CityId, bool Current);

/// <summary>What <c>GET /api/me</c> answers: who is signed in, in which programme, and which others they may switch to.</summary>
public sealed record MeView(Guid Id, string Name, string? Email, bool IsAdmin, string? Programme, string? Role, string? CityId,
    IReadOnlyList<ProgrammeChoice> Programmes);

/// <summary>
/// The programme switch: a person in several programmes (a facilitator running two, a city in two networks) works in one
/// at a time. <c>POST /programme/switch</c> (form field <c>programme</c>, like <c>POST /language</c>; with the sign-in
/// cookie, only with the form's antiforgery token) remembers the choice on the person, so it follows them to another
/// browser and to their API tokens, and signs the cookie in again with that programme's role and city.
/// </summary>
public static class ProgrammeSwitch
{
    /// <summary>The programmes this person may work in: theirs, or every programme for an admin.</summary>
    public static async Task<List<ProgrammeChoice>> ChoicesAsync(MentoringDb db, ClaimsPrincipal user, CancellationToken ct)
    {
        if (!Guid.TryParse(user.FindFirstValue(ClaimTypes.NameIdentifier), out var personId)) return [];
        var current = user.ProgrammeId();
        var places = await (from place in db.ProgrammePeople.AsNoTracking()
                where place.PersonId == personId
                join programme in db.Programmes on place.ProgrammeId equals programme.Id
                select new ProgrammeChoice(programme.Id, programme.Name, place.Role, place.CityId, programme.Id == current))
            .ToListAsync(ct);
        if (user.IsAdmin())
            places.AddRange(await db.Programmes.AsNoTracking().Where(p => !places.Select(c => c.Id).Contains(p.Id))
                .Select(p => new ProgrammeChoice(p.Id, p.Name, null, null, p.Id == current)).ToListAsync(ct));
        return places.OrderBy(c => c.Name).ThenBy(c => c.Id).ToList();
    }

    public static IEndpointRouteBuilder MapProgrammeSwitch(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/me", async Task<Results<Ok<MeView>, NotFound>> (ClaimsPrincipal user, IDbContextFactory<MentoringDb> dbs,
                CancellationToken ct) =>
            {
                await using var db = await dbs.CreateDbContextAsync(ct);
                var id = user.PersonId();
                var person = await db.People.AsNoTracking().SingleOrDefaultAsync(p => p.Id == id, ct);
                if (person is null) return TypedResults.NotFound();
                return TypedResults.Ok(new MeView(person.Id, person.Name, person.Email, person.IsAdmin, user.FindFirstValue(CurrentUser.ProgrammeClaim),
                    user.Role() is { Length: > 0 } role ? role : null, user.CityId(), await ChoicesAsync(db, user, ct)));
            })
            .RequireAuthorization().WithTags("Me");

        // A form post from the header (or any client); /programme itself is the programme-wide work page.
        app.MapPost("/programme/switch", SwitchAsync).RequireAuthorization().DisableAntiforgery().WithOrder(-1).WithTags("Me");
        return app;
    }

    private static async Task<IResult> SwitchAsync(HttpContext http, IDbContextFactory<MentoringDb> dbs, IAntiforgery antiforgery,
        TimeProvider clock, CancellationToken ct)
    {
        var fromCookie = http.Request.Headers.Authorization.Count == 0;
        // The header's form carries an antiforgery token as every page form does; an API token cannot be sent by another site.
        if (fromCookie && !await antiforgery.IsRequestValidAsync(http))
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The form is out of date",
                detail: "Reload the page and try again.");
        var form = http.Request.HasFormContentType ? await http.Request.ReadFormAsync(ct) : null;
        var wanted = form?["programme"].ToString();
        var returnUrl = form?["returnUrl"].ToString();
        await using var db = await dbs.CreateDbContextAsync(ct);
        var choices = await ChoicesAsync(db, http.User, ct);
        if (string.IsNullOrEmpty(wanted) || choices.All(c => c.Id != wanted))
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Unknown programme",
                detail: $"'{wanted}' is not a programme of yours: use one of {string.Join(", ", choices.Select(c => c.Id))}.");

        var personId = http.User.PersonId();
        await db.People.Where(p => p.Id == personId).ExecuteUpdateAsync(set => set.SetProperty(p => p.CurrentProgramme, wanted), ct);
        if (fromCookie)
        {
            var person = await db.People.AsNoTracking().SingleAsync(p => p.Id == personId, ct);
            var claims = (await CurrentUser.ClaimsAsync(db, person, ct)).ToList();
            if (http.User.FindFirst(AccountService.SecurityStampClaim) is { } stamp) claims.Add(new Claim(stamp.Type, stamp.Value));
            var session = await http.AuthenticateAsync(WebServices.CookieScheme);
            var properties = session.Properties ?? new AuthenticationProperties();
            properties.IssuedUtc = clock.GetUtcNow();
            await http.SignInAsync(WebServices.CookieScheme, new ClaimsPrincipal(new ClaimsIdentity(claims, WebServices.CookieScheme)), properties);
        }

        return Results.LocalRedirect(!string.IsNullOrEmpty(returnUrl) && returnUrl.StartsWith('/') && !returnUrl.StartsWith("//")
            && !returnUrl.StartsWith("/\\") ? returnUrl : "/");
    }
}
