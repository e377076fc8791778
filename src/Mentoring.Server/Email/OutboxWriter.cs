using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mentoring.Engine.Runtime;
using Mentoring.Server.Data;
using Mentoring.Server.Programme;
using Mentoring.Server.Workflows;
using Microsoft.Extensions.Options;

namespace Mentoring.Server.Email;

/// <summary>
/// Turns an engine's email request into outbox rows, one per recipient, in the caller's transaction. A recipient
/// who cannot be emailed (no address) still gets a row, dead-lettered with the reason, so the facilitator sees it.
/// </summary>
public sealed class OutboxWriter(IOptions<EmailOptions> options, DefinitionStore definitions)
{
    public void Add(MentoringDb db, InstanceContext context, WorkflowInstance instance, EmailRequested email,
        DateTimeOffset now, Guid? workItemId = null)
    {
        var recipients = email.Recipients
            ?? email.To.Distinct().SelectMany(role => context.PeopleFor(role).Select(p => context.ToRecipient(p, role)))
                .DistinctBy(r => r.PersonId).ToList();
        if (recipients.Count == 0)
        {
            db.Outbox.Add(Dead(instance.Id, email.Template, "nobody",
                $"Nobody holds the role(s) {string.Join(", ", email.To)} in this group, so '{email.Template}' could not be addressed.", now));
            return;
        }

        foreach (var recipient in recipients)
        {
            var model = Model(context, recipient, email.Data, workItemId);
            var message = ForRecipient(NewMessageId(), instance.Id, email.Template, recipient, model, now);
            db.Outbox.Add(message);
        }
    }

    /// <summary>A message whose id comes from what caused it (a timer and its recipient; a digest week and its
    /// facilitator), so a second write of the same message fails on the unique message id instead of mailing twice.</summary>
    public OutboxMessage Keyed(string key, Guid? instanceId, string template, Recipient recipient, JsonObject model, DateTimeOffset now) =>
        ForRecipient(KeyedMessageId(key), instanceId, template, recipient, model, now);

    /// <summary>A <see cref="Keyed"/> message added to the caller's context.</summary>
    public OutboxMessage AddKeyed(MentoringDb db, string key, Guid? instanceId, string template, Recipient recipient, JsonObject model,
        DateTimeOffset now)
    {
        var message = Keyed(key, instanceId, template, recipient, model, now);
        db.Outbox.Add(message);
        return message;
    }

    /// <summary>An email to one person outside a workflow resume (an account link, a manual reminder), added to the
    /// caller's context: the common fields (the recipient's name, the programme's name from its row, the link) over
    /// <paramref name="model"/>, and the row built as every other one.</summary>
    /// <param name="protectedSecret">Fields no table may keep readable (<see cref="OutboxSecrets.Protect"/>); dropped
    /// when the person has no address, since the row is dead at once and nothing would ever erase them.</param>
    public OutboxMessage AddToPerson(MentoringDb db, Programme.Person person, string template, JsonObject model, string link,
        DateTimeOffset now, Guid? instanceId = null, string? protectedSecret = null)
    {
        Set(model, "recipient.name", person.Name);
        Set(model, "programme.name", ProgrammeName(db, person.CurrentProgramme, person.Language));
        Set(model, "link", link);
        var message = Row(NewMessageId(), instanceId, template, person.Language, person.Id, person.Name, person.Email,
            model.ToJsonString(), now);
        if (message.Status == OutboxStatus.Pending) message.SecretModel = protectedSecret;
        db.Outbox.Add(message);
        return message;
    }

    /// <summary>An email with one attachment (an invitation's .ics) to someone who may have no account
    /// (<paramref name="personId"/> null: a member of a local support network), added to the caller's context: the
    /// common fields over <paramref name="model"/>, the row built as every other one.</summary>
    public OutboxMessage AddWithAttachment(MentoringDb db, Guid? personId, string name, string? email, string language,
        string? programmeId, string template, JsonObject model, string link, OutboxAttachment attachment, DateTimeOffset now,
        Guid? instanceId = null)
    {
        Set(model, "recipient.name", name);
        Set(model, "programme.name", ProgrammeName(db, programmeId, language));
        Set(model, "link", link);
        var message = Row(NewMessageId(), instanceId, template, language, personId, name, email, model.ToJsonString(), now, attachment);
        db.Outbox.Add(message);
        return message;
    }

