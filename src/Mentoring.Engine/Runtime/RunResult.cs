namespace Mentoring.Engine.Runtime;

public enum RejectionKind
{
    /// <summary>No such open step (or activation): it ended already, or never started.</summary>
    NotOpen,
    /// <summary>The actor may not act for that step.</summary>
    Forbidden,
    /// <summary>The input is incomplete or wrong; see the field errors.</summary>
    Invalid,
    /// <summary>The instance or step is not in a state that allows it (suspended, wrong visit phase, ...).</summary>
    Conflict,
}

public sealed record Rejection(RejectionKind Kind, string Message, IReadOnlyDictionary<string, string[]>? FieldErrors = null);

/// <summary>Progress kept on the instance row so lists need not read the serialized state.</summary>
public sealed record Progress(InstanceStatus Status, int StageNumber, string StageId, string StageName, DateTimeOffset? NextDueAt);

/// <summary>The outcome of one command: either a rejection (nothing to write), or the new state with its effects.</summary>
public sealed record RunResult(
    Rejection? Rejection,
    InstanceState State,
    IReadOnlyList<Effect> Effects,
    IReadOnlyList<JournalRecord> Journal,
    Progress Progress)
{
    public bool Applied => Rejection is null;
}
