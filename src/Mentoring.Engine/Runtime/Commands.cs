namespace Mentoring.Engine.Runtime;

/// <summary>A request to move an instance on. Each is applied in one transaction by the host.</summary>
public abstract record WorkflowCommand(Actor By);

public sealed record StartInstance(Actor By, IReadOnlyDictionary<string, string>? Variables = null) : WorkflowCommand(By);

public sealed record CompleteTask(Actor By, string StepId, int Activation, string? Note = null, string? Link = null,
    string? FileId = null, string? Choice = null) : WorkflowCommand(By);

public sealed record ProposeVisit(Actor By, string StepId, int Activation, DateOnly Date, string HostCity) : WorkflowCommand(By);

public sealed record ConfirmVisit(Actor By, string StepId, int Activation) : WorkflowCommand(By);

public sealed record RecordVisitHeld(Actor By, string StepId, int Activation, IReadOnlyList<string> Participants)
    : WorkflowCommand(By);

public sealed record ReportVisit(Actor By, string StepId, int Activation, string? Note, string? Link) : WorkflowCommand(By);

public sealed record Approve(Actor By, string StepId, int Activation, string? Comment = null) : WorkflowCommand(By);

public sealed record SendBack(Actor By, string StepId, int Activation, string Reason) : WorkflowCommand(By);

/// <summary>A programme event reached this instance.</summary>
public sealed record DeliverEvent(string EventName) : WorkflowCommand(Actor.System);

/// <summary>A <see cref="TimerPurpose.Resume"/> timer fell due.</summary>
public sealed record TimerElapsed(string StepId, int Activation) : WorkflowCommand(Actor.System);

public sealed record RetryFaulted(Actor By) : WorkflowCommand(By);

public sealed record SuspendInstance(Actor By, string? Reason) : WorkflowCommand(By);

public sealed record ResumeInstance(Actor By) : WorkflowCommand(By);

public sealed record CancelInstance(Actor By, string? Reason) : WorkflowCommand(By);
