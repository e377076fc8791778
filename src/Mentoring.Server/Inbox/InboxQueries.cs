using System.Globalization;
using Mentoring.Engine.Definitions;
using Mentoring.Server.Data;
using Mentoring.Server.Programme;
using Mentoring.Server.Workflows;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Inbox;

/// <summary>One open task, visit or approval in a person's inbox. <see cref="Title"/> is as stored (English, the key of
/// its translations); <see cref="Where"/> the group's one-line name, or the programme's name for the programme's own work.
/// <see cref="Snoozed"/>: the person's follow-up date is after their today. <see cref="Link"/> is the task's page
/// (<c>/tasks/{id}</c>), which opens in the programme the task is of: <see cref="InCurrentProgramme"/> says whether the
/// reader must switch first.</summary>
public sealed record InboxTask(Guid Id, string Kind, string Title, string ProgrammeId, string ProgrammeName, Guid? GroupId,
    int? GroupNumber, string Where, string? Assignee, DateTimeOffset? DueAt, string Priority, DateOnly? FollowUpOn, bool Mine,
    bool Team, bool Waiting, bool Overdue, bool Snoozed, bool MayPrioritise, bool InCurrentProgramme, string Link);

/// <summary>What <c>GET /api/me/tasks</c> answers: the filter and sort applied, the count the header shows, and the tasks.</summary>
public sealed record InboxView(string Filter, string Sort, DateOnly Today, int Count, IReadOnlyList<InboxTask> Tasks);

public sealed record FollowUpRequest(string? Date);
public sealed record PriorityRequest(string? Priority);

public enum InboxRefusal { None, BadFilter, BadSort, BadDate, DateInThePast, DateTooFar, BadPriority, NotFound, Forbidden }

public sealed record InboxOutcome<T>(T? Value, InboxRefusal Refusal = InboxRefusal.None)
{
    public static implicit operator InboxOutcome<T>(InboxRefusal refusal) => new(default, refusal);
}

/// <summary>
/// The inbox: every open task, study visit and approval a person has across every programme they are in, whichever they
/// are signed in to now. Who answers for what, <see cref="InboxResponsibility"/> decides; this reads what it needs,
/// filters, sorts, and writes the two things the inbox owns: a task's priority and a person's follow-up dates.
/// </summary>
public static class InboxQueries
{
    public const string Mine = "mine", Team = "team", Overdue = "overdue", DueThisWeek = "due-this-week", Waiting = "waiting";
    public static readonly IReadOnlyList<string> Filters = [Mine, Team, Overdue, DueThisWeek, Waiting];
    public const string ByDue = "due", ByPriority = "priority";
    public static readonly IReadOnlyList<string> Sorts = [ByDue, ByPriority];

    /// <summary>"Due" in the header's count and "due this week" (as the dashboard's "due soon").</summary>
    public static readonly TimeSpan Week = TimeSpan.FromDays(7);
    /// <summary>A follow-up further off than this is a typo, not a plan.</summary>
    public const int MaxFollowUpDays = 366;

    private static readonly string[] Kinds = ["task", "study-visit", "approval"];

