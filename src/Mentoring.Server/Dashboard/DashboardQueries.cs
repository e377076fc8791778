using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Mentoring.Engine.Definitions;
using Mentoring.Server.Auth;
using Mentoring.Server.Data;
using Mentoring.Server.Email;
using Mentoring.Server.Pairs;
using Mentoring.Server.Programme;
using Mentoring.Server.Web;
using Mentoring.Server.Workflows;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Dashboard;

public enum StepState { Done, InProgress, DueSoon, Overdue, NotStarted, StoppedByError }

public sealed record OpenItemRow(Guid ItemId, Guid PairId, int PairNumber, string Members, string Kind, string Title, string? Assignee,
    DateTimeOffset? DueAt, DateOnly? VisitDate, string? VisitHost, string? VisitPhase);

public sealed record NudgeResponse(int Recipients);

/// <summary>What a nudge's Idempotency-Key is a key for: the same key for another task is another request.</summary>
public sealed record NudgeRequest(Guid ItemId);

public sealed record StageSpan(int Number, DateTimeOffset From, DateTimeOffset To);

/// <summary>The pairs of one page that run one workflow, with that workflow's steps: the dashboard's columns.</summary>
public sealed record WorkflowProgress(WorkflowSteps Steps, IReadOnlyList<PairSummary> Pairs);

/// <summary>The dashboard beside its table of pairs: how many pairs, and the lists of what is overdue, coming and waiting.</summary>
public sealed record DashboardSummary(int TotalPairs, IReadOnlyList<OpenItemRow> Overdue, IReadOnlyList<OpenItemRow> Visits,
    IReadOnlyList<OpenItemRow> Gates);

/// <summary>The facilitator's view of every pair: progress against its workflow's steps, what is overdue, visits to come,
/// gates to approve, and the CSV export. Reads only the columns it shows; one page of pairs at a time.</summary>
public static class DashboardQueries
{
    public const int PageSize = 50;
    public static readonly TimeSpan DueSoon = TimeSpan.FromDays(7);

    public static StepState State(PairSummary pair, int step, DateTimeOffset now)
    {
        if (pair.Status == "completed" || step < pair.CurrentStep) return StepState.Done;
        if (step > pair.CurrentStep) return StepState.NotStarted;
        // A faulted instance is not "in progress": nothing moves until an operator retries it (Instances/Incidents).
        if (pair.Status == "faulted") return StepState.StoppedByError;
        if (pair.NextDueAt is { } due && due < now) return StepState.Overdue;
        if (pair.NextDueAt is { } soon && soon < now + DueSoon) return StepState.DueSoon;
        return StepState.InProgress;
    }

    public static Task<List<PairSummary>> PageAsync(MentoringDb db, System.Security.Claims.ClaimsPrincipal user, int page,
        CancellationToken ct) =>
        PairQueries.Summaries(db, user).AsNoTracking().Skip(Math.Max(0, page) * PageSize).Take(PageSize).ToListAsync(ct);

    /// <summary>The page's pairs by the workflow they run, each with the steps of the definition versions its pairs run,
    /// in the order of the page: a programme whose groups run different workflows shows one table per workflow, since a
    /// step number means another step in each.</summary>
    public static async Task<IReadOnlyList<WorkflowProgress>> ByWorkflowAsync(MentoringDb db, DefinitionCatalog catalog,
        IReadOnlyList<PairSummary> pairs, CancellationToken ct)
    {
        var ids = pairs.Select(p => p.Id).ToList();
        var runs = await (from grp in db.Groups
                where ids.Contains(grp.Id)
                join instance in db.Instances on grp.InstanceId equals instance.Id
                select new { grp.Id, instance.DefinitionId, instance.DefinitionVersion })
            .AsNoTracking().ToDictionaryAsync(r => r.Id, ct);
        return pairs.GroupBy(p => runs[p.Id].DefinitionId)
            .Select(g =>
            {
                var versions = g.Select(p => runs[p.Id].DefinitionVersion).Distinct()
                    .Select(v => catalog.Find(g.Key, v)).OfType<WorkflowDefinition>().ToList();
                var steps = versions.Count > 0 ? WorkflowSteps.Of(versions) : new WorkflowSteps(g.Key, g.Key, []);
                return new WorkflowProgress(steps, g.ToList());
            })
            .ToList();
    }

