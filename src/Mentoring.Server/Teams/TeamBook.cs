using Mentoring.Server.Data;
using Mentoring.Server.Programme;
using Mentoring.Server.Workflows;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Teams;

/// <summary>Why a person answers for a task now.</summary>
public enum AnswerReason
{
    /// <summary>They claimed it, or the lead gave it to them.</summary>
    Assignee,
    /// <summary>The assignee (or the lead, for an unclaimed task) is away and named them as deputy.</summary>
    Deputy,
    /// <summary>Nobody has claimed it: it waits in the team's queue, and the lead answers for it.</summary>
    Lead,
    /// <summary>The assignee is away without a deputy (or with one who is away or left the team).</summary>
    LeadForAbsent,
}

/// <summary>The person answering for one city's side of an open task, and why; <see cref="AssigneeId"/> is who holds it
/// (null while it waits in the team's queue), which differs from <see cref="Person"/> during an absence.</summary>
public sealed record Answerer(Guid WorkItemId, string CityId, Person Person, AnswerReason Why, Guid? AssigneeId);

/// <summary>A person of a city's team, with their team role and, when they left it, since when.</summary>
public sealed record TeamPerson(Person Person, string TeamRole, DateTimeOffset? RemovedAt)
{
    public bool IsLead => TeamRole == TeamRoles.Lead;
}

/// <summary>One city's team in a programme, as read at one instant: who is in it (a coordinator's place for the city),
/// who left it, its lead, and who is away.</summary>
public sealed class CityTeam(string programmeId, string cityId, IReadOnlyList<TeamPerson> members, IReadOnlyList<TeamPerson> removed,
    IReadOnlyList<Absence> absences, DateTimeOffset at)
{
    public string ProgrammeId { get; } = programmeId;
    public string CityId { get; } = cityId;
    /// <summary>The people in the team now, the lead first.</summary>
    public IReadOnlyList<TeamPerson> Members { get; } = members;
    /// <summary>People who were in the team and were removed.</summary>
    public IReadOnlyList<TeamPerson> Removed { get; } = removed;
    /// <summary>The team's absences not yet over at <see cref="At"/>.</summary>
    public IReadOnlyList<Absence> Absences { get; } = absences;
    public DateTimeOffset At { get; } = at;

    /// <summary>The lead coordinator: the member named lead, else the one who has been in the product longest (a team
    /// of one, as every city had before teams, is led by its coordinator).</summary>
    public TeamPerson? Lead => Members.FirstOrDefault();

    public TeamPerson? Member(Guid personId) => Members.FirstOrDefault(m => m.Person.Id == personId);
    public bool WasRemoved(Guid personId) => Member(personId) is null && Removed.Any(r => r.Person.Id == personId);

    public Absence? AbsenceOf(Guid personId, DateTimeOffset? at = null) =>
        Absences.FirstOrDefault(a => a.PersonId == personId && a.Covers(at ?? At));

    /// <summary>Who answers for a task of this city held by <paramref name="assigneeId"/> (null: unclaimed) at
    /// <see cref="At"/>. An absent person's deputy answers when still in the team and not away; else the lead; an absent
    /// lead's own deputy stands in for the lead. Null only for a team with nobody in it.</summary>
    public (Person Person, AnswerReason Why)? WhoAnswers(Guid? assigneeId)
    {
        var holder = assigneeId is { } id ? Member(id) : null;
        if (holder is null) return Lead is { } lead ? StandIn(lead, AnswerReason.Lead) : null;
        if (AbsenceOf(holder.Person.Id) is not { } away) return (holder.Person, AnswerReason.Assignee);
        if (away.DeputyId is { } deputyId && Member(deputyId) is { } deputy && AbsenceOf(deputyId) is null)
            return (deputy.Person, AnswerReason.Deputy);
        if (Lead is { } teamLead && teamLead.Person.Id != holder.Person.Id)
            return StandIn(teamLead, AnswerReason.LeadForAbsent);
        return (holder.Person, AnswerReason.Assignee);
    }

    private (Person, AnswerReason) StandIn(TeamPerson lead, AnswerReason why) =>
        AbsenceOf(lead.Person.Id) is { DeputyId: { } deputyId } && Member(deputyId) is { } deputy && AbsenceOf(deputyId) is null
            ? (deputy.Person, AnswerReason.Deputy)
            : (lead.Person, why);
}

