using System.Security.Claims;
using System.Text.Json.Nodes;
using Mentoring.Engine.Runtime;
using Mentoring.Server.Auth;
using Mentoring.Server.Data;
using Mentoring.Server.Email;
using Mentoring.Server.Programme;
using Mentoring.Server.Setup;
using Mentoring.Server.Web;
using Mentoring.Server.Workflows;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Mentoring.Server.Teams;

public sealed record InviteMemberRequest([property: Inputs.Text(Inputs.Limits.Line)] string? Name,
    [property: Inputs.Text(Inputs.Limits.Email)] string? Email, string? Language, string? TeamRole);
public sealed record HandOverRequest(Guid? PersonId, [property: Inputs.Text(Inputs.Limits.Note)] string? Note);
public sealed record AbsenceRequest(Guid? PersonId, DateTimeOffset? From, DateTimeOffset? To, Guid? DeputyId);

public sealed record TeamMemberView(Guid PersonId, string Name, string? Email, string TeamRole, bool Away, Guid? DeputyId);
public sealed record AbsenceView(Guid Id, Guid PersonId, string PersonName, DateTimeOffset From, DateTimeOffset To, Guid? DeputyId,
    string? DeputyName);
public sealed record QueueItemView(Guid ItemId, Guid GroupId, string Title, DateTimeOffset? DueAt, Guid? AssigneeId, string? AssigneeName,
    Guid AnswererId, string AnswererName, string Why);
public sealed record TeamView(string CityId, string CityName, string ProgrammeId, bool CanManage, IReadOnlyList<TeamMemberView> Members,
    IReadOnlyList<AbsenceView> Absences, IReadOnlyList<QueueItemView> Tasks);
/// <summary>One city's side of a task: who holds it (null: the team's queue) and who answers for it now.</summary>
public sealed record TaskSideView(string CityId, string CityName, Guid? AssigneeId, string? AssigneeName, Guid? AnswererId,
    string? AnswererName, string? Why, bool CanClaim, bool CanAssign, IReadOnlyList<TeamMemberView> Team);
public sealed record TaskTeamView(Guid ItemId, Guid GroupId, string Title, string Kind, DateTimeOffset? DueAt, IReadOnlyList<TaskSideView> Sides);

/// <summary>
/// The city teams' changes: inviting and removing members (their programme place goes through Setup's
/// <see cref="ProgrammeAdmin"/>, the writer of programme_people), claiming, assigning and reassigning a task with a
/// note (each a line in the group's history), and absences. Who may: a team member for their own city (claim, their
/// own absence, handing on a task they hold); its lead and the programme's facilitator (or an admin) for the rest. A
/// member of another city's team is refused (403), another programme's data is not there (404). The caller saves, in
/// one transaction (<see cref="ProgrammeAdmin.InTransactionAsync{T}"/>).
/// </summary>
public sealed class TeamCommands(ProgrammeAdmin admin, OutboxWriter outbox, IOptions<EmailOptions> email)
{
    public const string Claimed = "task-claimed";
    public const string Assigned = "task-assigned";
    public const string Reassigned = "task-reassigned";
    public const string Returned = "task-returned";

    /// <summary>May this person see the city's team and its tasks? The facilitator and admins of the programme, and the
    /// city's own team.</summary>
    public static bool CanSee(ClaimsPrincipal user, string programmeId, string cityId) =>
        programmeId == user.ProgrammeId()
        && (user.SeesWholeProgramme() || (user.IsInRole(PersonRoles.Coordinator) && user.CityId() == cityId));

    public static bool CanManage(ClaimsPrincipal user, CityTeam team) =>
        CanSee(user, team.ProgrammeId, team.CityId) && (user.SeesWholeProgramme() || team.Lead?.Person.Id == user.PersonId());

    private static async Task<AdminResult<T>?> CityRefusalAsync<T>(MentoringDb db, ClaimsPrincipal user, string cityId, CancellationToken ct)
    {
        var programmeId = user.ProgrammeId();
        if (!await db.ProgrammeMembers.AnyAsync(m => m.ProgrammeId == programmeId && m.CityId == cityId, ct))
            return AdminResult<T>.NotFound("There is no such city in this programme.");
        return CanSee(user, programmeId, cityId) ? null : new AdminResult<T>(AdminOutcome.Forbidden, Detail: "This is another city's team.");
    }

