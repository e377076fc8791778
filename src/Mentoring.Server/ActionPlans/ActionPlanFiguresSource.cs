using Mentoring.Server.Data;
using Mentoring.Server.FunderReport;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.ActionPlans;

/// <summary>The funder's report's figures of each group's action plan: its frozen versions' labels in the order they were
/// frozen, how many actions the working copy has, and the endorsement. Groups without a plan are left out.</summary>
public sealed class ActionPlanFiguresSource : IActionPlanFigures
{
    public async Task<IReadOnlyList<ActionPlanFigures>> ForProgrammeAsync(MentoringDb db, string programmeId, CancellationToken ct)
    {
        var plans = await db.Set<ActionPlanRecord>().AsNoTracking().Where(p => p.ProgrammeId == programmeId)
            .Select(p => new { p.Id, p.GroupId, p.EndorsedOn }).ToListAsync(ct);
        var ids = plans.Select(p => p.Id).ToList();
        var versions = (await db.Set<ActionPlanVersionRecord>().AsNoTracking().Where(v => ids.Contains(v.PlanId))
            .Select(v => new { v.PlanId, v.Number, v.Label }).ToListAsync(ct)).ToLookup(v => v.PlanId);
        var actions = await db.Set<ActionPlanActionRecord>().AsNoTracking().Where(a => ids.Contains(a.PlanId)).GroupBy(a => a.PlanId)
            .Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, ct);
        return plans.OrderBy(p => p.GroupId).Select(p => new ActionPlanFigures(p.GroupId,
            versions[p.Id].OrderBy(v => v.Number).Select(v => v.Label).ToList(), actions.GetValueOrDefault(p.Id), p.EndorsedOn is not null,
            p.EndorsedOn)).ToList();
    }
}
