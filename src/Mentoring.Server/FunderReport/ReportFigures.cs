using Mentoring.Server.Data;

namespace Mentoring.Server.FunderReport;

// What each feature gives the funder's report. The feature that owns the tables implements its interface in its own
// folder and registers it (AddScoped); the report only reads through these.

/// <summary>A study visit of a group. <see cref="ParticipantsByKind"/> counts participants by the kind of their
/// organisation in the support network (ngo, municipal-department, ...), "visiting-delegation" for the delegation's
/// members who are not in a network.</summary>
public sealed record VisitFigures(Guid GroupId, string StepId, string Title, DateOnly? Start, DateOnly? End,
    string? Format, bool Held, int Participants, IReadOnlyDictionary<string, int> ParticipantsByKind);

public interface IVisitFigures
{
    Task<IReadOnlyList<VisitFigures>> ForProgrammeAsync(MentoringDb db, string programmeId, CancellationToken ct);
}

/// <summary>A programme event (training, academy, workshop, ...). <see cref="AttendanceByCity"/> counts attendees by
/// city id; the facilitator's people count under "programme".</summary>
public sealed record EventFigures(Guid EventId, string Kind, string Title, DateOnly Start, DateOnly End, bool Held,
    int Attendees, IReadOnlyDictionary<string, int> AttendanceByCity);

public interface IEventFigures
{
    Task<IReadOnlyList<EventFigures>> ForProgrammeAsync(MentoringDb db, string programmeId, CancellationToken ct);
}

/// <summary>A group's action plan: its frozen versions in order (e.g. draft, consolidated, reviewed), its actions
/// and whether the city administration endorsed it.</summary>
public sealed record ActionPlanFigures(Guid GroupId, IReadOnlyList<string> Versions, int Actions, bool Endorsed,
    DateOnly? EndorsedOn);

public interface IActionPlanFigures
{
    Task<IReadOnlyList<ActionPlanFigures>> ForProgrammeAsync(MentoringDb db, string programmeId, CancellationToken ct);
}