    public static async Task<AdminResult<TeamView>> TeamAsync(MentoringDb db, ClaimsPrincipal user, string cityId, DateTimeOffset now,
        CancellationToken ct)
    {
        if (await CityRefusalAsync<TeamView>(db, user, cityId, ct) is { } refused) return refused;
        var programmeId = user.ProgrammeId();
        var team = await TeamBook.TeamAsync(db, programmeId, cityId, now, ct);
        var city = await db.Cities.AsNoTracking().SingleAsync(c => c.Id == cityId, ct);
        var open = await (from item in db.WorkItems.AsNoTracking()
                where item.Status == WorkItemStatus.Open
                join instance in db.Instances.AsNoTracking() on item.InstanceId equals instance.Id
                where instance.ProgrammeId == programmeId && instance.GroupId != null
                join member in db.GroupMembers.AsNoTracking() on instance.GroupId equals member.GroupId
                where member.CityId == cityId
                select new { item.Id, GroupId = instance.GroupId!.Value, item.Title, item.DueAt, item.OpenedAt })
            .Distinct().ToListAsync(ct);
        open = open.OrderBy(o => o.DueAt ?? DateTimeOffset.MaxValue).ThenBy(o => o.OpenedAt).ToList();
        var answers = await TeamBook.WhoAnswersAsync(db, open.Select(o => o.Id).ToList(), now, ct);
        var tasks = new List<QueueItemView>();
        foreach (var item in open)
        {
            if (answers.GetValueOrDefault(item.Id)?.FirstOrDefault(a => a.CityId == cityId) is not { } answer) continue;
            var holder = answer.AssigneeId is { } id ? team.Member(id) : null;
            tasks.Add(new QueueItemView(item.Id, item.GroupId, item.Title, item.DueAt, holder?.Person.Id, holder?.Person.Name,
                answer.Person.Id, answer.Person.Name, Kebab(answer.Why)));
        }

        var names = team.Members.ToDictionary(m => m.Person.Id, m => m.Person.Name);
        return AdminResult<TeamView>.Done(new TeamView(cityId, city.Name, programmeId, CanManage(user, team),
            team.Members.Select(m => View(team, m)).ToList(),
            team.Absences.Select(a => new AbsenceView(a.Id, a.PersonId, names.GetValueOrDefault(a.PersonId, ""), a.StartsAt, a.EndsAt,
                a.DeputyId, a.DeputyId is { } d ? names.GetValueOrDefault(d) : null)).ToList(),
            tasks));
    }

    private static TeamMemberView View(CityTeam team, TeamPerson m) =>
        new(m.Person.Id, m.Person.Name, m.Person.Email, m.TeamRole, team.AbsenceOf(m.Person.Id) is not null,
            team.AbsenceOf(m.Person.Id)?.DeputyId);

    public static string Kebab(AnswerReason why) => EffectWriter.Kebab(why);

    /// <summary>The task's sides (one per city owing it) the reader may see; 404 when it is not an open task of the
    /// reader's programme, 403 when none of its cities is theirs.</summary>
    public static async Task<AdminResult<TaskTeamView>> TaskAsync(MentoringDb db, ClaimsPrincipal user, Guid itemId, DateTimeOffset now,
        CancellationToken ct)
    {
        var found = await FindItemAsync(db, user, itemId, ct);
        if (found is null) return AdminResult<TaskTeamView>.NotFound("There is no such open task.");
        var answers = (await TeamBook.WhoAnswersAsync(db, [itemId], now, ct)).GetValueOrDefault(itemId) ?? [];
        var visible = answers.Where(a => CanSee(user, found.ProgrammeId, a.CityId)).ToList();
        if (visible.Count == 0)
            return new AdminResult<TaskTeamView>(AdminOutcome.Forbidden, Detail: "This task is another city's.");
        var cityIds = visible.Select(a => a.CityId).ToList();
        var cities = await db.Cities.AsNoTracking().Where(c => cityIds.Contains(c.Id)).ToDictionaryAsync(c => c.Id, c => c.Name, ct);
        var teams = await TeamBook.LoadTeamsAsync(db, [found.ProgrammeId], cityIds, now, ct);
        var sides = visible.Select(a =>
        {
            var team = teams[(found.ProgrammeId, a.CityId)];
            var holder = a.AssigneeId is { } id ? team.Member(id) : null;
            var mine = team.Member(user.PersonId()) is not null;
            return new TaskSideView(a.CityId, cities[a.CityId], holder?.Person.Id, holder?.Person.Name, a.Person.Id, a.Person.Name,
                Kebab(a.Why), mine && holder?.Person.Id != user.PersonId(), CanManage(user, team) || holder?.Person.Id == user.PersonId(),
                team.Members.Select(m => View(team, m)).ToList());
        }).ToList();
        return AdminResult<TaskTeamView>.Done(new TaskTeamView(itemId, found.GroupId, found.Title, found.Kind, found.DueAt, sides));
    }

