using Mentoring.Engine.Definitions;
using Mentoring.Server.Data;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Workflows;

/// <summary>What a <c>"requires"</c> entry of a task or an approval gate checks before the step may complete: the
/// cities' needs assessment submitted, the group's benchmark agreed, its action plan frozen at a version. The feature
/// that owns the artefact implements one and registers it (<c>services.AddSingleton&lt;IWorkItemRequirement, X&gt;()</c>);
/// completing or approving asks the one of each <see cref="Kind"/> the step requires, and the first unmet answer is a
/// 409 with <see cref="UnmetTitle"/> and the answer as its detail.</summary>
public interface IWorkItemRequirement
{
    RequirementKind Kind { get; }

    /// <summary>The refusal's title, e.g. "The benchmark is not agreed".</summary>
    string UnmetTitle { get; }

    /// <summary>Why the step cannot complete yet (saying what to do, and where), or null when <paramref name="required"/>
    /// is met.</summary>
    Task<string?> UnmetAsync(MentoringDb db, RequirementCheck check, Requirement required, CancellationToken ct);
}

/// <summary>The work item being completed (a task) or approved (<see cref="Approving"/>), its step, its instance's group
/// (null for the programme's own workflow) and programme.</summary>
public sealed record RequirementCheck(WorkItem Item, StepDefinition Step, Guid? GroupId, string ProgrammeId, bool Approving);

/// <summary>Runs the registered <see cref="IWorkItemRequirement"/>s for a step about to be completed or approved.
/// Note, link and file are the engine's to check on the command itself.</summary>
public sealed class WorkItemRequirements(IEnumerable<IWorkItemRequirement> checkers, DefinitionStore definitions)
{
    private readonly Dictionary<RequirementKind, IWorkItemRequirement> _checkers = checkers.ToDictionary(c => c.Kind);

    /// <summary>The first unmet requirement's title and detail, or null when the step may go on.</summary>
    public async Task<(string Title, string Detail)?> UnmetAsync(MentoringDb db, WorkItem item, bool approving, CancellationToken ct)
    {
        var instance = await db.Instances.AsNoTracking().Where(i => i.Id == item.InstanceId)
            .Select(i => new { i.DefinitionId, i.DefinitionVersion, i.ProgrammeId, i.GroupId }).SingleAsync(ct);
        var definition = definitions.Get(instance.DefinitionId, instance.DefinitionVersion);
        if (!definition.Steps.TryGetValue(item.StepId, out var location)) return null;
        var requires = location.Step switch
        {
            TaskStep task when !approving => task.Requires,
            ApprovalStep approval when approving => approval.Requires,
            _ => [],
        };

        var check = new RequirementCheck(item, location.Step, instance.GroupId, instance.ProgrammeId, approving);
        foreach (var required in requires)
        {
            if (required.Kind is RequirementKind.Note or RequirementKind.Link or RequirementKind.File) continue;
            if (!_checkers.TryGetValue(required.Kind, out var checker))
                return ("The requirement cannot be checked",
                    $"This step requires {required}, and no feature of this installation checks it: the step cannot be completed until one does.");
            if (await checker.UnmetAsync(db, check, required, ct) is { } detail) return (checker.UnmetTitle, detail);
        }
        return null;
    }
}
