using Mentoring.Engine.Definitions;

namespace Mentoring.Engine.Tests.Definitions;

/// <summary><c>"requires": ["actionPlan:consolidated"]</c>: the group's action plan frozen at a version, on a task or an
/// approval gate; the version is an id a definition names, so a malformed one is refused where it is written.</summary>
public class ActionPlanRequirementParsingTests
{
    private const string File = "workflows/test.v1.json";

    private static string Definition(string steps) =>
        $$"""
        { "id": "test-pair", "version": 1, "name": "Test pair", "kind": "pair",
          "stages": [{ "id": "stage-1", "number": 1, "name": "Stage 1", "steps": [{{steps}}] }] }
        """;

    [Fact]
    public void A_task_and_an_approval_gate_can_require_an_action_plan_version()
    {
        var definition = DefinitionParser.Parse(File, Definition("""
            { "type": "task", "id": "consolidate-plan", "title": "Consolidate", "assignee": "mentee", "requires": ["note", "actionPlan:consolidated"] },
            { "type": "approval", "id": "approve-plan", "title": "Approve", "approver": "facilitator", "requires": ["benchmark", "actionPlan:reviewed"] }
            """));

        var task = Assert.IsType<TaskStep>(definition.Steps["consolidate-plan"].Step);
        Assert.Equal([Requirement.Note, Requirement.ActionPlan("consolidated")], task.Requires);
        Assert.Equal(RequirementKind.ActionPlan, task.Requires[1].Kind);
        Assert.Equal("consolidated", task.Requires[1].Argument);
        Assert.Equal("actionPlan:consolidated", task.Requires[1].ToString());
        Assert.Equal([Requirement.Benchmark, Requirement.ActionPlan("reviewed")],
            Assert.IsType<ApprovalStep>(definition.Steps["approve-plan"].Step).Requires);
    }

    [Theory]
    [InlineData("actionPlan:")]
    [InlineData("actionPlan:Consolidated")]
    [InlineData("actionPlan")]
    [InlineData("actionplan:draft")]
    public void A_malformed_action_plan_requirement_is_refused_naming_the_place(string entry)
    {
        DefinitionParser.TryParse(File, Definition($$"""
            { "type": "task", "id": "draft-plan", "title": "Draft", "assignee": "mentee", "requires": ["{{entry}}"] }
            """), null, out var errors);

        var error = Assert.Single(errors);
        Assert.Equal("$.stages[0].steps[0].requires[0]", error.Path);
        Assert.Contains("actionPlan:<version>", error.Message);
    }
}
