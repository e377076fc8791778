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

/// <summary>A member city of a group and the role it holds there.</summary>
public sealed record MemberRef(string Id, string Name, string Role);

/// <summary>A group (a pair, a cluster, a member) as lists show it. <see cref="Mentor"/> and <see cref="Mentee"/> are
/// a pair's two cities (empty for other shapes), kept for the API; pages name the members by role with
/// <see cref="Names"/>. <see cref="Theme"/> is the group's title.</summary>
public sealed record PairSummary(Guid Id, int Number, IReadOnlyList<MemberRef> Members, string Theme, int CurrentStep,
    string Stage, string Status, DateTimeOffset? NextDueAt, string Workflow, int WorkflowVersion)
{
    /// <summary>Its members by role, in the order the definition it runs declares its roles.</summary>
    public GroupNames Names(DefinitionCatalog catalog) =>
        GroupNames.InRoleOrder(Members.Select(m => (m.Role, m.Id, m.Name)), catalog.Find(Workflow, WorkflowVersion));

    public CityRef Mentor => CityIn("mentor");
    public CityRef Mentee => CityIn("mentee");

    private CityRef CityIn(string role) =>
        Members.FirstOrDefault(m => m.Role == role) is { } member ? new CityRef(member.Id, member.Name) : new CityRef("", "");
}

public sealed record WorkItemView(Guid Id, string Kind, string StepId, string Title, string? Description, string? Assignee,
    string Status, string StageId, DateTimeOffset OpenedAt, DateTimeOffset? DueAt, DateTimeOffset? ClosedAt, string? ClosedBy)
{
    /// <summary>For a task: what completing it needs (note, link, file ...); for an approval: what approving it waits for
    /// (benchmark: the group's benchmark agreed).</summary>
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

/// <summary>The read side of groups (the pairs feature's URLs). Lists select only the columns they show; progress lives
/// on the instance row. Everything is of the reader's current programme.</summary>
public static class PairQueries
{
    /// <summary>The group as exports title it, "Pair 4: Schaerbeek – Jelgava": the programme's word for a group and its
    /// members in the workflow's role order.</summary>
    public static string NumberedLine(PairSummary summary, DefinitionStore definitions, ProgrammeTerms terms) =>
        $"{terms.Numbered(summary.Number)}: {GroupNames.InRoleOrder(summary.Members.Select(m => (m.Role, m.Id, m.Name)), definitions.Find(summary.Workflow, summary.WorkflowVersion)).Line}";

    public static IQueryable<PairSummary> Summaries(MentoringDb db, ClaimsPrincipal user, Guid? pairId = null)
    {
        var programmeId = user.ProgrammeId();
        var groups = db.Groups.Where(g => g.ProgrammeId == programmeId);
        if (pairId is { } id) groups = groups.Where(g => g.Id == id);
        if (user.SeesWholeProgramme())
        {
        }
        else if (user.IsInRole(PersonRoles.Coordinator))
        {
            var city = user.CityId();
            groups = groups.Where(g => db.GroupMembers.Any(m => m.GroupId == g.Id && m.CityId == city));
        }
        else if (user.IsInRole(PersonRoles.Observer))
        {
            var organisation = user.Organisation();
            var cities = db.ProgrammeMembers.Where(m => m.ProgrammeId == programmeId && m.Association == organisation).Select(m => m.CityId);
            groups = groups.Where(g => db.GroupMembers.Any(m => m.GroupId == g.Id && cities.Contains(m.CityId)));
        }
        else if (string.IsNullOrEmpty(user.Role()))
        {
            groups = groups.Where(_ => false);
        }
        // else: a programme-scope role of the workflows (a coordination team) follows every group, as CanRead says.

        return from g in groups
            join instance in db.Instances on g.InstanceId equals instance.Id
            orderby g.Number
            select new PairSummary(g.Id, g.Number,
                (from m in db.GroupMembers
                    where m.GroupId == g.Id
                    join c in db.Cities on m.CityId equals c.Id
                    orderby m.Role, c.Name
                    select new MemberRef(c.Id, c.Name, m.Role)).ToList(),
                g.Title, instance.StageNumber, instance.StageName, instance.Status, instance.NextDueAt,
                instance.DefinitionId, instance.DefinitionVersion);
    }

    /// <summary>The group of <paramref name="programmeId"/>, its members and their associations there (for the
    /// observers' access check), or null: another programme's group is not found, as one that does not exist.</summary>
    public static async Task<(Group Group, IReadOnlyList<GroupMember> Members, IReadOnlyList<string?> Associations)?> FindAsync(
        MentoringDb db, Guid id, string programmeId, CancellationToken cancellationToken)
    {
        var group = await db.Groups.AsNoTracking().SingleOrDefaultAsync(g => g.Id == id && g.ProgrammeId == programmeId, cancellationToken);
        if (group is null) return null;
        var members = await db.GroupMembers.AsNoTracking().Where(m => m.GroupId == id).ToListAsync(cancellationToken);
        var cities = members.Select(m => m.CityId).ToList();
        var associations = await db.ProgrammeMembers.AsNoTracking()
            .Where(m => m.ProgrammeId == group.ProgrammeId && cities.Contains(m.CityId)).Select(m => m.Association)
            .ToListAsync(cancellationToken);
        return (group, members, associations);
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
                    Requires = task.Requires.Select(r => r.ToString()).ToList(),
                    Options = task.Choice?.Options ?? [],
                },
                ApprovalStep approval => item with { Requires = approval.Requires.Select(r => r.ToString()).ToList() },
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
