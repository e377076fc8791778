using System.Text.Json.Nodes;
using Mentoring.Server.Data;

namespace Mentoring.Server.SupportNetworks;

/// <summary>A member of a local support network who withdrew their consent: what they were known by (their name, email
/// and phone as stored until now), for the features that hold a copy of it to erase.</summary>
public sealed record WithdrawnPerson(Guid PersonId, string ProgrammeId, string CityId, string? Email, IReadOnlyList<string> Mentions,
    DateTimeOffset At);

/// <summary>Erases what a feature holds of a network member who withdrew their consent (the invitations emailed to them,
/// for one), in the withdrawal's transaction, so their personal data is gone everywhere at once or nowhere. The network
/// erases its own tables; each feature that copies a member's data elsewhere registers one
/// (<c>services.AddSingleton&lt;IConsentWithdrawalEraser, X&gt;()</c>) in its own folder, as the writer of its tables.</summary>
public interface IConsentWithdrawalEraser
{
    Task EraseAsync(MentoringDb db, WithdrawnPerson person, CancellationToken ct);
}

/// <summary>Redacts a withdrawn person's mentions in a JSON document, for the erasers whose rows hold JSON (an email's
/// model, a workflow's state and journal).</summary>
public static class ConsentJson
{
    /// <summary>The document with every text that mentions the person redacted; the very same string when nothing in it
    /// mentions them. Done on the parsed JSON, not its text, where a name with accents is written escaped (<c>Luc\u00EDa</c>).</summary>
    public static string Redact(string json, IReadOnlyList<string> mentions)
    {
        if (mentions.Count == 0) return json;
        var root = JsonNode.Parse(json);
        if (root is null) return json;
        if (root is JsonValue && Redacted(root, mentions) is { } text)
            return text == root.GetValue<string>() ? json : JsonValue.Create(text).ToJsonString();
        return Walk(root, mentions) ? root.ToJsonString() : json;
    }

    private static bool Walk(JsonNode node, IReadOnlyList<string> mentions)
    {
        var changed = false;
        switch (node)
        {
            case JsonObject o:
                foreach (var (key, child) in o.ToList())
                    if (child is JsonValue value && value.TryGetValue<string>(out var old) && SupportNetwork.Redact(old, mentions) is var text)
                    {
                        if (text != old) (o[key], changed) = (text, true);
                    }
                    else if (child is not null) changed |= Walk(child, mentions);
                break;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                    if (a[i] is JsonValue value && value.TryGetValue<string>(out var old) && SupportNetwork.Redact(old, mentions) is var text)
                    {
                        if (text != old) (a[i], changed) = (text, true);
                    }
                    else if (a[i] is { } other) changed |= Walk(other, mentions);
                break;
        }

        return changed;
    }

    /// <summary>A string value with the mentions redacted, or null when the node is not a string.</summary>
    private static string? Redacted(JsonNode node, IReadOnlyList<string> mentions) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) ? SupportNetwork.Redact(text, mentions) : null;
}
