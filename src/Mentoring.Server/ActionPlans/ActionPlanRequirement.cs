using Mentoring.Server.Data;

namespace Mentoring.Server.ActionPlans;

/// <summary>
/// A task that requires a version of the action plan (<c>"requires": ["actionPlan:consolidated"]</c>) is completed only once
/// the group's plan has a version frozen under that label; sooner is refused (409) saying how to freeze it. Freezing does not
/// complete the task by itself: the mentee still says when the step is done.
/// </summary>
public static class ActionPlanRequirement
{
    /// <summary>Why a task of <paramref name="groupId"/> that requires the version <paramref name="label"/> cannot be completed
    /// yet, or null when that version is frozen.</summary>
    public static async Task<string?> UnmetAsync(MentoringDb db, Guid? groupId, string? label, CancellationToken ct)
    {
        if (groupId is not { } id)
            return "This step requires an action plan, which only a group has: the programme's own workflow cannot meet it.";
        if (!ActionPlanCommands.IsLabel(label))
            return "This step requires an action plan version without naming it: its workflow should say which (actionPlan:draft, for example).";
        var frozen = await ActionPlanQueries.FrozenLabelsAsync(db, id, ct);
        if (frozen.Contains(label!)) return null;
        return $"The action plan has no version '{label}' yet: the mentee city freezes it on the action plan page (/pairs/{id}/action-plan) " +
               $"or with POST /api/pairs/{id}/action-plan/versions {{\"label\": \"{label}\"}}, then completes this task.";
    }
}
