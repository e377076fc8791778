using System.Text.Json;
using Mentoring.Engine.Runtime;

namespace Mentoring.Engine.Definitions;

/// <summary>Waits until the programme raises <see cref="Event"/>; goes straight on if it has been raised already.</summary>
public sealed record WaitForEventStep(string Id, string Title, string? Description, string Event)
    : StepDefinition(Id, Title, Description)
{
    internal override StepKind Kind => WaitForEventKind.Instance;
}

internal sealed class WaitForEventKind : StepKind<WaitForEventStep>
{
    public static readonly WaitForEventKind Instance = new();

    public override string Type => "waitForEvent";
    public override IReadOnlyList<string> Properties { get; } = ["event"];

    public override StepDefinition? Parse(DefinitionParser parser, JsonElement step, string path, StepHeader header) =>
        parser.RequiredId(step, path, "event") is { } name ? new WaitForEventStep(header.Id, header.Title, header.Description, name) : null;

    protected override void Enter(WorkflowRunner.Execution run, WaitForEventStep wait)
    {
        if (run.Services.HasEventOccurred(wait.Event))
        {
            run.Record("event-received", wait.Id, Actor.System, new() { ["event"] = wait.Event, ["already"] = true });
            run.Continue(wait.Id);
            return;
        }

        var activation = run.Activate(wait.Id, WorkItemKind.Event);
        run.Effects.Add(new WorkItemOpened(wait.Id, activation, WorkItemKind.Event, wait.Title, wait.Description,
            null, null, run.CurrentStage.Id, wait.Event));
        run.Record("waiting-for-event", wait.Id, Actor.System, new() { ["event"] = wait.Event });
    }
}
