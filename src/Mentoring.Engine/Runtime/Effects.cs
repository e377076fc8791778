using Mentoring.Engine.Definitions;

namespace Mentoring.Engine.Runtime;

/// <summary>A change the host must write in the same transaction as the instance state.</summary>
public abstract record Effect;

public sealed record StageEntered(int Index, StageDefinition Stage) : Effect;

public sealed record WorkItemOpened(string StepId, int Activation, WorkItemKind Kind, string Title, string? Description,
    Role? Assignee, DateTimeOffset? DueAt, string StageId, string? WaitsFor = null) : Effect;

/// <summary>A due date was set or a study visit moved to another phase.</summary>
public sealed record WorkItemUpdated(string StepId, int Activation, DateTimeOffset? DueAt, VisitRecord? Visit) : Effect;

public sealed record WorkItemClosed(string StepId, int Activation, WorkItemOutcome Outcome, Actor By,
    IReadOnlyDictionary<string, object?>? Result) : Effect;

public sealed record TimerScheduled(string StepId, int Activation, TimerPurpose Purpose, DateTimeOffset DueAt,
    IReadOnlyDictionary<string, string>? Data = null) : Effect;

/// <summary>Every timer of this work item goes: the step ended, so none of its nudges may be sent.</summary>
public sealed record TimersCancelled(string StepId, int Activation) : Effect;

/// <summary>An email to write to the outbox. <see cref="Recipients"/> are resolved for email steps; otherwise the
/// host resolves <see cref="To"/> itself.</summary>
public sealed record EmailRequested(string Template, IReadOnlyList<Role> To, string? StepId,
    IReadOnlyDictionary<string, string> Data, IReadOnlyList<Recipient>? Recipients = null) : Effect;

/// <summary>The programme raised an event; <see cref="OccurredAt"/> when it happened before it was entered.</summary>
public sealed record ProgrammeEventRaised(string EventName, DateTimeOffset? OccurredAt = null) : Effect;

/// <summary>One line of the instance's append-only history.</summary>
public sealed record JournalRecord(DateTimeOffset At, string Type, string? StepId, Actor By,
    IReadOnlyDictionary<string, object?> Data);

/// <summary>Every pending timer of this work item moves by whole local days (a nudge then on to a working morning).</summary>
public sealed record TimersShifted(string StepId, int Activation, int Days) : Effect;

/// <summary>The instance moved to a definition version where the step is called <see cref="ToStepId"/>: its work items
/// and timers, open and ended, go by the new id.</summary>
public sealed record StepRenamed(string FromStepId, string ToStepId) : Effect;

/// <summary>An open work item moved to another definition version: it reads as that version's step now.</summary>
public sealed record WorkItemRestated(string StepId, int Activation, string Title, string? Description, Role? Assignee,
    string StageId, DateTimeOffset? DueAt) : Effect;
