using System.Security.Claims;
using System.Text.Json;
using Mentoring.Engine.Definitions;
using Mentoring.Server.Auth;
using Mentoring.Server.Data;
using Mentoring.Server.Programme;
using Mentoring.Server.Workflows;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Pairs;

public sealed record CityRef(string Id, string Name);

public sealed record PairSummary(Guid Id, int Number, CityRef Mentor, CityRef Mentee, string Theme, int CurrentStep,
    string Stage, string Status, DateTimeOffset? NextDueAt);

public sealed record WorkItemView(Guid Id, string Kind, string StepId, string Title, string? Description, string? Assignee,
    string Status, string StageId, DateTimeOffset OpenedAt, DateTimeOffset? DueAt, DateTimeOffset? ClosedAt, string? ClosedBy)
{
    /// <summary>For a task: what completing it needs (note, link, file).</summary>
    public IReadOnlyList<string> Requires { get; init; } = [];
    /// <summary>For a task with a choice: the options, one of which completing it must pick.</summary>
    public IReadOnlyList<string> Options { get; init; } = [];
    /// <summary>For a study visit: the side that confirms a proposed date (the assignee proposes).</summary>
    public string? Confirmer { get; init; }
}

public sealed record VisitView(Guid Id, string StepId, string Title, string Status, string? Phase, DateOnly? Date, string? Host,
    IReadOnlyList<string> Participants);

public sealed record PairDetail(PairSummary Pair, string? Practices, string? Fault, IReadOnlyList<WorkItemView> OpenItems,
    IReadOnlyList<VisitView> Visits);

public sealed record HistoryEntry(long Id, DateTimeOffset At, string Type, string? StepId, string Actor, JsonElement Data);

/// <summary>The read side of pairs. Lists select only the columns they show; progress lives on the instance row.</summary>
public static class PairQueries
{
    public static IQueryable<PairSummary> Summaries(MentoringDb db, ClaimsPrincipal user, Guid? pairId = null)
    {
        var pairs = pairId is { } id ? db.Pairs.Where(p => p.Id == id) : db.Pairs.AsQueryable();
        if (user.IsInRole(PersonRoles.Coordinator))
        {
            var city = user.CityId();
            pairs = pairs.Where(p => p.MentorCityId == city || p.MenteeCityId == city);
        }
        else if (user.IsInRole(PersonRoles.Observer))
        {
            var organisation = user.Organisation();
            var cities = db.Cities.Where(c => c.Association == organisation).Select(c => c.Id);
            pairs = pairs.Where(p => cities.Contains(p.MentorCityId) || cities.Contains(p.MenteeCityId));
        }
        else if (!user.IsFacilitator() && !user.IsAdmin())
        {
            pairs = pairs.Where(_ => false);
        }

        return from pair in pairs
            join instance in db.Instances on pair.InstanceId equals instance.Id
            join mentor in db.Cities on pair.MentorCityId equals mentor.Id
            join mentee in db.Cities on pair.MenteeCityId equals mentee.Id
            orderby pair.Number
            select new PairSummary(pair.Id, pair.Number, new CityRef(mentor.Id, mentor.Name), new CityRef(mentee.Id, mentee.Name),
                pair.Theme, instance.StageNumber, instance.StageName, instance.Status, instance.NextDueAt);
    }

    /// <summary>The pair and the associations of its two cities (for the observers' access check), or null.</summary>
    public static async Task<(Pair Pair, string? MentorAssociation, string? MenteeAssociation)?> FindAsync(MentoringDb db, Guid id,
        CancellationToken cancellationToken)
    {
        var found = await (from pair in db.Pairs.AsNoTracking()
                join mentor in db.Cities on pair.MentorCityId equals mentor.Id
                join mentee in db.Cities on pair.MenteeCityId equals mentee.Id
                where pair.Id == id
                select new { pair, Mentor = mentor.Association, Mentee = mentee.Association })
            .SingleOrDefaultAsync(cancellationToken);
        return found is null ? null : (found.pair, found.Mentor, found.Mentee);
    }

    /// <param name="definition">The instance's definition; when given, each item says what completing it needs.</param>
    public static async Task<IReadOnlyList<WorkItemView>> ItemsAsync(MentoringDb db, Guid instanceId, bool openOnly,
        CancellationToken cancellationToken, WorkflowDefinition? definition = null)
    {
        var items = await db.WorkItems.AsNoTracking()
            .Where(w => w.InstanceId == instanceId && (!openOnly || w.Status == WorkItemStatus.Open))
            .OrderBy(w => w.OpenedAt).ThenBy(w => w.StepId)
            .Select(w => new WorkItemView(w.Id, w.Kind, w.StepId, w.Title, w.Description, w.Assignee, w.Status, w.StageId,
                w.OpenedAt, w.DueAt, w.ClosedAt, w.ClosedByName))
            .ToListAsync(cancellationToken);
        if (definition is null) return items;
        return items.Select(item => definition.Steps.TryGetValue(item.StepId, out var location)
            ? location.Step switch
            {
                TaskStep task => item with
                {
                    Requires = task.Requires.Select(r => r.ToString().ToLowerInvariant()).ToList(),
                    Options = task.Choice?.Options ?? [],
                },
                StudyVisitStep visit => item with { Confirmer = visit.Confirmer.ToString().ToLowerInvariant() },
                _ => item,
            }
            : item).ToList();
    }

    public static async Task<IReadOnlyList<VisitView>> VisitsAsync(MentoringDb db, Guid instanceId, CancellationToken cancellationToken)
    {
        var rows = await db.WorkItems.AsNoTracking()
            .Where(w => w.InstanceId == instanceId && w.Kind == "study-visit" && w.Status != WorkItemStatus.Cancelled)
            .OrderBy(w => w.OpenedAt)
            .Select(w => new { w.Id, w.StepId, w.Title, w.Status, w.VisitPhase, w.VisitDate, w.VisitHost, w.VisitParticipants })
            .ToListAsync(cancellationToken);
        return rows.Select(v => new VisitView(v.Id, v.StepId, v.Title, v.Status, v.VisitPhase, v.VisitDate, v.VisitHost,
            v.VisitParticipants?.Split('\n') ?? [])).ToList();
    }

    public static async Task<IReadOnlyList<HistoryEntry>> HistoryAsync(MentoringDb db, Guid instanceId, long after, int take,
        CancellationToken cancellationToken)
    {
        var rows = await db.Journal.AsNoTracking()
            .Where(j => j.InstanceId == instanceId && j.Id > after)
            .OrderBy(j => j.Id).Take(take)
            .Select(j => new { j.Id, j.At, j.Type, j.StepId, j.ActorName, j.Data })
            .ToListAsync(cancellationToken);
        return rows.Select(j => new HistoryEntry(j.Id, j.At, j.Type, j.StepId, j.ActorName,
            JsonDocument.Parse(j.Data).RootElement.Clone())).ToList();
    }
}
