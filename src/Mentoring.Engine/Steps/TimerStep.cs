using System.Text.Json;
using Mentoring.Engine.Runtime;

namespace Mentoring.Engine.Definitions;

/// <summary>Waits for <see cref="Delay"/>, then goes on.</summary>
public sealed record TimerStep(string Id, string Title, string? Description, TimeSpan Delay)
    : StepDefinition(Id, Title, Description)
{
    internal override StepKind Kind => TimerKind.Instance;
}

internal sealed class TimerKind : StepKind<TimerStep>
{
    public static readonly TimerKind Instance = new();

    public override string Type => "timer";
    public override IReadOnlyList<string> Properties { get; } = ["days", "hours"];

    public override StepDefinition? Parse(DefinitionParser parser, JsonElement step, string path, StepHeader header)
    {
        var days = parser.OptionalInt(step, path, "days", min: 0) ?? 0;
        var hours = parser.OptionalInt(step, path, "hours", min: 0) ?? 0;
        if (days == 0 && hours == 0) parser.Error(path, "a timer needs 'days' or 'hours' greater than 0");
        return new TimerStep(header.Id, header.Title, header.Description, TimeSpan.FromDays(days) + TimeSpan.FromHours(hours));
    }

    protected override void Enter(WorkflowRunner.Execution run, TimerStep timer)
    {
        var activation = run.Activate(timer.Id, WorkItemKind.Timer);
        var dueAt = run.Now + timer.Delay;
        run.State.Active[timer.Id].DueAt = dueAt;
        run.Effects.Add(new WorkItemOpened(timer.Id, activation, WorkItemKind.Timer, timer.Title, timer.Description,
            null, dueAt, run.CurrentStage.Id));
        run.Effects.Add(new TimerScheduled(timer.Id, activation, TimerPurpose.Resume, dueAt));
        run.Record("timer-started", timer.Id, Actor.System, new() { ["until"] = dueAt });
    }
}
