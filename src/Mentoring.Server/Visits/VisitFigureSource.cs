using Mentoring.Server.Data;
using Mentoring.Server.FunderReport;
using Mentoring.Server.SupportNetworks;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Visits;

/// <summary>The funder's report's visits: every study visit of the programme's groups (cancelled ones left out), with its
/// plan's days and format where it has one, whether it is held (held or reported), and its participants by the kind of
/// their network organisation, "visiting-delegation" for the delegation's members.</summary>
public sealed class VisitFigureSource : IVisitFigures
{
    public async Task<IReadOnlyList<VisitFigures>> ForProgrammeAsync(MentoringDb db, string programmeId, CancellationToken ct)
    {
        var visits = await (from w in db.WorkItems.AsNoTracking()
                            join g in db.Groups on w.InstanceId equals g.InstanceId
                            where g.ProgrammeId == programmeId && w.Kind == "study-visit" && w.Status != Workflows.WorkItemStatus.Cancelled
                            join p in db.Set<VisitPlan>() on w.Id equals p.ItemId into plans
                            from p in plans.DefaultIfEmpty()
                            select new
                            {
                                w.Id, GroupId = g.Id, g.Number, w.StepId, w.Title, w.VisitPhase, w.VisitDate, w.OpenedAt,
                                Start = p == null ? (DateOnly?)null : p.StartDate, End = p == null ? (DateOnly?)null : p.EndDate,
                                Format = p == null ? null : p.Format,
                            }).ToListAsync(ct);
        var ids = visits.Select(v => v.Id).ToList();
        var participants = (await (from p in db.Set<VisitParticipant>().AsNoTracking()
                                   where ids.Contains(p.ItemId)
                                   join sp in db.Set<SupportPerson>() on p.SupportPersonId equals sp.Id into people
                                   from sp in people.DefaultIfEmpty()
                                   join o in db.Set<SupportOrganisation>() on sp.OrganisationId equals o.Id into organisations
                                   from o in organisations.DefaultIfEmpty()
                                   select new { p.ItemId, Kind = o == null ? StudyVisit.VisitingDelegation : o.Kind }).ToListAsync(ct))
            .ToLookup(p => p.ItemId, p => p.Kind);
        return visits.OrderBy(v => v.Number).ThenBy(v => v.OpenedAt).ThenBy(v => v.StepId)
            .Select(v => new VisitFigures(v.GroupId, v.StepId, v.Title, v.Start ?? v.VisitDate, v.End ?? v.VisitDate, v.Format,
                v.VisitPhase is "held" or "reported", participants[v.Id].Count(),
                participants[v.Id].GroupBy(k => k).OrderBy(g => g.Key).ToDictionary(g => g.Key, g => g.Count())))
            .ToList();
    }
}
