using System.Text.Json.Nodes;
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
        if (person.Email is not { Length: > 0 } email) return;
        var address = email.ToLowerInvariant();
        var messages = await db.Outbox.Where(m => m.RecipientId == null && m.RecipientEmail != null && m.RecipientEmail.ToLower() == address)
            .ToListAsync(ct);
        foreach (var message in messages)
        {
            message.RecipientEmail = null;
            message.RecipientName = SupportNetwork.Redacted;
            message.Model = RedactJson(message.Model, person.Mentions);
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

    /// <summary>The model with every text that mentions the person redacted. Done on the parsed JSON, not its text,
    /// where a name with accents is written escaped (<c>Luc\u00EDa</c>).</summary>
    private static string RedactJson(string json, IReadOnlyList<string> mentions)
    {
        var root = JsonNode.Parse(json);
        if (root is null) return json;
        if (Redacted(root, mentions) is { } text) return JsonValue.Create(text).ToJsonString();
        Walk(root, mentions);
        return root.ToJsonString();
    }

    private static void Walk(JsonNode node, IReadOnlyList<string> mentions)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (key, child) in o.ToList())
                    if (child is not null && Redacted(child, mentions) is { } text) o[key] = text;
                    else if (child is not null) Walk(child, mentions);
                break;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                    if (a[i] is { } child && Redacted(child, mentions) is { } text) a[i] = text;
                    else if (a[i] is { } other) Walk(other, mentions);
                break;
        }
    }

    /// <summary>A string value with the mentions redacted, or null when the node is not a string.</summary>
    private static string? Redacted(JsonNode node, IReadOnlyList<string> mentions) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) ? SupportNetwork.Redact(text, mentions) : null;
}
