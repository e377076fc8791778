using System.Net.Mail;
using System.Security.Claims;
using Mentoring.Server.Auth;
using Mentoring.Server.Data;
using Mentoring.Server.Programme;
using Mentoring.Server.Accounts;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Setup;

public sealed record CityView(string Id, string Name, string Country, string? Association, string TimeZone, string Language);
public sealed record PersonView(Guid Id, string Name, string? Email, string Role, string? CityId, string Language);
public sealed record UpdateCityRequest(string? TimeZone, string? Language);
public sealed record AddPersonRequest(string? Name, [property: Inputs.Text(Inputs.Limits.Email)] string? Email, string? Role, string? CityId,
    string? Language, bool Invite);

public enum AddPersonOutcome { Added, Invalid, EmailTaken }

/// <summary>What adding a person came to. <see cref="Error"/> is the English text (the key of its translation), with
/// <see cref="Email"/> for its {0}.</summary>
public sealed record AddPersonResult(AddPersonOutcome Outcome, Person? Person = null, string? Error = null, string? Email = null)
{
    public static AddPersonResult Invalid(string error) => new(AddPersonOutcome.Invalid, Error: error);
    public static AddPersonResult Taken(string email) => new(AddPersonOutcome.EmailTaken, Error: ProgrammeSetup.EmailTaken, Email: email);
}

/// <summary>The facilitator's programme set-up, shared by the set-up page and /api/setup. Errors come back as the
/// English text, which is also the key of its translation.</summary>
public static class ProgrammeSetup
{
    public static readonly string[] Languages = ["en", "el", "fr", "nl", "it", "es", "lv"];

