using Mentoring.Engine.Definitions;

namespace Mentoring.Engine.Runtime;

public enum InstanceStatus { Running, Completed, Faulted, Suspended, Cancelled }

/// <summary>The role a person acts as in one instance: a role id of the instance's definition (mentor, member, core,
/// observer, coordination-team, ...), or <see cref="Facilitator"/>, or <see cref="System"/> for time and set-up.</summary>
public readonly record struct ActorRole(string Id)
{
    public static readonly ActorRole Mentor = new("mentor");
    public static readonly ActorRole Mentee = new("mentee");
    public static readonly ActorRole Facilitator = new("facilitator");
    public static readonly ActorRole System = new("system");

    public static ActorRole Of(Role role) => new(role.Id);

    public override string ToString() => Id ?? "";
}

/// <summary>Who asks for a change. Resolved by the host from the signed-in person and the group.</summary>
public sealed record Actor(string Id, string Name, ActorRole Role)
{
    public static readonly Actor System = new("system", "Mentoring", ActorRole.System);

    /// <summary>Whether this actor may act for <paramref name="role"/> in an instance of <paramref name="definition"/>
    /// (<see cref="WorkflowDefinition.Allows"/>).</summary>
    public bool CanActFor(Role role, WorkflowDefinition definition) => definition.Allows(this, role);
}

/// <summary>What people (or time) wait on: each open one is a bookmark of the instance.</summary>
public enum WorkItemKind { Task, StudyVisit, Approval, Event, Timer }

public enum WorkItemOutcome { Completed, Cancelled, SentBack }

public enum VisitPhase { Proposing, Proposed, Confirmed, Held, Reported }

/// <summary>Why a timer row exists. Only <see cref="Resume"/> advances the workflow; the others send nudges.</summary>
public enum TimerPurpose { Resume, Reminder, DueToday, Overdue, FollowUp }

/// <summary>
/// The durable state of one workflow instance, serialized as JSON on the instance row. Everything the
/// runner needs to go on after a restart is here; nothing lives only in memory.
/// </summary>
public sealed class InstanceState
{
    public InstanceStatus Status { get; set; } = InstanceStatus.Running;
    public int StageIndex { get; set; }
    public DateTimeOffset StageStartedAt { get; set; }
    /// <summary>Open bookmarks by step id.</summary>
    public Dictionary<string, ActiveStep> Active { get; set; } = [];
    /// <summary>For each parallel step under way, the branches that have ended.</summary>
    public Dictionary<string, List<int>> Joins { get; set; } = [];
    public Dictionary<string, string> Variables { get; set; } = [];
    /// <summary>How many times each step has been entered; a reopened task is a new activation.</summary>
    public Dictionary<string, int> Activations { get; set; } = [];
    public Dictionary<string, VisitRecord> Visits { get; set; } = [];
    public FaultRecord? Fault { get; set; }
    /// <summary>Steps other than tasks and approvals ended in the current stage (visits held, emails sent, ...).</summary>
    public List<string> EndedInStage { get; set; } = [];
    /// <summary>After a send-back: those steps, which the restarted stage passes over instead of running again.</summary>
    public List<string> Keep { get; set; } = [];
    /// <summary>Steps finished on an earlier definition version that this version places further on: passed over when
    /// reached, never run again (<see cref="InstanceMigration"/>).</summary>
    public List<string> Passed { get; set; } = [];
}

public sealed class ActiveStep
{
    public int Activation { get; set; }
    public WorkItemKind Kind { get; set; }
    public DateTimeOffset OpenedAt { get; set; }
    public DateTimeOffset? DueAt { get; set; }
    /// <summary>For an approval with several approvers: the level this work item is for, 0 the first. States written
    /// before levels existed read 0, the one level they had. Written only when not 0, so the state every resume
    /// rewrites does not grow by a field that nearly every step leaves at its default.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public int Level { get; set; }
}

public sealed class VisitRecord
{
    public int Activation { get; set; }
    public VisitPhase Phase { get; set; }
    public DateOnly? Date { get; set; }
    public string? HostCity { get; set; }
    public string? ProposedBy { get; set; }
    public List<string> Participants { get; set; } = [];
    public string? ReportNote { get; set; }
    public string? ReportLink { get; set; }
}

/// <summary>A step that threw: the error, and the steps that were still to run, so a retry goes on from there.</summary>
public sealed record FaultRecord(string StepId, string Error, DateTimeOffset At, IReadOnlyList<string> Pending);

/// <summary>Someone the engine wants to email, resolved by the host.</summary>
public sealed record Recipient(string PersonId, string Name, string? Email, string Language, string TimeZone, Role Role);

/// <summary>What the runner asks of its host while running a step. Anything it throws faults the instance.</summary>
public interface IWorkflowServices
{
    /// <summary>The people an email step goes to; throws when a role has nobody who can receive it.</summary>
    IReadOnlyList<Recipient> ResolveRecipients(IReadOnlyList<Role> roles);

    /// <summary>The time zone in which <paramref name="role"/>'s due dates and reminders are reckoned.</summary>
    TimeZoneInfo TimeZoneOf(Role role);

    /// <summary>When nudges may reach people: working hours, and which dates are working days for whom.</summary>
    WorkingCalendar Calendar { get; }

    /// <summary>Whether the programme has raised <paramref name="eventName"/> already.</summary>
    bool HasEventOccurred(string eventName);
}
