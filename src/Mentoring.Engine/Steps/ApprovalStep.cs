using System.Text.Json;
using Mentoring.Engine.Runtime;

namespace Mentoring.Engine.Definitions;

/// <summary>A stage gate: the approver approves, or sends the stage back to be done again. With several
/// <see cref="Approvers"/> the gate has levels: each approves in turn (a new work item per level, so each level has its
/// own assignee, its own email and its own line in the history), and any level may send the stage back.</summary>
/// <param name="Approver">The first level's approver (the only one of a one-level gate).</param>
public sealed record ApprovalStep(string Id, string Title, string? Description, Role Approver)
    : StepDefinition(Id, Title, Description)
{
    private readonly IReadOnlyList<Role>? _approvers;

    /// <summary>The levels in order: <c>"approvers"</c> in the file, or the one <c>"approver"</c>.</summary>
    public IReadOnlyList<Role> Approvers
    {
        get => _approvers ?? [Approver];
        init => _approvers = value.Count > 0 && value[0] == Approver ? value
            : throw new ArgumentException("The first approver is the step's Approver.", nameof(value));
    }

    /// <summary>What approving needs besides the approver's word: <see cref="Requirement.Benchmark"/> (the group's
    /// benchmark agreed) or <see cref="Requirement.ActionPlan"/> (its action plan frozen at a version), which the server
    /// checks; empty for most gates.</summary>
    public IReadOnlyList<Requirement> Requires { get; init; } = [];

    internal override StepKind Kind => ApprovalKind.Instance;
}

internal sealed class ApprovalKind : StepKind<ApprovalStep>
{
    public static readonly ApprovalKind Instance = new();

    public override string Type => "approval";
    public override IReadOnlyList<string> Properties { get; } = ["approver", "approvers", "requires"];
    public override bool RedoneOnSendBack => true;

    public override StepDefinition? Parse(DefinitionParser parser, JsonElement step, string path, StepHeader header)
    {
        // One approver (the form every file had) or a list of levels; never both, so a file says one thing.
        var levels = step.TryGetProperty("approvers", out _);
        if (levels && step.TryGetProperty("approver", out _))
        {
            parser.Error($"{path}.approvers", "give either 'approver' or 'approvers', not both");
            return null;
        }

        var approvers = levels ? parser.RequiredActingRoles(step, path, "approvers")
            : parser.RequiredRole(step, path, "approver") is { } one ? [one] : null;
        var requires = new List<Requirement>();
        if (parser.OptionalArray(step, path, "requires") is { } requiresElement)
        {
            var i = 0;
            foreach (var item in requiresElement.EnumerateArray())
            {
                // Only an artefact the server checks: a note, link or file belongs to the tasks before the gate.
                if (Requirement.Parse(item.ValueKind == JsonValueKind.String ? item.GetString() : null) is
                    { Kind: RequirementKind.Benchmark or RequirementKind.ActionPlan } requirement)
                    requires.Add(requirement);
                else parser.Error($"{path}.requires[{i}]", "an approval can only require benchmark or actionPlan:<version>");
                i++;
            }
        }

        return approvers is null ? null
            : new ApprovalStep(header.Id, header.Title, header.Description, approvers[0])
            {
                Approvers = approvers, Requires = requires.Distinct().ToList(),
            };
    }

    protected override void Enter(WorkflowRunner.Execution run, ApprovalStep approval) => OpenLevel(run, approval, 0);

    /// <summary>Opens the work item of one level (0 = the first) for that level's approver, and tells them.</summary>
    public static void OpenLevel(WorkflowRunner.Execution run, ApprovalStep approval, int level)
    {
        var activation = run.Activate(approval.Id, WorkItemKind.Approval);
        run.State.Active[approval.Id].Level = level;
        var approver = approval.Approvers[level];
        run.Effects.Add(new WorkItemOpened(approval.Id, activation, WorkItemKind.Approval, approval.Title,
            approval.Description, approver, null, run.CurrentStage.Id));
        var data = new Dictionary<string, object?> { ["title"] = approval.Title };
        if (approval.Approvers.Count > 1)
        {
            data["level"] = level + 1;
            data["levels"] = approval.Approvers.Count;
            data["approver"] = approver.Id;
        }

        run.Record("approval-requested", approval.Id, Actor.System, data);
        run.Email("gate-awaiting-approval", [approver], approval.Id, new() { ["approval.title"] = approval.Title });
    }
}
