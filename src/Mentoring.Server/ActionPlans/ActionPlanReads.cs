using System.Security.Claims;
using Mentoring.Server.Data;
using Mentoring.Server.Practices;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.ActionPlans;

public sealed partial class ActionPlanCommands
{
    /// <summary>The versions frozen so far, oldest first.</summary>
    public async Task<PlanResult<IReadOnlyList<VersionSummary>>> VersionsAsync(ClaimsPrincipal user, Guid groupId, CancellationToken ct)
    {
        var opened = await OpenAsync(user, groupId, ct);
        return opened.Outcome == PlanOutcome.Done ? PlanResult<IReadOnlyList<VersionSummary>>.Done(opened.Value!.Versions) : opened.As<IReadOnlyList<VersionSummary>>();
    }

    public async Task<PlanResult<VersionView>> VersionAsync(ClaimsPrincipal user, Guid groupId, string label, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var (access, refusal) = await AccessAsync<VersionView>(db, user, groupId, ct);
        if (access is null) return refusal!;
        var version = await (from v in db.Set<ActionPlanVersionRecord>()
                             join p in db.Set<ActionPlanRecord>() on v.PlanId equals p.Id
                             where p.GroupId == groupId && v.Label == label
                             select v).AsNoTracking().SingleOrDefaultAsync(ct);
        return version is null
            ? PlanResult<VersionView>.Fail(PlanOutcome.NotFound, $"The action plan has no version '{label}'.")
            : PlanResult<VersionView>.Done(new VersionView(version.Id, version.Number, version.Label, version.FrozenAt, version.FrozenByName,
                PlanContent.FromJson(version.Content)));
    }

    /// <summary>What changed from one version to another; "working" names the working copy.</summary>
    public async Task<PlanResult<PlanDiff>> DiffAsync(ClaimsPrincipal user, Guid groupId, string from, string to, CancellationToken ct)
    {
        var opened = await OpenAsync(user, groupId, ct);
        if (opened.Outcome != PlanOutcome.Done) return opened.As<PlanDiff>();
        await using var db = await dbs.CreateDbContextAsync(ct);
        var plan = await db.Set<ActionPlanRecord>().AsNoTracking().SingleAsync(p => p.GroupId == groupId, ct);
        var before = await ActionPlanQueries.ContentAsync(db, plan, from, ct);
        var after = await ActionPlanQueries.ContentAsync(db, plan, to, ct);
        if (before is null || after is null)
            return PlanResult<PlanDiff>.Fail(PlanOutcome.NotFound, $"The action plan has no version '{(before is null ? from : to)}'.");
        var practices = before.Actions.Concat(after.Actions).Where(a => a.PracticeId is not null).Select(a => a.PracticeId!.Value).Distinct().ToList();
        var practiceTitles = await db.Set<Practice>().AsNoTracking().Where(p => practices.Contains(p.Id)).ToDictionaryAsync(p => p.Id, p => p.Title, ct);
        var factors = await FactorTitlesAsync(db, groupId, ct);
        return PlanResult<PlanDiff>.Done(ActionPlanDiff.Compare(from, before, to, after,
            id => practiceTitles.GetValueOrDefault(id, id.ToString()), id => factors.GetValueOrDefault(id, id.ToString())));
    }

    /// <summary>The titles of the group's benchmark's key factors by id.</summary>
    public static Task<Dictionary<Guid, string>> FactorTitlesAsync(MentoringDb db, Guid groupId, CancellationToken ct) =>
        (from f in db.BenchmarkFactors
         join b in db.Benchmarks on f.BenchmarkId equals b.Id
         where b.GroupId == groupId
         select new { f.Id, f.Title }).AsNoTracking().ToDictionaryAsync(f => f.Id, f => f.Title, ct);
}
