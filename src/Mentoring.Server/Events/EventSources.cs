using Mentoring.Server.Calendar;
using Mentoring.Server.Data;
using Mentoring.Server.FunderReport;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Events;

/// <summary>The programme's events for the funder's report: dates in each event's own time zone, attendance by city.</summary>
internal sealed class EventFiguresSource : IEventFigures
{
    public async Task<IReadOnlyList<EventFigures>> ForProgrammeAsync(MentoringDb db, string programmeId, CancellationToken ct)
    {
        var meetings = await db.Set<ProgrammeMeeting>().AsNoTracking().Where(m => m.ProgrammeId == programmeId).ToListAsync(ct);
        var ids = meetings.Select(m => m.Id).ToList();
        var attendance = (await db.Set<ProgrammeMeetingAttendance>().AsNoTracking().Where(a => ids.Contains(a.MeetingId))
            .Select(a => new { a.MeetingId, a.CityId }).ToListAsync(ct)).ToLookup(a => a.MeetingId, a => a.CityId);
        return meetings.OrderBy(m => m.StartsAt).ThenBy(m => m.Title).Select(m =>
        {
            var zone = TimeZoneInfo.FindSystemTimeZoneById(m.TimeZone);
            var cities = attendance[m.Id].ToList();
            return new EventFigures(m.Id, m.Kind, m.Title, DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(m.StartsAt, zone).DateTime),
                DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(m.EndsAt, zone).DateTime), m.HeldAt is not null, cities.Count, EventPlanner.ByCity(cities));
        }).ToList();
    }
}

/// <summary>The events of the programmes a person is in, for their private calendar feed.</summary>
internal sealed class EventCalendarSource : ICalendarSource
{
    public async Task<IReadOnlyList<CalendarEntry>> EntriesForAsync(MentoringDb db, CalendarReader reader, CancellationToken ct)
    {
        var programmes = db.ProgrammePeople.Where(p => p.PersonId == reader.PersonId).Select(p => p.ProgrammeId);
        var meetings = await db.Set<ProgrammeMeeting>().AsNoTracking().Where(m => programmes.Contains(m.ProgrammeId)).ToListAsync(ct);
        return meetings.OrderBy(m => m.StartsAt).Select(EventPlanner.Entry).ToList();
    }
}
