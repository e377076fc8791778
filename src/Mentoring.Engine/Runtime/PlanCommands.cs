namespace Mentoring.Engine.Runtime;

// The facilitator's tools for a programme that does not run as planned (a pandemic, online visits, a year's delay).
// Each goes through the runner like any other command, so the state, the work items, the timers and the journal
// change together in the resume's one transaction.

/// <summary>Moves the due dates of open tasks and waits by <paramref name="Days"/> whole days, with their timers; only
/// <paramref name="StepId"/> when given. A move back that would put a due date in the past is refused.</summary>
public sealed record ShiftDueDates(Actor By, int Days, string Reason, string? StepId = null) : WorkflowCommand(By);

/// <summary>The programme was paused: nothing moves, the pair's history says so. While paused no nudge goes out.</summary>
public sealed record NotePause(Actor By, string Reason) : WorkflowCommand(By);

/// <summary>The programme goes on after a pause: open due dates and every pending timer (study-visit follow-ups too)
/// move by <paramref name="Days"/>, the pause's length, or stay where they are with 0.</summary>
public sealed record ResumeAfterPause(Actor By, int Days, string? Reason) : WorkflowCommand(By);

/// <summary>The facilitator enters a study visit that was held on <paramref name="Date"/>, a day gone by, without the
/// proposal and confirmation it never had in the tool. No nudge is planned for a time that has passed.</summary>
public sealed record RecordVisitHeldLate(Actor By, string StepId, int Activation, DateOnly Date, string HostCity,
    IReadOnlyList<string> Participants) : WorkflowCommand(By);

/// <summary>The facilitator enters a task done on <paramref name="Date"/>, a day gone by (a training academy held a year
/// later than planned); a programme event it raises carries that date.</summary>
public sealed record CompleteTaskLate(Actor By, string StepId, int Activation, DateOnly Date, string? Note = null,
    string? Link = null, string? FileId = null, string? Choice = null) : WorkflowCommand(By);
