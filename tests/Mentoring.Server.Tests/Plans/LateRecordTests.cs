using System.Net;
using System.Net.Http.Json;
using Mentoring.Engine.Runtime;
using Mentoring.Server.Data;
using Mentoring.Server.Instances;
using Mentoring.Server.Tests.Infrastructure;
using Mentoring.Server.Tests.Scheduling;
using Microsoft.EntityFrameworkCore;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;

namespace Mentoring.Server.Tests.Plans;

[Collection(DatabaseCollection.Name)]
public sealed class LateRecordTests(DatabaseFixture database)
{
    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_visit_recorded_late_goes_through_the_workflow_is_marked_in_the_history_and_sends_nothing_for_days_gone_by(
        DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var driver = await PairDriver.ForAsync(app, "schaerbeek", "jelgava");
        await driver.RunUntilAsync(d => d.Pair.CurrentStep == 4);
        var facilitator = driver.As("facilitator");
        var pair = await app.PairAsync(4);
        var visit = (await facilitator.PairAsync(pair.Id)).Visits.Single(v => v.StepId == "visit-1");
        Assert.Equal("proposing", visit.Phase);
        await app.SweepAsync();
        var mailBefore = (await app.MailAsync(pair.InstanceId)).Count;
        var today = DateOnly.FromDateTime(app.Clock.GetUtcNow().UtcDateTime);
        var path = $"/api/pairs/{pair.Id}/visits/{visit.Id}/record-held";

        var future = await facilitator.CommandAsync(path, new { date = today.AddDays(3), hostCity = "Schaerbeek", participants = new[] { "A" } });
        Assert.Equal(HttpStatusCode.BadRequest, future.StatusCode);
        Assert.True((await future.ProblemAsync()).GetProperty("errors").TryGetProperty("date", out _));

        // Held online three weeks ago, in the lockdown, and only entered now.
        var held = today.AddDays(-21);
        var response = await facilitator.CommandAsync(path,
            new { date = held, hostCity = "schaerbeek", participants = new[] { "Coordinators", "CAMIM team", "Jelgava NGO" } });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var after = (await facilitator.PairAsync(pair.Id)).Visits.Single(v => v.StepId == "visit-1");
        Assert.Equal(("held", held, "Schaerbeek"), (after.Phase, after.Date, after.Host));
        var line = Assert.Single(await facilitator.HistoryAsync(pair.Id), h => h.Type == "visit-held");
        Assert.True(line.Data.GetProperty("recordedLate").GetBoolean());
        // Both follow-ups' days are gone and the visit needs no more planning prompts: nothing is planned for it. The
        // preparation, due a week before the visit, is not born overdue (the due-time rules): due today at the
        // earliest, so its nudges are all still to come.
        Assert.Empty(await app.TimersAsync(pair.InstanceId, "visit-1"));
        Assert.All(await app.TimersAsync(pair.InstanceId, "prepare-visit-1"), t => Assert.True(t.DueAt > app.Clock.GetUtcNow()));
        await app.SweepAsync();
        Assert.Equal(mailBefore, (await app.MailAsync(pair.InstanceId)).Count);

        // The rest goes on as usual: the visit is reported the normal way.
        Assert.Equal(HttpStatusCode.OK, (await facilitator.CommandAsync($"/api/pairs/{pair.Id}/visits/{visit.Id}/report",
            new { note = "Online, three sessions.", link = "https://example.org/report" })).StatusCode);
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_programme_task_recorded_late_raises_its_event_with_the_day_it_really_happened(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var facilitator = await app.ClientForAsync(People.Facilitator);
        var programme = await app.ProgrammeInstanceAsync();
        app.Clock.Set(new DateTimeOffset(2026, 6, 1, 8, 0, 0, TimeSpan.Zero));
        var days = new[]
        {
            ("send-needs-questionnaire", new DateOnly(2026, 1, 9)), ("analyse-city-needs", new DateOnly(2026, 2, 6)),
            ("form-pairs", new DateOnly(2026, 2, 20)), ("hold-mentoring-training", new DateOnly(2026, 5, 12)),
        };

        var first = await OpenProgrammeTaskAsync(facilitator, days[0].Item1);
        var future = await facilitator.CommandAsync($"/api/programme/tasks/{first}/record-done",
            new { date = new DateOnly(2026, 6, 2), note = "Sent." });
        Assert.Equal(HttpStatusCode.BadRequest, future.StatusCode);

        foreach (var (step, day) in days)
        {
            var item = await OpenProgrammeTaskAsync(facilitator, step);
            var response = await facilitator.RecordDoneWithFileAsync($"/api/programme/tasks/{item}/record-done", day,
                "Held online with all eight cities.");
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        }

        await using (var db = app.Db())
        {
            var raised = await db.ProgrammeEvents.AsNoTracking().SingleAsync(e => e.Name == "mentoring-training-held");
            Assert.Equal(NudgeSchedule.AtLocal(new DateOnly(2026, 5, 12), new TimeOnly(12, 0), TimeZoneInfo.FindSystemTimeZoneById("Europe/Brussels")),
                raised.OccurredAt);
        }

        var completed = await app.JournalAsync(programme, "task-completed");
        Assert.Equal(4, completed.Count);
        Assert.All(completed, line => Assert.Contains("\"recordedLate\":true", line.Data));
        Assert.Contains("2026-05-12", Assert.Single(await app.JournalAsync(programme, "event-raised")).Data);
        await app.SweepAsync();
        Assert.Empty(await app.MailAsync(programme, "task-reminder", "task-due-today", "task-overdue"));
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_late_record_refuses_a_file_id_not_uploaded_for_that_task_and_stores_a_file_sent_with_it(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var facilitator = await app.ClientForAsync(People.Facilitator);
        app.Clock.Set(new DateTimeOffset(2026, 6, 1, 8, 0, 0, TimeSpan.Zero));
        var item = await OpenProgrammeTaskAsync(facilitator, "send-needs-questionnaire");

        var madeUp = await facilitator.CommandAsync($"/api/programme/tasks/{item}/record-done",
            new { date = new DateOnly(2026, 1, 9), note = "Sent.", fileId = Guid.NewGuid().ToString() });
        Assert.Equal(HttpStatusCode.BadRequest, madeUp.StatusCode);
        Assert.True((await madeUp.ProblemAsync()).GetProperty("errors").TryGetProperty("fileId", out _));

        var sent = await facilitator.RecordDoneWithFileAsync($"/api/programme/tasks/{item}/record-done", new DateOnly(2026, 1, 9), "Sent.");
        Assert.True(sent.IsSuccessStatusCode, await sent.Content.ReadAsStringAsync());
        await using var db = app.Db();
        var file = await db.Set<Mentoring.Server.Uploads.UploadedFile>().AsNoTracking().SingleAsync();
        Assert.Equal(item, file.WorkItemId);
        Assert.Contains(file.Id.ToString(), (await db.WorkItems.AsNoTracking().SingleAsync(w => w.Id == item)).Result);
    }

    private static async Task<Guid> OpenProgrammeTaskAsync(HttpClient facilitator, string stepId) =>
        (await facilitator.GetFromJsonAsync<ProgrammeView>("/api/programme", Api.Json))!.OpenItems.Single(i => i.StepId == stepId).Id;
}
