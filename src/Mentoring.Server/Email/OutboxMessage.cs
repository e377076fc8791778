namespace Mentoring.Server.Email;

public static class OutboxStatus
{
    public const string Pending = "pending";
    public const string Sent = "sent";
    /// <summary>Gave up after the last retry, or could never be sent (no address): shown to the facilitator to resend.</summary>
    public const string Dead = "dead";
}

/// <summary>An email waiting to go, written in the workflow transaction that decided to send it.</summary>
public sealed class OutboxMessage
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    /// <summary>Stable across retries and nodes, so a receiving server and the log can tell duplicates.</summary>
    public required string MessageId { get; init; }
    public Guid? InstanceId { get; init; }
    public required string Template { get; init; }
    public required string Language { get; init; }
    public Guid? RecipientId { get; init; }
    public required string RecipientName { get; set; }
    /// <summary>Copied from the person when queued; a resend takes their address as it is then.</summary>
    public string? RecipientEmail { get; set; }
    /// <summary>The template model as JSON.</summary>
    public required string Model { get; set; }
    /// <summary>What the message must carry but no table may keep (a single-use link), protected with the
    /// data-protection keys, merged over <see cref="Model"/> when rendering, and erased once the message is sent or
    /// dead. See <see cref="OutboxSecrets"/>.</summary>
    public string? SecretModel { get; set; }
    public required string Status { get; set; }
    public int Attempts { get; set; }
    public DateTimeOffset NextAttemptAt { get; set; }
    public string? LastError { get; set; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? SentAt { get; set; }
    /// <summary>The file name of the message's one attachment (<c>invitation.ics</c>), or null for none.</summary>
    public string? AttachmentName { get; set; }
    /// <summary>The attachment's MIME type with its parameters (<c>text/calendar; method=REQUEST</c>).</summary>
    public string? AttachmentType { get; set; }
    /// <summary>The attachment's text (an .ics), sent as UTF-8.</summary>
    public string? Attachment { get; set; }
    /// <summary>Set while a dispatcher sends it, so no other node takes it meanwhile.</summary>
    public DateTimeOffset? LockedUntil { get; set; }
}

/// <summary>An outbox message's one attachment: its file name, MIME type with parameters, and text.</summary>
public sealed record OutboxAttachment(string Name, string ContentType, string Content);
