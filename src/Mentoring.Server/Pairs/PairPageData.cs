using System.Security.Claims;
using Mentoring.Engine.Definitions;
using Mentoring.Server.Auth;
using Mentoring.Server.Data;
using Mentoring.Server.Programme;
using Mentoring.Server.Workflows;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Pairs;

/// <summary>Everything the pair page shows, read with the same queries and access rules as the pair API.</summary>
public sealed record PairPageData(
    Programme.Group Pair,
    PairSummary Summary,
    WorkflowDefinition? Definition,
    IReadOnlyList<WorkItemView> Items,
    IReadOnlyList<VisitView> Visits,
    IReadOnlyList<HistoryEntry> History)
{
    public enum Access { Ok, NotFound, Forbidden }

    /// <summary>The group (with its members, for <see cref="CurrentUser.ActorFor"/>) if the user may read it.</summary>
    public static async Task<(Access Access, Programme.Group? Pair, IReadOnlyList<Programme.GroupMember> Members)> CheckAsync(
        MentoringDb db, ClaimsPrincipal user, Guid pairId, CancellationToken ct)
    {
        var found = await PairQueries.FindAsync(db, pairId, user.ProgrammeId(), ct);
        if (found is not { } f) return (Access.NotFound, null, []);
        return user.CanRead(f.Group, f.Members, f.Associations) ? (Access.Ok, f.Group, f.Members) : (Access.Forbidden, null, []);
    }

    public static async Task<PairPageData> LoadAsync(MentoringDb db, DefinitionStore definitions, ClaimsPrincipal user,
        Programme.Group pair, CancellationToken ct)
    {
        var summary = await PairQueries.Summaries(db, user, pair.Id).AsNoTracking().SingleAsync(ct);
        var instance = await db.Instances.AsNoTracking().Where(i => i.Id == pair.InstanceId)
            .Select(i => new { i.DefinitionId, i.DefinitionVersion }).SingleAsync(ct);
        var items = await PairQueries.ItemsAsync(db, pair.InstanceId, openOnly: false, ct);
        var visits = await PairQueries.VisitsAsync(db, pair.InstanceId, ct);
        var history = await PairQueries.HistoryAsync(db, pair.InstanceId, 0, 500, ct);
        return new PairPageData(pair, summary, definitions.Find(instance.DefinitionId, instance.DefinitionVersion),
            items.Where(i => i.Kind is "task" or "study-visit" or "approval").ToList(), visits, history);
    }

    /// <summary>The highest step number of the pair's workflow, for "step N of M"; 0 when its definition is not loaded.</summary>
    public int LastStep => Definition is null ? 0 : Dashboard.WorkflowSteps.Of(Definition).Last;

    public StepDefinition? Step(string stepId) =>
        Definition is not null && Definition.Steps.TryGetValue(stepId, out var location) ? location.Step : null;

    /// <summary>Its members by role, in the order its definition declares the roles.</summary>
    public GroupNames Names { get; } = GroupNames.InRoleOrder(Summary.Members.Select(m => (m.Role, m.Id, m.Name)), Definition);

    /// <summary>The cities a role stands for in this group ("mentor" -> Schaerbeek; "both": every acting role's).</summary>
    public string RoleName(string? role)
    {
        if (role is null) return "";
        if (Names.Of(role) is { Length: > 0 } cities) return cities;
        if (Role.Of(role) != Role.Both) return role;
        var acting = Definition?.ActingGroupRoles.Select(r => r.Id) ?? Names.Roles;
        return string.Join(", ", acting.Select(Names.Of).Where(n => n.Length > 0));
    }
}
