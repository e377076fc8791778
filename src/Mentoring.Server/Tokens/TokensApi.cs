using Mentoring.Server.Auth;
using Mentoring.Server.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Tokens;

public sealed record TokenView(Guid Id, string Name, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);
public sealed record CreateTokenRequest([property: Inputs.Text(Inputs.Limits.TokenName)] string? Name);
public sealed record CreatedToken(Guid Id, string Name, string Token);

/// <summary>Personal API tokens: each person lists, creates and revokes only their own. The token is shown once.</summary>
public static class TokensApi
{
    public static IEndpointRouteBuilder MapTokensApi(this IEndpointRouteBuilder app)
    {
        var tokens = app.MapGroup("/api/tokens").WithTags("Tokens").RequireAuthorization();
        tokens.MapGet("/", async (HttpContext http, IDbContextFactory<MentoringDb> dbs, CancellationToken ct) =>
        {
            await using var db = await dbs.CreateDbContextAsync(ct);
            return TypedResults.Ok(await ListAsync(db, http.User.PersonId(), ct));
        });
        tokens.MapPost("/", async Task<Results<Ok<CreatedToken>, ValidationProblem>> (HttpContext http, CreateTokenRequest body,
            IDbContextFactory<MentoringDb> dbs, TimeProvider clock, CancellationToken ct) =>
        {
            // Its length and characters are checked with every other input (Inputs/Input.cs).
            if (string.IsNullOrWhiteSpace(body.Name))
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["name"] = ["Name the token (up to 100 characters)."] });
            await using var db = await dbs.CreateDbContextAsync(ct);
            return TypedResults.Ok(await CreateAsync(db, http.User.PersonId(), body.Name.Trim(), clock.GetUtcNow(), ct));
        });
        tokens.MapDelete("/{id:guid}", async Task<Results<NoContent, NotFound>> (HttpContext http, Guid id,
            IDbContextFactory<MentoringDb> dbs, TimeProvider clock, CancellationToken ct) =>
        {
            await using var db = await dbs.CreateDbContextAsync(ct);
            return await RevokeAsync(db, http.User.PersonId(), id, clock.GetUtcNow(), ct) ? TypedResults.NoContent() : TypedResults.NotFound();
        });
        return app;
    }

    public static Task<List<TokenView>> ListAsync(MentoringDb db, Guid personId, CancellationToken ct) =>
        db.ApiTokens.AsNoTracking().Where(t => t.PersonId == personId).OrderByDescending(t => t.CreatedAt)
            .Select(t => new TokenView(t.Id, t.Name, t.CreatedAt, t.RevokedAt)).ToListAsync(ct);

    public static async Task<CreatedToken> CreateAsync(MentoringDb db, Guid personId, string name, DateTimeOffset now, CancellationToken ct)
    {
        var token = ApiTokenAuthentication.NewToken();
        var row = new ApiToken { PersonId = personId, Name = name, Hash = ApiTokenAuthentication.Hash(token), CreatedAt = now };
        db.ApiTokens.Add(row);
        await db.SaveChangesAsync(ct);
        return new CreatedToken(row.Id, name, token);
    }

    public static async Task<bool> RevokeAsync(MentoringDb db, Guid personId, Guid id, DateTimeOffset now, CancellationToken ct)
    {
        var token = await db.ApiTokens.SingleOrDefaultAsync(t => t.Id == id && t.PersonId == personId, ct);
        if (token is null) return false;
        token.RevokedAt ??= now;
        await db.SaveChangesAsync(ct);
        return true;
    }
}
