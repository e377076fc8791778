using Mentoring.Engine.Definitions;
using Mentoring.Server.Data;
using Mentoring.Server.Workflows;

namespace Mentoring.Server.ActionPlans;

/// <summary>
/// A task or a gate that requires a version of the action plan (<c>"requires": ["actionPlan:consolidated"]</c>) completes only
/// once the group's plan has a version frozen under that label; sooner is refused (409) saying how to freeze it. Freezing does
/// not complete the task by itself: the mentee city still says when the step is done.
/// </summary>
public sealed class ActionPlanRequirement : IWorkItemRequirement
{
    /// <summary>The kind as the pair page names it in lower case (its text is needs-actionplan).</summary>
    public const string Code = "actionplan";

    public RequirementKind Kind => RequirementKind.ActionPlan;
    public string UnmetTitle => "The action plan version is not frozen";

    public async Task<string?> UnmetAsync(MentoringDb db, RequirementCheck check, Requirement required, CancellationToken ct)
    {
        if (check.GroupId is not { } id)
            return "This step requires an action plan, which only a group has: the programme's own workflow cannot meet it.";
        var label = required.Argument;
        if (!ActionPlanCommands.IsLabel(label))
            return "This step requires an action plan version without naming it: its workflow should say which (actionPlan:draft, for example).";
        if ((await ActionPlanQueries.FrozenLabelsAsync(db, id, ct)).Contains(label!)) return null;
        return $"The action plan has no version '{label}' yet: the mentee city freezes it on the action plan page (/pairs/{id}/action-plan) " +
               $"or with POST /api/pairs/{id}/action-plan/versions {{\"label\": \"{label}\"}}, then completes this task.";
    }
}