    /// <param name="today">The reader's local date: visits from today on are "to come".</param>
    /// <param name="programmeId">The reader's current programme: nothing of another shows.</param>
    /// <param name="today">The reader's local date: visits from today on are "to come".</param>
    public static async Task<DashboardSummary> SummaryAsync(MentoringDb db, DefinitionCatalog catalog, string programmeId, DateTimeOffset now,
        DateOnly today, CancellationToken ct)
    {
        var total = await db.Groups.CountAsync(g => g.ProgrammeId == programmeId, ct);
        var overdue = await OpenItemsAsync(db, catalog, programmeId, i => i.Kind != "approval" && i.DueAt != null && i.DueAt < now, i => i.DueAt, 100, ct);
        var visits = await OpenItemsAsync(db, catalog, programmeId, i => i.Kind == "study-visit" && i.VisitDate != null && i.VisitDate >= today,
            i => i.VisitDate, 100, ct);
        var gates = await OpenItemsAsync(db, catalog, programmeId, i => i.Kind == "approval", i => i.OpenedAt, 100, ct);
        return new DashboardSummary(total, overdue, visits, gates);
    }

    /// <summary>Open tasks, visits and approvals of every group of the programme that match the filter, in the given
    /// order. <see cref="OpenItemRow.Members"/> is the group's one-line name (<see cref="GroupNames.Line"/>).</summary>
    public static async Task<List<OpenItemRow>> OpenItemsAsync<TKey>(MentoringDb db, DefinitionCatalog catalog, string programmeId,
        System.Linq.Expressions.Expression<Func<WorkItem, bool>> filter,
        System.Linq.Expressions.Expression<Func<WorkItem, TKey>> order, int take, CancellationToken ct)
    {
        var programmeInstances = db.Instances.Where(i => i.ProgrammeId == programmeId && i.GroupId != null).Select(i => i.Id);
        var rows = await (from item in db.WorkItems.Where(w => w.Status == WorkItemStatus.Open
                    && (w.Kind == "task" || w.Kind == "study-visit" || w.Kind == "approval")
                    && programmeInstances.Contains(w.InstanceId)).Where(filter).OrderBy(order).Take(take)
                join g in db.Groups on item.InstanceId equals g.InstanceId
                select new { item, Group = g })
            .AsNoTracking().ToListAsync(ct);
        var names = await GroupNames.LoadAsync(db, rows.Select(r => r.Group.Id).Distinct().ToList(), ct, catalog);
        return rows.Select(r => new OpenItemRow(r.item.Id, r.Group.Id, r.Group.Number, names[r.Group.Id].Line,
            r.item.Kind, r.item.Title, r.item.Assignee, r.item.DueAt, r.item.VisitDate, r.item.VisitHost, r.item.VisitPhase)).ToList();
    }

    public static async Task<Dictionary<Guid, List<StageSpan>>> SpansAsync(MentoringDb db, IReadOnlyList<PairSummary> pairs,
        DateTimeOffset now, CancellationToken ct)
    {
        var ids = pairs.Select(p => p.Id).ToList();
        var rows = await (from pair in db.Groups
                where ids.Contains(pair.Id)
                join entry in db.Journal on pair.InstanceId equals entry.InstanceId
                where entry.Type == "stage-started" || entry.Type == "stage-restarted" || entry.Type == "completed"
                orderby entry.Id
                select new { pair.Id, entry.At, entry.Type, entry.Data })
            .AsNoTracking().ToListAsync(ct);
        var spans = new Dictionary<Guid, List<StageSpan>>();
        foreach (var group in rows.GroupBy(r => r.Id))
        {
            var list = new List<StageSpan>();
            var entries = group.ToList();
            for (var i = 0; i < entries.Count; i++)
            {
                if (entries[i].Type == "completed") break;
                var number = JsonNode.Parse(entries[i].Data)?["number"]?.GetValue<int>() ?? 0;
                var end = i + 1 < entries.Count ? entries[i + 1].At : now;
                list.Add(new StageSpan(number, entries[i].At, end));
            }

            spans[group.Key] = list;
        }

        return spans;
    }

