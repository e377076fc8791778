using Mentoring.Engine.Definitions;
using Mentoring.Server.Data;
using Mentoring.Server.Workflows;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Assessments;

/// <summary>
/// A task that requires the assessment (<c>"requires": ["assessment"]</c>) is completed only once the cities it is for
/// have submitted theirs: in a group, its member cities in the task's assignee role (every member for "both" or the
/// facilitator); in the programme's own workflow, every member city. Completing it sooner is refused (409) naming the
/// cities; submitting does not complete it, so the coordinator still says when the step is done.
/// </summary>
public sealed class AssessmentRequirement : IWorkItemRequirement
{
    public RequirementKind Kind => RequirementKind.Assessment;
    public string UnmetTitle => "The needs assessment is not submitted";

    public async Task<string?> UnmetAsync(MentoringDb db, RequirementCheck check, Requirement required, CancellationToken ct)
    {
        if (check.Step is not TaskStep task) return null;
        var programmeId = check.ProgrammeId;
        List<string> cities;
        if (check.GroupId is { } groupId)
        {
            var members = db.GroupMembers.AsNoTracking().Where(m => m.GroupId == groupId);
            var whole = task.Assignee == Role.Both || task.Assignee == Role.Facilitator;
            var role = task.Assignee.Id;
            cities = await members.Where(m => whole || m.Role == role).Select(m => m.CityId).ToListAsync(ct);
        }
        else cities = await db.ProgrammeMembers.AsNoTracking().Where(m => m.ProgrammeId == programmeId).Select(m => m.CityId).ToListAsync(ct);

        var submitted = await db.Set<AssessmentRecord>().AsNoTracking()
            .Where(a => a.ProgrammeId == programmeId && a.Status == AssessmentStatus.Submitted && cities.Contains(a.CityId))
            .Select(a => a.CityId).ToListAsync(ct);
        var missing = cities.Except(submitted).Order(StringComparer.Ordinal).ToList();
        if (missing.Count == 0) return null;
        var names = await db.Cities.AsNoTracking().Where(c => missing.Contains(c.Id)).OrderBy(c => c.Name).Select(c => c.Name).ToListAsync(ct);
        return $"This task is completed by the needs assessment: {string.Join(", ", names)} must submit it first " +
               $"(PUT and POST /api/programmes/{programmeId}/cities/{{city}}/assessment/submit, or on the page /programmes/{programmeId}/assessment).";
    }
}
