using System.Text.Json;
using Mentoring.Engine.Runtime;

namespace Mentoring.Engine.Definitions;

/// <summary>A study visit: one side proposes a date and host, the other confirms, then it is held and reported.</summary>
public sealed record StudyVisitStep(string Id, string Title, string? Description, Role Proposer, Role Confirmer,
    IReadOnlyList<FollowUp> FollowUps, VisitPlanning? Planning = null) : StepDefinition(Id, Title, Description)
{
    internal override StepKind Kind => StudyVisitKind.Instance;
}

/// <summary>An email <see cref="DaysAfter"/> days after a study visit; skipped once the visit has reached
/// <see cref="UnlessVisitIs"/> (e.g. reported: a report reminder is pointless once the report is in).</summary>
public sealed record FollowUp(int DaysAfter, string Template, IReadOnlyList<Role> To, VisitPhase? UnlessVisitIs = null);

/// <summary>Prompts the proposer to propose a date: due <see cref="ProposeWithinDays"/> days after the visit opens,
/// nudged as a task titled <see cref="Title"/> with <see cref="Reminders"/> until a date is proposed.</summary>
public sealed record VisitPlanning(string Title, int ProposeWithinDays, ReminderRules Reminders);

internal sealed class StudyVisitKind : StepKind<StudyVisitStep>
{
    public static readonly StudyVisitKind Instance = new();

    public override string Type => "studyVisit";
    public override IReadOnlyList<string> Properties { get; } = ["proposer", "confirmer", "followUps", "planning"];

    public override StepDefinition? Parse(DefinitionParser parser, JsonElement step, string path, StepHeader header)
    {
        var proposer = parser.RequiredRole(step, path, "proposer");
        var confirmer = parser.RequiredRole(step, path, "confirmer");
        var followUps = new List<FollowUp>();
        if (parser.OptionalArray(step, path, "followUps") is { } followUpsElement)
        {
            var i = 0;
            foreach (var item in followUpsElement.EnumerateArray())
            {
                var itemPath = $"{path}.followUps[{i++}]";
                if (!parser.IsObject(item, itemPath)) continue;
                parser.Allow(item, itemPath, "daysAfter", "template", "to", "unlessVisitIs");
                var days = parser.RequiredInt(item, itemPath, "daysAfter", min: 0);
                var template = parser.RequiredTemplate(item, itemPath);
                var to = parser.RequiredRoles(item, itemPath, "to");
                // Follow-ups are set when the visit is held, so only a later phase can make one unnecessary.
                var unless = item.TryGetProperty("unlessVisitIs", out _)
                    ? parser.RequiredEnum(item, itemPath, "unlessVisitIs", ["reported"]) switch
                    {
                        "reported" => VisitPhase.Reported,
                        _ => (VisitPhase?)null,
                    }
                    : null;
                if (template is not null && to is not null) followUps.Add(new FollowUp(days, template, to, unless));
            }
        }

        var planning = ParsePlanning(parser, step, path, header.Title);
        parser.NoteVisit(header.Id);
        return proposer is null || confirmer is null ? null
            : new StudyVisitStep(header.Id, header.Title, header.Description, proposer.Value, confirmer.Value, followUps, planning);
    }

    protected override void Enter(WorkflowRunner.Execution run, StudyVisitStep visitStep)
    {
        var activation = run.Activate(visitStep.Id, WorkItemKind.StudyVisit);
        run.State.Visits[visitStep.Id] = new VisitRecord { Activation = activation, Phase = VisitPhase.Proposing };
        run.Effects.Add(new WorkItemOpened(visitStep.Id, activation, WorkItemKind.StudyVisit, visitStep.Title,
            visitStep.Description, visitStep.Proposer, null, run.CurrentStage.Id));
        run.Record("visit-opened", visitStep.Id, Actor.System, new() { ["title"] = visitStep.Title });
        run.SchedulePlanning(visitStep, activation);
    }

    private static VisitPlanning? ParsePlanning(DefinitionParser parser, JsonElement step, string path, string visitTitle)
    {
        if (!step.TryGetProperty("planning", out var planning)) return null;
        path += ".planning";
        if (!parser.IsObject(planning, path)) return null;
        parser.Allow(planning, path, "title", "proposeWithinDays", "reminders");
        var title = parser.Text(planning, path, "title", required: false) ?? $"Propose a date for “{visitTitle}”";
        var days = parser.RequiredInt(planning, path, "proposeWithinDays", min: 1);
        var reminders = parser.ParseReminders(planning, path);
        if (reminders is null) parser.Error(path, "missing 'reminders': planning is there to nudge the proposer");
        return reminders is null ? null : new VisitPlanning(title, days, reminders);
    }
}