    /// <summary>A sent message again, as a second, deliberate email: a new Message-ID (a receiver must not drop it as a
    /// duplicate of the first) and the recipient's address as it is now, added to the caller's context.</summary>
    public OutboxMessage AddCopy(MentoringDb db, OutboxMessage sent, string? currentAddress, DateTimeOffset now)
    {
        var copy = Row(NewMessageId(), sent.InstanceId, sent.Template, sent.Language, sent.RecipientId, sent.RecipientName,
            currentAddress ?? sent.RecipientEmail, sent.Model, now,
            sent.Attachment is null ? null : new OutboxAttachment(sent.AttachmentName ?? "attachment", sent.AttachmentType ?? "application/octet-stream", sent.Attachment));
        db.Outbox.Add(copy);
        return copy;
    }

    /// <summary>The programme's name in <paramref name="language"/> (tracked rows first), for the emails that name it;
    /// the product's name when no programme applies.</summary>
    public static string ProgrammeName(MentoringDb db, string? programmeId, string language) =>
        ProgrammeTerms.Of(programmeId is null ? null : db.Programmes.Find(programmeId), language).Name;

    private static OutboxMessage ForRecipient(string messageId, Guid? instanceId, string template, Recipient recipient,
        JsonObject model, DateTimeOffset now) =>
        Row(messageId, instanceId, template, recipient.Language, Guid.TryParse(recipient.PersonId, out var id) ? id : null,
            recipient.Name, recipient.Email, model.ToJsonString(), now);

    /// <summary>The one place an outbox row is made: pending, or dead at once with the reason when the recipient has
    /// no address (the facilitator sees it in the email log and can resend it once the address is known).</summary>
    private static OutboxMessage Row(string messageId, Guid? instanceId, string template, string language, Guid? recipientId,
        string recipientName, string? recipientEmail, string model, DateTimeOffset now, OutboxAttachment? attachment = null) => new()
    {
        AttachmentName = attachment?.Name,
        AttachmentType = attachment?.ContentType,
        Attachment = attachment?.Content,
        MessageId = messageId,
        InstanceId = instanceId,
        Template = template,
        Language = language,
        RecipientId = recipientId,
        RecipientName = recipientName,
        RecipientEmail = recipientEmail,
        Model = model,
        Status = string.IsNullOrWhiteSpace(recipientEmail) ? OutboxStatus.Dead : OutboxStatus.Pending,
        LastError = string.IsNullOrWhiteSpace(recipientEmail) ? $"{recipientName} has no email address." : null,
        NextAttemptAt = now,
        CreatedAt = now,
    };

    public string KeyedMessageId(string key) => $"<{key}@{MessageIdDomain()}>";

    public string NewMessageId() => $"<{Guid.CreateVersion7():N}@{MessageIdDomain()}>";

    private OutboxMessage Dead(Guid instanceId, string template, string name, string error, DateTimeOffset now)
    {
        var message = Row(NewMessageId(), instanceId, template, "en", null, name, null, "{}", now);
        message.LastError = error;
        return message;
    }

    private string MessageIdDomain() =>
        Uri.TryCreate(options.Value.PublicUrl, UriKind.Absolute, out var uri) ? uri.Host : "mentoring.local";

    /// <summary>The template model: the request's data (flat "a.b" keys become nested objects) and the common fields,
    /// with dates shown in the recipient's language and time zone.</summary>
    public JsonObject Model(InstanceContext context, Recipient recipient, IReadOnlyDictionary<string, string> data,
        Guid? workItemId)
    {
        var culture = Culture(recipient.Language);
        var zone = TimeZoneInfo.FindSystemTimeZoneById(recipient.TimeZone);
        var model = new JsonObject();
        Set(model, "recipient.name", recipient.Name);
        Set(model, "programme.name", ProgrammeTerms.Of(context.Programme, recipient.Language).Name);
        // A message about a work item opens it (Dashboard/TaskLinks.cs finds its page); any other, its group or the programme.
        var site = options.Value.PublicUrl.TrimEnd('/');
        var link = workItemId is { } item ? Dashboard.TaskLinks.For(site, item)
            : site + (context.Group is { } p ? $"/pairs/{p.Id}" : "/programme");
        Set(model, "link", link);
        if (context.Group is { } group)
        {
            var names = GroupNames.InRoleOrder(context.Members.Select(m => (m.Role, m.City.Id, m.City.Name)), context.Definition);
            model["group"] = GroupModel(context.Programme, group, names, recipient.Language);
        }

        foreach (var (key, value) in data) Set(model, key, Typed(InLanguage(value, recipient.Language), culture, zone));
        return model;
    }

    /// <summary>A task, visit or stage title (stored in English with the work it names) in the recipient's language,
    /// from the definitions; anything else as it is.</summary>
    public string InLanguage(string value, string language)
    {
        foreach (var definition in definitions.Catalog.All)
            if (definition.Texts.TryGetValue(value, out var text))
                return text.In(language).Text;
        return value;
    }

