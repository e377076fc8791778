using System.Text.Json;
using Mentoring.Engine.Runtime;

namespace Mentoring.Engine.Definitions;

/// <summary>A stage gate: the approver approves, or sends the stage back to be done again.</summary>
public sealed record ApprovalStep(string Id, string Title, string? Description, Role Approver)
    : StepDefinition(Id, Title, Description)
{
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
    public override IReadOnlyList<string> Properties { get; } = ["approver", "requires"];
    public override bool RedoneOnSendBack => true;

    public override StepDefinition? Parse(DefinitionParser parser, JsonElement step, string path, StepHeader header)
    {
        var approver = parser.RequiredRole(step, path, "approver");
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

        return approver is null ? null
            : new ApprovalStep(header.Id, header.Title, header.Description, approver.Value) { Requires = requires.Distinct().ToList() };
    }

    protected override void Enter(WorkflowRunner.Execution run, ApprovalStep approval)
    {
        var activation = run.Activate(approval.Id, WorkItemKind.Approval);
        run.Effects.Add(new WorkItemOpened(approval.Id, activation, WorkItemKind.Approval, approval.Title,
            approval.Description, approval.Approver, null, run.CurrentStage.Id));
        run.Record("approval-requested", approval.Id, Actor.System, new() { ["title"] = approval.Title });
        run.Email("gate-awaiting-approval", [approval.Approver], approval.Id, new() { ["approval.title"] = approval.Title });
    }
}
