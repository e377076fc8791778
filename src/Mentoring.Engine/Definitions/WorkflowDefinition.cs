using Mentoring.Engine.Runtime;

namespace Mentoring.Engine.Definitions;

/// <summary>Whether a workflow runs once per group (<see cref="Pair"/>, the older word, means the same) or once for the
/// whole programme.</summary>
public enum WorkflowKind { Pair, Group, Programme }

/// <summary>
/// Who a step is for: the id of a role the definition declares (<see cref="RoleDefinition"/>), or one of the two every
/// definition knows: <see cref="Facilitator"/>, and <see cref="Both"/>, which means every group role that acts (either
/// may act, all are told). A value, so a role read back from a stored timer compares equal to the declared one.
/// </summary>
public readonly record struct Role(string Id)
{
    public static readonly Role Mentor = new("mentor");
    public static readonly Role Mentee = new("mentee");
    public static readonly Role Both = new("both");
    public static readonly Role Facilitator = new("facilitator");

    /// <summary>The role of an id as stored; timers written before roles were ids say "Mentor", so case is ignored.</summary>
    public static Role Of(string id) => new(id.Trim().ToLowerInvariant());

    public override string ToString() => Id ?? "";
}

/// <summary>Whether a role is filled by a group's member cities (their coordinators) or by the programme's people.</summary>
public enum RoleScope { Group, Programme }

/// <summary>A role a definition declares. <see cref="Acts"/> false: its people read and may comment, never act
/// (the observer cities of a cluster).</summary>
public sealed record RoleDefinition(string Id, string Name, RoleScope Scope = RoleScope.Group, bool Acts = true)
{
    public Role Role => new(Id);

    /// <summary>The roles of a definition that declares none: a pair's mentor and mentee (a programme's: none).</summary>
    public static readonly IReadOnlyList<RoleDefinition> PairDefaults =
        [new("mentor", "mentor city"), new("mentee", "mentee city")];

    /// <summary>The titles of <see cref="PairDefaults"/> in the seven languages: a definition that declares no roles
    /// still names them in its reader's language.</summary>
    public static readonly IReadOnlyList<LocalizedText> PairDefaultTitles =
    [
        new(new Dictionary<string, string>
        {
            ["en"] = "mentor city", ["el"] = "πόλη-μέντορας", ["fr"] = "ville mentor", ["nl"] = "mentorstad",
            ["it"] = "città mentore", ["es"] = "ciudad mentora", ["lv"] = "mentorpilsēta",
        }),
        new(new Dictionary<string, string>
        {
            ["en"] = "mentee city", ["el"] = "πόλη που καθοδηγείται", ["fr"] = "ville mentorée", ["nl"] = "mentee-stad",
            ["it"] = "città mentee", ["es"] = "ciudad mentorizada", ["lv"] = "mentorējamā pilsēta",
        }),
    ];

    /// <summary>Always there, declared or not: the programme's facilitator.</summary>
    public static readonly RoleDefinition Facilitator = new("facilitator", "facilitator", RoleScope.Programme);
}

/// <summary>The kinds of <see cref="Requirement"/>. <see cref="Note"/>, <see cref="Link"/> and <see cref="File"/> are
/// checked by the engine on the completing command; the others are artefacts the server checks (the needs assessment
/// submitted, the group's benchmark agreed, its action plan frozen at a version), the engine recording the completion
/// as any other.</summary>
public enum RequirementKind { Note, Link, File, Assessment, Benchmark, ActionPlan }

/// <summary>What completing a task (or approving a gate) needs: one <c>"requires"</c> entry of a definition, e.g.
/// <c>"note"</c> or <c>"actionPlan:consolidated"</c> (<see cref="Kind"/> ActionPlan, <see cref="Argument"/>
/// "consolidated": the group's action plan frozen at that version).</summary>
public sealed record Requirement(RequirementKind Kind, string? Argument = null)
{
    public static readonly Requirement Note = new(RequirementKind.Note);
    public static readonly Requirement Link = new(RequirementKind.Link);
    public static readonly Requirement File = new(RequirementKind.File);
    public static readonly Requirement Assessment = new(RequirementKind.Assessment);
    public static readonly Requirement Benchmark = new(RequirementKind.Benchmark);