    private sealed record FoundItem(Guid Id, Guid InstanceId, Guid GroupId, string ProgrammeId, string StepId, string Title, string Kind,
        DateTimeOffset? DueAt);

    private static Task<FoundItem?> FindItemAsync(MentoringDb db, ClaimsPrincipal user, Guid itemId, CancellationToken ct)
    {
        var programmeId = user.ProgrammeId();
        return (from item in db.WorkItems.AsNoTracking()
                where item.Id == itemId && item.Status == WorkItemStatus.Open
                join instance in db.Instances.AsNoTracking() on item.InstanceId equals instance.Id
                where instance.ProgrammeId == programmeId && instance.GroupId != null
                select new FoundItem(item.Id, item.InstanceId, instance.GroupId!.Value, instance.ProgrammeId, item.StepId, item.Title,
                    item.Kind, item.DueAt))
            .SingleOrDefaultAsync(ct);
    }

    /// <summary>The reader's own city's side of the task, for a claim: the city must owe it.</summary>
    private static async Task<(FoundItem Item, CityTeam Team, Guid? Holder)?> SideAsync(MentoringDb db, FoundItem item, string cityId,
        DateTimeOffset now, CancellationToken ct)
    {
        var answers = (await TeamBook.WhoAnswersAsync(db, [item.Id], now, ct)).GetValueOrDefault(item.Id) ?? [];
        if (answers.FirstOrDefault(a => a.CityId == cityId) is not { } answer) return null;
        var team = await TeamBook.TeamAsync(db, item.ProgrammeId, cityId, now, ct);
        return (item, team, answer.AssigneeId);
    }

    /// <summary>A team member takes an unclaimed task of their city. Claiming a task one already holds changes nothing
    /// (a retry); one another member holds is a conflict naming them.</summary>
    public static async Task<AdminResult<TaskTeamView>> ClaimAsync(MentoringDb db, ClaimsPrincipal user, Guid itemId, DateTimeOffset now,
        CancellationToken ct)
    {
        if (await FindItemAsync(db, user, itemId, ct) is not { } item) return AdminResult<TaskTeamView>.NotFound("There is no such open task.");
        var cityId = user.IsInRole(PersonRoles.Coordinator) ? user.CityId() : null;
        if (cityId is null || await SideAsync(db, item, cityId, now, ct) is not { } side || side.Team.Member(user.PersonId()) is null)
            return new AdminResult<TaskTeamView>(AdminOutcome.Forbidden, Detail: "Only a member of a team this task belongs to can claim it.");
        if (side.Holder is { } holder && holder != user.PersonId())
        {
            var name = side.Team.Member(holder)!.Person.Name;
            return AdminResult<TaskTeamView>.Conflict($"{name} has already claimed this task.") with
            {
                Lines = [new PageText("{0} has already claimed this task.", name)],
            };
        }

        if (side.Holder is null)
        {
            await PlaceClaimAsync(db, item, cityId, user.PersonId(), now, ct);
            Journal(db, item, Claimed, user, now, side.Team.Member(user.PersonId())!.Person, cityId, null);
        }

        await db.SaveChangesAsync(ct);
        return await TaskAsync(db, user, itemId, now, ct);
    }