/// <summary>
/// Who answers for a task now. A group's task for a role belongs to the cities holding that role (every member city for
/// "both"); within each city's team it is the claimed person's, their deputy's while they are away, or the lead's while
/// nobody has claimed it. The nudges (Scheduling/NudgeSender), the dashboard's manual nudge and the task pages all ask
/// here, so the rule lives in one place. Reads only; the team's writes are <see cref="TeamCommands"/>.
/// </summary>
public static class TeamBook
{
    /// <summary>
    /// For each of <paramref name="workItemIds"/> (open work items of groups; others are left out), the person answering
    /// for each city that owes it at <paramref name="at"/>: one <see cref="Answerer"/> per city, in city order. An item
    /// missing from the answer, or with an empty list, has no team to answer (a programme task, a city with nobody):
    /// the caller keeps its own recipients. A few queries for the whole batch, whatever its size.
    /// </summary>
    public static async Task<IReadOnlyDictionary<Guid, IReadOnlyList<Answerer>>> WhoAnswersAsync(MentoringDb db,
        IReadOnlyCollection<Guid> workItemIds, DateTimeOffset at, CancellationToken ct)
    {
        if (workItemIds.Count == 0) return new Dictionary<Guid, IReadOnlyList<Answerer>>();
        var ids = workItemIds.Distinct().ToList();
        var items = await (from item in db.WorkItems.AsNoTracking()
                where ids.Contains(item.Id) && item.Status == WorkItemStatus.Open
                join instance in db.Instances.AsNoTracking() on item.InstanceId equals instance.Id
                where instance.GroupId != null
                select new { item.Id, item.Assignee, GroupId = instance.GroupId!.Value, instance.ProgrammeId })
            .ToListAsync(ct);
        var groupIds = items.Select(i => i.GroupId).Distinct().ToList();
        var members = (await db.GroupMembers.AsNoTracking().Where(m => groupIds.Contains(m.GroupId))
                .Select(m => new { m.GroupId, m.Role, m.CityId }).ToListAsync(ct))
            .ToLookup(m => m.GroupId);
        var owed = items.ToDictionary(i => i.Id, i =>
        {
            var holding = members[i.GroupId].Where(m => m.Role == i.Assignee).Select(m => m.CityId).ToList();
            return (holding.Count > 0 ? holding : members[i.GroupId].Select(m => m.CityId)).Distinct().Order(StringComparer.Ordinal).ToList();
        });
        var teams = await LoadTeamsAsync(db, items.Select(i => i.ProgrammeId).Distinct().ToList(),
            owed.Values.SelectMany(c => c).Distinct().ToList(), at, ct);
        var claims = (await db.Set<TaskClaim>().AsNoTracking().Where(c => ids.Contains(c.WorkItemId)).ToListAsync(ct))
            .ToDictionary(c => (c.WorkItemId, c.CityId), c => c.PersonId);

        var answers = new Dictionary<Guid, IReadOnlyList<Answerer>>();
        foreach (var item in items)
        {
            var list = new List<Answerer>();
            foreach (var city in owed[item.Id])
            {
                if (!teams.TryGetValue((item.ProgrammeId, city), out var team)) continue;
                Guid? assignee = claims.TryGetValue((item.Id, city), out var holder) && team.Member(holder) is not null ? holder : null;
                if (team.WhoAnswers(assignee) is { } who) list.Add(new Answerer(item.Id, city, who.Person, who.Why, assignee));
            }

            answers[item.Id] = list;
        }

        return answers;
    }

