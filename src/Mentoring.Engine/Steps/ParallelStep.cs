using System.Text.Json;
using Mentoring.Engine.Runtime;

namespace Mentoring.Engine.Definitions;

/// <summary>Runs its branches side by side and goes on when every one has ended.</summary>
public sealed record ParallelStep(string Id, string Title, string? Description,
    IReadOnlyList<IReadOnlyList<StepDefinition>> Branches) : StepDefinition(Id, Title, Description)
{
    internal override StepKind Kind => ParallelKind.Instance;
}

internal sealed class ParallelKind : StepKind<ParallelStep>
{
    public static readonly ParallelKind Instance = new();

    public override string Type => "parallel";
    public override IReadOnlyList<string> Properties { get; } = ["branches"];
    public override bool NeedsTitle => false;
    public override bool RedoneOnSendBack => true;

    public override StepDefinition? Parse(DefinitionParser parser, JsonElement step, string path, StepHeader header)
    {
        var branches = new List<IReadOnlyList<StepDefinition>>();
        if (parser.RequiredArray(step, path, "branches", nonEmpty: true) is { } branchesElement)
        {
            if (branchesElement.GetArrayLength() < 2) parser.Error(path + ".branches", "a parallel step needs at least 2 branches");
            var b = 0;
            foreach (var branch in branchesElement.EnumerateArray())
            {
                var branchPath = $"{path}.branches[{b++}]";
                if (branch.ValueKind != JsonValueKind.Array || branch.GetArrayLength() == 0)
                {
                    parser.Error(branchPath, "a branch must be a non-empty array of steps");
                    continue;
                }

                var steps = new List<StepDefinition>();
                var i = 0;
                foreach (var inner in branch.EnumerateArray())
                    if (parser.ParseStep(inner, $"{branchPath}[{i++}]") is { } parsed) steps.Add(parsed);
                branches.Add(steps);
            }
        }

        return new ParallelStep(header.Id, header.Title, header.Description, branches);
    }

    protected override void Enter(WorkflowRunner.Execution run, ParallelStep parallel)
    {
        run.State.Joins[parallel.Id] = [];
        foreach (var branch in parallel.Branches) run.Enqueue(branch[0].Id);
    }

    protected override IEnumerable<StepSequence> Nested(ParallelStep parallel) =>
        parallel.Branches.Select((branch, b) => new StepSequence(branch, new BranchOwner(parallel, b)));
}