    /// <summary>Gives the task to a member of the city's team: the lead or the facilitator assigns; whoever holds it may
    /// hand it on (a reassignment, with a note saying why). The target must be in the team now: someone outside it,
    /// or removed from it, is refused (400).</summary>
    public static async Task<AdminResult<TaskTeamView>> HandOverAsync(MentoringDb db, ClaimsPrincipal user, Guid itemId, HandOverRequest request,
        DateTimeOffset now, CancellationToken ct)
    {
        if (request.PersonId is not { } targetId)
            return AdminResult<TaskTeamView>.Invalid("personId", "Choose the team member who takes the task.");
        if (await FindItemAsync(db, user, itemId, ct) is not { } item) return AdminResult<TaskTeamView>.NotFound("There is no such open task.");
        var answers = (await TeamBook.WhoAnswersAsync(db, [item.Id], now, ct)).GetValueOrDefault(item.Id) ?? [];
        var teams = await TeamBook.LoadTeamsAsync(db, [item.ProgrammeId], answers.Select(a => a.CityId).ToList(), now, ct);
        var visible = answers.Where(a => CanSee(user, item.ProgrammeId, a.CityId)).ToList();
        if (visible.Count == 0) return new AdminResult<TaskTeamView>(AdminOutcome.Forbidden, Detail: "This task is another city's.");
        var side = visible.FirstOrDefault(a => teams[(item.ProgrammeId, a.CityId)].Member(targetId) is not null);
        if (side is null)
        {
            var removed = visible.Any(a => teams[(item.ProgrammeId, a.CityId)].WasRemoved(targetId));
            return AdminResult<TaskTeamView>.Invalid("personId", removed
                ? "This person was removed from the team: choose a current member."
                : "This person is not in the team this task belongs to.");
        }

        var team = teams[(item.ProgrammeId, side.CityId)];
        var holds = side.AssigneeId == user.PersonId();
        if (!CanManage(user, team) && !holds)
            return new AdminResult<TaskTeamView>(AdminOutcome.Forbidden, Detail: "Only the team's lead, the facilitator or the task's holder can give it to someone.");
        var note = string.IsNullOrWhiteSpace(request.Note) ? null : request.Note.Trim();
        if (side.AssigneeId is not null && side.AssigneeId != targetId && note is null)
            return AdminResult<TaskTeamView>.Invalid("note", "Say in a note why the task changes hands.");
        if (side.AssigneeId == targetId) return await TaskAsync(db, user, itemId, now, ct);

        var target = team.Member(targetId)!.Person;
        var existing = await db.Set<TaskClaim>().SingleOrDefaultAsync(c => c.WorkItemId == item.Id && c.CityId == side.CityId, ct);
        if (existing is null) await PlaceClaimAsync(db, item, side.CityId, targetId, now, ct);
        else
        {
            existing.PersonId = targetId;
            existing.Since = now;
        }

        Journal(db, item, side.AssigneeId is null ? Assigned : Reassigned, user, now, target, side.CityId, note);
        await db.SaveChangesAsync(ct);
        return await TaskAsync(db, user, itemId, now, ct);
    }

    private static async Task PlaceClaimAsync(MentoringDb db, FoundItem item, string cityId, Guid personId, DateTimeOffset now, CancellationToken ct)
    {
        // A claim the team's earlier member held (removed since) is stale: it is replaced, not kept beside.
        var stale = await db.Set<TaskClaim>().SingleOrDefaultAsync(c => c.WorkItemId == item.Id && c.CityId == cityId, ct);
        if (stale is not null)
        {
            stale.PersonId = personId;
            stale.Since = now;
            return;
        }

        db.Set<TaskClaim>().Add(new TaskClaim { WorkItemId = item.Id, CityId = cityId, ProgrammeId = item.ProgrammeId, PersonId = personId, Since = now });
    }

    private static void Journal(MentoringDb db, FoundItem item, string type, ClaimsPrincipal by, DateTimeOffset now, Person to, string cityId,
        string? note)
    {
        var data = new Dictionary<string, object?> { ["to"] = to.Name, ["toId"] = to.Id, ["city"] = cityId, ["itemId"] = item.Id };
        if (note is not null) data["note"] = note;
        EffectWriter.AddJournal(db, item.InstanceId, new JournalRecord(now, type, item.StepId, by.ActorFor(null) ?? ActorOf(by), data));
    }

    private static Actor ActorOf(ClaimsPrincipal user) =>
        new(user.PersonId().ToString(), user.FindFirstValue(ClaimTypes.Name) ?? "", new ActorRole(user.Role()));

