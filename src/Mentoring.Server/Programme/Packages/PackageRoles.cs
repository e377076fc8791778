using Mentoring.Engine.Definitions;

namespace Mentoring.Server.Programme.Packages;

/// <summary>A role a workflow declares: filled by a group's members (group scope) or by the programme's people.</summary>
public sealed record DeclaredRole(string Id, bool ProgrammeScope, bool Acts);

/// <summary>What a package needs to know of a workflow's roles: which it declares, and which its steps name.</summary>
public static class PackageRoles
{
    /// <summary>The roles the workflow declares (or its kind's defaults), without the facilitator every workflow has.</summary>
    public static IReadOnlyList<DeclaredRole> Declared(WorkflowDefinition definition) =>
        definition.Roles.Where(r => r.Id != RoleDefinition.Facilitator.Id)
            .Select(r => new DeclaredRole(r.Id, r.Scope == RoleScope.Programme, r.Acts)).ToList();

    /// <summary>The group-scope roles the workflow's steps assign work or email to by name (not "both", which
    /// means whichever acting members the group has).</summary>
    public static IEnumerable<string> NamedGroupRoles(WorkflowDefinition definition)
    {
        var named = definition.StepsOf<TaskStep>().Select(t => t.Assignee)
            .Concat(definition.StepsOf<ApprovalStep>().SelectMany(a => a.Approvers))
            .Concat(definition.StepsOf<StudyVisitStep>().SelectMany(v => v.FollowUps.SelectMany(f => f.To).Append(v.Proposer).Append(v.Confirmer)))
            .Concat(definition.StepsOf<EmailStep>().SelectMany(e => e.To));
        return named.Where(r => definition.RoleNamed(r) is { Scope: RoleScope.Group }).Select(r => r.Id).Distinct();
    }
}
