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
            foreach (var nested in step.Kind.Nested(step)) Index(nested);
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
    public string Type => Kind.Type;

    /// <summary>The kind that parsed the step and runs it.</summary>
    internal abstract StepKind Kind { get; }
}

public sealed record ReminderRules(IReadOnlyList<int> DaysBefore, bool OnDueDate, OverdueRule? Overdue);

/// <summary>Escalation after the due date: every <see cref="EveryDays"/> days, at most <see cref="Max"/> times, for the
/// facilitator from the <see cref="CopyFacilitatorFrom"/>-th one: in their weekly digest, or, with
/// <see cref="CopyFacilitatorByEmail"/>, as an email copy of its own.</summary>
public sealed record OverdueRule(int EveryDays, int Max, int CopyFacilitatorFrom, bool CopyFacilitatorByEmail = false);
