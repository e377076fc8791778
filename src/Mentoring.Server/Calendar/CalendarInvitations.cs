using System.Text.Json.Nodes;
using Mentoring.Server.Data;
using Mentoring.Server.Email;
using Microsoft.Extensions.Options;

namespace Mentoring.Server.Calendar;

/// <summary>
/// <see cref="ICalendarInvitations"/> through the outbox: one <c>calendar-invitation</c> email per recipient, each with
/// its own .ics (the recipient as the attendee, the product's sender address as the organiser) attached as
/// <c>text/calendar; method=REQUEST</c> (CANCEL for a cancelled entry), added to the caller's context so its
/// SaveChanges writes them with the change they announce. A recipient without an address gets a dead row, as every
/// outbox message does, for the facilitator's email log.
/// </summary>
public sealed class CalendarInvitations(OutboxWriter outbox, IOptions<EmailOptions> options, TimeProvider clock) : ICalendarInvitations
{
    public const string Template = "calendar-invitation";
    public const string FileName = "invitation.ics";

    public void Queue(MentoringDb db, CalendarInvitation invitation)
    {
        var now = clock.GetUtcNow();
        var entry = invitation.Entry;
        var site = options.Value.PublicUrl.TrimEnd('/');
        var link = entry.PageUrl ?? entry.OnlineUrl ?? site + "/me/calendar";
        foreach (var to in invitation.To.DistinctBy(r => (r.PersonId, r.Email.Trim().ToLowerInvariant())))
        {
            var organizer = new IcsPerson(OutboxWriter.ProgrammeName(db, invitation.ProgrammeId, "en"), options.Value.FromAddress);
            var ics = IcsCalendar.Invitation(entry, now, organizer, new IcsPerson(to.Name, to.Email));
            var attachment = new OutboxAttachment(FileName, $"{IcsCalendar.ContentType}; method={IcsCalendar.MethodOf(entry)}", ics);
            outbox.AddWithAttachment(db, to.PersonId, to.Name, string.IsNullOrWhiteSpace(to.Email) ? null : to.Email.Trim(),
                to.Language, invitation.ProgrammeId, Template, Model(entry, invitation.Message, to.Language), link, attachment, now,
                invitation.InstanceId);
        }
    }

    /// <summary>The template model: the entry in the recipient's language, at the host's local time and zone.</summary>
    public static JsonObject Model(CalendarEntry entry, string? message, string language)
    {
        var culture = OutboxWriter.Culture(language);
        var start = IcsCalendar.Local(entry.Start, entry.TimeZone);
        var end = IcsCalendar.Local(entry.End, entry.TimeZone);
        string when;
        if (entry.AllDay)
            when = end.Date > start.Date ? $"{start.ToString("D", culture)} – {end.ToString("D", culture)}" : start.ToString("D", culture);
        else if (end.Date == start.Date)
            when = $"{start.ToString("D", culture)}, {start.ToString("t", culture)}–{end.ToString("t", culture)}";
        else
            when = $"{start.ToString("D", culture)} {start.ToString("t", culture)} – {end.ToString("D", culture)} {end.ToString("t", culture)}";
        var item = new JsonObject { ["title"] = entry.Summary, ["when"] = when, ["zone"] = entry.TimeZone };
        if (!string.IsNullOrWhiteSpace(entry.Location)) item["location"] = entry.Location;
        if (!string.IsNullOrWhiteSpace(entry.OnlineUrl)) item["online"] = entry.OnlineUrl;
        var model = new JsonObject { ["event"] = item, ["cancelled"] = entry.Cancelled };
        if (!string.IsNullOrWhiteSpace(message)) model["message"] = message;
        return model;
    }

}
