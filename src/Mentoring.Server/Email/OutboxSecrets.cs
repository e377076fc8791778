using System.Text.Json.Nodes;
using Microsoft.AspNetCore.DataProtection;

namespace Mentoring.Server.Email;

/// <summary>
/// The part of a message's model that is a credential (an invitation's or reset's link with its token). It is stored
/// apart from the model, protected with the data-protection keys, so the model - kept with sent mail for
/// <see cref="EmailOptions.KeepSentFor"/>, copied by a resend - never holds it; and the dispatcher erases it in the
/// same statement that marks the message sent or dead, so no table keeps a usable token once it has gone.
/// </summary>
public sealed class OutboxSecrets(IDataProtectionProvider protection)
{
    private readonly IDataProtector _protector = protection.CreateProtector("Mentoring.Outbox.SecretModel");

    public string Protect(JsonObject secrets) => _protector.Protect(secrets.ToJsonString());

    /// <summary>Puts the message's secret fields over the model, for rendering. Throws when they cannot be read
    /// (the keys are gone): the dispatcher dead-letters the message with the reason.</summary>
    public void Reveal(OutboxMessage message, JsonObject model)
    {
        if (message.SecretModel is null) return;
        if (JsonNode.Parse(_protector.Unprotect(message.SecretModel)) is not JsonObject secrets)
            throw new InvalidOperationException("the message's secret fields are not a JSON object");
        foreach (var (key, value) in secrets) model[key] = value?.DeepClone();
    }
}
