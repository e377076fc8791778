using System.Net;
using Mentoring.Server.Data;
using Mentoring.Server.Tests.Infrastructure;
using Mentoring.Server.Tests.Web;
using WebClient = Mentoring.Server.Tests.Web.WebClient;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;

namespace Mentoring.Server.Tests.Plans;

[Collection(DatabaseCollection.Name)]
public sealed class PlanAccessTests(DatabaseFixture database)
{
    [Fact]
    public async Task Coordinators_and_observers_are_refused_every_plan_tool_for_their_own_pair_and_another_citys()
    {
        await using var app = await StartAsync(database, DatabaseProvider.Sqlite);
        var jelgavaPair = await WebAccessTests.PairIdAsync(app, "jelgava");
        var capaciPair = await WebAccessTests.PairIdAsync(app, "capaci");
        var task = await WebAccessTests.OpenTaskAsync(app, jelgavaPair, "mentee-needs-self-assessment");
        var pair4 = await Scheduling.Nudges.PairAsync(app, 4);
        var due = await app.OpenDueAsync(pair4.InstanceId);
        var shift = new { days = 7, reason = "mine" };
        var past = new { date = new DateOnly(2026, 1, 2), hostCity = "Jelgava", participants = new[] { "x" }, note = "done" };

        foreach (var who in new[] { People.Coordinator("jelgava"), People.Coordinator("capaci"), People.Observer("LPS") })
        {
            var client = await app.ClientForAsync(who);
            var posts = new (string Path, object Body)[]
            {
                ($"/api/pairs/{jelgavaPair}/plan/shift", shift), ($"/api/pairs/{capaciPair}/plan/shift", shift),
                ("/api/programme/plan/shift", shift), ("/api/programme/pause", new { reason = "mine" }), ("/api/programme/resume", new { }),
                ($"/api/pairs/{jelgavaPair}/visits/{task}/record-held", past), ($"/api/pairs/{jelgavaPair}/tasks/{task}/record-done", past),
                ($"/api/programme/tasks/{task}/record-done", past),
                ("/api/calendar/days-off", new { cityId = "jelgava", date = new DateOnly(2026, 1, 19) }),
                ("/api/calendar/august-off", new { cityId = "jelgava", off = true }),
            };
            foreach (var (path, body) in posts)
                Assert.True((await client.CommandAsync(path, body)).StatusCode == HttpStatusCode.Forbidden, $"{who} POST {path}");
            foreach (var path in new[] { "/api/calendar", "/api/programme/pause" })
                Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync(path)).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await client.DeleteAsync($"/api/calendar/days-off/{Guid.NewGuid()}")).StatusCode);
        }

        Assert.Equal(due, await app.OpenDueAsync(pair4.InstanceId));
        Assert.Empty(await app.PausesAsync());
        await WebAccessTests.AssertStillOpenAsync(app, task);

        var jelgava = await WebClient.SignedInAsync(app, People.Coordinator("jelgava"));
        var kede = await WebClient.SignedInAsync(app, People.Observer("KEDE"));
        foreach (var client in new[] { jelgava, kede })
        foreach (var page in new[] { "/dashboard/plan", "/dashboard/calendar" })
            Assert.Contains("/forbidden", (await client.GetAsync(page)).Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Unauthorized, (await WebClient.For(app).GetAsync("/api/calendar")).StatusCode);
    }

    [Fact]
    public async Task A_plan_reason_may_span_lines_but_control_characters_are_refused_on_the_page_and_the_api()
    {
        await using var app = await StartAsync(database, DatabaseProvider.Sqlite);
        var facilitator = await WebClient.SignedInAsync(app, People.Facilitator);
        await facilitator.GetAsync("/dashboard/plan");
        var nul = await facilitator.PostAsync("/dashboard/plan?handler=Pause",
            new Dictionary<string, string> { ["reason"] = "Summer\0break", ["key"] = facilitator.Hidden("key") });
        Assert.Equal(HttpStatusCode.BadRequest, nul.StatusCode); // the input check every form goes through
        Assert.Empty(await app.PausesAsync());

        var api = await app.ClientForAsync(People.Facilitator);
        Assert.Equal(HttpStatusCode.BadRequest, (await api.CommandAsync("/api/programme/pause", new { reason = "Summer\0break" })).StatusCode);
        var twoLines = await api.CommandAsync("/api/programme/pause", new { reason = "Summer break.\nBack in September." });
        Assert.True(twoLines.IsSuccessStatusCode, await twoLines.Content.ReadAsStringAsync());
        Assert.Single(await app.PausesAsync());
    }

    [Fact]
    public async Task The_facilitator_pauses_and_keeps_the_calendar_from_the_dashboard_with_plain_forms_in_English_and_Greek()
    {
        await using var app = await StartAsync(database, DatabaseProvider.Sqlite);
        var facilitator = await WebClient.SignedInAsync(app, People.Facilitator);

        await facilitator.GetAsync("/dashboard");
        Assert.Contains("href=\"/dashboard/plan\"", facilitator.LastPage);
        Assert.Contains("href=\"/dashboard/calendar\"", facilitator.LastPage);

        Assert.Equal(HttpStatusCode.OK, (await facilitator.GetAsync("/dashboard/plan")).StatusCode);
        var form = new Dictionary<string, string> { ["reason"] = "Summer break", ["key"] = facilitator.Hidden("key") };
        Assert.Equal(HttpStatusCode.Redirect, (await facilitator.PostAsync("/dashboard/plan?handler=Pause", form)).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await facilitator.PostAsync("/dashboard/plan?handler=Pause", form)).StatusCode); // double submit
        Assert.Single(await app.PausesAsync());
        await facilitator.GetAsync("/dashboard/plan");
        Assert.Contains("Summer break", facilitator.LastPage);
        Assert.Contains("handler=Resume", facilitator.LastPage);

        var shift = await facilitator.PostAsync("/dashboard/plan?handler=Shift", new Dictionary<string, string>
        {
            ["scope"] = "programme", ["days"] = "-60", ["reason"] = "Back", ["key"] = Guid.NewGuid().ToString(),
        });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, shift.StatusCode);
        Assert.Contains("gone by", WebClient.Alert(facilitator.LastPage));

        await facilitator.GetAsync("/dashboard/calendar");
        Assert.Equal(HttpStatusCode.Redirect, (await facilitator.PostAsync("/dashboard/calendar?handler=Add", new Dictionary<string, string>
        {
            ["cityId"] = "livadeia", ["date"] = "2026-08-15", ["reason"] = "Dekapentavgoustos", ["key"] = Guid.NewGuid().ToString(),
        })).StatusCode);
        await facilitator.GetAsync("/dashboard/calendar");
        Assert.Contains("Dekapentavgoustos", facilitator.LastPage);

        facilitator.Http.DefaultRequestHeaders.AcceptLanguage.ParseAdd("el");
        await facilitator.GetAsync("/dashboard/plan");
        Assert.Contains("Μετάθεση του χρονοδιαγράμματος", facilitator.LastPage);
        await facilitator.GetAsync("/dashboard/calendar");
        Assert.Contains("Ημερολόγιο αργιών", facilitator.LastPage);

        var openApi = await (await facilitator.Http.GetAsync("/openapi/v1.json")).Content.ReadAsStringAsync();
        foreach (var path in new[] { "/api/programme/pause", "/api/programme/plan/shift", "/api/calendar/days-off", "/api/pairs/{pairId}/visits/{itemId}/record-held" })
            Assert.Contains(path, openApi);
    }
}
