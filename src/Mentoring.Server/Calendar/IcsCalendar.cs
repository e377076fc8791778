using Ical.Net;
using Ical.Net.CalendarComponents;
using Ical.Net.DataTypes;
using Ical.Net.Serialization;

namespace Mentoring.Server.Calendar;

/// <summary>Someone named in an invitation's .ics: the organiser (the product's sender address) or the attendee.</summary>
public sealed record IcsPerson(string Name, string Email);

/// <summary>
/// Writes iCalendar (RFC 5545) documents from <see cref="CalendarEntry"/> values with Ical.Net: each entry's start and
/// end in its own zone (<c>DTSTART;TZID=Europe/Madrid:20210518T100000</c>) with that zone's VTIMEZONE from the IANA
/// database, so a calendar anywhere shows the host city's local time and converts it for its reader. An invitation is
/// METHOD:REQUEST (CANCEL when the entry is cancelled, RFC 5546), a feed METHOD:PUBLISH.
/// </summary>
public static class IcsCalendar
{
    public const string Request = "REQUEST";
    public const string Cancel = "CANCEL";
    public const string Publish = "PUBLISH";
    public const string ContentType = "text/calendar";
    private const string ProductId = "-//Mentoring//Mentoring calendar//EN";

    /// <summary>The .ics of one invitation to <paramref name="attendee"/>: REQUEST, or CANCEL for a cancelled entry.</summary>
    public static string Invitation(CalendarEntry entry, DateTimeOffset now, IcsPerson organizer, IcsPerson attendee) =>
        Write([entry], MethodOf(entry), now, organizer, attendee);

    /// <summary>A private feed: every entry, METHOD:PUBLISH, named <paramref name="name"/> for the calendar app.</summary>
    public static string Feed(IEnumerable<CalendarEntry> entries, DateTimeOffset now, string name) =>
        Write(entries, Publish, now, null, null, name);

    /// <summary>The method an invitation of <paramref name="entry"/> carries.</summary>
    public static string MethodOf(CalendarEntry entry) => entry.Cancelled ? Cancel : Request;

    private static string Write(IEnumerable<CalendarEntry> entries, string method, DateTimeOffset now, IcsPerson? organizer,
        IcsPerson? attendee, string? name = null)
    {
        var list = entries.ToList();
        var calendar = new Ical.Net.Calendar { Method = method, ProductId = ProductId };
        if (name is not null) calendar.AddProperty("X-WR-CALNAME", name);
        // One VTIMEZONE per zone used, covering the earliest entry in it (a 2021 visit needs the 2021 rules).
        foreach (var zone in list.Where(e => !e.AllDay).GroupBy(e => e.TimeZone))
        {
            var earliest = zone.Min(e => Local(e.Start, e.TimeZone)).AddDays(-1);
            calendar.AddTimeZone(VTimeZone.FromDateTimeZone(zone.Key, earliest, includeHistoricalData: false));
        }

        var stamp = new CalDateTime(now.UtcDateTime, "UTC");
        foreach (var entry in list) calendar.Events.Add(Event(entry, stamp, organizer, attendee));
        return new CalendarSerializer().SerializeToString(calendar)!;
    }

    private static CalendarEvent Event(CalendarEntry entry, CalDateTime stamp, IcsPerson? organizer, IcsPerson? attendee)
    {
        var e = new CalendarEvent
        {
            Uid = entry.Uid,
            Summary = entry.Summary,
            DtStamp = stamp,
            Sequence = entry.Sequence,
            Status = entry.Cancelled ? EventStatus.Cancelled : EventStatus.Confirmed,
            Location = entry.Location ?? entry.OnlineUrl,
            Description = Description(entry),
        };
        if (entry.AllDay)
        {
            var first = DateOnly.FromDateTime(Local(entry.Start, entry.TimeZone));
            var last = DateOnly.FromDateTime(Local(entry.End, entry.TimeZone));
            e.DtStart = new CalDateTime(first);
            // DTEND of an all-day event is the day after its last day (exclusive).
            e.DtEnd = new CalDateTime(last <= first ? first.AddDays(1) : last);
        }
        else
        {
            e.DtStart = new CalDateTime(Local(entry.Start, entry.TimeZone), entry.TimeZone);
            e.DtEnd = new CalDateTime(Local(entry.End, entry.TimeZone), entry.TimeZone);
        }

        if ((entry.PageUrl ?? entry.OnlineUrl) is { } url && Uri.TryCreate(url, UriKind.Absolute, out var uri)) e.Url = uri;
        if (organizer is not null) e.Organizer = new Organizer($"mailto:{organizer.Email}") { CommonName = organizer.Name };
        if (attendee is not null)
            e.Attendees.Add(new Attendee($"mailto:{attendee.Email}")
            {
                CommonName = attendee.Name, Role = "REQ-PARTICIPANT", ParticipationStatus = "NEEDS-ACTION", Rsvp = false,
            });
        return e;
    }

    /// <summary>The description, with the online link and the page's link on their own lines when there are any.</summary>
    private static string? Description(CalendarEntry entry)
    {
        var lines = new[] { entry.Description, entry.Location is not null ? entry.OnlineUrl : null, entry.PageUrl }
            .Where(l => !string.IsNullOrWhiteSpace(l)).ToList();
        return lines.Count == 0 ? null : string.Join("\n", lines);
    }

    /// <summary>The wall-clock time of <paramref name="instant"/> in the IANA zone <paramref name="timeZone"/>.</summary>
    public static DateTime Local(DateTimeOffset instant, string timeZone) =>
        DateTime.SpecifyKind(TimeZoneInfo.ConvertTime(instant, TimeZoneInfo.FindSystemTimeZoneById(timeZone)).DateTime, DateTimeKind.Unspecified);
}
