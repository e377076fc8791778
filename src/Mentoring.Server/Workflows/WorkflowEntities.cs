namespace Mentoring.Server.Workflows;

/// <summary>A snapshot of a definition version, so pinned instances survive the file changing or going.</summary>
public sealed class DefinitionSnapshot
{
    public required string Id { get; init; }
    public int Version { get; init; }
    public required string Name { get; init; }
    public required string ContentHash { get; init; }
    public required string Source { get; init; }
    public DateTimeOffset LoadedAt { get; init; }
}

public sealed class WorkflowInstance
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public required string DefinitionId { get; init; }
    public int DefinitionVersion { get; init; }
    public required string ProgrammeId { get; init; }
    /// <summary>The group this instance runs for; null for the programme's own workflow.</summary>
    public Guid? GroupId { get; init; }
    public required string Status { get; set; }
    public int StageNumber { get; set; }
    public required string StageId { get; set; }
    public required string StageName { get; set; }
    public DateTimeOffset? NextDueAt { get; set; }
    public required string State { get; set; }
    public string? Fault { get; set; }
    /// <summary>Optimistic-concurrency token: every resume raises it, so of two concurrent resumes one fails.</summary>
    public int Version { get; set; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public static class WorkItemStatus
{
    public const string Open = "open";
    public const string Completed = "completed";
    public const string Cancelled = "cancelled";
    public const string SentBack = "sent-back";
}

/// <summary>An open or ended bookmark: a task, study visit, approval, event wait or timer step.</summary>
public sealed class WorkItem
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid InstanceId { get; init; }
    public required string StepId { get; init; }
    public int Activation { get; init; }
    public required string Kind { get; init; }
    public required string Title { get; init; }
    public string? Description { get; init; }
    public string? Assignee { get; init; }
    /// <summary>For an event wait: the programme event it waits for.</summary>
    public string? WaitsFor { get; init; }
    public required string StageId { get; init; }
    public required string Status { get; set; }
    public DateTimeOffset OpenedAt { get; init; }
    public DateTimeOffset? DueAt { get; set; }
    public DateTimeOffset? ClosedAt { get; set; }
    public string? ClosedById { get; set; }
    public string? ClosedByName { get; set; }
    public string? Result { get; set; }
    public string? VisitPhase { get; set; }
    public DateOnly? VisitDate { get; set; }
    public string? VisitHost { get; set; }
    public string? VisitParticipants { get; set; }
}

public sealed class JournalEntry
{
    public long Id { get; init; }
    public Guid InstanceId { get; init; }
    public DateTimeOffset At { get; init; }
    public required string Type { get; init; }
    public string? StepId { get; init; }
    public required string ActorId { get; init; }
    public required string ActorName { get; init; }
    public required string Data { get; init; }
}

/// <summary>A durable timer, written in the transaction of the step that set it and deleted when it fires or is cancelled.</summary>
public sealed class TimerRecord
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid InstanceId { get; init; }
    public required string StepId { get; init; }
    public int Activation { get; init; }
    public required string Purpose { get; init; }
    /// <summary>Moved by the facilitator's plan tools (a shift, a pause); otherwise as planned.</summary>
    public DateTimeOffset DueAt { get; set; }
    public string? Data { get; init; }
}

public sealed class ProgrammeEvent
{
    public required string ProgrammeId { get; init; }
    public required string Name { get; init; }
    public DateTimeOffset OccurredAt { get; init; }
    public Guid SourceInstanceId { get; init; }
}

/// <summary>The first result of a request made with an <c>Idempotency-Key</c>, returned again for a retry.</summary>
public sealed class IdempotencyRecord
{
    public required string Key { get; init; }
    public required string RequestHash { get; init; }
    public int StatusCode { get; init; }
    public required string Response { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
}