    /// <summary>The progress export: each pair's step of its workflow's last step (<c>step</c>, <c>steps</c>, from the
    /// definition it runs) and the step's name in the reader's language (<paramref name="text"/>).</summary>
    public static async Task<string> CsvAsync(MentoringDb db, DefinitionCatalog catalog, Texts text,
        System.Security.Claims.ClaimsPrincipal user, DateTimeOffset now, CancellationToken ct)
    {
        var overdue = await db.WorkItems.AsNoTracking()
            .Where(w => w.Status == WorkItemStatus.Open && w.DueAt != null && w.DueAt < now)
            .GroupBy(w => w.InstanceId).Select(g => new { g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.Key, g => g.Count, ct);
        var programmeId = user.ProgrammeId();
        var instances = await (from grp in db.Groups
                where grp.ProgrammeId == programmeId
                join instance in db.Instances on grp.InstanceId equals instance.Id
                select new { grp.Id, grp.InstanceId, instance.DefinitionId, instance.DefinitionVersion })
            .AsNoTracking().ToDictionaryAsync(p => p.Id, ct);
        // One column per group role the programme's workflows declare (a pair: mentor, mentee; a member: member; a
        // cluster: core, observer), in their order, so a spreadsheet's columns hold still from one export to the next.
        // A role id as the definitions write it ("mentor") heads its column unquoted, as the other headers are.
        var roles = instances.Values.Select(i => (i.DefinitionId, i.DefinitionVersion)).Distinct()
            .SelectMany(run => GroupNames.GroupRoles(catalog.Find(run.DefinitionId, run.DefinitionVersion)).Select(r => r.Id))
            .Distinct().ToList();
        var csv = new StringBuilder("group,").AppendJoin(',', roles.Select(r => r.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_') ? r : Cell(r))).Append(roles.Count > 0 ? "," : "")
            .Append("theme,step,steps,stage,status,next_due,overdue_items\r\n");
        await foreach (var p in PairQueries.Summaries(db, user).AsNoTracking().AsAsyncEnumerable().WithCancellation(ct))
        {
            var run = instances[p.Id];
            overdue.TryGetValue(run.InstanceId, out var late);
            var steps = catalog.Find(run.DefinitionId, run.DefinitionVersion) is { } definition ? WorkflowSteps.Of(definition).Last : 0;
            csv.Append(p.Number).Append(',');
            foreach (var role in roles)
                csv.Append(Cell(string.Join("; ", p.Members.Where(m => m.Role == role).Select(m => m.Name).Order(StringComparer.Ordinal)))).Append(',');
            csv.Append(Cell(p.Theme)).Append(',').Append(p.CurrentStep).Append(',').Append(steps).Append(',')
                .Append(Cell(text.DefinitionText(p.Stage))).Append(',')
                .Append(p.Status).Append(',').Append(p.NextDueAt is { } due ? Fmt.IsoDateTime(due) : null)
                .Append(',').Append(late).Append("\r\n");
        }

        return csv.ToString();
    }

    /// <summary>A quoted CSV cell; a leading = + - @ is defused so a spreadsheet does not run it as a formula.</summary>
    private static string Cell(string value)
    {
        if (value.Length > 0 && "=+-@".Contains(value[0])) value = "'" + value;
        return "\"" + value.Replace("\"", "\"\"") + "\"";
    }

    public static IEndpointRouteBuilder MapDashboardApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/dashboard/export.csv", async (HttpContext http, IDbContextFactory<MentoringDb> dbs, DefinitionStore definitions,
                Texts text, TimeProvider clock, CancellationToken ct) =>
            {
                await using var db = await dbs.CreateDbContextAsync(ct);
                var csv = await CsvAsync(db, definitions.Catalog, text, http.User, clock.GetUtcNow(), ct);
                return Results.File(Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(csv)).ToArray(), "text/csv; charset=utf-8",
                    "pairs-progress.csv");
            })
            .RequireAuthorization(policy => policy.RequireRole(PersonRoles.Facilitator, PersonRoles.Admin))
            .WithTags("Dashboard");

