using System.Net.Http.Json;
using System.Text.Json;
using Mentoring.Server.Data;
using Mentoring.Server.Instances;
using Mentoring.Server.Pairs;
using Mentoring.Server.Scheduling;
using Mentoring.Server.Tests.Infrastructure;
using Mentoring.Server.Workflows;
using Microsoft.EntityFrameworkCore;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;

namespace Mentoring.Server.Tests.Scheduling;

/// <summary>
/// Pair 4 (Schaerbeek mentors Jelgava) through all seven steps, with coordinators who act only when a task falls
/// due, report a visit a few days after it, and let one task run late, while the scheduler sweeps every simulated
/// day: every nudge of the whole programme is checked for its time, recipients and language.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class SevenStepNudgeScheduleTests(DatabaseFixture database)
{
    private static readonly TimeZoneInfo Brussels = TimeZoneInfo.FindSystemTimeZoneById("Europe/Brussels");
    private static readonly TimeZoneInfo Riga = TimeZoneInfo.FindSystemTimeZoneById("Europe/Riga");
    private const string LateTask = "draft-action-plan";

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task Every_nudge_of_a_pair_through_all_seven_steps_lands_at_nine_local_in_the_recipients_language(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider, start: new DateTimeOffset(2026, 1, 5, 12, 0, 0, TimeSpan.Zero));
        var facilitator = await app.ClientForAsync(People.Facilitator);
        var clients = await app.Pair4CoordinatorsAsync();
        var pair = await facilitator.PairOfAsync("jelgava");
        var processor = app.Service<DueWorkProcessor>();

        var finished = false;
        for (var day = 0; day < 700 && !finished; day++, app.Clock.Advance(TimeSpan.FromDays(1)))
        {
            await processor.SweepAsync(CancellationToken.None);
            var detail = await facilitator.PairAsync(pair.Id);
            finished = detail.Pair.Status == "completed";
            foreach (var item in detail.OpenItems) await ActWhenDueAsync(app, facilitator, clients, pair.Id, item, detail.Visits);
            await facilitator.CompleteProgrammeTasksAsync(_ => true);
        }

        var last = await facilitator.PairAsync(pair.Id);
        Assert.True(finished, $"the pair did not finish its seven steps in 700 simulated days; it is at step {last.Pair.CurrentStep} " +
            $"({last.Pair.Status}) with open: {string.Join(", ", last.OpenItems.Select(i => $"{i.StepId} ({i.Kind}, due {i.DueAt:u})"))}");
        await using var db = app.Db();
        var instanceId = (await db.Groups.SingleAsync(p => p.Id == pair.Id)).InstanceId;
        var nudges = (await db.Journal.Where(j => j.InstanceId == instanceId && j.Type.EndsWith("-sent")).ToListAsync())
            .Select(j => (j.StepId, j.Type, Data: JsonDocument.Parse(j.Data).RootElement)).ToList();
        var stageOfStep = await db.WorkItems.Where(w => w.InstanceId == instanceId)
            .Select(w => new { w.StepId, w.StageId }).Distinct().ToDictionaryAsync(w => w.StepId, w => w.StageId);
        var definition = app.Service<DefinitionStore>().Get("inclucities-pair", (await db.Instances.SingleAsync(i => i.Id == instanceId)).DefinitionVersion);
        var stageNumbers = nudges.Select(n => definition.Stages.Single(s => s.Id == stageOfStep[n.StepId!]).Number).ToHashSet();

        // Every step of the method nudged someone, with every kind of nudge.
        Assert.Equal([1, 2, 3, 4, 5, 6, 7], stageNumbers.Order());
        Assert.Contains(nudges, n => n.Data.GetProperty("template").GetString() == "task-reminder");
        Assert.Contains(nudges, n => n.Data.GetProperty("template").GetString() == "task-due-today");
        Assert.Contains(nudges, n => n.Type == "overdue-sent" && n.StepId == LateTask);
        Assert.Contains(nudges, n => n.Data.GetProperty("template").GetString() == "visit-report-due");
        Assert.Contains(nudges, n => n.Data.GetProperty("template").GetString() == "action-plan-update");

        // Each at 09:00 in the time zone of the person it is for, on both sides of the change to summer time.
        foreach (var (stepId, type, data) in nudges)
        {
            var dueAt = data.GetProperty("dueAt").GetDateTimeOffset();
            var to = data.GetProperty("to").EnumerateArray().Select(t => t.GetString()!).ToList();
            var zone = to[0].StartsWith("Jelgava", StringComparison.Ordinal) ? Riga : Brussels;
            Assert.True(TimeZoneInfo.ConvertTime(dueAt, zone).TimeOfDay == TimeSpan.FromHours(9),
                $"{type} for {stepId} to {string.Join(", ", to)} was due at {dueAt:u}, not 09:00 in {zone.Id}");
        }

        var offsets = nudges.Where(n => n.Data.GetProperty("to")[0].GetString()!.StartsWith("Schaerbeek", StringComparison.Ordinal))
            .Select(n => n.Data.GetProperty("dueAt").GetDateTimeOffset().ToUniversalTime().Hour).ToHashSet();
        Assert.Equal([7, 8], offsets.Order()); // 09:00 in Brussels is 08:00 UTC in winter, 07:00 UTC in summer

        // In each recipient's language: Latvian for Jelgava, French for Schaerbeek, English for the facilitator.
        var languages = await db.Outbox.Where(m => m.InstanceId == instanceId && m.MessageId.StartsWith("<nudge-"))
            .Select(m => new { m.RecipientName, m.Language }).Distinct().ToListAsync();
        Assert.Contains(languages, l => l.RecipientName == "Jelgava coordinator" && l.Language == "lv");
        Assert.Contains(languages, l => l.RecipientName == "Schaerbeek coordinator" && l.Language == "fr");
        Assert.All(languages, l => Assert.Equal(
            l.RecipientName.StartsWith("Jelgava", StringComparison.Ordinal) ? "lv"
            : l.RecipientName.StartsWith("Schaerbeek", StringComparison.Ordinal) ? "fr" : "en", l.Language));
    }

    /// <summary>Coordinators who do things on the day they fall due (one task days late), and visits that are
    /// proposed, confirmed and held in turn and reported four days after.</summary>
    private static async Task ActWhenDueAsync(MentoringApp app, HttpClient facilitator, Dictionary<string, HttpClient> clients,
        Guid pairId, WorkItemView item, IReadOnlyList<VisitView> visits)
    {
        var now = app.Clock.GetUtcNow();
        HttpResponseMessage? response = null;
        switch (item.Kind)
        {
            case "task" when item.DueAt is { } due:
            {
                var zone = item.Assignee == "mentor" ? Brussels : Riga;
                var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).DateTime);
                var dueDay = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(due, zone).DateTime);
                if (today < dueDay.AddDays(item.StepId == LateTask ? 5 : 0)) return;
                response = await clients.CompleteAsAssigneeAsync(pairId, item);
                break;
            }
            case "study-visit":
            {
                var visit = visits.Single(v => v.Id == item.Id);
                var path = $"/api/pairs/{pairId}/visits/{item.Id}";
                var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, Riga).DateTime);
                response = visit.Phase switch
                {
                    "proposing" => await clients[item.Assignee!].CommandAsync(path + "/propose", new { date = today.AddDays(20), hostCity = "Schaerbeek" }),
                    "proposed" => await clients[item.Confirmer!].CommandAsync(path + "/confirm"),
                    "confirmed" when today >= visit.Date => await clients["mentee"].CommandAsync(path + "/held", new { participants = new[] { "Coordinators", "NGOs" } }),
                    "held" when today >= visit.Date!.Value.AddDays(4) => await clients["mentee"].CommandAsync(path + "/report", new { note = "Report." }),
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
}
