using System.Text.Json;
using Mentoring.Server.Inputs;

namespace Mentoring.Server.ActionPlans;

/// <summary>A monitoring indicator: what is measured, where it starts and where it should get, in which unit.</summary>
public sealed record IndicatorView(string Name, decimal? Baseline, decimal? Target, string Unit);

public sealed record RiskView(string Risk, string Mitigation);

/// <summary>An objective; <see cref="KeyFactors"/> are ids of key factors of the group's benchmark.</summary>
public sealed record ObjectiveView(Guid Id, int Position, string Title, string Description, IReadOnlyList<Guid> KeyFactors);

/// <summary>An action with URBACT's Integrated Action Plan fields; <see cref="Cost"/> is in euros, <see cref="PracticeId"/> the
/// library's good practice it adapts.</summary>
public sealed record ActionView(Guid Id, int Position, Guid? ObjectiveId, string Title, string Description, Guid? PracticeId,
    IReadOnlyList<string> Activities, DateOnly? Start, DateOnly? End, string Responsible, string Partners, decimal? Cost,
    string FundingSource, IReadOnlyList<IndicatorView> Indicators, IReadOnlyList<RiskView> Risks, string Status);

/// <summary>The whole plan as written: the working copy, or a frozen version's content.</summary>
public sealed record PlanContent(string Language, string Context, string Needs, IReadOnlyList<ObjectiveView> Objectives,
    IReadOnlyList<ActionView> Actions)
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static PlanContent FromJson(string json) => JsonSerializer.Deserialize<PlanContent>(json, Json)!;
}

public sealed record VersionSummary(Guid Id, int Number, string Label, DateTimeOffset FrozenAt, string FrozenBy);

/// <summary>A frozen version with its content.</summary>
public sealed record VersionView(Guid Id, int Number, string Label, DateTimeOffset FrozenAt, string FrozenBy, PlanContent Content);

/// <summary>A comment on an action; <see cref="Version"/> is the label of the version it was written on, null for the working copy.</summary>
public sealed record ActionCommentView(Guid Id, Guid ActionId, string? Version, string Author, string Text, DateTimeOffset CreatedAt);

/// <summary>The city administration's endorsement: when, by which body, and the document (an uploaded file) if any.</summary>
public sealed record EndorsementView(DateOnly On, string Body, Guid? FileId, string? FileName, DateTimeOffset RecordedAt);

/// <summary>A group's action plan as its readers see it. <see cref="MayEdit"/>: the mentee city (the plan's writer);
/// <see cref="MayComment"/>: the mentor and the facilitator. <see cref="Revision"/>: the working copy's revision, which a
/// change sends back so that it is not made on top of a save it has not seen.</summary>
public sealed record ActionPlanView(Guid GroupId, string ProgrammeId, bool MayEdit, bool MayComment, PlanContent Working,
    IReadOnlyList<VersionSummary> Versions, IReadOnlyList<ActionCommentView> Comments, EndorsementView? Endorsement, DateTimeOffset UpdatedAt,
    int Revision = 0);

/// <summary>The plan-wide fields: its language (one of the seven), context and needs. <see cref="Revision"/>: the working
/// copy's revision the change was made on (required).</summary>
public sealed record PlanRequest(string? Language, [property: Text(ActionPlanCommands.LongText, MultiLine = true)] string? Context,
    [property: Text(ActionPlanCommands.LongText, MultiLine = true)] string? Needs, int? Revision = null);

/// <summary>An objective; <see cref="Revision"/> is required to replace one, and checked when sent with a new one.</summary>
public sealed record ObjectiveRequest([property: Text(Limits.Line)] string? Title, [property: Text(Limits.Note, MultiLine = true)] string? Description,
    IReadOnlyList<Guid>? KeyFactors, int? Revision = null);

public sealed record IndicatorRequest([property: Text(Limits.Line)] string? Name, decimal? Baseline, decimal? Target, [property: Text(Limits.Line)] string? Unit);

public sealed record RiskRequest([property: Text(Limits.Comment, MultiLine = true)] string? Risk, [property: Text(Limits.Comment, MultiLine = true)] string? Mitigation);

/// <summary>An action as sent: the whole action each time (a PUT replaces it). <see cref="Cost"/> in euros. <see cref="Revision"/>:
/// the working copy's revision the change was made on; required to replace an action, checked when sent with a new one.</summary>
public sealed record ActionRequest(Guid? ObjectiveId, [property: Text(Limits.Line)] string? Title,
    [property: Text(Limits.Note, MultiLine = true)] string? Description, Guid? PracticeId,
    [property: Text(Limits.Comment, MaxItems = ActionPlanCommands.MaxItems)] IReadOnlyList<string>? Activities, DateOnly? Start, DateOnly? End,
    [property: Text(Limits.Line)] string? Responsible, [property: Text(Limits.Comment, MultiLine = true)] string? Partners, decimal? Cost,
    [property: Text(Limits.Line)] string? FundingSource, IReadOnlyList<IndicatorRequest>? Indicators, IReadOnlyList<RiskRequest>? Risks, string? Status,
    int? Revision = null);

/// <summary>Freezes the working copy as a version under <see cref="Label"/> (draft, consolidated, reviewed, or another id a
/// workflow names). <see cref="Revision"/>, when sent, is the revision the freezer read: a plan changed since is refused,
/// so a version is never frozen with changes its freezer has not seen.</summary>
public sealed record FreezeRequest(string? Label, int? Revision = null);

/// <summary>A comment on an action of the working copy, or of the frozen version named by its label.</summary>
public sealed record ActionCommentRequest([property: Text(Limits.Note, MultiLine = true)] string? Text, string? Version);

public sealed record EndorsementRequest(DateOnly? EndorsedOn, [property: Text(Limits.Line)] string? Body);

/// <summary>What a change answers: the id of what it made or changed, and the working copy's revision after it.</summary>
public sealed record PlanChange(Guid Id, string Kind, int Revision = 0);
