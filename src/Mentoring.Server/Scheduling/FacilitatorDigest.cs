using System.Text.Json.Nodes;
using Mentoring.Engine.Definitions;
using Mentoring.Engine.Runtime;
using Mentoring.Server.Data;
using Mentoring.Server.Email;
using Mentoring.Server.Programme;
using Mentoring.Server.Workflows;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Mentoring.Server.Scheduling;

/// <summary>
/// The facilitator's weekly digest, where overdue escalations reach the facilitator unless a reminder rule emails
/// them copies: overdue tasks, tasks due this week, upcoming study visits and gates awaiting
/// approval across all pairs of a programme. One outbox row per facilitator per ISO week: its message id names the
/// week, so a re-run (a misfire, a second node, a retry) finds it written and writes nothing.
/// </summary>
public sealed class FacilitatorDigest(
    IDbContextFactory<MentoringDb> dbs,
    OutboxWriter outbox,
    TimeProvider clock,
    IOptions<SchedulingOptions> options,
    IOptions<EmailOptions> email,
    DefinitionStore definitions,
    Microsoft.Extensions.Localization.IStringLocalizerFactory localizers,
    ILogger<FacilitatorDigest> logger)
{
    /// <summary>Writes this week's digests not written yet; returns how many.</summary>
    public async Task<int> WriteAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var digestWeek = DigestRules.WeekOf(now, TimeZoneInfo.FindSystemTimeZoneById(options.Value.DigestTimeZone));
        var week = digestWeek.Name;

        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var written = 0;
        foreach (var programme in await db.Programmes.AsNoTracking().ToListAsync(cancellationToken))
        {
            var facilitators = await (from place in db.ProgrammePeople.AsNoTracking()
                    where place.ProgrammeId == programme.Id && place.Role == PersonRoles.Facilitator
                    join p in db.People on place.PersonId equals p.Id
                    select new { p.Id, p.Name, p.Email, p.Language, p.TimeZone })
                .ToListAsync(cancellationToken);
            var keys = facilitators.ToDictionary(f => f.Id, f => outbox.KeyedMessageId($"digest-{programme.Id}-{week}-{f.Id:N}"));
            var ids = keys.Values.ToList();
            var done = (await db.Outbox.AsNoTracking().Where(m => ids.Contains(m.MessageId)).Select(m => m.MessageId)
                .ToListAsync(cancellationToken)).ToHashSet();
            var due = facilitators.Where(f => !done.Contains(keys[f.Id])).ToList();
            if (due.Count == 0) continue;

            var content = await ContentAsync(db, programme.Id, now, digestWeek, cancellationToken);
            // Nothing overdue, due, coming up, waiting or stuck: an empty digest is one more email to delete.
            if (content is { Overdue.Count: 0, DueSoon: 0, Visits.Count: 0, Approvals.Count: 0, Stuck.Count: 0 }) continue;
            foreach (var facilitator in due)
            {
                var recipient = new Recipient(facilitator.Id.ToString(), facilitator.Name, facilitator.Email, facilitator.Language,
                    facilitator.TimeZone, Role.Facilitator);
                var model = Model(ProgrammeTerms.Of(programme, recipient.Language).Name, recipient, digestWeek.Monday, digestWeek.Sunday, content);
                outbox.AddKeyed(db, $"digest-{programme.Id}-{week}-{facilitator.Id:N}", null, "facilitator-digest",
                    recipient, model, now);
                written++;
            }

            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException)
            {
                // Another node wrote this week's digest between our check and our insert: it stands.
                logger.LogInformation("The {Week} digest of {Programme} was written by another node", week, programme.Id);
                db.ChangeTracker.Clear();
                written = 0;
            }
        }

        if (written > 0) logger.LogInformation("Wrote {Count} facilitator digest(s) for {Week}", written, week);
        return written;
    }

    private sealed record Row(GroupNames Group, string Kind, string Title, string? Assignee, DateTimeOffset? DueAt,
        DateOnly? VisitDate, string? VisitHost, string? VisitPhase);

    private sealed record Content(List<Row> Overdue, int DueSoon, List<Row> Visits, List<Row> Approvals,
        List<Dashboard.StuckGroup> Stuck);

    private static readonly Dictionary<string, WorkItemKind> Kinds = Enum.GetValues<WorkItemKind>().ToDictionary(EffectWriter.Kebab);

    /// <summary>The open items of a programme's running pairs, with only the columns the digest shows, each in the
    /// section <see cref="DigestRules"/> gives it.</summary>
    private async Task<Content> ContentAsync(MentoringDb db, string programmeId, DateTimeOffset now, DigestWeek week,
        CancellationToken cancellationToken)
    {
        var (visitFrom, visitUntil) = DigestRules.VisitWindow(now);
        var found = await (
                from item in db.WorkItems
                where item.Status == WorkItemStatus.Open
                      && ((item.Kind == EffectWriter.TaskItem && item.DueAt != null && item.DueAt < week.End)
                          || item.Kind == EffectWriter.ApprovalItem
                          || (item.Kind == EffectWriter.StudyVisitItem && item.VisitDate != null && item.VisitDate >= visitFrom && item.VisitDate <= visitUntil))
                join instance in db.Instances on item.InstanceId equals instance.Id
                where instance.ProgrammeId == programmeId && instance.Status == EffectWriter.Running
                join pair in db.Groups on instance.GroupId equals pair.Id
                select new { GroupId = pair.Id, item.Kind, item.Title, item.Assignee, item.DueAt, item.VisitDate, item.VisitHost, item.VisitPhase })
            .ToListAsync(cancellationToken);
        var names = await outbox.NamesAsync(db, found.Select(r => r.GroupId).Distinct().ToList(), cancellationToken);
        var rows = found.Select(r => new Row(names[r.GroupId], r.Kind, r.Title, r.Assignee, r.DueAt, r.VisitDate, r.VisitHost, r.VisitPhase))
            .ToList();
        var sections = rows.ToLookup(r => DigestRules.SectionOf(Kinds[r.Kind], r.DueAt, r.VisitDate, now, week));
        return new Content(
            sections[DigestSection.Overdue].OrderBy(r => r.DueAt).ToList(),
            sections[DigestSection.DueThisWeek].Count(),
            sections[DigestSection.UpcomingVisit].OrderBy(r => r.VisitDate).ToList(),
            sections[DigestSection.AwaitingApproval].ToList(),
            (await Dashboard.StuckGroups.ListAsync(db, definitions.Catalog, programmeId, now, cancellationToken)).Groups);
    }

    private JsonObject Model(string programme, Recipient recipient, DateOnly from, DateOnly to, Content content)
    {
        var culture = OutboxWriter.Culture(recipient.Language);
        var zone = TimeZoneInfo.FindSystemTimeZoneById(recipient.TimeZone);
        string Date(DateOnly date) => date.ToString("D", culture);
        static string GroupName(Row r) => r.Group.Line;
        return new JsonObject
        {
            ["recipient"] = new JsonObject { ["name"] = recipient.Name },
            ["programme"] = new JsonObject { ["name"] = programme },
            ["link"] = email.Value.PublicUrl.TrimEnd('/') + "/dashboard",
            ["period"] = new JsonObject { ["from"] = Date(from), ["to"] = Date(to) },
            ["counts"] = new JsonObject
            {
                ["overdue"] = content.Overdue.Count, ["dueSoon"] = content.DueSoon, ["awaitingApproval"] = content.Approvals.Count,
            },
            ["overdue"] = new JsonArray([.. content.Overdue.Select(r => (JsonNode)new JsonObject
            {
                ["group"] = GroupName(r), ["task"] = outbox.InLanguage(r.Title, recipient.Language),
                ["city"] = r.Group.Of(AssigneeOf(r).Id) is { Length: > 0 } owing ? owing : string.Join(" / ", r.Group.Members.Select(m => m.Name)),
                ["due"] = Date(NudgeSchedule.LocalDate(r.DueAt!.Value, zone)),
            })]),
            ["upcomingVisits"] = new JsonArray([.. content.Visits.Select(r => (JsonNode)new JsonObject
            {
                ["group"] = GroupName(r), ["visit"] = outbox.InLanguage(r.Title, recipient.Language), ["date"] = Date(r.VisitDate!.Value),
                ["host"] = HostName(r),
            })]),
            ["awaitingApproval"] = new JsonArray([.. content.Approvals.Select(r => (JsonNode)new JsonObject
            {
                ["group"] = GroupName(r), ["title"] = outbox.InLanguage(r.Title, recipient.Language),
            })]),
            ["stuck"] = new JsonArray([.. content.Stuck.Select(g => (JsonNode)new JsonObject
            {
                ["group"] = g.Line, ["what"] = LastThing(g, recipient.Language),
                ["date"] = Date(NudgeSchedule.LocalDate(g.LastAt, zone)), ["days"] = g.Days,
            })]),
        };
    }

    /// <summary>A stuck group's last journal entry in plain words, in the recipient's language: the pages' words for
    /// the entry ("Task completed") and the step's title.</summary>
    private string LastThing(Dashboard.StuckGroup group, string language)
    {
        var previous = System.Globalization.CultureInfo.CurrentUICulture;
        try
        {
            System.Globalization.CultureInfo.CurrentUICulture = OutboxWriter.Culture(language);
            var what = localizers.Create(Web.Texts.ResourceName, typeof(Web.Texts).Assembly.GetName().Name!)["journal-" + group.LastType].Value;
            return group.LastStepTitle is { } title ? $"{what}: {outbox.InLanguage(title, language)}" : what;
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentUICulture = previous;
        }
    }

    /// <summary>The host city as people know it; proposals may name it by id ("jelgava") or by name.</summary>
    private static string HostName(Row r) =>
        r.VisitHost is not { } host ? ""
        : r.Group.Members.FirstOrDefault(m => host.Equals(m.Name, StringComparison.OrdinalIgnoreCase)
                                              || host.Equals(m.CityId, StringComparison.OrdinalIgnoreCase)).Name ?? host;

    private static Role AssigneeOf(Row r) => r.Assignee is { Length: > 0 } assignee ? Role.Of(assignee) : Role.Both;
}
