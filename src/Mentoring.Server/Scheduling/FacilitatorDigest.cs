using System.Globalization;
using System.Text.Json.Nodes;
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
    ILogger<FacilitatorDigest> logger)
{
    /// <summary>How far ahead study visits are listed.</summary>
    private static readonly TimeSpan VisitHorizon = TimeSpan.FromDays(60);

    /// <summary>Writes this week's digests not written yet; returns how many.</summary>
    public async Task<int> WriteAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var zone = TimeZoneInfo.FindSystemTimeZoneById(options.Value.DigestTimeZone);
        var today = NudgeSchedule.LocalDate(now, zone);
        var monday = today.AddDays(-(((int)today.DayOfWeek + 6) % 7));
        var sunday = monday.AddDays(6);
        var weekEnd = NudgeSchedule.AtLocal(sunday.AddDays(1), TimeOnly.MinValue, zone);
        var week = $"{ISOWeek.GetYear(monday.ToDateTime(TimeOnly.MinValue))}-W{ISOWeek.GetWeekOfYear(monday.ToDateTime(TimeOnly.MinValue)):00}";

        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var written = 0;
        foreach (var programme in await db.Programmes.AsNoTracking().Select(p => new { p.Id, p.Name }).ToListAsync(cancellationToken))
        {
            var facilitators = await db.People.AsNoTracking()
                .Where(p => p.ProgrammeId == programme.Id && p.Role == PersonRoles.Facilitator)
                .Select(p => new { p.Id, p.Name, p.Email, p.Language, p.TimeZone })
                .ToListAsync(cancellationToken);
            var keys = facilitators.ToDictionary(f => f.Id, f => outbox.KeyedMessageId($"digest-{programme.Id}-{week}-{f.Id:N}"));
            var ids = keys.Values.ToList();
            var done = (await db.Outbox.AsNoTracking().Where(m => ids.Contains(m.MessageId)).Select(m => m.MessageId)
                .ToListAsync(cancellationToken)).ToHashSet();
            var due = facilitators.Where(f => !done.Contains(keys[f.Id])).ToList();
            if (due.Count == 0) continue;

            var content = await ContentAsync(db, programme.Id, now, weekEnd, cancellationToken);
            // Nothing overdue, due, coming up or waiting: an empty digest is one more email to delete.
            if (content is { Overdue.Count: 0, DueSoon: 0, Visits.Count: 0, Approvals.Count: 0 }) continue;
            foreach (var facilitator in due)
            {
                var recipient = new Recipient(facilitator.Id.ToString(), facilitator.Name, facilitator.Email, facilitator.Language,
                    facilitator.TimeZone, Engine.Definitions.Role.Facilitator);
                var model = Model(programme.Name, recipient, monday, sunday, content);
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

    private sealed record Row(string Mentor, string Mentee, string Kind, string Title, string? Assignee, DateTimeOffset? DueAt,
        DateOnly? VisitDate, string? VisitHost, string? VisitPhase);

    private sealed record Content(List<Row> Overdue, int DueSoon, List<Row> Visits, List<Row> Approvals);

    /// <summary>The open items of a programme's running pairs, with only the columns the digest shows.</summary>
    private static async Task<Content> ContentAsync(MentoringDb db, string programmeId, DateTimeOffset now, DateTimeOffset weekEnd,
        CancellationToken cancellationToken)
    {
        var visitUntil = DateOnly.FromDateTime(now.UtcDateTime + VisitHorizon);
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var rows = await (
                from item in db.WorkItems
                where item.Status == WorkItemStatus.Open
                      && ((item.Kind == "task" && item.DueAt != null && item.DueAt < weekEnd)
                          || item.Kind == "approval"
                          || (item.Kind == "study-visit" && item.VisitDate != null && item.VisitDate >= today && item.VisitDate <= visitUntil))
                join instance in db.Instances on item.InstanceId equals instance.Id
                where instance.ProgrammeId == programmeId && instance.Status == "running"
                join pair in db.Pairs on instance.PairId equals pair.Id
                join mentor in db.Cities on pair.MentorCityId equals mentor.Id
                join mentee in db.Cities on pair.MenteeCityId equals mentee.Id
                select new Row(mentor.Name, mentee.Name, item.Kind, item.Title, item.Assignee, item.DueAt, item.VisitDate,
                    item.VisitHost, item.VisitPhase))
            .ToListAsync(cancellationToken);
        return new Content(
            rows.Where(r => r.Kind == "task" && r.DueAt < now).OrderBy(r => r.DueAt).ToList(),
            rows.Count(r => r.Kind == "task" && r.DueAt >= now),
            rows.Where(r => r.Kind == "study-visit").OrderBy(r => r.VisitDate).ToList(),
            rows.Where(r => r.Kind == "approval").ToList());
    }

    private JsonObject Model(string programme, Recipient recipient, DateOnly from, DateOnly to, Content content)
    {
        var culture = OutboxWriter.Culture(recipient.Language);
        var zone = TimeZoneInfo.FindSystemTimeZoneById(recipient.TimeZone);
        string Date(DateOnly date) => date.ToString("D", culture);
        static string PairName(Row r) => $"{r.Mentor} – {r.Mentee}";
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
                ["pair"] = PairName(r), ["task"] = r.Title,
                ["city"] = r.Assignee switch { "mentor" => r.Mentor, "mentee" => r.Mentee, _ => $"{r.Mentor} / {r.Mentee}" },
                ["due"] = Date(NudgeSchedule.LocalDate(r.DueAt!.Value, zone)),
            })]),
            ["upcomingVisits"] = new JsonArray([.. content.Visits.Select(r => (JsonNode)new JsonObject
            {
                ["pair"] = PairName(r), ["visit"] = r.Title, ["date"] = Date(r.VisitDate!.Value),
                ["host"] = HostName(r),
            })]),
            ["awaitingApproval"] = new JsonArray([.. content.Approvals.Select(r => (JsonNode)new JsonObject
            {
                ["pair"] = PairName(r), ["title"] = r.Title,
            })]),
        };
    }

    /// <summary>The host city as people know it; proposals may name it by id ("jelgava") or by name.</summary>
    private static string HostName(Row r) =>
        r.VisitHost is not { } host ? ""
        : host.Equals(r.Mentor, StringComparison.OrdinalIgnoreCase) || host.Equals(Slug(r.Mentor), StringComparison.OrdinalIgnoreCase) ? r.Mentor
        : host.Equals(r.Mentee, StringComparison.OrdinalIgnoreCase) || host.Equals(Slug(r.Mentee), StringComparison.OrdinalIgnoreCase) ? r.Mentee
        : host;

    private static string Slug(string name) => name.ToLowerInvariant().Replace(' ', '-');
}
