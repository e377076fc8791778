using Mentoring.Server.Data;
using Mentoring.Server.Workflows;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Email;

/// <summary>One line of the facilitator's email log: what was sent to whom, and what went wrong. No model, no body.</summary>
public sealed record EmailLogEntry(Guid Id, string MessageId, string Template, string Language, string RecipientName,
    string? RecipientEmail, string Status, int Attempts, DateTimeOffset NextAttemptAt, string? LastError,
    DateTimeOffset CreatedAt, DateTimeOffset? SentAt);

public enum ResendOutcome { Resent, Replayed, NotFound, AlreadyPending, KeyReused, InFlight }

public sealed record ResendResult(ResendOutcome Outcome, EmailLogEntry? Message = null);

/// <summary>The facilitator's view of the outbox: list it, and send a message again.</summary>
public sealed class OutboxAdmin(IDbContextFactory<MentoringDb> dbs, OutboxWriter writer, TimeProvider clock)
{
    public const int MaxTake = 500;

    /// <summary>The mail of one programme: its workflows' mail, and mail outside a workflow (account links, the digest)
    /// to its people.</summary>
    private static IQueryable<OutboxMessage> Of(MentoringDb db, string programmeId) =>
        db.Outbox.Where(m => m.InstanceId != null
            ? db.Instances.Any(i => i.Id == m.InstanceId && i.ProgrammeId == programmeId)
            : db.ProgrammePeople.Any(p => p.PersonId == m.RecipientId && p.ProgrammeId == programmeId));

    /// <summary>Newest first; <paramref name="status"/> null lists every status.</summary>
    public async Task<List<EmailLogEntry>> ListAsync(string programmeId, string? status, int skip, int take, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var query = Of(db, programmeId).AsNoTracking();
        if (status is not null) query = query.Where(m => m.Status == status);
        return await query.OrderByDescending(m => m.CreatedAt).ThenByDescending(m => m.Id)
            .Skip(Math.Max(skip, 0)).Take(Math.Clamp(take, 1, MaxTake))
            .Select(m => new EmailLogEntry(m.Id, m.MessageId, m.Template, m.Language, m.RecipientName, m.RecipientEmail,
                m.Status, m.Attempts, m.NextAttemptAt, m.LastError, m.CreatedAt, m.SentAt))
            .ToListAsync(cancellationToken);
    }

    /// <summary>
    /// The facilitator's log page: sent mail, mail that failed and is being retried (pending with attempts and an
    /// error), and dead mail. Mail merely queued is left out: nothing has happened to it yet.
    /// </summary>
    public async Task<(List<EmailLogEntry> Page, int Total)> LogAsync(string programmeId, int skip, int take, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var query = Of(db, programmeId).AsNoTracking().Where(m => m.Status == OutboxStatus.Sent || m.Status == OutboxStatus.Dead
            || (m.Status == OutboxStatus.Pending && m.Attempts > 0 && m.LastError != null));
        var total = await query.CountAsync(cancellationToken);
        var page = await query.OrderByDescending(m => m.CreatedAt).ThenByDescending(m => m.Id)
            .Skip(Math.Max(skip, 0)).Take(Math.Clamp(take, 1, MaxTake))
            .Select(m => new EmailLogEntry(m.Id, m.MessageId, m.Template, m.Language, m.RecipientName, m.RecipientEmail,
                m.Status, m.Attempts, m.NextAttemptAt, m.LastError, m.CreatedAt, m.SentAt))
            .ToListAsync(cancellationToken);
        return (page, total);
    }

    /// <summary>
    /// A dead message goes back to pending with its attempts reset and the same Message-ID: it was never delivered,
    /// so there is nothing for a receiver to confuse it with. A sent message is copied into a new pending row with a
    /// new Message-ID, because it is a second, deliberate email and must not be dropped as a duplicate of the first.
    /// A pending message is left alone: it is going out already. Either way the recipient's current address is used,
    /// since a missing or mistyped address is the usual reason for a resend.
    /// </summary>
    public async Task<ResendResult> ResendAsync(string programmeId, Guid id, IdempotencyKey key, CancellationToken cancellationToken)
    {
        var outcome = await Idempotency.RunAsync<EmailLogEntry>(dbs, key, clock, async db =>
        {
            var message = await Of(db, programmeId).SingleOrDefaultAsync(m => m.Id == id, cancellationToken);
            if (message is null) return Idempotent<EmailLogEntry>.Refused(new ResendResult(ResendOutcome.NotFound));
            if (message.Status == OutboxStatus.Pending)
                return Idempotent<EmailLogEntry>.Refused(new ResendResult(ResendOutcome.AlreadyPending, Entry(message)));

            var now = clock.GetUtcNow();
            var address = message.RecipientId is { } personId
                ? await db.People.Where(p => p.Id == personId).Select(p => p.Email).SingleOrDefaultAsync(cancellationToken)
                : null;
            var resent = message;
            if (message.Status == OutboxStatus.Sent)
            {
                resent = writer.AddCopy(db, message, address, now);
            }
            else
            {
                message.Status = OutboxStatus.Pending;
                message.Attempts = 0;
                message.NextAttemptAt = now;
                message.LastError = null;
                message.LockedUntil = null;
                if (!string.IsNullOrWhiteSpace(address)) message.RecipientEmail = address;
            }

            return Idempotent<EmailLogEntry>.Done(Entry(resent));
        }, cancellationToken);

        return outcome.Kind switch
        {
            IdempotentKind.Done => new ResendResult(ResendOutcome.Resent, outcome.Response),
            IdempotentKind.Replayed => new ResendResult(ResendOutcome.Replayed, outcome.Response),
            IdempotentKind.Refused => (ResendResult)outcome.Refusal!,
            IdempotentKind.InFlight => new ResendResult(ResendOutcome.InFlight),
            _ => new ResendResult(ResendOutcome.KeyReused),
        };
    }

    private static EmailLogEntry Entry(OutboxMessage m) => new(m.Id, m.MessageId, m.Template, m.Language, m.RecipientName,
        m.RecipientEmail, m.Status, m.Attempts, m.NextAttemptAt, m.LastError, m.CreatedAt, m.SentAt);
}