    public static DateOnly TodayOf(Person person, DateTimeOffset now)
    {
        TimeZoneInfo zone;
        try { zone = TimeZoneInfo.FindSystemTimeZoneById(person.TimeZone); }
        catch (TimeZoneNotFoundException) { zone = TimeZoneInfo.Utc; }
        return DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).DateTime);
    }

    /// <summary>Every item of the person's inbox, unfiltered and unsorted; empty for an unknown person.</summary>
    public static async Task<(List<InboxTask> Tasks, DateOnly Today)> AllAsync(MentoringDb db, Guid personId, string? currentProgramme,
        DateTimeOffset now, CancellationToken ct, DefinitionCatalog? catalog = null)
    {
        var person = await db.People.AsNoTracking().SingleOrDefaultAsync(p => p.Id == personId, ct);
        if (person is null) return ([], default);
        var today = TodayOf(person, now);
        var places = (await db.ProgrammePeople.AsNoTracking().Where(p => p.PersonId == personId).ToListAsync(ct))
            .Select(p => new InboxPlace(p.ProgrammeId, p.Role, p.CityId)).ToList();
        var wholeProgrammes = places.Where(p => p.Role is not (PersonRoles.Coordinator or PersonRoles.Observer)).Select(p => p.ProgrammeId).ToList();
        var cityPlaces = places.Where(p => p.Role == PersonRoles.Coordinator && p.CityId is not null).ToList();
        var cities = cityPlaces.Select(p => p.CityId!).Distinct().ToList();
        var cityGroups = (await (from m in db.GroupMembers.AsNoTracking()
                    where cities.Contains(m.CityId)
                    join g in db.Groups.AsNoTracking() on m.GroupId equals g.Id
                    select new { g.Id, g.ProgrammeId, m.CityId })
                .ToListAsync(ct))
            .Where(g => cityPlaces.Any(p => p.ProgrammeId == g.ProgrammeId && p.CityId == g.CityId)).Select(g => g.Id).Distinct().ToList();
        if (wholeProgrammes.Count == 0 && cityGroups.Count == 0) return ([], today);

        var rows = await (from item in db.WorkItems.AsNoTracking()
                where item.Status == WorkItemStatus.Open && Kinds.Contains(item.Kind)
                join instance in db.Instances.AsNoTracking() on item.InstanceId equals instance.Id
                where wholeProgrammes.Contains(instance.ProgrammeId) || (instance.GroupId != null && cityGroups.Contains(instance.GroupId.Value))
                select new { item.Id, item.Kind, item.Title, item.Assignee, item.DueAt, instance.ProgrammeId, instance.GroupId })
            .ToListAsync(ct);
        var groupIds = rows.Where(r => r.GroupId is not null).Select(r => r.GroupId!.Value).Distinct().ToList();
        var members = (await db.GroupMembers.AsNoTracking().Where(m => groupIds.Contains(m.GroupId)).ToListAsync(ct))
            .ToLookup(m => m.GroupId, m => (m.CityId, m.Role));
        var shares = rows.Select(r => (Row: r, Share: InboxResponsibility.Decide(places,
                new InboxCandidate(r.Id, r.ProgrammeId, r.GroupId, r.Assignee, r.GroupId is { } g ? members[g].ToList() : []))))
            .Where(s => s.Share.Visible).ToList();
        // Within a city's team, "mine" is what the team says this person answers for now (the holder, a deputy, the
        // lead while nobody holds it); the rest of the city's items are "my team's".
        var teamItems = shares.Where(s => s.Share.Team && s.Row.GroupId is not null && CityIn(cityPlaces, s.Row.ProgrammeId) is not null)
            .Select(s => s.Row.Id).ToList();
        var answers = await Teams.TeamBook.WhoAnswersAsync(db, teamItems, now, ct);
        shares = shares.Select(s => (s.Row, Share: InboxResponsibility.WithTeam(s.Share, personId, CityIn(cityPlaces, s.Row.ProgrammeId),
            answers.GetValueOrDefault(s.Row.Id)))).ToList();

        var ids = shares.Select(s => s.Row.Id).ToList();
        var priorities = await db.Set<TaskPriorityRecord>().AsNoTracking().Where(p => ids.Contains(p.WorkItemId))
            .ToDictionaryAsync(p => p.WorkItemId, p => p.Priority, ct);
        var followUps = await db.Set<TaskFollowUpRecord>().AsNoTracking().Where(f => f.PersonId == personId)
            .ToDictionaryAsync(f => f.WorkItemId, f => f.FollowUpOn, ct);
        var shownGroups = shares.Where(s => s.Row.GroupId is not null).Select(s => s.Row.GroupId!.Value).Distinct().ToList();
        var names = await GroupNames.LoadAsync(db, shownGroups, ct, catalog);
        var numbers = await db.Groups.AsNoTracking().Where(g => shownGroups.Contains(g.Id)).ToDictionaryAsync(g => g.Id, g => g.Number, ct);
        var programmeIds = places.Select(p => p.ProgrammeId).ToList();
        var programmes = await db.Programmes.AsNoTracking().Where(p => programmeIds.Contains(p.Id)).ToDictionaryAsync(p => p.Id, p => p.Name, ct);

        var tasks = shares.Select(s =>
        {
            var r = s.Row;
            var followUp = followUps.TryGetValue(r.Id, out var on) ? on : (DateOnly?)null;
            var programmeName = programmes.GetValueOrDefault(r.ProgrammeId) ?? r.ProgrammeId;
            return new InboxTask(r.Id, r.Kind, r.Title, r.ProgrammeId, programmeName, r.GroupId,
                r.GroupId is { } g ? numbers.GetValueOrDefault(g) : null,
                r.GroupId is { } gid && names.TryGetValue(gid, out var n) && n.Line.Length > 0 ? n.Line : programmeName,
                r.Assignee, r.DueAt, priorities.GetValueOrDefault(r.Id) ?? TaskPriorities.Normal, followUp,
                s.Share.Mine, s.Share.Team, s.Share.Waiting, r.DueAt is { } due && due < now, followUp is { } f && f > today,
                s.Share.MayPrioritise, r.ProgrammeId == currentProgramme, $"/tasks/{r.Id}");
        }).ToList();
        return (tasks, today);
    }

    private static string? CityIn(IEnumerable<InboxPlace> cityPlaces, string programmeId) =>
        cityPlaces.FirstOrDefault(p => p.ProgrammeId == programmeId)?.CityId;

    /// <summary>The tasks one filter shows, in one order. "mine" hides what the person put off to a later day; the
    /// other filters show it (marked), so nothing put off is lost. Null filter or sort: mine, by due date.</summary>
    public static InboxOutcome<IReadOnlyList<InboxTask>> Apply(IEnumerable<InboxTask> tasks, string? filter, string? sort, DateTimeOffset now)
    {
        filter = string.IsNullOrEmpty(filter) ? Mine : filter;
        sort = string.IsNullOrEmpty(sort) ? ByDue : sort;
        if (!Filters.Contains(filter)) return InboxRefusal.BadFilter;
        if (!Sorts.Contains(sort)) return InboxRefusal.BadSort;
        var shown = tasks.Where(t => filter switch
        {
            Mine => t.Mine && !t.Snoozed,
            Team => t.Team,
            Overdue => (t.Mine || t.Team) && t.Overdue,
            DueThisWeek => (t.Mine || t.Team) && t.DueAt is { } due && due >= now && due < now + Week,
            _ => t.Waiting,
        });
        // Without a due date a task goes last when sorting by it; ties by title, then id, so the order is stable.
        var ordered = sort == ByPriority
            ? shown.OrderByDescending(t => TaskPriorities.Rank(t.Priority)).ThenBy(t => t.DueAt ?? DateTimeOffset.MaxValue)
            : shown.OrderBy(t => t.DueAt ?? DateTimeOffset.MaxValue).ThenByDescending(t => TaskPriorities.Rank(t.Priority));
        return new InboxOutcome<IReadOnlyList<InboxTask>>(ordered.ThenBy(t => t.Title, StringComparer.Ordinal).ThenBy(t => t.Id).ToList());
    }

    /// <summary>The header's count: the person's own open tasks due within the week or overdue, not put off.</summary>
    public static int Count(IEnumerable<InboxTask> tasks, DateTimeOffset now) =>
        tasks.Count(t => t.Mine && !t.Snoozed && t.DueAt is { } due && due < now + Week);

    public static async Task<InboxOutcome<InboxView>> ViewAsync(MentoringDb db, Guid personId, string? currentProgramme, string? filter,
        string? sort, DateTimeOffset now, CancellationToken ct, DefinitionCatalog? catalog = null)
    {
        var (all, today) = await AllAsync(db, personId, currentProgramme, now, ct, catalog);
        var shown = Apply(all, filter, sort, now);
        if (shown.Refusal != InboxRefusal.None) return shown.Refusal;
        return new InboxOutcome<InboxView>(new InboxView(string.IsNullOrEmpty(filter) ? Mine : filter!, string.IsNullOrEmpty(sort) ? ByDue : sort!,
            today, Count(all, now), shown.Value!));
    }

    public static async Task<int> CountAsync(MentoringDb db, Guid personId, DateTimeOffset now, CancellationToken ct) =>
        Count((await AllAsync(db, personId, null, now, ct)).Tasks, now);

    /// <summary>Sets (or with an empty date clears) the person's follow-up date for a task of their inbox: a day from
    /// their today on (ISO yyyy-MM-dd) and within <see cref="MaxFollowUpDays"/>. Setting the same date again changes nothing.</summary>
    public static async Task<InboxOutcome<InboxTask>> SetFollowUpAsync(MentoringDb db, Guid personId, Guid itemId, string? on,
        DateTimeOffset now, CancellationToken ct)
    {
        var (all, today) = await AllAsync(db, personId, null, now, ct);
        if (all.FirstOrDefault(t => t.Id == itemId) is null) return InboxRefusal.NotFound;
        DateOnly? date = null;
        if (!string.IsNullOrWhiteSpace(on))
        {
            if (!DateOnly.TryParseExact(on.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
                return InboxRefusal.BadDate;
            if (parsed < today) return InboxRefusal.DateInThePast;
            if (parsed > today.AddDays(MaxFollowUpDays)) return InboxRefusal.DateTooFar;
            date = parsed;
        }

        var rows = db.Set<TaskFollowUpRecord>().Where(f => f.PersonId == personId && f.WorkItemId == itemId);
        if (date is not { } day) await rows.ExecuteDeleteAsync(ct);
        else await UpsertAsync(
            () => rows.ExecuteUpdateAsync(set => set.SetProperty(f => f.FollowUpOn, day).SetProperty(f => f.UpdatedAt, now), ct),
            () => db.Set<TaskFollowUpRecord>().Add(new TaskFollowUpRecord { PersonId = personId, WorkItemId = itemId, FollowUpOn = day, UpdatedAt = now }),
            db, ct);
        return await TaskAsync(db, personId, itemId, now, ct);
    }

    /// <summary>Sets a task's priority: its city (<see cref="InboxShare.MayPrioritise"/>) or the facilitator may.</summary>
    public static async Task<InboxOutcome<InboxTask>> SetPriorityAsync(MentoringDb db, Guid personId, Guid itemId, string? priority,
        DateTimeOffset now, CancellationToken ct)
    {
        if (priority is null || !TaskPriorities.All.Contains(priority)) return InboxRefusal.BadPriority;
        var (all, _) = await AllAsync(db, personId, null, now, ct);
        if (all.FirstOrDefault(t => t.Id == itemId) is not { } task) return InboxRefusal.NotFound;
        if (!task.MayPrioritise) return InboxRefusal.Forbidden;
        if (task.Priority != priority)
        {
            var rows = db.Set<TaskPriorityRecord>().Where(p => p.WorkItemId == itemId);
            await UpsertAsync(
                () => rows.ExecuteUpdateAsync(set => set.SetProperty(p => p.Priority, priority).SetProperty(p => p.SetBy, personId)
                    .SetProperty(p => p.UpdatedAt, now), ct),
                () => db.Set<TaskPriorityRecord>().Add(new TaskPriorityRecord { WorkItemId = itemId, Priority = priority, SetBy = personId, UpdatedAt = now }),
                db, ct);
        }

        return await TaskAsync(db, personId, itemId, now, ct);
    }

    private static async Task<InboxOutcome<InboxTask>> TaskAsync(MentoringDb db, Guid personId, Guid itemId, DateTimeOffset now, CancellationToken ct) =>
        (await AllAsync(db, personId, null, now, ct)).Tasks.FirstOrDefault(t => t.Id == itemId) is { } task
            ? new InboxOutcome<InboxTask>(task)
            : InboxRefusal.NotFound;

    /// <summary>Update the row, or insert it when there is none; two nodes inserting at once: the loser's insert fails on
    /// the key and it updates the winner's row instead. One statement either way, so no transaction is needed.</summary>
    private static async Task UpsertAsync(Func<Task<int>> update, Action add, MentoringDb db, CancellationToken ct)
    {
        if (await update() > 0) return;
        add();
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            await update();
        }
    }
}
