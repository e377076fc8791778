using System.Text.Json;
using Mentoring.Engine.Runtime;

namespace Mentoring.Engine.Definitions;

/// <summary>Work a coordinator or the facilitator does and marks done, with an optional due date and reminders.</summary>
public sealed record TaskStep(string Id, string Title, string? Description, Role Assignee, DueRule? Due,
    IReadOnlyList<Requirement> Requires, ChoiceSpec? Choice, ReminderRules? Reminders)
    : StepDefinition(Id, Title, Description)
{
    internal override StepKind Kind => TaskKind.Instance;
}

/// <summary>When a task falls due.</summary>
public abstract record DueRule;

/// <summary>A number of days after the task's stage started, but never earlier than
/// <see cref="MinimumDaysAfterOpen"/> days after the task opened: a step that opens late (after an earlier step or a
/// programme event) gets time to do it instead of being born overdue.</summary>
public sealed record DaysAfterStageStart(int Days, int? AtLeastDaysAfterOpen = null) : DueRule
{
    /// <summary>The least time a late-opened task gets when its definition does not say: its stage's own allowance,
    /// up to two weeks.</summary>
    public const int DefaultMinimumDays = 14;

    public int MinimumDaysAfterOpen => AtLeastDaysAfterOpen ?? Math.Min(Days, DefaultMinimumDays);
}

/// <summary>A number of days after the task opened, whenever that is.</summary>
public sealed record DaysAfterOpen(int Days) : DueRule;

/// <summary>A number of days after (negative: before) a study visit's date; unset until the visit has a date.</summary>
public sealed record DaysAfterVisit(string VisitStepId, int Days) : DueRule;

public sealed record ChoiceSpec(string Variable, IReadOnlyList<string> Options);

internal sealed class TaskKind : StepKind<TaskStep>
{
    public static readonly TaskKind Instance = new();

    public override string Type => "task";
    public override IReadOnlyList<string> Properties { get; } = ["assignee", "due", "requires", "choice", "reminders"];
    public override bool RedoneOnSendBack => true;

    public override StepDefinition? Parse(DefinitionParser parser, JsonElement step, string path, StepHeader header)
    {
        var assignee = parser.RequiredRole(step, path, "assignee");
        var due = ParseDue(parser, step, path);
        var requires = new List<Requirement>();
        if (parser.OptionalArray(step, path, "requires") is { } requiresElement)
        {
            var i = 0;
            foreach (var item in requiresElement.EnumerateArray())
            {
                var itemPath = $"{path}.requires[{i++}]";
if (Requirement.Parse(item.ValueKind == JsonValueKind.String ? item.GetString() : null) is { } requirement)
                    requires.Add(requirement);
                else
                    parser.Error(itemPath, "must be one of note, link, file, assessment, benchmark, actionPlan:<version> (e.g. actionPlan:consolidated)");
            }
        }

        var choice = ParseChoice(parser, step, path);
        var reminders = parser.ParseReminders(step, path);
        return assignee is null ? null
            : new TaskStep(header.Id, header.Title, header.Description, assignee.Value, due, requires.Distinct().ToList(), choice, reminders);
    }

    protected override void Enter(WorkflowRunner.Execution run, TaskStep task)
    {
        var activation = run.Activate(task.Id, WorkItemKind.Task);
        var dueAt = run.DueAt(task);
        run.State.Active[task.Id].DueAt = dueAt;
        run.Effects.Add(new WorkItemOpened(task.Id, activation, WorkItemKind.Task, task.Title, task.Description,
            task.Assignee, dueAt, run.CurrentStage.Id));
        run.Record("task-opened", task.Id, Actor.System, new() { ["title"] = task.Title, ["due"] = dueAt });
        run.ScheduleReminders(task, activation, dueAt);
    }

    private static DueRule? ParseDue(DefinitionParser parser, JsonElement step, string path)
    {
        if (!step.TryGetProperty("due", out var due)) return null;
        path += ".due";
        if (!parser.IsObject(due, path)) return null;
        parser.Allow(due, path, "daysAfterStageStart", "atLeastDaysAfterOpen", "daysAfterOpen", "visit", "daysAfter");
        var rules = new[] { "daysAfterStageStart", "daysAfterOpen", "visit" }.Count(r => due.TryGetProperty(r, out _));
        if (rules > 1) parser.Error(path, "give one of daysAfterStageStart, daysAfterOpen, or visit with daysAfter");
        if (due.TryGetProperty("atLeastDaysAfterOpen", out _) && !due.TryGetProperty("daysAfterStageStart", out _))
            parser.Error(path + ".atLeastDaysAfterOpen", "only goes with daysAfterStageStart");
        if (due.TryGetProperty("daysAfterStageStart", out _))
            return new DaysAfterStageStart(parser.RequiredInt(due, path, "daysAfterStageStart", min: 0),
                parser.OptionalInt(due, path, "atLeastDaysAfterOpen", min: 0));
        if (due.TryGetProperty("daysAfterOpen", out _))
            return new DaysAfterOpen(parser.RequiredInt(due, path, "daysAfterOpen", min: 0));

        if (due.TryGetProperty("visit", out _))
        {
            var visit = parser.RequiredId(due, path, "visit");
            var days = parser.RequiredInt(due, path, "daysAfter", min: int.MinValue);
            if (visit is null) return null;
            // Checked here, in file order: a task can only wait for the date of a visit that comes before it.
            if (!parser.IsVisitSoFar(visit))
                parser.Error(path + ".visit", $"'{visit}' is not a studyVisit step that comes before this task");
            return new DaysAfterVisit(visit, days);
        }

        parser.Error(path, "needs daysAfterStageStart, daysAfterOpen, or visit with daysAfter");
        return null;
    }

    private static ChoiceSpec? ParseChoice(DefinitionParser parser, JsonElement step, string path)
    {
        if (!step.TryGetProperty("choice", out var choice)) return null;
        path += ".choice";
        if (!parser.IsObject(choice, path)) return null;
        parser.Allow(choice, path, "variable", "options");
        var variable = parser.RequiredVariable(choice, path);
        var options = parser.RequiredStrings(choice, path, "options");
        if (options is { Count: < 2 }) parser.Error(path + ".options", "a choice needs at least 2 options");
        if (variable is null || options is null) return null;
        parser.NoteChoiceVariable(variable);
        return new ChoiceSpec(variable, options);
    }
}
