using Mentoring.Server.Data;
using Mentoring.Server.SupportNetworks;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Events;

/// <summary>
/// A network member who withdraws their consent keeps no trace in the programme's events. Attendance is recorded for
/// people with an account only (by their id), which a network member's consent does not cover, so what an event can hold
/// of them is a mention in its free text: the title, the agenda, the venue and the materials' titles, redacted here. An
/// event whose text changes gets a new sequence, so the calendars that copied it take the redacted one.
/// </summary>
internal sealed class EventConsentEraser : IConsentWithdrawalEraser
{
    public async Task EraseAsync(MentoringDb db, WithdrawnPerson person, CancellationToken ct)
    {
        if (person.Mentions.Count == 0) return;
        var meetings = await db.Set<ProgrammeMeeting>().Where(m => m.ProgrammeId == person.ProgrammeId).ToListAsync(ct);
        foreach (var meeting in meetings)
        {
            var (title, agenda, venue) = (SupportNetwork.Redact(meeting.Title, person.Mentions), SupportNetwork.Redact(meeting.Agenda, person.Mentions),
                meeting.Venue is { } v ? SupportNetwork.Redact(v, person.Mentions) : null);
            if ((title, agenda, venue) == (meeting.Title, meeting.Agenda, meeting.Venue)) continue;
            (meeting.Title, meeting.Agenda, meeting.Venue) = (title, agenda, venue);
            meeting.Sequence++;
            meeting.UpdatedAt = person.At;
        }

        var ids = meetings.Select(m => m.Id).ToList();
        foreach (var material in await db.Set<ProgrammeMeetingMaterial>().Where(m => ids.Contains(m.MeetingId)).ToListAsync(ct))
            material.Title = SupportNetwork.Redact(material.Title, person.Mentions);
    }
}
