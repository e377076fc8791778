using Mentoring.Server.Calendar;
using Mentoring.Server.Data;
using Mentoring.Server.Email;
using Mentoring.Server.FunderReport;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Mentoring.Server.Events;

/// <summary>The programme's events for the funder's report: dates in each event's own time zone, attendance by city.</summary>
internal sealed class EventFiguresSource : IEventFigures
{
    public async Task<IReadOnlyList<EventFigures>> ForProgrammeAsync(MentoringDb db, string programmeId, CancellationToken ct)
    {
        // A cancelled event did not happen: the funder counts what was held and what is still to come.
        var meetings = await db.Set<ProgrammeMeeting>().AsNoTracking().Where(m => m.ProgrammeId == programmeId && m.CancelledAt == null).ToListAsync(ct);
        var ids = meetings.Select(m => m.Id).ToList();
        var attendance = (await db.Set<ProgrammeMeetingAttendance>().AsNoTracking().Where(a => ids.Contains(a.MeetingId))
            .Select(a => new { a.MeetingId, a.CityId }).ToListAsync(ct)).ToLookup(a => a.MeetingId, a => a.CityId);
        return meetings.OrderBy(m => m.EventStart).ThenBy(m => m.Title).Select(m =>
        {
            var zone = TimeZoneInfo.FindSystemTimeZoneById(m.TimeZone);
            var cities = attendance[m.Id].ToList();
            return new EventFigures(m.Id, m.Kind, m.Title, DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(m.EventStart, zone).DateTime),
                DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(m.EventEnd, zone).DateTime), m.HeldAt is not null, cities.Count, EventPlanner.ByCity(cities));
        }).ToList();
    }
}

/// <summary>The events of the programmes a person is in, for their private calendar feed.</summary>
internal sealed class EventCalendarSource(IOptions<EmailOptions> email) : ICalendarSource
{
    public async Task<IReadOnlyList<CalendarEntry>> EntriesForAsync(MentoringDb db, CalendarReader reader, CancellationToken ct)
    {
        var programmes = db.ProgrammePeople.Where(p => p.PersonId == reader.PersonId).Select(p => p.ProgrammeId);
        var meetings = await db.Set<ProgrammeMeeting>().AsNoTracking().Where(m => programmes.Contains(m.ProgrammeId)).ToListAsync(ct);
        return meetings.OrderBy(m => m.EventStart).Select(m => EventPlanner.Entry(m, email.Value.PublicUrl)).ToList();
    }
}