    /// <summary>Invites a person into the city's team (a coordinator's place for the city, and the invitation email
    /// with its set-password link). The lead or the facilitator.</summary>
    public async Task<AdminResult<TeamMemberView>> InviteAsync(MentoringDb db, ClaimsPrincipal user, string cityId, InviteMemberRequest request,
        DateTimeOffset now, CancellationToken ct)
    {
        if (await CityRefusalAsync<TeamMemberView>(db, user, cityId, ct) is { } refused) return refused;
        var team = await TeamBook.TeamAsync(db, user.ProgrammeId(), cityId, now, ct);
        if (!CanManage(user, team))
            return new AdminResult<TeamMemberView>(AdminOutcome.Forbidden, Detail: "Only the team's lead or the facilitator can invite.");
        var teamRole = string.IsNullOrWhiteSpace(request.TeamRole) ? TeamRoles.Member : request.TeamRole.Trim();
        if (!TeamRoles.All.Contains(teamRole)) return AdminResult<TeamMemberView>.Invalid("teamRole", "Choose lead coordinator or member.");
        // The lead a team has by default (its longest-standing member) is written down before anyone joins, so a
        // newcomer never takes the lead by sorting first.
        if (team.Lead is { } current && teamRole != TeamRoles.Lead)
            await UpsertRowAsync(db, user.ProgrammeId(), cityId, current.Person.Id, TeamRoles.Lead, now, ct);
        var added = await admin.AddPersonAsync(db, user.ProgrammeId(), user,
            new AddProgrammePersonRequest(request.Name, request.Email, PersonRoles.Coordinator, cityId, null, request.Language ?? "en", Invite: true),
            now, ct);
        if (added.Outcome != AdminOutcome.Done) return added.As<TeamMemberView>();
        var personId = added.Value!.Id;
        var row = await db.Set<TeamMember>().SingleOrDefaultAsync(m => m.ProgrammeId == user.ProgrammeId() && m.PersonId == personId, ct);
        if (row is null)
            db.Set<TeamMember>().Add(new TeamMember { ProgrammeId = user.ProgrammeId(), PersonId = personId, CityId = cityId, TeamRole = teamRole, AddedAt = now });
        else
        {
            row.CityId = cityId;
            row.TeamRole = teamRole;
            row.AddedAt = now;
            row.RemovedAt = null;
        }

        if (teamRole == TeamRoles.Lead) await DemoteOtherLeadsAsync(db, user.ProgrammeId(), cityId, personId, team, now, ct);
        return AdminResult<TeamMemberView>.Done(new TeamMemberView(personId, added.Value.Name, added.Value.Email, teamRole, false, null));
    }

    /// <summary>Makes a member the lead or a member. The lead or the facilitator; a team keeps one lead.</summary>
    public static async Task<AdminResult<TeamMemberView>> SetRoleAsync(MentoringDb db, ClaimsPrincipal user, string cityId, Guid personId,
        string? teamRole, DateTimeOffset now, CancellationToken ct)
    {
        if (await CityRefusalAsync<TeamMemberView>(db, user, cityId, ct) is { } refused) return refused;
        var team = await TeamBook.TeamAsync(db, user.ProgrammeId(), cityId, now, ct);
        if (!CanManage(user, team))
            return new AdminResult<TeamMemberView>(AdminOutcome.Forbidden, Detail: "Only the team's lead or the facilitator can change roles.");
        if (teamRole is null || !TeamRoles.All.Contains(teamRole)) return AdminResult<TeamMemberView>.Invalid("teamRole", "Choose lead coordinator or member.");
        if (team.Member(personId) is not { } member) return AdminResult<TeamMemberView>.NotFound("This person is not in the team.");
        await UpsertRowAsync(db, user.ProgrammeId(), cityId, personId, teamRole, now, ct);
        if (teamRole == TeamRoles.Lead) await DemoteOtherLeadsAsync(db, user.ProgrammeId(), cityId, personId, team, now, ct);
        return AdminResult<TeamMemberView>.Done(new TeamMemberView(personId, member.Person.Name, member.Person.Email, teamRole, false, null));
    }

    private static async Task<TeamMember> UpsertRowAsync(MentoringDb db, string programmeId, string cityId, Guid personId, string teamRole,
        DateTimeOffset now, CancellationToken ct)
    {
        var row = db.Set<TeamMember>().Local.FirstOrDefault(m => m.ProgrammeId == programmeId && m.PersonId == personId)
                  ?? await db.Set<TeamMember>().SingleOrDefaultAsync(m => m.ProgrammeId == programmeId && m.PersonId == personId, ct);
        if (row is null)
        {
            row = new TeamMember { ProgrammeId = programmeId, PersonId = personId, CityId = cityId, TeamRole = teamRole, AddedAt = now };
            db.Set<TeamMember>().Add(row);
        }

        row.TeamRole = teamRole;
        return row;
    }