    /// <summary>The group's action plan frozen at <paramref name="version"/> (an id such as draft, consolidated, reviewed).</summary>
    public static Requirement ActionPlan(string version) => new(RequirementKind.ActionPlan, version);

    /// <summary>The entry as a definition writes it: <c>note</c>, <c>benchmark</c>, <c>actionPlan:consolidated</c>.</summary>
    public override string ToString() => Kind switch
    {
        RequirementKind.ActionPlan => $"actionPlan:{Argument}",
        _ => Kind.ToString().ToLowerInvariant(),
    };

    /// <summary>Reads one <c>"requires"</c> entry, or null when it is not one (the caller reports the error).</summary>
    public static Requirement? Parse(string? entry) => entry switch
    {
        "note" => Note,
        "link" => Link,
        "file" => File,
        "assessment" => Assessment,
        "benchmark" => Benchmark,
        _ when entry is not null && entry.StartsWith("actionPlan:", StringComparison.Ordinal)
               && IsVersionId(entry["actionPlan:".Length..]) => ActionPlan(entry["actionPlan:".Length..]),
        _ => null,
    };

    private static bool IsVersionId(string id) =>
        id.Length is > 0 and <= 40 && id.All(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' or '-') && id[0] != '-';
}

/// <summary>One version of one workflow, as loaded from a file in <c>workflows/</c>. Immutable.</summary>
public sealed class WorkflowDefinition
{
    private readonly Dictionary<string, StepLocation> _steps;

    public WorkflowDefinition(string id, int version, string name, WorkflowKind kind, string? description,
        IReadOnlyList<StageDefinition> stages, IReadOnlyList<RoleDefinition>? roles = null)
    {
        roles ??= kind == WorkflowKind.Programme ? [] : RoleDefinition.PairDefaults;
        Roles = roles.Any(r => r.Id == RoleDefinition.Facilitator.Id) ? roles : [.. roles, RoleDefinition.Facilitator];
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

    /// <summary>Its roles: those it declares (or the defaults of its kind), and the facilitator.</summary>
    public IReadOnlyList<RoleDefinition> Roles { get; }

    /// <summary>One instance per group (a pair, a cluster, a member), not one for the programme.</summary>
    public bool IsPerGroup => Kind != WorkflowKind.Programme;

    /// <summary>The group roles whose people act: what <see cref="Role.Both"/> stands for.</summary>
    public IReadOnlyList<Role> ActingGroupRoles => Roles.Where(r => r.Scope == RoleScope.Group && r.Acts).Select(r => r.Role).ToList();

    public RoleDefinition? RoleNamed(Role role) => Roles.FirstOrDefault(r => r.Id == role.Id);

    /// <summary>The roles <paramref name="role"/> stands for: <see cref="Role.Both"/> is every acting group role.</summary>
    public IReadOnlyList<Role> Expand(Role role) => role == Role.Both ? ActingGroupRoles : [role];

    /// <summary>Whether <paramref name="actor"/> may act for <paramref name="role"/>: the facilitator and the system for
    /// anyone; others for their own role when it acts, and for <see cref="Role.Both"/> when theirs is an acting group role.</summary>
    public bool Allows(Actor actor, Role role)
    {
        if (actor.Role == ActorRole.Facilitator || actor.Role == ActorRole.System) return true;
        var own = new Role(actor.Role.Id);
        return RoleNamed(own) is { Acts: true } && Expand(role).Contains(own);
    }

    /// <summary>How a role reads in a message ("mentor city", "coordination team"); Both: the group's acting roles.</summary>
    public string Describe(Role role) =>
        role == Role.Both ? string.Join(" or ", ActingGroupRoles.Select(Describe)) : RoleNamed(role)?.Name ?? role.Id;

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
