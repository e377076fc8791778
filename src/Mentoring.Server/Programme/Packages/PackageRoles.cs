using Mentoring.Engine.Definitions;

namespace Mentoring.Server.Programme.Packages;

/// <summary>A role a workflow declares: filled by a group's members (group scope) or by the programme's people.</summary>
public sealed record DeclaredRole(string Id, bool ProgrammeScope, bool Acts);

/// <summary>What a package needs to know of a workflow's roles: which it declares, and which its steps name.</summary>
public static class PackageRoles
{
    public static IReadOnlyList<DeclaredRole> Declared(WorkflowDefinition definition) =>
        definition.Kind == WorkflowKind.Pair
            ? [new DeclaredRole("mentor", false, true), new DeclaredRole("mentee", false, true)]
            : [];

    /// <summary>The group-scope roles the workflow's steps assign work or email to by name (not "both", which
    /// means whichever acting members the group has).</summary>
    public static IEnumerable<string> NamedGroupRoles(WorkflowDefinition definition)
    {
        var named = definition.StepsOf<TaskStep>().Select(t => t.Assignee)
            .Concat(definition.StepsOf<ApprovalStep>().Select(a => a.Approver))
            .Concat(definition.StepsOf<StudyVisitStep>().SelectMany(v => v.FollowUps.SelectMany(f => f.To).Append(v.Proposer).Append(v.Confirmer)))
            .Concat(definition.StepsOf<EmailStep>().SelectMany(e => e.To));
        return named.Where(r => r is Role.Mentor or Role.Mentee).Select(r => r.ToString().ToLowerInvariant()).Distinct();
    }
}
