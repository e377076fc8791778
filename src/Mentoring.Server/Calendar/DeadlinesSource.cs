using System.Security.Claims;
using Mentoring.Server.Auth;
using Mentoring.Server.Data;
using Mentoring.Server.Email;
using Mentoring.Server.Pairs;
using Mentoring.Server.Programme;
using Mentoring.Server.Workflows;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Mentoring.Server.Calendar;

/// <summary>
/// The deadlines in a person's feed: their open work items (tasks, study visits, approvals) with a due date, each an
/// all-day entry on its due date in the person's time zone, linking to the task. Only where they may look, as the pages
/// decide it (<see cref="CalendarReaders.UserAsync"/>): in their current programme, the groups the pairs list shows them
/// (<see cref="PairQueries.Summaries"/>) and the programme's own workflow when they follow it
/// (<see cref="CurrentUser.SeesProgrammeWork"/>). An item is theirs when it is assigned to the role they act as there: a
/// coordinator's city's role in the group (or both roles), the facilitator's, a programme-scope role's. Observers own
/// none.
/// </summary>
public sealed class DeadlinesSource(DefinitionStore definitions, OutboxWriter outbox, IOptions<EmailOptions> options) : ICalendarSource
{
    private static readonly string[] Kinds = ["task", "study-visit", "approval"];

    public async Task<IReadOnlyList<CalendarEntry>> EntriesForAsync(MentoringDb db, CalendarReader reader, CancellationToken ct)
    {
        var user = await CalendarReaders.UserAsync(db, reader.PersonId, ct);
        if (user is null) return [];
        var person = await db.People.AsNoTracking().SingleAsync(p => p.Id == reader.PersonId, ct);
        var programmeId = user.ProgrammeId();
        var site = options.Value.PublicUrl.TrimEnd('/');
        var entries = new List<CalendarEntry>();

        var groups = await PairQueries.Summaries(db, user).Select(s => s.Id).ToListAsync(ct);
        var visible = await db.Groups.AsNoTracking().Where(g => groups.Contains(g.Id)).Select(g => new { g.Id, g.InstanceId }).ToListAsync(ct);
        var instances = visible.Select(g => g.InstanceId).ToList();
        var city = user.CityId();
        var cityRoles = city is null ? [] : await db.GroupMembers.AsNoTracking().Where(m => groups.Contains(m.GroupId) && m.CityId == city)
            .Select(m => new { m.GroupId, m.Role }).ToListAsync(ct);
        var items = await db.WorkItems.AsNoTracking()
            .Where(w => instances.Contains(w.InstanceId) && w.Status == WorkItemStatus.Open && w.DueAt != null && Kinds.Contains(w.Kind))
            .ToListAsync(ct);
        var names = await outbox.NamesAsync(db, visible.Select(g => g.Id).ToList(), ct);
        foreach (var group in visible)
        {
            var roles = Roles(user, cityRoles.Where(r => r.GroupId == group.Id).Select(r => r.Role));
            foreach (var item in items.Where(i => i.InstanceId == group.InstanceId && roles.Contains(i.Assignee ?? Both)))
                entries.Add(Entry(item, names.TryGetValue(group.Id, out var n) ? n.Line : null, person, site));
        }

        var (programme, definition) = await definitions.ProgrammeWorkflowAsync(db, programmeId, ct);
        if (programme is not null && user.SeesProgrammeWork(programmeId, definition))
        {
            var roles = Roles(user, []);
            var own = await db.WorkItems.AsNoTracking()
                .Where(w => w.InstanceId == programme.Id && w.Status == WorkItemStatus.Open && w.DueAt != null && Kinds.Contains(w.Kind))
                .ToListAsync(ct);
            var name = OutboxWriter.ProgrammeName(db, programmeId, reader.Language);
            entries.AddRange(own.Where(i => roles.Contains(i.Assignee ?? PersonRoles.Facilitator)).Select(i => Entry(i, name, person, site)));
        }

        return entries;
    }

    /// <summary>The engine's "every acting role" assignee (<see cref="Mentoring.Engine.Definitions.Role.Both"/>).</summary>
    private static readonly string Both = Mentoring.Engine.Definitions.Role.Both.Id;

    /// <summary>The assignees whose items are the person's: a coordinator's city's roles in the group and "both"; the
    /// facilitator's (admins too: they act as the facilitator); a programme-scope role's own.</summary>
    private static HashSet<string> Roles(ClaimsPrincipal user, IEnumerable<string> cityRoles)
    {
        if (user.SeesWholeProgramme()) return [PersonRoles.Facilitator];
        if (user.IsInRole(PersonRoles.Coordinator)) return [.. cityRoles.Select(r => r.ToLowerInvariant()), Both];
        if (user.IsInRole(PersonRoles.Observer)) return [];
        return user.Role() is { Length: > 0 } role ? [role.ToLowerInvariant()] : [];
    }

    private CalendarEntry Entry(WorkItem item, string? where, Person person, string site)
    {
        var title = outbox.InLanguage(item.Title, person.Language);
        var due = item.DueAt!.Value;
        return new CalendarEntry($"deadline-{item.Id}@mentoring", where is null ? title : $"{title} ({where})", due, due,
            person.TimeZone, AllDay: true, PageUrl: Dashboard.TaskLinks.For(site, item.Id));
    }
}

/// <summary>Who a feed's reader is, for the sources: the person's claims as a sign-in would give them (their current
/// programme, role and city), so a source decides access exactly as the pages do, without a cookie.</summary>
public static class CalendarReaders
{
    public static async Task<ClaimsPrincipal?> UserAsync(MentoringDb db, Guid personId, CancellationToken ct)
    {
        var person = await db.People.AsNoTracking().SingleOrDefaultAsync(p => p.Id == personId, ct);
        if (person is null) return null;
        return new ClaimsPrincipal(new ClaimsIdentity(await CurrentUser.ClaimsAsync(db, person, ct), "calendar-feed"));
    }
}
