using System.Text.Json;
using Mentoring.Engine.Runtime;

namespace Mentoring.Engine.Definitions;

/// <summary>Raises a programme event, releasing the pairs that wait for it.</summary>
public sealed record SignalStep(string Id, string Title, string? Description, string Event)
    : StepDefinition(Id, Title, Description)
{
    internal override StepKind Kind => SignalKind.Instance;
}

internal sealed class SignalKind : StepKind<SignalStep>
{
    public static readonly SignalKind Instance = new();

    public override string Type => "signal";
    public override IReadOnlyList<string> Properties { get; } = ["event"];

    public override StepDefinition? Parse(DefinitionParser parser, JsonElement step, string path, StepHeader header) =>
        parser.RequiredId(step, path, "event") is { } name ? new SignalStep(header.Id, header.Title, header.Description, name) : null;

    protected override void Enter(WorkflowRunner.Execution run, SignalStep signal)
    {
        run.Effects.Add(new ProgrammeEventRaised(signal.Event));
        run.Record("event-raised", signal.Id, Actor.System, new() { ["event"] = signal.Event });
        run.Continue(signal.Id);
    }
}