    /// <summary>One city's team at <paramref name="at"/>; empty when nobody is in it.</summary>
    public static async Task<CityTeam> TeamAsync(MentoringDb db, string programmeId, string cityId, DateTimeOffset at, CancellationToken ct) =>
        (await LoadTeamsAsync(db, [programmeId], [cityId], at, ct)).GetValueOrDefault((programmeId, cityId))
        ?? new CityTeam(programmeId, cityId, [], [], [], at);

    /// <summary>The teams of these cities in these programmes, by (programme, city).</summary>
    public static async Task<Dictionary<(string ProgrammeId, string CityId), CityTeam>> LoadTeamsAsync(MentoringDb db,
        IReadOnlyCollection<string> programmeIds, IReadOnlyCollection<string> cityIds, DateTimeOffset at, CancellationToken ct)
    {
        var placed = await (from place in db.ProgrammePeople.AsNoTracking()
                where programmeIds.Contains(place.ProgrammeId) && place.Role == PersonRoles.Coordinator && cityIds.Contains(place.CityId!)
                join person in db.People.AsNoTracking() on place.PersonId equals person.Id
                select new { place.ProgrammeId, CityId = place.CityId!, Person = person })
            .ToListAsync(ct);
        var rows = await db.Set<TeamMember>().AsNoTracking()
            .Where(m => programmeIds.Contains(m.ProgrammeId) && cityIds.Contains(m.CityId)).ToListAsync(ct);
        var removedIds = rows.Where(r => r.RemovedAt is not null).Select(r => r.PersonId).ToList();
        var removedPeople = await db.People.AsNoTracking().Where(p => removedIds.Contains(p.Id)).ToDictionaryAsync(p => p.Id, ct);
        var absences = await db.Set<Absence>().AsNoTracking()
            .Where(a => programmeIds.Contains(a.ProgrammeId) && a.EndsAt > at).OrderBy(a => a.StartsAt).ToListAsync(ct);

        var teams = new Dictionary<(string, string), CityTeam>();
        foreach (var city in placed.Select(p => (p.ProgrammeId, p.CityId)).Concat(rows.Select(r => (r.ProgrammeId, r.CityId))).Distinct())
        {
            var role = rows.Where(r => r.ProgrammeId == city.ProgrammeId && r.RemovedAt is null)
                .ToDictionary(r => r.PersonId, r => r.TeamRole);
            var inTeam = placed.Where(p => p.ProgrammeId == city.ProgrammeId && p.CityId == city.CityId)
                .Select(p => new TeamPerson(p.Person, role.GetValueOrDefault(p.Person.Id, TeamRoles.Member), null))
                .OrderByDescending(m => m.IsLead).ThenBy(m => m.Person.CreatedAt).ThenBy(m => m.Person.Name, StringComparer.Ordinal)
                .ToList();
            // The lead is listed first; without one named, the longest-standing member leads.
            if (inTeam.Count > 0 && !inTeam[0].IsLead) inTeam[0] = inTeam[0] with { TeamRole = TeamRoles.Lead };
            var ids = inTeam.Select(m => m.Person.Id).ToHashSet();
            var removed = rows.Where(r => r.ProgrammeId == city.ProgrammeId && r.CityId == city.CityId && r.RemovedAt is not null
                                          && !ids.Contains(r.PersonId) && removedPeople.ContainsKey(r.PersonId))
                .Select(r => new TeamPerson(removedPeople[r.PersonId], r.TeamRole, r.RemovedAt)).ToList();
            teams[city] = new CityTeam(city.ProgrammeId, city.CityId, inTeam, removed,
                absences.Where(a => a.ProgrammeId == city.ProgrammeId && ids.Contains(a.PersonId)).ToList(), at);
        }

        return teams;
    }
}
