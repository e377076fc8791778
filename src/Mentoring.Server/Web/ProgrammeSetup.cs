using System.Net.Mail;
using System.Security.Claims;
using Mentoring.Server.Auth;
using Mentoring.Server.Data;
using Mentoring.Server.Programme;
using Mentoring.Server.Web.Accounts;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Web;

public sealed record CityView(string Id, string Name, string Country, string? Association, string TimeZone, string Language);
public sealed record PersonView(Guid Id, string Name, string? Email, string Role, string? CityId, string Language);
public sealed record UpdateCityRequest(string? TimeZone, string? Language);
public sealed record AddPersonRequest(string? Name, [property: Inputs.Text(Inputs.Limits.Email)] string? Email, string? Role, string? CityId,
    string? Language, bool Invite);

/// <summary>The facilitator's programme set-up, shared by the set-up page and /api/setup. Errors come back as the
/// English text, which is also the key of its translation.</summary>
public static class ProgrammeSetup
{
    public static readonly string[] Languages = ["en", "el", "fr", "nl", "it", "es", "lv"];

    public static async Task<string?> UpdateCityAsync(MentoringDb db, string id, string? timeZone, string? language, CancellationToken ct)
    {
        var city = await db.Cities.SingleOrDefaultAsync(c => c.Id == id, ct);
        if (city is null) return "There is no such city.";
        if (timeZone is null || !TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out _)) return "Unknown time zone: use a name such as Europe/Athens.";
        if (!Languages.Contains(language)) return "Choose one of the listed languages.";
        city.TimeZone = timeZone;
        city.Language = language!;
        await db.SaveChangesAsync(ct);
        return null;
    }

    public static async Task<(Person? Person, string? Error)> AddPersonAsync(MentoringDb db, AccountService accounts, ClaimsPrincipal by,
        AddPersonRequest request, DateTimeOffset now, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request.Name)) return (null, "Give the person's name.");
        if (!MailAddress.TryCreate(request.Email, out _)) return (null, "Give a valid email address.");
        if (!PersonRoles.All.Contains(request.Role)) return (null, "Choose a role.");
        var city = request.Role == PersonRoles.Coordinator ? await db.Cities.SingleOrDefaultAsync(c => c.Id == request.CityId, ct) : null;
        if (request.Role == PersonRoles.Coordinator && city is null) return (null, "A coordinator needs a city.");
        if (!Languages.Contains(request.Language)) return (null, "Choose one of the listed languages.");
        var email = request.Email!.Trim();
        if (await db.People.AnyAsync(p => p.Email == email, ct)) return (null, "Somebody already has this email address.");
        var person = new Person
        {
            ProgrammeId = by.FindFirst(CurrentUser.ProgrammeClaim)!.Value, Name = request.Name.Trim(), Email = email, Role = request.Role!,
            CityId = city?.Id, Organisation = city?.Association, Language = request.Language!,
            TimeZone = city?.TimeZone ?? "Europe/Brussels", CreatedAt = now,
        };
        db.People.Add(person);
        if (request.Invite) await InviteAsync(db, accounts, by, person, city, ct);
        await db.SaveChangesAsync(ct);
        return (person, null);
    }

    /// <summary>Adds the invitation link and its email to the context; the caller saves.</summary>
    public static async Task InviteAsync(MentoringDb db, AccountService accounts, ClaimsPrincipal by, Person person, City? city,
        CancellationToken ct)
    {
        city ??= person.CityId is null ? null : await db.Cities.SingleAsync(c => c.Id == person.CityId, ct);
        var inviter = await db.People.AsNoTracking().SingleAsync(p => p.Id == by.PersonId(), ct);
        accounts.AddLink(db, person, LinkPurpose.Invitation, inviter, city is null ? person.Role : $"{person.Role}, {city.Name}");
    }

    public static IEndpointRouteBuilder MapSetupApi(this IEndpointRouteBuilder app)
    {
        var setup = app.MapGroup("/api/setup").WithTags("Programme set-up")
            .RequireAuthorization(policy => policy.RequireRole(PersonRoles.Facilitator, PersonRoles.Admin));
        setup.MapGet("/cities", async (IDbContextFactory<MentoringDb> dbs, CancellationToken ct) =>
        {
            await using var db = await dbs.CreateDbContextAsync(ct);
            return TypedResults.Ok(await db.Cities.AsNoTracking().OrderBy(c => c.Name)
                .Select(c => new CityView(c.Id, c.Name, c.Country, c.Association, c.TimeZone, c.Language)).ToListAsync(ct));
        });
        setup.MapPut("/cities/{id}", async Task<Results<NoContent, ValidationProblem>> (string id, UpdateCityRequest body,
            IDbContextFactory<MentoringDb> dbs, CancellationToken ct) =>
        {
            await using var db = await dbs.CreateDbContextAsync(ct);
            var error = await UpdateCityAsync(db, id, body.TimeZone, body.Language, ct);
            return error is null ? TypedResults.NoContent() : TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["city"] = [error] });
        });
        setup.MapGet("/people", async (IDbContextFactory<MentoringDb> dbs, CancellationToken ct) =>
        {
            await using var db = await dbs.CreateDbContextAsync(ct);
            return TypedResults.Ok(await db.People.AsNoTracking().OrderBy(p => p.Role).ThenBy(p => p.Name)
                .Select(p => new PersonView(p.Id, p.Name, p.Email, p.Role, p.CityId, p.Language)).ToListAsync(ct));
        });
        setup.MapPost("/people", async Task<Results<Ok<PersonView>, ValidationProblem>> (AddPersonRequest body, HttpContext http,
            IDbContextFactory<MentoringDb> dbs, AccountService accounts, TimeProvider clock, CancellationToken ct) =>
        {
            await using var db = await dbs.CreateDbContextAsync(ct);
            var (person, error) = await AddPersonAsync(db, accounts, http.User, body, clock.GetUtcNow(), ct);
            return person is null
                ? TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["person"] = [error!] })
                : TypedResults.Ok(new PersonView(person.Id, person.Name, person.Email, person.Role, person.CityId, person.Language));
        });
        setup.MapPost("/people/{id:guid}/invite", async Task<Results<NoContent, NotFound>> (Guid id, HttpContext http,
            IDbContextFactory<MentoringDb> dbs, AccountService accounts, CancellationToken ct) =>
        {
            await using var db = await dbs.CreateDbContextAsync(ct);
            var person = await db.People.SingleOrDefaultAsync(p => p.Id == id, ct);
            if (person is null) return TypedResults.NotFound();
            await InviteAsync(db, accounts, http.User, person, null, ct);
            await db.SaveChangesAsync(ct);
            return TypedResults.NoContent();
        });
        return app;
    }
}
