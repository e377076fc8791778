using System.Security.Claims;
using Mentoring.Server.Auth;
using Mentoring.Server.Dashboard;
using Mentoring.Server.Data;
using Mentoring.Server.Outputs;
using Mentoring.Server.Pairs;
using Mentoring.Server.Programme;
using Mentoring.Server.Setup;
using Mentoring.Server.Workflows;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.FunderReport;

/// <summary>One group's line of the report: its step of its workflow's last (a completed group has reached the last),
/// the visits it held and their participants by kind, its action plan, its cities' outputs by status and its cities'
/// attendance at the programme's events.</summary>
public sealed record GroupReport(Guid GroupId, int Number, string Label, string Members, int Step, int Steps, string Stage, bool Completed,
    int VisitsHeld, int VisitParticipants, IReadOnlyDictionary<string, int> ParticipantsByKind, int PlanVersions, bool PlanEndorsed,
    DateOnly? PlanEndorsedOn, IReadOnlyDictionary<string, int> OutputsByStatus, int EventAttendance);

/// <summary>An event as the report counts it.</summary>
public sealed record EventReport(string Kind, string Title, DateOnly Start, DateOnly End, bool Held, int Attendees);

/// <summary>
/// The funder's progress report of a programme: the whole programme's figures and each group's. A figure whose feature
/// is not installed (no <see cref="IVisitFigures"/>, say) is null, and the report says so rather than a zero.
/// </summary>
public sealed record ProgressReport(string ProgrammeId, string ProgrammeName, ProgrammeTerms Terms, DateTimeOffset MadeAt,
    IReadOnlyList<GroupReport> Groups, IReadOnlyList<int> StepNumbers,
    int? VisitsHeld, int? VisitParticipants, IReadOnlyDictionary<string, int> ParticipantsByKind,
    int? EventsHeld, int? EventAttendees, IReadOnlyList<EventReport> Events, IReadOnlyDictionary<string, int> AttendanceByCity,
    IReadOnlyDictionary<string, int> OutputsByStatus, IReadOnlyDictionary<string, int> OutputsByKind, int? PlansEndorsed,
    bool HasVisits, bool HasEvents, bool HasPlans)
{
    public int Outputs => OutputsByStatus.Values.Sum();

    /// <summary>How many groups have reached step <paramref name="number"/> (are at it or past it).</summary>
    public int Reached(int number) => Groups.Count(g => g.Completed || g.Step >= number);

    public int Completed => Groups.Count(g => g.Completed);
}

/// <summary>Builds the report from the groups' instances (their stage, as the dashboard reads progress), the outputs
/// register, and the figures the visits, events and action plans features give through their interfaces.</summary>
public sealed class ProgressReports(IServiceProvider services, DefinitionStore definitions, TimeProvider clock)
{
    public static readonly string Refused = "Only the programme's facilitator reads the funder's progress report.";

    public async Task<AdminResult<ProgressReport>> LoadAsync(MentoringDb db, ClaimsPrincipal user, string programmeId, string language,
        CancellationToken ct)
    {
        if (programmeId != user.ProgrammeId()) return AdminResult<ProgressReport>.NotFound($"There is no programme '{programmeId}' among yours: switch to it first.");
        if (!user.SeesWholeProgramme()) return new AdminResult<ProgressReport>(AdminOutcome.Forbidden, Detail: Refused);
        var programme = await db.Programmes.AsNoTracking().SingleAsync(p => p.Id == programmeId, ct);
        var terms = await ProgrammeTerms.LoadAsync(db, programmeId, language, ct);
        var summaries = await PairQueries.Summaries(db, user).AsNoTracking().ToListAsync(ct);
        var visitSource = services.GetService<IVisitFigures>();
        var eventSource = services.GetService<IEventFigures>();
        var planSource = services.GetService<IActionPlanFigures>();
        var visits = visitSource is null ? [] : await visitSource.ForProgrammeAsync(db, programmeId, ct);
        var events = eventSource is null ? [] : await eventSource.ForProgrammeAsync(db, programmeId, ct);
        var plans = planSource is null ? [] : await planSource.ForProgrammeAsync(db, programmeId, ct);
        var outputs = await OutputRegister.FiguresAsync(db, programmeId, ct);
        var held = visits.Where(v => v.Held).ToList();
        var heldEvents = events.Where(e => e.Held).ToList();

        var groups = summaries.Select(g =>
        {
            var definition = definitions.Find(g.Workflow, g.WorkflowVersion);
            var steps = definition is null ? 0 : WorkflowSteps.Of(definition).Last;
            var cities = g.Members.Select(m => m.Id).ToHashSet();
            var groupVisits = held.Where(v => v.GroupId == g.Id).ToList();
            var plan = plans.FirstOrDefault(p => p.GroupId == g.Id);
            var completed = g.Status == "completed";
            return new GroupReport(g.Id, g.Number, terms.Numbered(g.Number), g.Names(definitions.Catalog).Line, completed ? steps : g.CurrentStep, steps,
                g.Stage, completed, groupVisits.Count, groupVisits.Sum(v => v.Participants), Sum(groupVisits.Select(v => v.ParticipantsByKind)),
                plan?.Versions.Count ?? 0, plan?.Endorsed ?? false, plan?.EndorsedOn,
                Count(outputs.Where(o => cities.Contains(o.Owner)).Select(o => o.Status)),
                heldEvents.Sum(e => e.AttendanceByCity.Where(a => cities.Contains(a.Key)).Sum(a => a.Value)));
        }).ToList();
        var stepNumbers = Enumerable.Range(1, groups.Count == 0 ? 0 : groups.Max(g => g.Steps)).ToList();

        return AdminResult<ProgressReport>.Done(new ProgressReport(programmeId, programme.Name, terms, clock.GetUtcNow(), groups, stepNumbers,
            visitSource is null ? null : held.Count, visitSource is null ? null : held.Sum(v => v.Participants), Sum(held.Select(v => v.ParticipantsByKind)),
            eventSource is null ? null : heldEvents.Count, eventSource is null ? null : heldEvents.Sum(e => e.Attendees),
            events.OrderBy(e => e.Start).ThenBy(e => e.Title, StringComparer.Ordinal).Select(e => new EventReport(e.Kind, e.Title, e.Start, e.End, e.Held, e.Held ? e.Attendees : 0)).ToList(),
            Sum(heldEvents.Select(e => e.AttendanceByCity)),
            Count(outputs.Select(o => o.Status)), Count(outputs.Select(o => o.Kind)),
            planSource is null ? null : plans.Count(p => p.Endorsed), visitSource is not null, eventSource is not null, planSource is not null));
    }

    private static SortedDictionary<string, int> Sum(IEnumerable<IReadOnlyDictionary<string, int>> counts)
    {
        var sum = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var (key, value) in counts.SelectMany(c => c)) sum[key] = sum.GetValueOrDefault(key) + value;
        return sum;
    }

    private static SortedDictionary<string, int> Count(IEnumerable<string> keys) =>
        new(keys.GroupBy(k => k).ToDictionary(g => g.Key, g => g.Count()), StringComparer.Ordinal);
}