    /// <summary>A city of <paramref name="programmeId"/>: another programme's city is not there for its facilitator.</summary>
    public static async Task<string?> UpdateCityAsync(MentoringDb db, string programmeId, string id, string? timeZone, string? language,
        CancellationToken ct)
    {
        var city = await db.Cities.SingleOrDefaultAsync(c => c.Id == id
            && db.ProgrammeMembers.Any(m => m.CityId == c.Id && m.ProgrammeId == programmeId), ct);
        if (city is null) return "There is no such city.";
        if (timeZone is null || !TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out _)) return "Unknown time zone: use a name such as Europe/Athens.";
        if (!Languages.Contains(language)) return "Choose one of the listed languages.";
        city.TimeZone = timeZone;
        city.Language = language!;
        await db.SaveChangesAsync(ct);
        return null;
    }

    /// <summary>The English text of the answer when the address is taken; {0} is the address.</summary>
    public const string EmailTaken = "Somebody already has the email address {0}.";

    /// <summary>Adds a person, and invites them when asked, in one save. The address is unique whatever its capitals:
    /// checked first for a clear answer, and enforced by the database's unique index for the add that races another
    /// (its unique violation becomes the same answer, never an error).</summary>
    public static async Task<AddPersonResult> AddPersonAsync(MentoringDb db, AccountService accounts, ClaimsPrincipal by,
        AddPersonRequest request, DateTimeOffset now, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request.Name)) return AddPersonResult.Invalid("Give the person's name.");
        if (!MailAddress.TryCreate(request.Email?.Trim(), out _)) return AddPersonResult.Invalid("Give a valid email address.");
        if (!PersonRoles.All.Contains(request.Role)) return AddPersonResult.Invalid("Choose a role.");
        // An admin acts in every programme, so only an admin makes another.
        if (request.Role == PersonRoles.Admin && !by.IsAdmin()) return AddPersonResult.Invalid("Choose a role.");
        var programmeId = by.ProgrammeId();
        var city = request.Role == PersonRoles.Coordinator
            ? await db.Cities.SingleOrDefaultAsync(c => c.Id == request.CityId
                && db.ProgrammeMembers.Any(m => m.CityId == c.Id && m.ProgrammeId == programmeId), ct)
            : null;
        if (request.Role == PersonRoles.Coordinator && city is null) return AddPersonResult.Invalid("A coordinator needs a city.");
        if (!Languages.Contains(request.Language)) return AddPersonResult.Invalid("Choose one of the listed languages.");
        var email = EmailAddress.Normalise(request.Email);
        if (await db.People.WithEmail(email).AnyAsync(ct)) return AddPersonResult.Taken(email);
        var person = new Person
        {
            Name = request.Name.Trim(), Email = email, Language = request.Language!, TimeZone = city?.TimeZone ?? "Europe/Brussels",
            IsAdmin = request.Role == PersonRoles.Admin, CurrentProgramme = programmeId, CreatedAt = now,
        };
        db.People.Add(person);
        var association = city is null ? null
            : await db.ProgrammeMembers.Where(m => m.ProgrammeId == programmeId && m.CityId == city.Id).Select(m => m.Association).SingleAsync(ct);
        db.ProgrammePeople.Add(new ProgrammePerson
        {
            ProgrammeId = programmeId, PersonId = person.Id,
            Role = request.Role == PersonRoles.Admin ? PersonRoles.Observer : request.Role!, CityId = city?.Id, Organisation = association,
        });
        if (request.Invite) await InviteAsync(db, accounts, by, person, city, ct);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (IsUniqueViolation(e))
        {
            return AddPersonResult.Taken(email);
        }

        return new AddPersonResult(AddPersonOutcome.Added, person);
    }

    private static bool IsUniqueViolation(DbUpdateException e) => e.InnerException switch
    {
        Npgsql.PostgresException pg => pg.SqlState == Npgsql.PostgresErrorCodes.UniqueViolation,
        // SQLITE_CONSTRAINT_UNIQUE (2067) and SQLITE_CONSTRAINT_PRIMARYKEY (1555), as extended codes of SQLITE_CONSTRAINT.
        Microsoft.Data.Sqlite.SqliteException sqlite => sqlite.SqliteExtendedErrorCode is 2067 or 1555,
        _ => false,
    };

    /// <summary>Adds the invitation link and its email to the context; the caller saves.</summary>
    public static async Task InviteAsync(MentoringDb db, AccountService accounts, ClaimsPrincipal by, Person person, City? city,
        CancellationToken ct)
    {
        var programmeId = by.ProgrammeId();
        var place = db.ProgrammePeople.Local.FirstOrDefault(p => p.PersonId == person.Id && p.ProgrammeId == programmeId)
                    ?? await db.ProgrammePeople.AsNoTracking().SingleOrDefaultAsync(p => p.PersonId == person.Id && p.ProgrammeId == programmeId, ct);
        city ??= place?.CityId is null ? null : await db.Cities.SingleAsync(c => c.Id == place.CityId, ct);
        var inviter = await db.People.AsNoTracking().SingleAsync(p => p.Id == by.PersonId(), ct);
        var role = place?.Role ?? "";
        accounts.AddLink(db, person, LinkPurpose.Invitation, inviter, city is null ? role : $"{role}, {city.Name}");
    }

    /// <summary>The programme's cities, with their association there.</summary>
    public static Task<List<CityView>> CitiesAsync(MentoringDb db, string programmeId, CancellationToken ct) =>
        (from m in db.ProgrammeMembers.AsNoTracking()
            where m.ProgrammeId == programmeId
            join c in db.Cities on m.CityId equals c.Id
            orderby c.Name
            select new CityView(c.Id, c.Name, c.Country, m.Association, c.TimeZone, c.Language)).ToListAsync(ct);

    /// <summary>The programme's people, with their role and city there.</summary>
    public static Task<List<PersonView>> PeopleAsync(MentoringDb db, string programmeId, CancellationToken ct) =>
        (from place in db.ProgrammePeople.AsNoTracking()
            where place.ProgrammeId == programmeId
            join p in db.People on place.PersonId equals p.Id
            orderby place.Role, p.Name
            select new PersonView(p.Id, p.Name, p.Email, place.Role, place.CityId, p.Language)).ToListAsync(ct);

    public static IEndpointRouteBuilder MapSetupApi(this IEndpointRouteBuilder app)
    {
        var setup = app.MapGroup("/api/setup").WithTags("Programme set-up")
            .RequireAuthorization(policy => policy.RequireRole(PersonRoles.Facilitator, PersonRoles.Admin));
        setup.MapGet("/cities", async (HttpContext http, IDbContextFactory<MentoringDb> dbs, CancellationToken ct) =>
        {
            await using var db = await dbs.CreateDbContextAsync(ct);
            return TypedResults.Ok(await CitiesAsync(db, http.User.ProgrammeId(), ct));
        });
        setup.MapPut("/cities/{id}", async Task<Results<NoContent, ValidationProblem>> (string id, UpdateCityRequest body,
            HttpContext http, IDbContextFactory<MentoringDb> dbs, CancellationToken ct) =>
        {
            await using var db = await dbs.CreateDbContextAsync(ct);
            var error = await UpdateCityAsync(db, http.User.ProgrammeId(), id, body.TimeZone, body.Language, ct);
            return error is null ? TypedResults.NoContent() : TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["city"] = [error] });
        });
        setup.MapGet("/people", async (HttpContext http, IDbContextFactory<MentoringDb> dbs, CancellationToken ct) =>
        {
            await using var db = await dbs.CreateDbContextAsync(ct);
            return TypedResults.Ok(await PeopleAsync(db, http.User.ProgrammeId(), ct));
        });
        setup.MapPost("/people", async Task<Results<Created<PersonView>, ValidationProblem, ProblemHttpResult>> (AddPersonRequest body,
            HttpContext http, IDbContextFactory<MentoringDb> dbs, AccountService accounts, TimeProvider clock, CancellationToken ct) =>
        {
            await using var db = await dbs.CreateDbContextAsync(ct);
            var result = await AddPersonAsync(db, accounts, http.User, body, clock.GetUtcNow(), ct);
            return result switch
            {
                { Outcome: AddPersonOutcome.Added, Person: { } p } =>
                    TypedResults.Created($"/api/setup/people/{p.Id}", (await PeopleAsync(db, http.User.ProgrammeId(), ct)).Single(v => v.Id == p.Id)),
                { Outcome: AddPersonOutcome.EmailTaken } => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict,
                    title: "The email address is taken.", detail: string.Format(EmailTaken, result.Email)),
                _ => TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["person"] = [result.Error!] }),
            };
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
