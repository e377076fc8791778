using Mentoring.Server.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Mentoring.Server.Email;

/// <summary>An email to a person's address that died in the outbox for the address's sake: refused for good (5xx), or
/// deferred until the retries ran out.</summary>
public sealed class EmailBounce
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid PersonId { get; init; }
    /// <summary>The address the message was sent to; the flag stands while the person still has it.</summary>
    public required string Address { get; init; }
    /// <summary>The outbox row that died.</summary>
    public Guid MessageId { get; init; }
    /// <summary>The server's reply in short ("550 5.1.1 mailbox unavailable").</summary>
    public required string Error { get; init; }
    public DateTimeOffset BouncedAt { get; init; }
    public DateTimeOffset? DismissedAt { get; set; }
    public string? DismissedBy { get; set; }
}

internal sealed class EmailBounceConfiguration : IEntityTypeConfiguration<EmailBounce>
{
    public void Configure(EntityTypeBuilder<EmailBounce> b)
    {
        b.ToTable("email_bounces").HasKey(m => m.Id);
        b.Snake();
    }
}

/// <summary>A flagged person as the facilitator's dashboard shows them: who, which address, when it last bounced, and
/// the server's error.</summary>
public sealed record BouncedPerson(Guid PersonId, string Name, string Address, DateTimeOffset BouncedAt, string Error);

/// <summary>
/// The one writer of <c>email_bounces</c>. The dispatcher records a bounce in the transaction that marks its message
/// dead; the facilitator dismisses a person's flag. A flag is read against the person's address of now, so changing the
/// address clears it with nothing written here.
/// </summary>
public static class EmailBounces
{
    /// <summary>The longest error kept: a server's reply line, not its whole transcript.</summary>
    public const int MaxError = 200;

    /// <summary>Adds the bounce of <paramref name="message"/> to the caller's transaction; the caller saves.</summary>
    public static void Add(MentoringDb db, OutboxMessage message, string error, DateTimeOffset now)
    {
        if (message.RecipientId is not { } personId || string.IsNullOrWhiteSpace(message.RecipientEmail)) return;
        error = error.ReplaceLineEndings(" ").Trim();
        db.Set<EmailBounce>().Add(new EmailBounce
        {
            PersonId = personId, Address = message.RecipientEmail.Trim(), MessageId = message.Id,
            Error = error.Length <= MaxError ? error : error[..(MaxError - 1)] + "…", BouncedAt = now,
        });
    }

    /// <summary>The people of a programme whose present address has bounced and whose flag stands, the latest first:
    /// one line per person, with their latest bounce.</summary>
    public static async Task<List<BouncedPerson>> FlaggedAsync(MentoringDb db, string programmeId, CancellationToken ct)
    {
        var rows = await (from bounce in db.Set<EmailBounce>().AsNoTracking()
                where bounce.DismissedAt == null
                join person in db.People on bounce.PersonId equals person.Id
                where person.Email == bounce.Address && db.ProgrammePeople.Any(p => p.PersonId == person.Id && p.ProgrammeId == programmeId)
                select new BouncedPerson(person.Id, person.Name, bounce.Address, bounce.BouncedAt, bounce.Error))
            .ToListAsync(ct);
        return rows.GroupBy(r => r.PersonId).Select(g => g.MaxBy(r => r.BouncedAt)!).OrderByDescending(r => r.BouncedAt).ToList();
    }

    /// <summary>Dismisses every standing bounce of a person of the programme; false when there was none (or the person is
    /// not the programme's). Dismissing twice is no change the second time.</summary>
    public static async Task<bool> DismissAsync(MentoringDb db, string programmeId, Guid personId, string by, DateTimeOffset now,
        CancellationToken ct)
    {
        if (!await db.ProgrammePeople.AnyAsync(p => p.PersonId == personId && p.ProgrammeId == programmeId, ct)) return false;
        return await db.Set<EmailBounce>().Where(b => b.PersonId == personId && b.DismissedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(b => b.DismissedAt, now).SetProperty(b => b.DismissedBy, by), ct) > 0;
    }
}
