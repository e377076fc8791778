using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Mentoring.Engine.Definitions;
using Mentoring.Server.Data;
using Mentoring.Server.Email;
using Mentoring.Server.Instances;
using Mentoring.Server.Pairs;
using Mentoring.Server.Programme;
using Mentoring.Server.Tests.Infrastructure;
using Mentoring.Server.Workflows;
using Microsoft.EntityFrameworkCore;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;

namespace Mentoring.Server.Tests.Scheduling;

/// <summary>
/// IncluCities as it really ran: from 17 June 2020, a pause before the first study visit (the programme paused by the
/// facilitator for three months of it), August off and a Latvian public holiday in the calendar, the mentoring
/// training months late, the academy a year later than planned, so tasks open long after their stages started. Pair 4 and
/// the programme are played day by day in simulated time with every timer fired at its own instant, the other three
/// pairs are left idle; then every nudge of every instance is checked.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class LongProgrammeNudgeTests(DatabaseFixture database)
{
    private static readonly DateTimeOffset Start = new(2020, 6, 17, 5, 0, 0, TimeSpan.Zero);
    private static readonly DateOnly PauseEnds = new(2021, 5, 3);
    private static readonly DateOnly TrainingHeld = new(2021, 1, 15);
    private static readonly DateOnly AcademyHeld = new(2022, 10, 3);
    private const string LateTask = "draft-action-plan";
    private static readonly DateOnly Paused = new(2020, 11, 2);
    private static readonly DateOnly Resumed = new(2021, 2, 1);
    private static readonly DateOnly RigaHoliday = new(2021, 11, 18); // Proclamation Day of the Republic of Latvia

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task Every_nudge_of_a_long_programme_is_delivered_once_in_its_recipients_slot_and_never_after_its_item_is_done(
        DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider, start: Start);
        var facilitator = await app.ClientForAsync(People.Facilitator);
        var clients = await app.Pair4CoordinatorsAsync();
        var pair = await facilitator.PairOfAsync("jelgava");
        (await facilitator.CommandAsync("/api/calendar/august-off", new { cityId = (string?)null, off = true })).EnsureSuccessStatusCode();
        (await facilitator.CommandAsync("/api/calendar/days-off", new { cityId = "jelgava", date = RigaHoliday, reason = "Proclamation Day" }))
            .EnsureSuccessStatusCode();
        DateTimeOffset? pausedAt = null, resumedAt = null;

        var finished = false;
        for (var day = 0; day < 1100 && !finished; day++)
        {
            await app.RunUntilAsync(Start.AddDays(day + 1));
            var today = DateOnly.FromDateTime(app.Clock.GetUtcNow().UtcDateTime);
            if (today == Paused)
            {
                (await facilitator.CommandAsync("/api/programme/pause", new { reason = "COVID-19: the city halls are closed." }))
                    .EnsureSuccessStatusCode();
                pausedAt = app.Clock.GetUtcNow();
            }

            if (today == Resumed)
            {
                (await facilitator.CommandAsync("/api/programme/resume", new { moveDueDates = true, reason = "The city halls reopen." }))
                    .EnsureSuccessStatusCode();
                resumedAt = app.Clock.GetUtcNow();
            }

            var detail = await facilitator.PairAsync(pair.Id);
            finished = detail.Pair.Status == "completed";
            foreach (var item in detail.OpenItems) await ActAsync(facilitator, clients, pair.Id, item, detail.Visits, today);
            await facilitator.CompleteProgrammeTasksAsync(task => IsDone(task, today));
        }

        Assert.True(finished, "pair 4 did not finish by March 2023");
        await using var db = app.Db();
        var rows = await db.Outbox.AsNoTracking().Where(m => m.MessageId.StartsWith("<nudge-")).ToListAsync();
        var items = await db.WorkItems.AsNoTracking().ToDictionaryAsync(w => w.Id);
        var instances = await db.Instances.AsNoTracking().ToDictionaryAsync(i => i.Id);
        var people = await db.People.AsNoTracking().ToListAsync();
        var zones = people.ToDictionary(p => p.Id, p => ZoneOf(p, db));
        var inJelgava = (await db.ProgrammePeople.AsNoTracking().Where(p => p.CityId == "jelgava").Select(p => p.PersonId).ToListAsync()).ToHashSet();
        var definitions = app.Service<DefinitionStore>();
        NudgeDefectTests.AssertDelivered(app, rows);

        var nudges = rows.Select(m => (Row: m, Item: items[ItemOf(m)], Local: TimeZoneInfo.ConvertTime(m.CreatedAt, zones[m.RecipientId!.Value])))
            .ToList();
        foreach (var (row, item, local) in nudges)
        {
            var what = $"{row.Template} '{item.Title}' to {row.RecipientName} at {local:yyyy-MM-dd HH:mm ddd}";
            Assert.True(local.TimeOfDay == TimeSpan.FromHours(9), $"{what}: not at 09:00 in their own zone");
            Assert.True(local.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday), $"{what}: not on a working day");
            Assert.True(local.Month != 8, $"{what}: in August, which the programme has off");
            Assert.False(inJelgava.Contains(row.RecipientId!.Value) && DateOnly.FromDateTime(local.DateTime) == RigaHoliday,
                $"{what}: on Jelgava's public holiday");
            Assert.False(row.CreatedAt >= pausedAt && row.CreatedAt < resumedAt, $"{what}: while the programme was paused");
            if (row.Template != "action-plan-update") // the one nudge that is about the time after its visit
                Assert.True(item.ClosedAt is null || row.CreatedAt < item.ClosedAt, $"{what}: after the item was done at {item.ClosedAt:u}");
        }

        // The pause was taken and ended (no nudge fell inside it: checked above for every nudge).
        Assert.NotNull(pausedAt);
        Assert.NotNull(resumedAt);

        // Once each, and never two nudges of one item to one person in one slot.
        Assert.Equal(rows.Count, rows.Select(m => m.MessageId).Distinct().Count());
        Assert.Empty(nudges.GroupBy(n => (n.Item.Id, n.Row.RecipientId, n.Row.CreatedAt)).Where(g => g.Count() > 1)
            .Select(g => $"{g.Key.CreatedAt:u} {g.First().Item.Title}: {string.Join(", ", g.Select(n => n.Row.Template))}"));

        // Escalations keep their rule's spacing between sends.
        foreach (var chain in nudges.Where(n => n.Row.Template == "task-overdue").GroupBy(n => (n.Item.Id, n.Row.RecipientId)))
        {
            var item = chain.First().Item;
            var definition = definitions.Get(instances[item.InstanceId].DefinitionId, instances[item.InstanceId].DefinitionVersion);
            var rule = definition.Locate(item.StepId).Step switch
            {
                TaskStep task => task.Reminders!.Overdue!,
                StudyVisitStep visit => visit.Planning!.Reminders.Overdue!,
                var other => throw new InvalidOperationException(other.Id),
            };
            var dates = chain.Select(n => DateOnly.FromDateTime(n.Local.DateTime)).Order().ToList();
            Assert.All(dates.Zip(dates.Skip(1)), p => Assert.True(p.Second.DayNumber - p.First.DayNumber >= rule.EveryDays,
                $"'{item.Title}' escalations on {p.First} and {p.Second}, rule every {rule.EveryDays} days"));
            Assert.True(dates.Count <= rule.Max);
        }

        // No task was born overdue, however late it opened.
        Assert.All(items.Values.Where(w => w.Kind == "task" && w.DueAt is not null),
            w => Assert.True(w.DueAt > w.OpenedAt, $"'{w.Title}' opened {w.OpenedAt:u} already due {w.DueAt:u}"));

        // The pause before the first visit was prompted; a visit reported before its report reminder got none.
        var pair4Instance = (await db.Groups.SingleAsync(p => p.Id == pair.Id)).InstanceId;
        var pair4 = nudges.Where(n => n.Item.InstanceId == pair4Instance).ToList();
        Assert.Contains(pair4, n => n.Item.StepId == "visit-1" && n.Row.Template == "task-overdue"
                                    && JsonNode.Parse(n.Row.Model)!["task"]!["title"]!.GetValue<string>().StartsWith("Propose a date", StringComparison.Ordinal));
        Assert.DoesNotContain(pair4, n => n.Row.Template == "visit-report-due");
        Assert.Equal(3, pair4.Count(n => n.Row.Template == "action-plan-update"));
        Assert.Contains(pair4, n => n.Item.StepId == LateTask && n.Row.Template == "task-overdue");
        Assert.Contains(nudges, n => instances[n.Item.InstanceId].GroupId is null && n.Row.Template == "task-overdue");
    }

    private static bool IsDone(WorkItemView task, DateOnly today) => task.StepId switch
    {
        "hold-mentoring-training" => today >= TrainingHeld,
        "hold-training-academy" => today >= AcademyHeld,
        _ => task.DueAt is { } due && today >= DateOnly.FromDateTime(due.UtcDateTime),
    };

    /// <summary>Coordinators who do their tasks on the day they fall due (one five days late), propose the first
    /// visit only after the pause, and report each visit the day after it.</summary>
    private static async Task ActAsync(HttpClient facilitator, Dictionary<string, HttpClient> clients, Guid pairId,
        WorkItemView item, IReadOnlyList<VisitView> visits, DateOnly today)
    {
        HttpResponseMessage? response = null;
        switch (item.Kind)
        {
            case "task" when item.DueAt is { } due:
                if (today < DateOnly.FromDateTime(due.UtcDateTime).AddDays(item.StepId == LateTask ? 5 : 0)) return;
                response = await clients.CompleteAsAssigneeAsync(pairId, item);
                break;
            case "study-visit":
            {
                var visit = visits.Single(v => v.Id == item.Id);
                var path = $"/api/pairs/{pairId}/visits/{item.Id}";
                response = visit.Phase switch
                {
                    "proposing" when today >= PauseEnds => await clients[item.Assignee!].CommandAsync(path + "/propose",
                        new { date = today.AddDays(20), hostCity = "Schaerbeek" }),
                    "proposed" => await clients[item.Confirmer!].CommandAsync(path + "/confirm"),
                    "confirmed" when today >= visit.Date => await clients["mentee"].CommandAsync(path + "/held", new { participants = new[] { "Coordinators" } }),
                    "held" => await clients["mentee"].CommandAsync(path + "/report", new { note = "Report." }),
                    _ => null,
                };
                break;
            }
            case "approval":
                response = await facilitator.ApproveAsync(pairId, item, "Fine.");
                break;
        }

        await response.EnsureAcceptedAsync(item);
    }

    private static Guid ItemOf(OutboxMessage row)
    {
        var link = JsonNode.Parse(row.Model)!["link"]!.GetValue<string>();
        return Guid.Parse(link[(link.LastIndexOf('/') + 1)..]);
    }

    private static TimeZoneInfo ZoneOf(Person person, MentoringDb db) => TimeZoneInfo.FindSystemTimeZoneById(
        db.ProgrammePeople.AsNoTracking().Where(p => p.PersonId == person.Id && p.CityId != null)
            .Select(p => db.Cities.Single(c => c.Id == p.CityId).TimeZone).FirstOrDefault() ?? person.TimeZone);
}
