using System.Net;
using System.Net.Http.Json;
using DocumentFormat.OpenXml.Packaging;
using Mentoring.Server.ActionPlans;
using Mentoring.Server.Benchmarks;
using Mentoring.Server.Data;
using Mentoring.Server.FunderReport;
using Mentoring.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;

namespace Mentoring.Server.Tests.ActionPlans;

/// <summary>
/// The mentee's action plan (issue 12 §3) on the seeded IncluCities, pair 4 (Schaerbeek mentors Jelgava): written by
/// Jelgava, frozen as draft, consolidated and reviewed at the three visits' plan tasks (which require those versions),
/// (workflows/inclucities/inclucities-pair.v2.json), commented on by Schaerbeek and the facilitator, compared version to version and endorsed by the city administration.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class ActionPlanTests(DatabaseFixture database)
{
    private Task<MentoringApp> StartAsync(DatabaseProvider provider) => MentoringApp.StartAsync(database, provider);

    private static string Plan(Guid pair, string rest = "") => $"/api/pairs/{pair}/action-plan{rest}";

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response)
    {
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<T>(Api.Json))!;
    }

    private static async Task<int> RevisionAsync(HttpClient client, Guid pair) =>
        (await ReadAsync<ActionPlanView>(await client.GetAsync(Plan(pair)))).Revision;

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, object body)
    {
        var request = new HttpRequestMessage(method, path) { Content = JsonContent.Create(body, options: Api.Json) };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        return client.SendAsync(request);
    }

    private static object Action(string title, decimal cost, object[]? indicators = null, string start = "2026-03-01", string end = "2026-12-31",
        Guid? objective = null, int? revision = null) => new
    {
        revision,
        objectiveId = objective, title, description = "Evening Latvian courses at the adult education centre, with childcare.",
        activities = new[] { "Agree the timetable with the centre", "Recruit two teachers" }, start, end,
        responsible = "Social services department", partners = "Jelgava Adult Education Centre; migrant association", cost,
        fundingSource = "AMIF national programme", indicators = indicators ?? [new { name = "Adults enrolled", baseline = 20, target = 60, unit = "people" }],
        risks = new[] { new { risk = "Low attendance in winter", mitigation = "Online sessions" } }, status = "planned",
    };

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_plan_goes_through_three_frozen_versions_with_comments_to_an_endorsed_plan(DatabaseProvider provider)
    {
        await using var app = await StartAsync(provider);
        var driver = await PairDriver.ForAsync(app, "schaerbeek", "jelgava");
        var pair = driver.GroupId;
        var jelgava = driver.As("mentee");
        var schaerbeek = driver.As("mentor");
        var facilitator = driver.As("facilitator");

        // Opened first: made with the needs from Jelgava's submitted needs assessment; only Jelgava edits.
        var plan = await ReadAsync<ActionPlanView>(await jelgava.GetAsync(Plan(pair)));
        Assert.True(plan.MayEdit);
        Assert.False(plan.MayComment);
        Assert.NotEqual("", plan.Working.Needs);
        Assert.Empty(plan.Versions);
        Assert.False((await ReadAsync<ActionPlanView>(await schaerbeek.GetAsync(Plan(pair)))).MayEdit);

        // Another group's city and an association are refused; the mentor cannot edit.
        var capaci = await app.ClientForAsync(People.Coordinator("capaci"));
        Assert.Equal(HttpStatusCode.Forbidden, (await capaci.GetAsync(Plan(pair))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(capaci, HttpMethod.Post, Plan(pair, "/actions"), Action("Not mine", 1))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await (await app.ClientForAsync(People.Observer("LPS"))).GetAsync(Plan(pair))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(schaerbeek, HttpMethod.Post, Plan(pair, "/actions"), Action("Mentor's", 1))).StatusCode);

        // Bad input is refused whole, naming the field; nothing is written.
        foreach (var (body, field) in new (object, string)[]
                 {
                     (Action("Courses", 100, end: "2026-02-01"), "end"),
                     (Action("Courses", -5), "cost"),
                     (Action("Courses", 100, [new { name = "Adults enrolled", target = 60 }]), "indicators[0].unit"),
                 })
        {
            var refused = await SendAsync(jelgava, HttpMethod.Post, Plan(pair, "/actions"), body);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.True((await refused.ProblemAsync()).GetProperty("errors").TryGetProperty(field, out _), await refused.Content.ReadAsStringAsync());
        }

        Assert.Empty((await ReadAsync<ActionPlanView>(await jelgava.GetAsync(Plan(pair)))).Working.Actions);

        // An objective on a key factor of the benchmark, and an action under it.
        var benchmark = await ReadAsync<BenchmarkView>(await jelgava.GetAsync($"/api/pairs/{pair}/benchmark"));
        var objective = (await ReadAsync<PlanChange>(await SendAsync(jelgava, HttpMethod.Post, Plan(pair, "/objectives"),
            new { title = "Courses adults can attend", description = "", keyFactors = new[] { benchmark.Factors[0].Id } }))).Id;
        var courses = (await ReadAsync<PlanChange>(await SendAsync(jelgava, HttpMethod.Post, Plan(pair, "/actions"),
            Action("Evening language courses", 12000, objective: objective)))).Id;

        // The draft-plan task requires the draft version: refused until Jelgava freezes it.
        var draftTask = await driver.RunUntilOpenAsync("draft-action-plan");
        var early = await jelgava.CompleteAsync(pair, draftTask.Id);
        Assert.Equal(HttpStatusCode.Conflict, early.StatusCode);
        var problem = await early.ProblemAsync();
        Assert.Equal("The action plan version is not frozen", problem.GetProperty("title").GetString());
        Assert.Contains($"/api/pairs/{pair}/action-plan/versions", problem.GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(schaerbeek, HttpMethod.Post, Plan(pair, "/versions"), new { label = "draft" })).StatusCode);
        await ReadAsync<PlanChange>(await SendAsync(jelgava, HttpMethod.Post, Plan(pair, "/versions"), new { label = "draft" }));
        Assert.Equal(HttpStatusCode.OK, (await jelgava.CompleteAsync(pair, draftTask.Id)).StatusCode);

        // A frozen version never changes; the same label cannot be frozen twice.
        var frozen = await SendAsync(jelgava, HttpMethod.Put, Plan(pair, $"/versions/draft/actions/{courses}"), Action("Changed", 1));
        Assert.Equal(HttpStatusCode.Conflict, frozen.StatusCode);
        Assert.Contains("frozen", (await frozen.ProblemAsync()).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.Conflict, (await SendAsync(jelgava, HttpMethod.Post, Plan(pair, "/versions"), new { label = "draft" })).StatusCode);

        // Schaerbeek comments on the draft's action, the facilitator on the working copy's; Jelgava does not comment.
        await ReadAsync<PlanChange>(await SendAsync(schaerbeek, HttpMethod.Post, Plan(pair, $"/actions/{courses}/comments"),
            new { text = "In Schaerbeek evening classes filled once childcare was offered.", version = "draft" }));
        await ReadAsync<PlanChange>(await SendAsync(facilitator, HttpMethod.Post, Plan(pair, $"/actions/{courses}/comments"),
            new { text = "Please add a funding source for the second year." }));
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(jelgava, HttpMethod.Post, Plan(pair, $"/actions/{courses}/comments"),
            new { text = "Thanks" })).StatusCode);

        // Consolidated after visit 2: the cost changes and a second action comes.
        await ReadAsync<PlanChange>(await SendAsync(jelgava, HttpMethod.Put, Plan(pair, $"/actions/{courses}"),
            Action("Evening language courses", 15500.5m, objective: objective, revision: await RevisionAsync(jelgava, pair))));
        var buddies = (await ReadAsync<PlanChange>(await SendAsync(jelgava, HttpMethod.Post, Plan(pair, "/actions"), Action("Language buddies", 0)))).Id;
        var reviseTask = await driver.RunUntilOpenAsync("revise-action-plan");
        Assert.Equal(HttpStatusCode.Conflict, (await jelgava.CompleteAsync(pair, reviseTask.Id)).StatusCode);
        await ReadAsync<PlanChange>(await SendAsync(jelgava, HttpMethod.Post, Plan(pair, "/versions"), new { label = "consolidated" }));
        Assert.Equal(HttpStatusCode.OK, (await jelgava.CompleteAsync(pair, reviseTask.Id)).StatusCode);

        // Reviewed at visit 3: the buddies action is dropped from the plan.
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(jelgava, HttpMethod.Delete,
            Plan(pair, $"/actions/{buddies}?revision={await RevisionAsync(jelgava, pair)}"), new { })).StatusCode);
        var finalTask = await driver.RunUntilOpenAsync("final-action-plan");
        await ReadAsync<PlanChange>(await SendAsync(jelgava, HttpMethod.Post, Plan(pair, "/versions"), new { label = "reviewed" }));
        Assert.Equal(HttpStatusCode.OK, (await jelgava.CompleteAsync(pair, finalTask.Id)).StatusCode);

        // What changed, action by action and field by field.
        var diff = await ReadAsync<PlanDiff>(await facilitator.GetAsync(Plan(pair, "/diff?from=draft&to=consolidated")));
        var changed = Assert.Single(diff.Actions, a => a.Id == courses);
        Assert.Equal(ActionPlanDiff.Changed, changed.Change);
        Assert.Equal(new FieldChange("cost", "12000.00", "15500.50"), Assert.Single(changed.Fields));
        Assert.Equal(ActionPlanDiff.Added, Assert.Single(diff.Actions, a => a.Id == buddies).Change);
        Assert.Equal(ActionPlanDiff.Removed, Assert.Single((await ReadAsync<PlanDiff>(await facilitator.GetAsync(
            Plan(pair, "/diff?from=consolidated&to=reviewed")))).Actions).Change);
        Assert.True((await ReadAsync<PlanDiff>(await facilitator.GetAsync(Plan(pair, "/diff?from=reviewed&to=working")))).Same);
        Assert.Equal(HttpStatusCode.NotFound, (await facilitator.GetAsync(Plan(pair, "/diff?from=final&to=working"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await capaci.GetAsync(Plan(pair, "/versions/draft"))).StatusCode);
        var draft = await ReadAsync<VersionView>(await facilitator.GetAsync(Plan(pair, "/versions/draft")));
        Assert.Equal(12000m, Assert.Single(draft.Content.Actions).Cost);

        // The city administration endorses it, with the council's decision attached.
        var endorsedOn = DateOnly.FromDateTime(app.Clock.GetUtcNow().UtcDateTime);
        var form = new MultipartFormDataContent
        {
            { new StringContent(endorsedOn.ToString("yyyy-MM-dd")), "endorsedOn" }, { new StringContent("Jelgava City Council"), "body" },
            { new ByteArrayContent(Api.Pdf), "file", "council-decision.pdf" },
        };
        var endorse = new HttpRequestMessage(HttpMethod.Post, Plan(pair, "/endorsement")) { Content = form };
        endorse.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        await ReadAsync<PlanChange>(await jelgava.SendAsync(endorse));
        plan = await ReadAsync<ActionPlanView>(await schaerbeek.GetAsync(Plan(pair)));
        Assert.Equal(["draft", "consolidated", "reviewed"], plan.Versions.Select(v => v.Label));
        Assert.Equal((endorsedOn, "Jelgava City Council", "council-decision.pdf"),
            (plan.Endorsement!.On, plan.Endorsement.Body, plan.Endorsement.FileName));
        Assert.Equal(["draft", null], plan.Comments.Select(c => c.Version));
        Assert.All(plan.Comments, c => Assert.Equal(courses, c.ActionId));
        Assert.Equal(Api.Pdf, await (await schaerbeek.GetAsync(Plan(pair, "/endorsement/document"))).Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.Forbidden, (await capaci.GetAsync(Plan(pair, "/endorsement/document"))).StatusCode);

        // The funder's report reads it through IActionPlanFigures.
        await using (var scope = app.Services.CreateAsyncScope())
        {
            await using var db = app.Db();
            var figures = Assert.Single(await scope.ServiceProvider.GetRequiredService<IActionPlanFigures>().ForProgrammeAsync(db, "inclucities", default),
                f => f.GroupId == pair);
            Assert.Equal(["draft", "consolidated", "reviewed"], figures.Versions);
            Assert.Equal((1, true, (DateOnly?)endorsedOn), (figures.Actions, figures.Endorsed, figures.EndorsedOn));
        }

        // Word, in the plan's language (Jelgava writes in Latvian), of the latest version by default.
        var docx = await facilitator.GetAsync($"/pairs/{pair}/action-plan.docx");
        Assert.Equal(HttpStatusCode.OK, docx.StatusCode);
        using var word = WordprocessingDocument.Open(new MemoryStream(await docx.Content.ReadAsByteArrayAsync()), false);
        Assert.Equal(plan.Working.Language, word.PackageProperties.Language);
        Assert.Contains("Evening language courses", word.MainDocumentPart!.Document!.Body!.InnerText);
        Assert.DoesNotContain("Language buddies", word.MainDocumentPart.Document.Body.InnerText);
        Assert.Equal(HttpStatusCode.Forbidden, (await capaci.GetAsync($"/pairs/{pair}/action-plan.docx")).StatusCode);
    }
}
