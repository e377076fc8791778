using Mentoring.Server.Calendar;
using Mentoring.Server.Data;
using Mentoring.Server.Email;
using Microsoft.Extensions.Options;
using Mentoring.Server.Programme;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Visits;

/// <summary>A person's visits in their private calendar feed: the sessions of the visits of their groups (every group of
/// the programme for its facilitator), in the host city's time, and the open next steps they own (as a person, or their
/// city's coordinator) as all-day deadlines on the due day.</summary>
public sealed class VisitCalendar(IOptions<EmailOptions> email) : ICalendarSource
{
    public async Task<IReadOnlyList<CalendarEntry>> EntriesForAsync(MentoringDb db, CalendarReader reader, CancellationToken ct)
    {
        var places = await db.ProgrammePeople.AsNoTracking().Where(p => p.PersonId == reader.PersonId).ToListAsync(ct);
        var entries = new List<CalendarEntry>();
        foreach (var place in places)
        {
            var facilitator = place.Role == PersonRoles.Facilitator;
            var city = place.Role == PersonRoles.Coordinator ? place.CityId : null;
            if (!facilitator && city is null) continue;
            var groups = db.Groups.Where(g => g.ProgrammeId == place.ProgrammeId
                && (facilitator || db.GroupMembers.Any(m => m.GroupId == g.Id && m.CityId == city))).Select(g => g.Id);
            var plans = await (from p in db.Set<VisitPlan>().AsNoTracking()
                               join w in db.WorkItems on p.ItemId equals w.Id
                               join c in db.Cities on p.HostCityId equals c.Id
                               where groups.Contains(p.GroupId) && w.Status != Workflows.WorkItemStatus.Cancelled
                               select new { Plan = p, w.Title, c.TimeZone }).ToListAsync(ct);
            var ids = plans.Select(p => p.Plan.ItemId).ToList();
            var sessions = (await db.Set<VisitSession>().AsNoTracking().Where(s => ids.Contains(s.ItemId)).ToListAsync(ct)).ToLookup(s => s.ItemId);
            foreach (var p in plans)
                entries.AddRange(sessions[p.Plan.ItemId].OrderBy(s => s.Number)
                    .Select(s => VisitInvitations.Entry(p.Plan, s, p.Title, p.TimeZone, p.Plan.Revision, email.Value.PublicUrl)));

            var steps = await (from s in db.Set<VisitNextStep>().AsNoTracking()
                               join w in db.WorkItems on s.ItemId equals w.Id
                               join p in db.Set<VisitPlan>() on s.ItemId equals p.ItemId
                               join c in db.Cities on p.HostCityId equals c.Id
                               where p.ProgrammeId == place.ProgrammeId && s.DoneAt == null
                                     && (s.OwnerPersonId == reader.PersonId || (city != null && s.OwnerCityId == city))
                               select new { Step = s, w.Title, c.TimeZone }).ToListAsync(ct);
            foreach (var s in steps)
            {
                var zone = TimeZoneInfo.FindSystemTimeZoneById(s.TimeZone);
                var day = s.Step.DueOn.ToDateTime(TimeOnly.MinValue);
                var start = new DateTimeOffset(day, zone.GetUtcOffset(day));
                entries.Add(new CalendarEntry($"visit-{s.Step.ItemId}-step-{s.Step.Number}@mentoring", $"{s.Step.Text} ({s.Title})", start,
                    start.AddDays(1), s.TimeZone, AllDay: true, PageUrl: $"{email.Value.PublicUrl.TrimEnd('/')}/pairs/{s.Step.GroupId}/visits/{s.Step.ItemId}"));
            }
        }

        return entries.DistinctBy(e => e.Uid).ToList();
    }
}