    /// <summary>Groups' members in their definitions' role order, for messages built outside a resume.</summary>
    public Task<Dictionary<Guid, GroupNames>> NamesAsync(MentoringDb db, IReadOnlyCollection<Guid> groupIds, CancellationToken ct) =>
        GroupNames.LoadAsync(db, groupIds, ct, definitions.Catalog);

    /// <summary>The email model's <c>group</c>: its number, theme and one-line name (<c>name</c>, "Schaerbeek – Jelgava",
    /// its members in the order its definition declares their roles), its members by role (<c>members.mentor</c>,
    /// <c>members.member</c>, ...), and what the programme calls a group in the language, <c>word</c> ("binôme", "μέλος")
    /// and <c>label</c> ("Binôme"), from the programme's terms, for the emails' "Binôme : Schaerbeek – Jelgava (binôme 4)"
    /// lines.</summary>
    public static JsonObject GroupModel(ProgrammeRecord programme, Group group, GroupNames names, string language)
    {
        var terms = ProgrammeTerms.Of(programme, language);
        var members = new JsonObject();
        foreach (var role in names.Roles) members[role] = names.Of(role);
        return new JsonObject
        {
            ["number"] = group.Number, ["name"] = names.Line, ["theme"] = group.Title, ["word"] = terms.Group,
            ["label"] = terms.GroupLabel, ["members"] = members,
        };
    }

    /// <summary>Whether <paramref name="model"/> was written before groups had fields of their own and needs
    /// <see cref="Upgrade"/> (and so the programme's words) before it renders.</summary>
    public static bool NeedsUpgrade(JsonObject model) =>
        model["pair"] is JsonObject
        || new[] { "overdue", "upcomingVisits", "awaitingApproval" }.Any(list =>
            model[list] is JsonArray items && items.OfType<JsonObject>().Any(item => item["group"] is null && item["pair"] is not null));

    /// <summary>A model written before groups had fields of their own (<c>pair.mentor</c>, <c>pair.mentee</c>, a digest
    /// item's <c>pair</c>) in today's shape, so a message queued, or resent from the log, after an upgrade still renders.
    /// The group's word and label are the message's programme's, in the message's language (<paramref name="terms"/>):
    /// such a model never carried them.</summary>
    public static void Upgrade(JsonObject model, ProgrammeTerms terms)
    {
        if (model["pair"] is JsonObject pair)
        {
            if (model["group"] is not JsonObject group) model["group"] = group = new JsonObject();
            var members = new JsonObject();
            foreach (var role in new[] { "mentor", "mentee" })
                if ((string?)pair[role] is { Length: > 0 } city) members[role] = city;
            group["number"] ??= pair["number"]?.DeepClone();
            group["name"] ??= string.Join(" – ", members.Select(m => (string?)m.Value));
            group["theme"] ??= pair["theme"]?.DeepClone();
            group["word"] ??= terms.Group;
            group["label"] ??= terms.GroupLabel;
            group["members"] ??= members;
            model.Remove("pair");
        }

        foreach (var list in new[] { "overdue", "upcomingVisits", "awaitingApproval" })
            if (model[list] is JsonArray items)
                foreach (var item in items.OfType<JsonObject>())
                    if (item["group"] is null && item["pair"] is { } name)
                    {
                        item.Remove("pair");
                        item["group"] = name;
                    }
    }

    public static CultureInfo Culture(string language)
    {
        try
        {
            return CultureInfo.GetCultureInfo(language);
        }
        catch (CultureNotFoundException)
        {
            return CultureInfo.GetCultureInfo("en");
        }
    }

    /// <summary>Flat string data from the engine: dates are formatted for the reader, numbers and booleans typed.</summary>
    private static JsonNode? Typed(string value, CultureInfo culture, TimeZoneInfo zone)
    {
        if (DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            return date.ToString("D", culture);
        if (value.Length > 10 && DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var instant))
            return TimeZoneInfo.ConvertTime(instant, zone).ToString("D", culture);
        if (long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number)) return number;
        if (bool.TryParse(value, out var flag)) return flag;
        return value;
    }

    private static void Set(JsonObject model, string path, JsonNode? value)
    {
        var segments = path.Split('.');
        var node = model;
        foreach (var segment in segments[..^1])
        {
            if (node[segment] is not JsonObject child) node[segment] = child = new JsonObject();
            node = child;
        }

        node[segments[^1]] = value;
    }

    private static void Set(JsonObject model, string path, string? value) => Set(model, path, value is null ? null : JsonValue.Create(value));
}
