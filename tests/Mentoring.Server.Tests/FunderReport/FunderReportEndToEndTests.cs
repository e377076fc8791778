using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mentoring.Server.Data;
using Mentoring.Server.Tests.Infrastructure;
using Mentoring.Server.Tests.Outputs;
using Mentoring.Server.Tests.SupportNetworks;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;

namespace Mentoring.Server.Tests.FunderReport;

/// <summary>
/// The funder's report over the real features, on both databases: Fuenlabrada–Livadeia's first study visit is proposed
/// with two network members and a delegate, confirmed and held; the facilitator holds the Madrid training academy with
/// three attendees (a second academy stays to come); Livadeia freezes its plan's draft and records its endorsement; the
/// register has a published one-stop-shop and a planned toolkit. The report's page, CSV rows and Word tables add up to
/// exactly that.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class FunderReportEndToEndTests(DatabaseFixture database)
{
    private static readonly DateTimeOffset Spring2021 = new(2021, 1, 4, 8, 0, 0, TimeSpan.Zero);
    private const string Events = "/api/programmes/inclucities/events";

    private static string Network(string city) => $"/api/programmes/inclucities/cities/{city}/network";

    private static async Task<Guid> PersonAsync(HttpClient coordinator, string city, string organisation, string kind, string name)
    {
        var org = await SupportNetworkTests.IdAsync(await coordinator.CommandAsync($"{Network(city)}/organisations",
            new { name = organisation, kind, importance = 4, influence = 3 }));
        return await SupportNetworkTests.IdAsync(await coordinator.CommandAsync($"{Network(city)}/people",
            new { organisationId = org, name, role = "Member", consent = new { purpose = "Taking part in the study visits", givenOn = "2021-01-04", how = "written" } }));
    }

    private static async Task<JsonElement> OkAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{response.RequestMessage!.RequestUri}: {(int)response.StatusCode} {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, HttpContent content)
    {
        var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        return client.SendAsync(request);
    }

    private static async Task PlanAsync(HttpClient livadeia, Guid group)
    {
        var plan = $"/api/pairs/{group}/action-plan";
        await OkAsync(await livadeia.GetAsync(plan));
        await OkAsync(await SendAsync(livadeia, HttpMethod.Post, plan + "/actions", JsonContent.Create(new
        {
            title = "Job counselling for newcomers", description = "MILMA's counselling, with the employment office.", activities = new[] { "Train two counsellors" },
            start = "2021-09-01", end = "2022-06-30", responsible = "Social services", partners = "Employment office", cost = 8000, fundingSource = "AMIF",
            indicators = new[] { new { name = "Newcomers counselled", baseline = 0, target = 40, unit = "people" } },
            risks = new[] { new { risk = "Few referrals", mitigation = "Outreach through the migrant associations" } }, status = "planned",
        }, options: Api.Json)));
        await OkAsync(await SendAsync(livadeia, HttpMethod.Post, plan + "/versions", JsonContent.Create(new { label = "draft" }, options: Api.Json)));
        await OkAsync(await SendAsync(livadeia, HttpMethod.Post, plan + "/endorsement", new MultipartFormDataContent
        {
            { new StringContent("2021-05-24"), "endorsedOn" }, { new StringContent("Livadeia City Council"), "body" },
            { new ByteArrayContent(Api.Pdf), "document", "council-decision.pdf" },
        }));
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task The_report_adds_up_to_the_visits_events_outputs_and_plans_made_through_their_APIs(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider, start: Spring2021);
        var facilitator = await app.ClientForAsync(People.Facilitator);
        var livadeia = await app.ClientForAsync(People.Coordinator("livadeia"));
        var fuenlabrada = await app.ClientForAsync(People.Coordinator("fuenlabrada"));
        var ngo = await PersonAsync(livadeia, "livadeia", "Livadeia Migrant Support Centre", "ngo", "Eleni Papadopoulou");
        var office = await PersonAsync(fuenlabrada, "fuenlabrada", "Fuenlabrada Employment Office", "municipal-department", "Lucía Martín");

        // The visit: proposed with two network members and a delegate, confirmed, held.
        var driver = await PairDriver.ForAsync(app, "fuenlabrada", "livadeia");
        var item = await driver.RunUntilOpenAsync("visit-1");
        var visit = $"/api/pairs/{driver.GroupId}/visits/{item.Id}";
        await OkAsync(await livadeia.CommandAsync(visit + "/proposal", new
        {
            start = "2021-05-18", end = "2021-05-21", format = "online", hostCity = "fuenlabrada", eventAgenda = "MILMA and the anti-rumours network.",
            sessions = new[] { new { date = "2021-05-18", starts = "10:00", ends = "13:00", title = "MILMA", onlineUrl = "https://meet.example/milma" } },
            participants = new[] { ngo, office },
            delegation = new[] { new { name = "Deputy Mayor of Livadeia", role = "Deputy Mayor", email = "deputy.mayor@livadeia.example" } },
        }));
        await OkAsync(await fuenlabrada.CommandAsync(visit + "/confirm"));
        app.Clock.Set(new DateTimeOffset(2021, 5, 24, 8, 0, 0, TimeSpan.Zero));
        await OkAsync(await livadeia.CommandAsync(visit + "/held", new { participants = new[] { "Coordinators", "Network members" } }));

        // The plan: an action, the draft frozen, the endorsement recorded.
        await PlanAsync(livadeia, driver.GroupId);

        // The events: Madrid's academy held with three attendees, Mechelen's to come.
        app.Clock.Set(new DateTimeOffset(2023, 1, 9, 8, 0, 0, TimeSpan.Zero));
        var madrid = (await OkAsync(await facilitator.CommandAsync(Events, new
        {
            kind = "training-academy", title = "Training academy in Madrid", eventStart = "2022-11-10T09:00", eventEnd = "2022-11-11T17:00",
            timeZone = "Europe/Madrid", eventVenue = "Madrid, FEMP headquarters",
        }))).GetProperty("id").GetGuid();
        await OkAsync(await facilitator.CommandAsync(Events, new
        {
            kind = "training-academy", title = "Training academy in Mechelen", eventStart = "2023-12-15T09:30", eventEnd = "2023-12-15T17:00",
            hostCity = "mechelen", eventVenue = "Mechelen city hall",
        }));
        await OkAsync(await facilitator.CommandAsync($"{Events}/{madrid}/held"));
        var people = (await OkAsync(await facilitator.GetAsync(Events))).GetProperty("people").EnumerateArray()
            .ToDictionary(p => p.GetProperty("name").GetString()!, p => p.GetProperty("id").GetGuid());
        await OkAsync(await facilitator.PutAsJsonAsync($"{Events}/{madrid}/attendance", new
        {
            people = new[] { people["Fuenlabrada coordinator"], people["Livadeia coordinator"], people["Migration Work (facilitator)"] },
        }, Api.Json));

        // The register: Livadeia's published one-stop-shop, the programme's planned toolkit.
        await OutputsRegisterTests.IdAsync(await livadeia.CommandAsync(OutputsRegisterTests.Outputs, new
            { title = "Livadeia welcome point", kind = "one-stop-shop", ownedBy = "livadeia", status = "published", checklist = new[] { "legal-advice" } }));
        await OutputsRegisterTests.IdAsync(await facilitator.CommandAsync(OutputsRegisterTests.Outputs, new
            { title = "IncluCities toolkit", kind = "toolkit", ownedBy = "programme", status = "planned" }));

        var csv = await ReportReading.CsvAsync(facilitator);
        int P(string measure, string key = "") => csv[("programme", "", measure, key)];
        Assert.Equal((1, 3, 1, 1, 1), (P("visits_held"), P("visit_participants"), P("visit_participants_by_kind", "ngo"),
            P("visit_participants_by_kind", "municipal-department"), P("visit_participants_by_kind", "visiting-delegation")));
        Assert.Equal((1, 3, 1, 1, 1), (P("events_held"), P("event_attendees"), P("event_attendance_by_city", "fuenlabrada"),
            P("event_attendance_by_city", "livadeia"), P("event_attendance_by_city", "programme")));
        Assert.Equal((2, 1, 0, 1), (P("outputs"), P("outputs_by_status", "planned"), P("outputs_by_status", "in-progress"), P("outputs_by_status", "published")));
        Assert.Equal(1, P("action_plans_endorsed"));
        Assert.Equal(3, csv.Count(f => f.Key is ("programme", _, "visit_participants_by_kind", _)));
        Assert.Equal(3, csv.Count(f => f.Key is ("programme", _, "event_attendance_by_city", _)));

        var number = (await facilitator.PairAsync(driver.GroupId)).Pair.Number.ToString();
        int G(string measure, string key = "") => csv[("group", number, measure, key)];
        Assert.Equal((1, 3, 2, 1, 1, 1), (G("visits_held"), G("visit_participants"), G("event_attendees"), G("outputs_by_status", "published"),
            G("action_plan_versions"), G("action_plan_endorsed")));
        var others = csv.Where(f => f.Key.Scope == "group" && f.Key.Group != number).ToList();
        Assert.All(others.Where(f => f.Key.Measure is "visits_held" or "visit_participants" or "event_attendees" or "action_plan_endorsed"), f => Assert.Equal(0, f.Value));

        var page = await ReportReading.PageAsync(facilitator);
        Assert.Equal(csv.OrderBy(f => f.Key).Select(f => (f.Key, f.Value)),
            page.Select(f => ((f.Scope, f.Group, f.Measure, f.Key), f.Value)).OrderBy(f => f.Item1));
        var (paragraphs, rows) = await ReportReading.DocxAsync(facilitator);
        Assert.Equal(page.Select(f => (f.Label, f.Value)), rows);
        Assert.Contains("Training academy in Madrid", paragraphs);
        Assert.Contains("Training academy in Mechelen", paragraphs);

        // Only the facilitator: a coordinator is refused, another programme's people find nothing.
        var athens = await OutputsRegisterTests.AnotherProgrammesCoordinatorAsync(app);
        foreach (var path in new[] { "/programmes/inclucities/report", "/programmes/inclucities/report.csv", "/programmes/inclucities/report.docx" })
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await livadeia.GetAsync(path)).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await athens.GetAsync(path)).StatusCode);
        }
    }
}
