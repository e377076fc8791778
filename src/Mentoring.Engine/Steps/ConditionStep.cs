using System.Text.Json;
using Mentoring.Engine.Runtime;

namespace Mentoring.Engine.Definitions;

/// <summary>Runs <see cref="Then"/> when a task's choice met <see cref="If"/>, otherwise <see cref="Else"/>.</summary>
public sealed record ConditionStep(string Id, string Title, string? Description, Condition If,
    IReadOnlyList<StepDefinition> Then, IReadOnlyList<StepDefinition> Else) : StepDefinition(Id, Title, Description)
{
    internal override StepKind Kind => ConditionKind.Instance;
}

public enum ConditionOperator { Equals, NotEquals, In }

public sealed record Condition(string Variable, ConditionOperator Operator, IReadOnlyList<string> Values)
{
    public bool IsMetBy(IReadOnlyDictionary<string, string> variables)
    {
        variables.TryGetValue(Variable, out var value);
        return Operator switch
        {
            ConditionOperator.Equals => value == Values[0],
            ConditionOperator.NotEquals => value != Values[0],
            _ => value is not null && Values.Contains(value),
        };
    }
}

internal sealed class ConditionKind : StepKind<ConditionStep>
{
    public static readonly ConditionKind Instance = new();

    public override string Type => "condition";
    public override IReadOnlyList<string> Properties { get; } = ["if", "then", "else"];
    public override bool NeedsTitle => false;
    public override bool RedoneOnSendBack => true;

    public override StepDefinition? Parse(DefinitionParser parser, JsonElement step, string path, StepHeader header)
    {
        var condition = ParseCondition(parser, step, path);
        var then = parser.ParseSteps(step, path, "then");
        var otherwise = parser.ParseSteps(step, path, "else", required: false);
        return condition is null || then is null || otherwise is null ? null
            : new ConditionStep(header.Id, header.Title, header.Description, condition, then, otherwise);
    }

    protected override void Enter(WorkflowRunner.Execution run, ConditionStep condition)
    {
        var met = condition.If.IsMetBy(run.State.Variables);
        var branch = met ? condition.Then : condition.Else;
        run.Record("condition", condition.Id, Actor.System, new() { ["variable"] = condition.If.Variable, ["met"] = met });
        if (branch.Count == 0) run.Continue(condition.Id);
        else run.Enqueue(branch[0].Id);
    }

    protected override IEnumerable<StepSequence> Nested(ConditionStep condition) =>
    [
        new StepSequence(condition.Then, new ConditionOwner(condition)),
        new StepSequence(condition.Else, new ConditionOwner(condition)),
    ];

    private static Condition? ParseCondition(DefinitionParser parser, JsonElement step, string path)
    {
        if (!step.TryGetProperty("if", out var condition))
        {
            parser.Error(path, "missing 'if'");
            return null;
        }

        path += ".if";
        if (!parser.IsObject(condition, path)) return null;
        parser.Allow(condition, path, "variable", "equals", "notEquals", "in");
        var variable = parser.RequiredVariable(condition, path);
        if (variable is not null && !parser.IsChoiceVariable(variable))
            parser.Error(path + ".variable", $"no task before this condition sets the variable '{variable}' (a task's choice.variable)");
        Condition? result = null;
        var operators = 0;
        if (condition.TryGetProperty("equals", out _))
        {
            operators++;
            if (parser.RequiredString(condition, path, "equals") is { } value)
                result = new Condition(variable ?? "", ConditionOperator.Equals, [value]);
        }

        if (condition.TryGetProperty("notEquals", out _))
        {
            operators++;
            if (parser.RequiredString(condition, path, "notEquals") is { } value)
                result = new Condition(variable ?? "", ConditionOperator.NotEquals, [value]);
        }

        if (condition.TryGetProperty("in", out _))
        {
            operators++;
            if (parser.RequiredStrings(condition, path, "in") is { Count: > 0 } values)
                result = new Condition(variable ?? "", ConditionOperator.In, values);
        }

        if (operators != 1) parser.Error(path, "needs exactly one of equals, notEquals, in");
        return variable is null || operators != 1 ? null : result;
    }
}
