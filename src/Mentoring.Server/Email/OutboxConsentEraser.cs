using Mentoring.Server.Data;
using Mentoring.Server.SupportNetworks;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Email;

/// <summary>
/// A network member who withdraws their consent keeps no trace in the outbox: the invitations emailed to them (they have
/// no account, so the message names them by address) lose the address, the name, the model's mentions of them and the
/// .ics (its ATTENDEE line is their address); one not sent yet is never sent. The rows stay, so the email log still
/// counts what went out.
/// </summary>
internal sealed class OutboxConsentEraser : IConsentWithdrawalEraser
{
    public async Task EraseAsync(MentoringDb db, WithdrawnPerson person, CancellationToken ct)
    {
        await RedactMentionsAsync(db, person, ct);
        if (person.Email is not { Length: > 0 } email) return;
        var address = email.ToLowerInvariant();
        var messages = await db.Outbox.Where(m => m.RecipientId == null && m.RecipientEmail != null && m.RecipientEmail.ToLower() == address)
            .ToListAsync(ct);
        foreach (var message in messages)
        {
            message.RecipientEmail = null;
            message.RecipientName = SupportNetwork.Redacted;
            message.Model = ConsentJson.Redact(message.Model, person.Mentions);
            message.SecretModel = null;
            message.AttachmentName = null;
            message.AttachmentType = null;
            message.Attachment = null;
            message.LockedUntil = null;
            if (message.LastError is { } error) message.LastError = SupportNetwork.Redact(error, person.Mentions);
            if (message.Status != OutboxStatus.Sent)
            {
                message.Status = OutboxStatus.Dead;
                message.LastError = "Not sent: the recipient withdrew their consent and their address was erased.";
            }
        }
    }

    /// <summary>The messages to other people that mention the person (a visit's or an event's invitation whose agenda or
    /// session names them): the model and the .ics lose the mentions. The .ics is read unfolded, where a long line may
    /// have split a name in two.</summary>
    private static async Task RedactMentionsAsync(MentoringDb db, WithdrawnPerson person, CancellationToken ct)
    {
        if (person.Mentions.Count == 0) return;
        foreach (var message in await db.Outbox.ToListAsync(ct))
        {
            var model = ConsentJson.Redact(message.Model, person.Mentions);
            if (!ReferenceEquals(model, message.Model)) message.Model = model;
            if (message.Attachment is { } ics)
            {
                var unfolded = ics.Replace("\r\n ", "").Replace("\r\n\t", "");
                var redacted = SupportNetwork.Redact(unfolded, person.Mentions);
                if (redacted != unfolded) message.Attachment = redacted;
            }
        }
    }
}
