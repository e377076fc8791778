using Mentoring.Engine.Definitions;
using Mentoring.Server.Data;
using Mentoring.Server.Workflows;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Benchmarks;

/// <summary>
/// A task or an approval gate that requires the benchmark (<c>"requires": ["benchmark"]</c>) is completed or approved only
/// once the facilitator has agreed the group's benchmark; sooner is refused (409) saying so. Agreeing does not complete
/// anything by itself: the coordinator or the facilitator still says when the step is done.
/// </summary>
public sealed class BenchmarkRequirement : IWorkItemRequirement
{
    public RequirementKind Kind => RequirementKind.Benchmark;
    public string UnmetTitle => "The benchmark is not agreed";

    public async Task<string?> UnmetAsync(MentoringDb db, RequirementCheck check, Requirement required, CancellationToken ct)
    {
        if (check.GroupId is not { } groupId)
            return "This step requires a benchmark, which only a group has: the programme's own workflow cannot meet it.";
        var status = await db.Benchmarks.AsNoTracking().Where(b => b.GroupId == groupId).Select(b => b.Status).SingleOrDefaultAsync(ct);
        if (status == BenchmarkRecord.Agreed) return null;
        return (status is null ? "The group has no benchmark yet: its cities write it, then the facilitator agrees it"
                   : "The group's benchmark is a draft: the facilitator agrees it first")
               + $" (POST /api/pairs/{groupId}/benchmark/agree, or the benchmark page /pairs/{groupId}/benchmark).";
    }
}
