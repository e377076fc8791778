using System.Net;
using System.Net.Http.Json;
using Mentoring.Server.ActionPlans;
using Mentoring.Server.Data;
using Mentoring.Server.Tests.Infrastructure;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;
using WebClient = Mentoring.Server.Tests.Web.WebClient;

namespace Mentoring.Server.Tests.ActionPlans;

/// <summary>
/// The working copy's revision: two people of Jelgava edit the same plan (issue 12 §3). A save made on a revision someone
/// else has saved over is refused (409 on the API, a message on the page) and writes nothing, also when the two saves
/// arrive at once; a replace or a removal without the revision is refused (400).
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class ActionPlanConcurrencyTests(DatabaseFixture database)
{
    private static string Plan(Guid pair, string rest = "") => $"/api/pairs/{pair}/action-plan{rest}";

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, object body)
    {
        var request = new HttpRequestMessage(method, path) { Content = JsonContent.Create(body, options: Api.Json) };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        return client.SendAsync(request);
    }

    private static object Action(string title, int? revision) => new
    {
        revision, title, description = "Evening Latvian courses at the adult education centre.", start = "2026-03-01", end = "2026-12-31",
        responsible = "Social services department", cost = 12000, status = "planned",
    };

    private static async Task<ActionPlanView> ReadAsync(HttpClient client, Guid pair) =>
        (await client.GetFromJsonAsync<ActionPlanView>(Plan(pair), Api.Json))!;

    private static async Task AssertStaleAsync(HttpResponseMessage response)
    {
        Assert.True(response.StatusCode == HttpStatusCode.Conflict, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        var problem = await response.ProblemAsync();
        Assert.Equal(409, problem.GetProperty("status").GetInt32());
        Assert.Equal(ActionPlanCommands.Stale, problem.GetProperty("detail").GetString());
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_save_made_on_a_revision_someone_saved_over_is_refused_and_overwrites_nothing(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var driver = await PairDriver.ForAsync(app, "schaerbeek", "jelgava");
        var pair = driver.GroupId;
        var ilze = await app.ClientForAsync(People.Coordinator("jelgava"));
        var janis = await app.ClientForAsync(People.Coordinator("jelgava"));

        var opened = await ReadAsync(ilze, pair);
        var added = (await (await SendAsync(ilze, HttpMethod.Post, Plan(pair, "/actions"), Action("Evening language courses", opened.Revision)))
            .Content.ReadFromJsonAsync<PlanChange>(Api.Json))!;
        Assert.Equal(opened.Revision + 1, added.Revision);
        var read = await ReadAsync(janis, pair);
        Assert.Equal(added.Revision, read.Revision);

        // Ilze saves; Jānis, who read the same revision, saves after her: refused, and her title stays.
        var saved = await SendAsync(ilze, HttpMethod.Put, Plan(pair, $"/actions/{added.Id}"), Action("Evening courses with childcare", read.Revision));
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        await AssertStaleAsync(await SendAsync(janis, HttpMethod.Put, Plan(pair, $"/actions/{added.Id}"), Action("Weekend courses", read.Revision)));
        await AssertStaleAsync(await SendAsync(janis, HttpMethod.Put, Plan(pair), new { context = "Jānis's context", revision = read.Revision }));
        await AssertStaleAsync(await SendAsync(janis, HttpMethod.Delete, Plan(pair, $"/actions/{added.Id}?revision={read.Revision}"), new { }));
        await AssertStaleAsync(await SendAsync(janis, HttpMethod.Post, Plan(pair, "/versions"), new { label = "draft", revision = read.Revision }));
        var now = await ReadAsync(janis, pair);
        Assert.Equal(("Evening courses with childcare", "", read.Revision + 1), (Assert.Single(now.Working.Actions).Title, now.Working.Context, now.Revision));
        Assert.Empty(now.Versions);

        // A replace or a removal that names no revision is refused, naming the field.
        foreach (var refused in new[]
                 {
                     await SendAsync(janis, HttpMethod.Put, Plan(pair, $"/actions/{added.Id}"), Action("Weekend courses", null)),
                     await SendAsync(janis, HttpMethod.Put, Plan(pair), new { context = "Jānis's context" }),
                     await SendAsync(janis, HttpMethod.Delete, Plan(pair, $"/actions/{added.Id}"), new { }),
                 })
        {
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.True((await refused.ProblemAsync()).GetProperty("errors").TryGetProperty("revision", out _));
        }

        // Two saves on the same revision at once: one is written whole, the other refused; never a mix, never a 500.
        var revision = now.Revision;
        using var start = new SemaphoreSlim(0);
        var both = new[] { (ilze, "Courses in the library"), (janis, "Courses at the school") }.Select(async x =>
        {
            await start.WaitAsync();
            return await SendAsync(x.Item1, HttpMethod.Put, Plan(pair, $"/actions/{added.Id}"), Action(x.Item2, revision));
        }).ToList();
        start.Release(2);
        var answers = await Task.WhenAll(both);
        Assert.Single(answers, a => a.StatusCode == HttpStatusCode.OK);
        await AssertStaleAsync(Assert.Single(answers, a => a.StatusCode != HttpStatusCode.OK));
        var winner = answers[0].StatusCode == HttpStatusCode.OK ? "Courses in the library" : "Courses at the school";
        var after = await ReadAsync(ilze, pair);
        Assert.Equal((winner, revision + 1), (Assert.Single(after.Working.Actions).Title, after.Revision));

        // A retry of the winner with its key is its answer again, not a conflict with itself.
        var retried = new HttpRequestMessage(HttpMethod.Put, Plan(pair, $"/actions/{added.Id}"))
            { Content = JsonContent.Create(Action("Courses on Saturdays", after.Revision), options: Api.Json) };
        retried.Headers.Add("Idempotency-Key", "retry-1");
        Assert.Equal(HttpStatusCode.OK, (await ilze.SendAsync(retried)).StatusCode);
        var again = new HttpRequestMessage(HttpMethod.Put, Plan(pair, $"/actions/{added.Id}"))
            { Content = JsonContent.Create(Action("Courses on Saturdays", after.Revision), options: Api.Json) };
        again.Headers.Add("Idempotency-Key", "retry-1");
        var replayed = await ilze.SendAsync(again);
        Assert.Equal(HttpStatusCode.OK, replayed.StatusCode);
        Assert.Equal(after.Revision + 1, (await ReadAsync(ilze, pair)).Revision);
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task The_page_says_the_plan_was_saved_meanwhile_and_keeps_the_other_save(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var driver = await PairDriver.ForAsync(app, "schaerbeek", "jelgava");
        var path = $"/pairs/{driver.GroupId}/action-plan";
        var page = await WebClient.SignedInAsync(app, People.Coordinator("jelgava"));
        await page.GetAsync(path);
        var key = page.Hidden("key");
        var revision = page.Hidden("revision");
        Assert.NotEqual("", revision);

        // Someone else of Jelgava saves the context through the API while the page is open.
        var api = await app.ClientForAsync(People.Coordinator("jelgava"));
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(api, HttpMethod.Put, Plan(driver.GroupId),
            new { context = "Written by the colleague", revision = int.Parse(revision) })).StatusCode);

        var stale = await page.PostAsync(path + "?handler=Plan", new Dictionary<string, string>
        {
            ["key"] = key, ["revision"] = revision, ["language"] = "lv", ["context"] = "Written on the page", ["needs"] = "",
        });
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        Assert.Contains("nothing was overwritten", WebClient.Alert(page.LastPage));
        Assert.Contains("Written by the colleague", page.LastPage);
        var plan = await ReadAsync(api, driver.GroupId);
        Assert.Equal("Written by the colleague", plan.Working.Context);

        // On the page as it is now, the same save goes through.
        var saved = await page.PostAsync(path + "?handler=Plan", new Dictionary<string, string>
        {
            ["key"] = page.Hidden("key"), ["revision"] = page.Hidden("revision"), ["language"] = "lv", ["context"] = "Written on the page", ["needs"] = "",
        });
        Assert.True(saved.StatusCode == HttpStatusCode.Redirect, WebClient.Alert(page.LastPage));
        Assert.Equal("Written on the page", (await ReadAsync(api, driver.GroupId)).Working.Context);
    }
}
