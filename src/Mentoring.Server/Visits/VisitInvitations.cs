using Mentoring.Server.Calendar;
using Mentoring.Server.Data;
using Mentoring.Server.SupportNetworks;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Visits;

/// <summary>A visit's sessions as calendar entries in the host city's time zone, and the invitations to its participants
/// and delegation: queued when the visit is confirmed and again, with a higher sequence, when its sessions change after
/// that (a session dropped is sent as cancelled).</summary>
public static class VisitInvitations
{
    public static string Uid(Guid itemId, int number) => $"visit-{itemId}-session-{number}@mentoring";

    /// <param name="site">The site's public address, for the entry's link to the visit's page.</param>
    public static CalendarEntry Entry(VisitPlan plan, VisitSession session, string visitTitle, string timeZone, int sequence, string site)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(timeZone);
        DateTimeOffset Local(TimeOnly time)
        {
            var local = session.Date.ToDateTime(time);
            return new DateTimeOffset(local, zone.GetUtcOffset(local));
        }

        return new CalendarEntry(Uid(plan.ItemId, session.Number), $"{visitTitle}: {session.Title}", Local(session.StartsAt), Local(session.EndsAt),
            timeZone, Location: session.Place, OnlineUrl: session.OnlineUrl, Description: plan.Agenda.Length > 0 ? plan.Agenda : null,
            PageUrl: $"{site.TrimEnd('/')}/pairs/{plan.GroupId}/visits/{plan.ItemId}", Sequence: sequence);
    }

    /// <summary>Who is invited: the participants of the networks who gave an email (and have not withdrawn), the
    /// delegation's members with an email; each in their city's language.</summary>
    public static async Task<IReadOnlyList<InvitationRecipient>> RecipientsAsync(MentoringDb db, Guid itemId, CancellationToken ct)
    {
        var rows = await (from p in db.Set<VisitParticipant>().AsNoTracking()
                          where p.ItemId == itemId
                          join c in db.Cities on p.CityId equals c.Id
                          join sp in db.Set<SupportPerson>() on p.SupportPersonId equals sp.Id into people
                          from sp in people.DefaultIfEmpty()
                          select new
                          {
                              Name = p.SupportPersonId == null ? p.Name : sp.Name,
                              Email = p.SupportPersonId == null ? p.Email : sp.Email,
                              c.Language,
                          }).ToListAsync(ct);
        return rows.Where(r => !string.IsNullOrWhiteSpace(r.Email) && r.Name is not null)
            .DistinctBy(r => r.Email!.ToLowerInvariant())
            .Select(r => new InvitationRecipient(null, r.Name!, r.Email!, r.Language)).ToList();
    }

    /// <summary>Queues one invitation per session that is new or changed since <paramref name="before"/> (every session at
    /// the confirmation, when there is no before), and a cancellation per session no longer planned, in the caller's unit
    /// of work.</summary>
    public static async Task QueueAsync(MentoringDb db, ICalendarInvitations invitations, VisitPlan plan, IReadOnlyList<VisitSession> sessions,
        IReadOnlyList<VisitSession> before, string visitTitle, Guid instanceId, string site, CancellationToken ct)
    {
        var to = await RecipientsAsync(db, plan.ItemId, ct);
        if (to.Count == 0) return;
        var timeZone = await db.Cities.Where(c => c.Id == plan.HostCityId).Select(c => c.TimeZone).SingleAsync(ct);
        foreach (var session in sessions.OrderBy(s => s.Number)
                     .Where(s => !before.Any(b => b.Number == s.Number && StudyVisit.View(b) == StudyVisit.View(s))))
            invitations.Queue(db, new CalendarInvitation(plan.ProgrammeId, instanceId, Entry(plan, session, visitTitle, timeZone, plan.Revision, site), to));
        foreach (var session in before.Where(d => sessions.All(s => s.Number != d.Number)))
            invitations.Queue(db, new CalendarInvitation(plan.ProgrammeId, instanceId,
                Entry(plan, session, visitTitle, timeZone, plan.Revision, site) with { Cancelled = true }, to));
    }
}
