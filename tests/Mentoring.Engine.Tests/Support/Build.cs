using Mentoring.Engine.Definitions;

namespace Mentoring.Engine.Tests.Support;

/// <summary>Small inline definitions, built from the engine's own records so a runner test shows its whole workflow.</summary>
internal static class Build
{
    public static WorkflowDefinition Workflow(params StageDefinition[] stages) =>
        new("test-pair", 1, "Test pair", WorkflowKind.Pair, null, stages);

    /// <summary>One stage per step list, numbered 1, 2, 3, ...</summary>
    public static WorkflowDefinition Workflow(params StepDefinition[][] stages) =>
        Workflow(stages.Select((steps, i) => Stage($"stage-{i + 1}", i + 1, steps)).ToArray());

    public static StageDefinition Stage(string id, int number, params StepDefinition[] steps) =>
        new(id, number, $"Stage {number}", steps);

    public static StepDefinition[] Steps(params StepDefinition[] steps) => steps;

    public static TaskStep Task(string id, Role? assignee = null, DueRule? due = null,
        Requirement[]? requires = null, ChoiceSpec? choice = null, ReminderRules? reminders = null) =>
        new(id, Title(id), null, assignee ?? Role.Mentee, due, requires ?? [], choice, reminders);

    public static TaskStep Choice(string id, string variable, Role? assignee = null, params string[] options) =>
        Task(id, assignee ?? Role.Both, choice: new ChoiceSpec(variable, options.Length > 0 ? options : ["yes", "no"]));

    public static StudyVisitStep Visit(string id, Role? proposer = null, Role? confirmer = null,
        params FollowUp[] followUps) => new(id, Title(id), null, proposer ?? Role.Mentee, confirmer ?? Role.Mentor, followUps);

    public static ApprovalStep Approval(string id, Role? approver = null) => new(id, Title(id), null, approver ?? Role.Facilitator);

    public static WaitForEventStep Wait(string id, string eventName) => new(id, Title(id), null, eventName);

    public static SignalStep Signal(string id, string eventName) => new(id, Title(id), null, eventName);

    public static TimerStep Timer(string id, TimeSpan delay) => new(id, Title(id), null, delay);

    public static EmailStep Email(string id, string template = "stage-started", params Role[] to) =>
        new(id, Title(id), null, template, to.Length > 0 ? to : [Role.Both]);

    public static ParallelStep Parallel(string id, params StepDefinition[][] branches) =>
        new(id, Title(id), null, branches);

    public static ConditionStep If(string id, string variable, string equals, StepDefinition[] then, StepDefinition[]? otherwise = null) =>
        new(id, Title(id), null, new Condition(variable, ConditionOperator.Equals, [equals]), then, otherwise ?? []);

    public static DaysAfterStageStart DaysAfterStart(int days) => new(days);

    public static DaysAfterVisit DaysAfterVisit(string visit, int days) => new(visit, days);

    private static string Title(string id) => char.ToUpperInvariant(id[0]) + id[1..].Replace('-', ' ');
}
