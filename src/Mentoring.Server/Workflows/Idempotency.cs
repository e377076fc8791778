using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Mentoring.Server.Data;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Workflows;

public enum IdempotentKind { Done, Refused, Replayed, KeyReused, InFlight }

/// <summary>What a change made with an <c>Idempotency-Key</c> came to: done now (with the response recorded for the
/// key), refused (nothing written, nothing recorded: a retry is tried afresh), the first request's response again,
/// the key used before for another request, or the key taken by a request that has not finished yet.</summary>
public sealed record Idempotent<T>(IdempotentKind Kind, T? Response = default, object? Refusal = null)
{
    public static Idempotent<T> Done(T response) => new(IdempotentKind.Done, response);
    public static Idempotent<T> Refused(object refusal) => new(IdempotentKind.Refused, Refusal: refusal);
}

/// <summary>
/// The one writer of <c>idempotency_keys</c>, and the one answer to two requests with the same key at once. A key is
/// recorded in the transaction of the change it made, so the change and its record commit together or not at all;
/// the key's primary key lets only one commit. The loser of that race is answered with the winner's response (the
/// database makes it wait until the winner commits), or, should the winner somehow not be visible yet, with
/// <see cref="IdempotentKind.InFlight"/> (a 409 saying to retry): never with the unique violation itself.
/// </summary>
public static class Idempotency
{
    public const string Header = "Idempotency-Key";

    public const string InFlightMessage =
        "A request with this Idempotency-Key is still being processed; retry it with the same key in a moment.";

    /// <summary>
    /// The one way a key is made, for the API's header and a page's hidden form key alike: the caller's key with a
    /// fingerprint of who asked for what (the operation with its target, and the request's fields), so the same key sent
    /// with another request is caught (422) wherever it comes from. Null when the key is missing, too long or not text.
    /// </summary>
    public static IdempotencyKey? For(string? key, string? caller, string operation, object request)
    {
        key = key?.Trim() ?? "";
        if (key.Length is 0 or > Inputs.Limits.IdempotencyKey || key.Any(char.IsControl)) return null;
        var fingerprint = $"{caller}\n{operation}\n{JsonSerializer.Serialize(request, request.GetType(), WorkflowHost.Json)}";
        return new IdempotencyKey(key, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(fingerprint))));
    }

    /// <summary>Adds the key's record with its response to the caller's transaction.</summary>
    public static void Record(MentoringDb db, IdempotencyKey key, object? response, DateTimeOffset now) =>
        db.IdempotencyKeys.Add(new IdempotencyRecord
        {
            Key = key.Key, RequestHash = key.Fingerprint, StatusCode = StatusCodes.Status200OK,
            Response = JsonSerializer.Serialize(response, WorkflowHost.Json), CreatedAt = now,
        });

    /// <summary>The first request's answer for this key, or null when the key is new.</summary>
    public static async Task<Idempotent<T>?> FindAsync<T>(MentoringDb db, IdempotencyKey key, CancellationToken cancellationToken)
    {
        var stored = await db.IdempotencyKeys.AsNoTracking().SingleOrDefaultAsync(k => k.Key == key.Key, cancellationToken);
        if (stored is null) return null;
        return stored.RequestHash != key.Fingerprint
            ? new Idempotent<T>(IdempotentKind.KeyReused)
            : new Idempotent<T>(IdempotentKind.Replayed, JsonSerializer.Deserialize<T>(stored.Response, WorkflowHost.Json));
    }

    /// <summary>After a commit failed: the answer of the request that took the key first, <see cref="IdempotentKind.InFlight"/>
    /// when the key is taken but its request has not committed, or null when the failure had nothing to do with the key.</summary>
    /// <param name="db">The context whose transaction failed (rolled back by now), so a loser needs no second connection.</param>
    public static async Task<Idempotent<T>?> AfterFailureAsync<T>(MentoringDb db, IdempotencyKey key, Exception failure,
        CancellationToken cancellationToken) =>
        await FindAsync<T>(db, key, cancellationToken) ?? (IsKeyTaken(failure) ? new Idempotent<T>(IdempotentKind.InFlight) : null);

    /// <summary>
    /// Runs a change that has no workflow instance to guard it (a nudge, a resend) once per key: the key is looked up,
    /// the change runs in a transaction with the key's record, and a request that lost the race for the key gets the
    /// winner's response. <paramref name="change"/> returns <see cref="Idempotent{T}.Done"/> to commit, or
    /// <see cref="Idempotent{T}.Refused"/> to write nothing.
    /// </summary>
    public static async Task<Idempotent<T>> RunAsync<T>(IDbContextFactory<MentoringDb> dbs, IdempotencyKey key, TimeProvider clock,
        Func<MentoringDb, Task<Idempotent<T>>> change, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        if (await FindAsync<T>(db, key, cancellationToken) is { } first) return first;
        try
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var outcome = await change(db);
            // Refused because the same request just took effect (the email is pending again): its answer is the one to give.
            if (outcome.Kind != IdempotentKind.Done) return await FindAsync<T>(db, key, cancellationToken) ?? outcome;
            Record(db, key, outcome.Response, clock.GetUtcNow());
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return outcome;
        }
        catch (Exception e) when (e is DbUpdateException or DbException)
        {
            if (await AfterFailureAsync<T>(db, key, e, cancellationToken) is { } answer) return answer;
            throw;
        }
    }

    /// <summary>A unique violation on the key's primary key, as PostgreSQL (23505) or SQLite (SQLITE_CONSTRAINT) reports it.</summary>
    public static bool IsKeyTaken(Exception e) => e switch
    {
        Npgsql.PostgresException { SqlState: "23505" } pg => pg.TableName == "idempotency_keys",
        Microsoft.Data.Sqlite.SqliteException { SqliteErrorCode: 19 } sqlite => sqlite.Message.Contains("idempotency_keys"),
        { InnerException: { } inner } => IsKeyTaken(inner),
        _ => false,
    };
}
