using Mentoring.Engine.Definitions;

namespace Mentoring.Engine.Tests.Definitions;

/// <summary><c>"requires": ["benchmark"]</c> on a task and on an approval gate: parsed to <see cref="Requirement.Benchmark"/>,
/// which the server checks; an approval may require nothing else.</summary>
public class BenchmarkRequirementParsingTests
{
    private const string File = "workflows/test.v1.json";

    private static string Definition(string steps) =>
        $$"""
        { "id": "test-pair", "version": 1, "name": "Test pair", "kind": "pair",
          "stages": [{ "id": "stage-1", "number": 1, "name": "Stage 1", "steps": [{{steps}}] }] }
        """;

    [Fact]
    public void A_task_and_an_approval_gate_can_require_the_benchmark()
    {
        var definition = DefinitionParser.Parse(File, Definition("""
            { "type": "task", "id": "merge-benchmark", "title": "Merge", "assignee": "both", "requires": ["file", "benchmark"] },
            { "type": "approval", "id": "approve-benchmark", "title": "Approve", "approver": "facilitator", "requires": ["benchmark", "benchmark"] },
            { "type": "approval", "id": "approve-plain", "title": "Approve", "approver": "facilitator" }
            """));

        Assert.Equal([Requirement.File, Requirement.Benchmark], Assert.IsType<TaskStep>(definition.Steps["merge-benchmark"].Step).Requires);
        Assert.Equal([Requirement.Benchmark], Assert.IsType<ApprovalStep>(definition.Steps["approve-benchmark"].Step).Requires);
        Assert.Empty(Assert.IsType<ApprovalStep>(definition.Steps["approve-plain"].Step).Requires);
    }

    [Fact]
    public void An_approval_gate_that_requires_a_note_is_refused_naming_the_place()
    {
        DefinitionParser.TryParse(File, Definition("""
            { "type": "approval", "id": "approve-benchmark", "title": "Approve", "approver": "facilitator", "requires": ["note"] }
            """), null, out var errors);

        var error = Assert.Single(errors);
        Assert.Equal("$.stages[0].steps[0].requires[0]", error.Path);
        Assert.Contains("can only require benchmark", error.Message);
    }
}
