namespace Mentoring.Engine.Definitions;

/// <summary>Whether a workflow runs once per mentor-mentee pair or once for the whole programme.</summary>
public enum WorkflowKind { Pair, Programme }

/// <summary>Who a step is for. <see cref="Both"/> means either coordinator may act, and both are told.</summary>
public enum Role { Mentor, Mentee, Both, Facilitator }

/// <summary>What completing a task needs.</summary>
public enum Requirement { Note, Link, File }

/// <summary>One version of one workflow, as loaded from a file in <c>workflows/</c>. Immutable.</summary>
public sealed class WorkflowDefinition
{
    private readonly Dictionary<string, StepLocation> _steps;

    public WorkflowDefinition(string id, int version, string name, WorkflowKind kind, string? description,
        IReadOnlyList<StageDefinition> stages)
    {
        Id = id;
        Version = version;
        Name = name;
        Kind = kind;
        Description = description;
        Stages = stages;
        _steps = [];
        for (var i = 0; i < stages.Count; i++)
            Index(new StepSequence(stages[i].Steps, new StageOwner(i)));
    }

    public string Id { get; }
    public int Version { get; }
    public string Name { get; }
    public WorkflowKind Kind { get; }
    public string? Description { get; }
    public IReadOnlyList<StageDefinition> Stages { get; }

    /// <summary>The definition's source text hash, set by the loader; detects a version edited in place.</summary>
    public string ContentHash { get; init; } = "";

    /// <summary>The file's text, kept so the host can snapshot exactly what instances run on.</summary>
    public string Source { get; init; } = "";

    /// <summary>Where it was read from, for error messages.</summary>
    public string SourceFile { get; init; } = "";

    /// <summary>The JSON path of each step in the file, by id, for messages about a step.</summary>
    public IReadOnlyDictionary<string, string> StepPaths { get; init; } = new Dictionary<string, string>();

    /// <summary>Every text people read in the file (names, titles, descriptions), by its English, in each language given.</summary>
    public IReadOnlyDictionary<string, LocalizedText> Texts { get; init; } = new Dictionary<string, LocalizedText>();

    /// <summary>Every step in the file, by id, with where it stands.</summary>
    public IReadOnlyDictionary<string, StepLocation> Steps => _steps;

    public StepLocation Locate(string stepId) =>
        _steps.TryGetValue(stepId, out var location)
            ? location
            : throw new KeyNotFoundException($"Workflow '{Id}' v{Version} has no step '{stepId}'.");

    public IEnumerable<T> StepsOf<T>() where T : StepDefinition => _steps.Values.Select(l => l.Step).OfType<T>();

    private void Index(StepSequence sequence)
    {
        for (var i = 0; i < sequence.Steps.Count; i++)
        {
            var step = sequence.Steps[i];
            _steps[step.Id] = new StepLocation(step, sequence, i);
            switch (step)
            {
                case ParallelStep parallel:
                    for (var b = 0; b < parallel.Branches.Count; b++)
                        Index(new StepSequence(parallel.Branches[b], new BranchOwner(parallel, b)));
                    break;
                case ConditionStep condition:
                    Index(new StepSequence(condition.Then, new ConditionOwner(condition)));
                    Index(new StepSequence(condition.Else, new ConditionOwner(condition)));
                    break;
            }
        }
    }
}

public sealed record StageDefinition(string Id, int Number, string Name, IReadOnlyList<StepDefinition> Steps);

/// <summary>Where a step stands: the sequence it is part of and its index there.</summary>
public sealed record StepLocation(StepDefinition Step, StepSequence Sequence, int Index);

public sealed record StepSequence(IReadOnlyList<StepDefinition> Steps, SequenceOwner Owner);

public abstract record SequenceOwner;
public sealed record StageOwner(int StageIndex) : SequenceOwner;
public sealed record BranchOwner(ParallelStep Parallel, int Branch) : SequenceOwner;
public sealed record ConditionOwner(ConditionStep Condition) : SequenceOwner;

public abstract record StepDefinition(string Id, string Title, string? Description)
{
    /// <summary>The name of the step type as written in a definition file.</summary>
    public abstract string Type { get; }
}

public sealed record TaskStep(string Id, string Title, string? Description, Role Assignee, DueRule? Due,
    IReadOnlyList<Requirement> Requires, ChoiceSpec? Choice, ReminderRules? Reminders)
    : StepDefinition(Id, Title, Description)
{
    public override string Type => "task";
}

public sealed record StudyVisitStep(string Id, string Title, string? Description, Role Proposer, Role Confirmer,
    IReadOnlyList<FollowUp> FollowUps, VisitPlanning? Planning = null) : StepDefinition(Id, Title, Description)
{
    public override string Type => "studyVisit";
}

public sealed record ApprovalStep(string Id, string Title, string? Description, Role Approver)
    : StepDefinition(Id, Title, Description)
{
    public override string Type => "approval";
}

public sealed record WaitForEventStep(string Id, string Title, string? Description, string Event)
    : StepDefinition(Id, Title, Description)
{
    public override string Type => "waitForEvent";
}

public sealed record SignalStep(string Id, string Title, string? Description, string Event)
    : StepDefinition(Id, Title, Description)
{
    public override string Type => "signal";
}

public sealed record TimerStep(string Id, string Title, string? Description, TimeSpan Delay)
    : StepDefinition(Id, Title, Description)
{
    public override string Type => "timer";
}

public sealed record EmailStep(string Id, string Title, string? Description, string Template, IReadOnlyList<Role> To)
    : StepDefinition(Id, Title, Description)
{
    public override string Type => "email";
}

public sealed record ParallelStep(string Id, string Title, string? Description,
    IReadOnlyList<IReadOnlyList<StepDefinition>> Branches) : StepDefinition(Id, Title, Description)
{
    public override string Type => "parallel";
}

public sealed record ConditionStep(string Id, string Title, string? Description, Condition If,
    IReadOnlyList<StepDefinition> Then, IReadOnlyList<StepDefinition> Else) : StepDefinition(Id, Title, Description)
{
    public override string Type => "condition";
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

public sealed record ReminderRules(IReadOnlyList<int> DaysBefore, bool OnDueDate, OverdueRule? Overdue);

/// <summary>Escalation after the due date: every <see cref="EveryDays"/> days, at most <see cref="Max"/> times, for the
/// facilitator from the <see cref="CopyFacilitatorFrom"/>-th one: in their weekly digest, or, with
/// <see cref="CopyFacilitatorByEmail"/>, as an email copy of its own.</summary>
public sealed record OverdueRule(int EveryDays, int Max, int CopyFacilitatorFrom, bool CopyFacilitatorByEmail = false);

/// <summary>An email <see cref="DaysAfter"/> days after a study visit; skipped once the visit has reached
/// <see cref="UnlessVisitIs"/> (e.g. "reported": a report reminder is pointless once the report is in).</summary>
public sealed record FollowUp(int DaysAfter, string Template, IReadOnlyList<Role> To, string? UnlessVisitIs = null);

/// <summary>Prompts the proposer to propose a date: due <see cref="ProposeWithinDays"/> days after the visit opens,
/// nudged as a task titled <see cref="Title"/> with <see cref="Reminders"/> until a date is proposed.</summary>
public sealed record VisitPlanning(string Title, int ProposeWithinDays, ReminderRules Reminders);

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