        // The dashboard's manual reminder, for API callers: the Idempotency-Key makes a retry one nudge.
        app.MapPost("/api/tasks/{itemId:guid}/nudge", async Task<Results<Ok<NudgeResponse>, ProblemHttpResult>> (Guid itemId,
                HttpContext http, IDbContextFactory<MentoringDb> dbs, OutboxWriter outbox,
                Microsoft.Extensions.Options.IOptions<EmailOptions> email, TimeProvider clock, CancellationToken ct) =>
            {
                if (http.ApiKey(new NudgeRequest(itemId)) is not { } key)
                    return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Idempotency-Key header required");
                var sent = await NudgeAsync(dbs, outbox, itemId, http.User.ProgrammeId(), key, clock, email.Value.PublicUrl, ct);
                switch (sent.Kind)
                {
                    case IdempotentKind.Done:
                        return TypedResults.Ok(sent.Response);
                    case IdempotentKind.Replayed:
                        http.Response.MarkReplayed();
                        return TypedResults.Ok(sent.Response);
                    case IdempotentKind.Refused:
                        return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such open task",
                            detail: $"There is no open task {itemId}.");
                    case IdempotentKind.InFlight:
                        return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Still in progress",
                            detail: Idempotency.InFlightMessage);
                    default:
                        return TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "Idempotency-Key reused",
                            detail: "This Idempotency-Key was used for a different request; use a new key for a new request.");
                }
            })
            .RequireAuthorization(policy => policy.RequireRole(PersonRoles.Facilitator, PersonRoles.Admin))
            .WithTags("Dashboard");
        return app.MapTaskLinks();
    }

    /// <summary>A manual reminder for an open task, written to the outbox for the coordinator(s) it is assigned to,
    /// once per key (a double submit, a retry, or the same request twice at once is one nudge). Refused when the task
    /// is not open.</summary>
    public static Task<Idempotent<NudgeResponse>> NudgeAsync(IDbContextFactory<MentoringDb> dbs, OutboxWriter outbox, Guid itemId,
        string programmeId, IdempotencyKey key, TimeProvider clock, string publicUrl, CancellationToken ct) =>
        Idempotency.RunAsync<NudgeResponse>(dbs, key, clock, async db =>
            await NudgeAsync(db, outbox, itemId, programmeId, clock.GetUtcNow(), publicUrl, ct) is { } sent
                ? Idempotent<NudgeResponse>.Done(new NudgeResponse(sent))
                : Idempotent<NudgeResponse>.Refused("not-open"), ct);

    /// <summary>Adds the reminder's outbox rows to the context; null when the task is not open (or is another
    /// programme's). The caller saves.</summary>
    private static async Task<int?> NudgeAsync(MentoringDb db, OutboxWriter outbox, Guid itemId, string programmeId, DateTimeOffset now,
        string publicUrl, CancellationToken ct)
    {
        var row = await (from item in db.WorkItems
                where item.Id == itemId && item.Status == WorkItemStatus.Open && item.Kind == "task"
                join pair in db.Groups on item.InstanceId equals pair.InstanceId
                where pair.ProgrammeId == programmeId
                select new { item, pair })
            .AsNoTracking().SingleOrDefaultAsync(ct);
        if (row is null) return null;
        var programme = await db.Programmes.AsNoTracking().SingleAsync(p => p.Id == programmeId, ct);
        var names = (await outbox.NamesAsync(db, [row.pair.Id], ct))[row.pair.Id];
        var members = names.Members.Select(m => new { m.Role, m.CityId, m.Name }).ToList();
        // A task for one role goes to the cities holding it; "both" (or a role no member holds) to every member city.
        var cities = members.Where(m => m.Role == row.item.Assignee).Select(m => m.CityId).ToList();
        if (cities.Count == 0) cities = members.Select(m => m.CityId).ToList();
        var people = await (from place in db.ProgrammePeople.AsNoTracking()
                where place.ProgrammeId == programmeId && place.Role == PersonRoles.Coordinator && place.CityId != null
                      && cities.Contains(place.CityId)
                join p in db.People on place.PersonId equals p.Id
                select p).ToListAsync(ct);
        // A city team answers with one person: the task's assignee, their deputy while away, the lead while unclaimed.
        if ((await Teams.TeamBook.WhoAnswersAsync(db, [itemId], now, ct)).GetValueOrDefault(itemId) is { Count: > 0 } answering)
            people = answering.Select(a => a.Person).DistinctBy(p => p.Id).ToList();
        foreach (var person in people)
        {
            var culture = OutboxWriter.Culture(person.Language);
            var task = new JsonObject { ["title"] = row.item.Title };
            if (row.item.DueAt is { } due)
            {
                task["due"] = TimeZoneInfo.ConvertTime(due, TimeZoneInfo.FindSystemTimeZoneById(person.TimeZone)).ToString("D", culture);
                task["daysLeft"] = Math.Max(0, (int)Math.Ceiling((due - now).TotalDays));
            }

            var model = new JsonObject
            {
                ["group"] = OutboxWriter.GroupModel(programme, row.pair, names, person.Language),
                ["task"] = task,
            };
            outbox.AddToPerson(db, person, "task-reminder", model, TaskLinks.For(publicUrl, row.item.Id), now,
                instanceId: row.item.InstanceId);
        }

        return people.Count;
    }
}