    private static async Task DemoteOtherLeadsAsync(MentoringDb db, string programmeId, string cityId, Guid lead, CityTeam team,
        DateTimeOffset now, CancellationToken ct)
    {
        // The lead a team had by default (its longest-standing member) becomes a member too, so the new lead leads.
        foreach (var other in team.Members.Where(m => m.IsLead && m.Person.Id != lead))
            await UpsertRowAsync(db, programmeId, cityId, other.Person.Id, TeamRoles.Member, now, ct);
    }

    /// <summary>Removes a person from the city's team: their place in the programme ends (so every page refuses them),
    /// and each open task they held goes back to the team's queue, a line in its group's history. The lead or the
    /// facilitator; the lead is not removed while the team has other members (name another lead first).</summary>
    public static async Task<AdminResult<Guid>> RemoveAsync(MentoringDb db, ClaimsPrincipal user, string cityId, Guid personId,
        DateTimeOffset now, CancellationToken ct)
    {
        if (await CityRefusalAsync<Guid>(db, user, cityId, ct) is { } refused) return refused;
        var programmeId = user.ProgrammeId();
        var team = await TeamBook.TeamAsync(db, programmeId, cityId, now, ct);
        if (!CanManage(user, team)) return new AdminResult<Guid>(AdminOutcome.Forbidden, Detail: "Only the team's lead or the facilitator can remove someone.");
        if (team.Member(personId) is not { } member) return AdminResult<Guid>.NotFound("This person is not in the team.");
        if (member.IsLead && team.Members.Count > 1)
            return AdminResult<Guid>.Conflict("The lead coordinator cannot be removed while others are in the team: make another member the lead first.");

        var held = await (from claim in db.Set<TaskClaim>()
                where claim.ProgrammeId == programmeId && claim.CityId == cityId && claim.PersonId == personId
                join item in db.WorkItems on claim.WorkItemId equals item.Id
                select new { claim, item.InstanceId, item.StepId, item.Status, item.Title, item.Kind, item.DueAt })
            .ToListAsync(ct);
        foreach (var h in held)
        {
            db.Set<TaskClaim>().Remove(h.claim);
            if (h.Status != WorkItemStatus.Open) continue;
            var data = new Dictionary<string, object?>
            {
                ["from"] = member.Person.Name, ["fromId"] = member.Person.Id, ["city"] = cityId, ["itemId"] = h.claim.WorkItemId,
                ["note"] = $"{member.Person.Name} left the team; the task is back in the team's queue.",
            };
            EffectWriter.AddJournal(db, h.InstanceId, new JournalRecord(now, Returned, h.StepId, user.ActorFor(null) ?? ActorOf(user), data));
        }

        var removal = await ProgrammeAdmin.RemovePersonAsync(db, programmeId, personId, ct);
        if (removal.Outcome != AdminOutcome.Done) return removal;
        var row = await UpsertRowAsync(db, programmeId, cityId, personId, member.TeamRole, now, ct);
        row.RemovedAt = now;
        return AdminResult<Guid>.Done(personId);
    }

