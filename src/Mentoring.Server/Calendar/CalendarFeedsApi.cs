using Mentoring.Server.Auth;
using Mentoring.Server.Data;
using Mentoring.Server.Email;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Mentoring.Server.Calendar;

public sealed record CalendarFeedView(Guid Id, string Name, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);
public sealed record CreateCalendarFeedRequest([property: Inputs.Text(Inputs.Limits.TokenName)] string? Name);
/// <summary>A new feed: its address, shown only now (only the token's hash is kept).</summary>
public sealed record CreatedCalendarFeed(Guid Id, string Name, string Url);

/// <summary>
/// Private calendar feeds: each person lists, creates and revokes their own (<c>/api/me/calendar-feeds</c>), and
/// <c>GET /calendar/{token}.ics</c> answers, without a cookie, the union of every <see cref="ICalendarSource"/> for the
/// feed's person (METHOD:PUBLISH). An unknown or revoked token is 404, as an address that never existed.
/// </summary>
public static class CalendarFeedsApi
{
    public const string NameMissing = "Name the calendar feed (up to 100 characters).";
    private const string Prefix = "cal_";

    public static IEndpointRouteBuilder MapCalendarApi(this IEndpointRouteBuilder app)
    {
        var feeds = app.MapGroup("/api/me/calendar-feeds").WithTags("Calendar").RequireAuthorization();
        feeds.MapGet("/", async (HttpContext http, IDbContextFactory<MentoringDb> dbs, CancellationToken ct) =>
        {
            await using var db = await dbs.CreateDbContextAsync(ct);
            return TypedResults.Ok(await ListAsync(db, http.User.PersonId(), ct));
        }).WithSummary("Your calendar feeds (never their addresses: those are shown once, when created).");
        feeds.MapPost("/", async Task<Results<Created<CreatedCalendarFeed>, ValidationProblem>> (HttpContext http,
            CreateCalendarFeedRequest body, IDbContextFactory<MentoringDb> dbs, IOptions<EmailOptions> options, TimeProvider clock,
            CancellationToken ct) =>
        {
            if (string.IsNullOrWhiteSpace(body.Name))
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["name"] = [NameMissing] },
                    title: "The request is not valid.");
            await using var db = await dbs.CreateDbContextAsync(ct);
            var created = await CreateAsync(db, http.User.PersonId(), body.Name.Trim(), options.Value.PublicUrl, clock.GetUtcNow(), ct);
            return TypedResults.Created($"/api/me/calendar-feeds/{created.Id}", created);
        }).WithSummary("Creates a private feed; the answer's url is shown only this once: subscribe to it in a calendar app.");
        feeds.MapDelete("/{id:guid}", async Task<Results<NoContent, ProblemHttpResult>> (HttpContext http, Guid id,
            IDbContextFactory<MentoringDb> dbs, TimeProvider clock, CancellationToken ct) =>
        {
            await using var db = await dbs.CreateDbContextAsync(ct);
            return await RevokeAsync(db, http.User.PersonId(), id, clock.GetUtcNow(), ct)
                ? TypedResults.NoContent()
                : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: "You have no calendar feed with this id.");
        }).WithSummary("Revokes a feed: its address answers 404 from now on.");

        app.MapGet("/calendar/{token}.ics", async Task<IResult> (string token, IDbContextFactory<MentoringDb> dbs,
                IEnumerable<ICalendarSource> sources, TimeProvider clock, HttpContext http, CancellationToken ct) =>
            {
                await using var db = await dbs.CreateDbContextAsync(ct);
                var ics = await FeedAsync(db, token, sources, clock.GetUtcNow(), ct);
                if (ics is null)
                    return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found",
                        detail: "There is no calendar feed at this address, or it was revoked.");
                // The address is the secret: no cache or proxy keeps a copy of the person's calendar.
                http.Response.Headers.CacheControl = "private, no-store";
                return Results.Text(ics, "text/calendar; charset=utf-8");
            })
            .AllowAnonymous().WithTags("Calendar")
            .WithSummary("A private calendar feed (iCalendar, METHOD:PUBLISH): the person's deadlines, visits and events.");
        return app;
    }

    public static Task<List<CalendarFeedView>> ListAsync(MentoringDb db, Guid personId, CancellationToken ct) =>
        db.CalendarFeeds.AsNoTracking().Where(f => f.PersonId == personId).OrderByDescending(f => f.CreatedAt)
            .Select(f => new CalendarFeedView(f.Id, f.Name, f.CreatedAt, f.RevokedAt)).ToListAsync(ct);

    public static async Task<CreatedCalendarFeed> CreateAsync(MentoringDb db, Guid personId, string name, string publicUrl,
        DateTimeOffset now, CancellationToken ct)
    {
        // An API token's 32 random bytes under the feed's own prefix: a feed address never signs anyone in to the API.
        var token = Prefix + ApiTokenAuthentication.NewToken()[ApiTokenAuthentication.Prefix.Length..];
        var feed = new CalendarFeed { PersonId = personId, Name = name, Hash = ApiTokenAuthentication.Hash(token), CreatedAt = now };
        db.CalendarFeeds.Add(feed);
        await db.SaveChangesAsync(ct);
        return new CreatedCalendarFeed(feed.Id, name, $"{publicUrl.TrimEnd('/')}/calendar/{token}.ics");
    }

    public static async Task<bool> RevokeAsync(MentoringDb db, Guid personId, Guid id, DateTimeOffset now, CancellationToken ct)
    {
        var feed = await db.CalendarFeeds.SingleOrDefaultAsync(f => f.Id == id && f.PersonId == personId, ct);
        if (feed is null) return false;
        feed.RevokedAt ??= now;
        await db.SaveChangesAsync(ct);
        return true;
    }

    /// <summary>The feed's document, or null for an unknown or revoked token.</summary>
    public static async Task<string?> FeedAsync(MentoringDb db, string token, IEnumerable<ICalendarSource> sources, DateTimeOffset now,
        CancellationToken ct)
    {
        if (!token.StartsWith(Prefix, StringComparison.Ordinal) || token.Length > 100) return null;
        var hash = ApiTokenAuthentication.Hash(token);
        var person = await db.CalendarFeeds.AsNoTracking().Where(f => f.Hash == hash && f.RevokedAt == null)
            .Join(db.People, f => f.PersonId, p => p.Id, (_, p) => new { p.Id, p.Language, p.CurrentProgramme })
            .SingleOrDefaultAsync(ct);
        if (person is null) return null;
        var reader = new CalendarReader(person.Id, person.Language);
        var entries = new List<CalendarEntry>();
        foreach (var source in sources) entries.AddRange(await source.EntriesForAsync(db, reader, ct));
        var name = OutboxWriter.ProgrammeName(db, person.CurrentProgramme, person.Language);
        return IcsCalendar.Feed(entries.DistinctBy(e => e.Uid).OrderBy(e => e.Start), now, name);
    }
}