    /// <summary>Records an absence. A member sets their own; the lead or the facilitator anyone's in the team. The deputy
    /// must be another member, not away at the same time. Without a deputy the lead answers meanwhile and the
    /// programme's facilitator is told by email.</summary>
    public async Task<AdminResult<AbsenceView>> AddAbsenceAsync(MentoringDb db, ClaimsPrincipal user, string cityId, AbsenceRequest request,
        DateTimeOffset now, CancellationToken ct)
    {
        if (await CityRefusalAsync<AbsenceView>(db, user, cityId, ct) is { } refused) return refused;
        var programmeId = user.ProgrammeId();
        var team = await TeamBook.TeamAsync(db, programmeId, cityId, now, ct);
        var personId = request.PersonId ?? user.PersonId();
        if (personId != user.PersonId() && !CanManage(user, team))
            return new AdminResult<AbsenceView>(AdminOutcome.Forbidden, Detail: "Only the team's lead or the facilitator can record someone else's absence.");
        var errors = new Dictionary<string, string[]>();
        if (team.Member(personId) is not { } absent) return AdminResult<AbsenceView>.Invalid("personId", "This person is not in the team.");
        if (request.From is not { } from) errors["from"] = ["Give the first day of the absence."];
        if (request.To is not { } to) errors["to"] = ["Give the day the absence ends."];
        else if (request.From is { } start && to <= start) errors["to"] = ["The absence must end after it starts."];
        TeamPerson? deputy = null;
        if (request.DeputyId is { } deputyId)
        {
            deputy = team.Member(deputyId);
            if (deputy is null) errors["deputyId"] = [team.WasRemoved(deputyId) ? "The deputy was removed from the team." : "The deputy must be in the team."];
            else if (deputyId == personId) errors["deputyId"] = ["Choose someone else as deputy."];
            else if (request.From is { } f && request.To is { } t && t > f && team.Absences.Any(a => a.PersonId == deputyId && a.Overlaps(f, t)))
                errors["deputyId"] = ["The deputy is away at the same time: choose another deputy."];
        }

        if (errors.Count > 0) return AdminResult<AbsenceView>.Invalid(errors);
        var absence = new Absence
        {
            ProgrammeId = programmeId, PersonId = personId, StartsAt = request.From!.Value, EndsAt = request.To!.Value, DeputyId = deputy?.Person.Id,
            CreatedAt = now,
        };
        db.Set<Absence>().Add(absence);
        if (deputy is null) await TellFacilitatorsAsync(db, programmeId, cityId, absent.Person, team, absence, ct);
        return AdminResult<AbsenceView>.Done(new AbsenceView(absence.Id, personId, absent.Person.Name, absence.StartsAt, absence.EndsAt,
            deputy?.Person.Id, deputy?.Person.Name));
    }

    private async Task TellFacilitatorsAsync(MentoringDb db, string programmeId, string cityId, Person absent, CityTeam team, Absence absence,
        CancellationToken ct)
    {
        var city = await db.Cities.AsNoTracking().SingleAsync(c => c.Id == cityId, ct);
        var facilitators = await (from place in db.ProgrammePeople.AsNoTracking()
                where place.ProgrammeId == programmeId && place.Role == PersonRoles.Facilitator
                join person in db.People.AsNoTracking() on place.PersonId equals person.Id
                select person).ToListAsync(ct);
        var lead = team.Lead?.Person.Id == absent.Id ? null : team.Lead?.Person;
        foreach (var facilitator in facilitators)
        {
            var culture = OutboxWriter.Culture(facilitator.Language);
            var zone = TimeZoneInfo.FindSystemTimeZoneById(facilitator.TimeZone);
            var model = new JsonObject
            {
                ["absent"] = new JsonObject { ["name"] = absent.Name },
                ["city"] = new JsonObject { ["name"] = city.Name },
                ["lead"] = new JsonObject { ["name"] = lead?.Name ?? absent.Name },
                ["from"] = TimeZoneInfo.ConvertTime(absence.StartsAt, zone).ToString("D", culture),
                ["to"] = TimeZoneInfo.ConvertTime(absence.EndsAt, zone).ToString("D", culture),
            };
            outbox.AddToPerson(db, facilitator, "absence-without-deputy", model, $"{email.Value.PublicUrl.TrimEnd('/')}/teams/{cityId}", absence.CreatedAt);
        }
    }

    /// <summary>Ends or withdraws an absence: its person, the lead or the facilitator.</summary>
    public static async Task<AdminResult<Guid>> RemoveAbsenceAsync(MentoringDb db, ClaimsPrincipal user, string cityId, Guid absenceId,
        DateTimeOffset now, CancellationToken ct)
    {
        if (await CityRefusalAsync<Guid>(db, user, cityId, ct) is { } refused) return refused;
        var team = await TeamBook.TeamAsync(db, user.ProgrammeId(), cityId, now, ct);
        var absence = await db.Set<Absence>().SingleOrDefaultAsync(a => a.Id == absenceId && a.ProgrammeId == user.ProgrammeId(), ct);
        if (absence is null || team.Member(absence.PersonId) is null) return AdminResult<Guid>.NotFound("There is no such absence in this team.");
        if (absence.PersonId != user.PersonId() && !CanManage(user, team))
            return new AdminResult<Guid>(AdminOutcome.Forbidden, Detail: "Only the person, the team's lead or the facilitator can end this absence.");
        db.Set<Absence>().Remove(absence);
        return AdminResult<Guid>.Done(absenceId);
    }
}
