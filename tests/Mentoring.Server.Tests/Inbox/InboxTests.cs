using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Mentoring.Engine.Runtime;
using Mentoring.Server.Data;
using Mentoring.Server.Inbox;
using Mentoring.Server.Programme;
using Mentoring.Server.Tests.Infrastructure;
using Mentoring.Server.Tests.Web;
using Mentoring.Server.Workflows;
using Microsoft.EntityFrameworkCore;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;
using Group = Mentoring.Server.Programme.Group;
using WebClient = Mentoring.Server.Tests.Web.WebClient;

namespace Mentoring.Server.Tests.Inbox;

/// <summary>
/// "My inbox" across programmes. Beside the seeded IncluCities (Livadeia is pair 3's mentee) runs a second network whose
/// one cluster has Larissa as its core city and Livadeia as a partner: Livadeia then has tasks in two programmes, and
/// Larissa's task in the cluster waits on another city for Livadeia. Capaci, of another IncluCities pair, has none of them.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class InboxTests(DatabaseFixture database) : IDisposable
{
    private const string Network = "cluster-network";
    private const string Larissa = "larissa@cluster-network.example";
    private static readonly string Livadeia = People.Coordinator("livadeia");

    // Stage start is the app's start, Monday 5 January 2026: the plan is due on the 8th, the budget the 10th, the report the 25th.
    private const string ClusterWorkflow = """
        {
          "id": "test-inbox-cluster",
          "version": 1,
          "name": "Thematic cluster",
          "kind": "group",
          "roles": [ { "id": "core", "name": "core city" }, { "id": "partner", "name": "partner city" } ],
          "stages": [
            { "id": "work", "number": 1, "name": "Work", "steps": [
              { "type": "parallel", "id": "all", "title": "Everything at once", "branches": [
                [ { "type": "task", "id": "partner-plan", "title": "Write the partner's plan", "assignee": "partner", "due": { "daysAfterStageStart": 3 } } ],
                [ { "type": "task", "id": "partner-report", "title": "Write the partner's report", "assignee": "partner", "due": { "daysAfterStageStart": 20 } } ],
                [ { "type": "task", "id": "core-budget", "title": "Draw up the cluster's budget", "assignee": "core", "due": { "daysAfterStageStart": 5 } } ]
              ] } ] }
          ]
        }
        """;

    private readonly string _workflows = CopyOfWorkflows();

    public void Dispose() => Directory.Delete(_workflows, recursive: true);

    private async Task<MentoringApp> StartAsync(DatabaseProvider provider)
    {
        File.WriteAllText(Path.Combine(_workflows, "test-inbox-cluster.v1.json"), ClusterWorkflow);
        var app = await MentoringApp.StartAsync(database, provider, new Dictionary<string, string?> { ["Workflows:DefinitionsPath"] = _workflows });
        await using var db = app.Db();
        await using var transaction = await db.Database.BeginTransactionAsync();
        var now = app.Clock.GetUtcNow();
        db.Programmes.Add(new ProgrammeRecord { Id = Network, Name = "Cluster network", CreatedAt = now, TimeZone = "Europe/Athens" });
        db.Cities.Add(new City { Id = "larissa", Name = "Larissa", Country = "GR", TimeZone = "Europe/Athens", Language = "el" });
        db.ProgrammeMembers.AddRange(
            new ProgrammeMember { ProgrammeId = Network, CityId = "larissa" },
            new ProgrammeMember { ProgrammeId = Network, CityId = "livadeia" });
        var larissa = new Person { Name = "Larissa coordinator", Email = Larissa, Language = "el", TimeZone = "Europe/Athens", CurrentProgramme = Network, CreatedAt = now };
        db.People.Add(larissa);
        var livadeia = await db.People.SingleAsync(p => p.Email == Livadeia);
        db.ProgrammePeople.AddRange(
            new ProgrammePerson { ProgrammeId = Network, PersonId = larissa.Id, Role = PersonRoles.Coordinator, CityId = "larissa" },
            new ProgrammePerson { ProgrammeId = Network, PersonId = livadeia.Id, Role = PersonRoles.Coordinator, CityId = "livadeia" });
        var cluster = new Group
        {
            ProgrammeId = Network, Number = 1, Shape = "cluster", Title = "Housing for newcomers", WorkflowId = "test-inbox-cluster",
            InstanceId = Guid.CreateVersion7(),
        };
        db.Groups.Add(cluster);
        db.GroupMembers.AddRange(
            new GroupMember { GroupId = cluster.Id, CityId = "larissa", Role = "core" },
            new GroupMember { GroupId = cluster.Id, CityId = "livadeia", Role = "partner" });
        await db.SaveChangesAsync();
        await app.Service<WorkflowHost>().StartAsync(db, app.Service<DefinitionStore>().Catalog.Latest("test-inbox-cluster")!, Network, cluster,
            Actor.System, CancellationToken.None);
        await transaction.CommitAsync();
        return app;
    }

    private static async Task<InboxView> InboxAsync(HttpClient client, string query = "")
    {
        var response = await client.GetAsync("/api/me/tasks" + query);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<InboxView>(Api.Json))!;
    }

    private static async Task<Guid> ItemAsync(MentoringApp app, string stepId, string? programmeId = null)
    {
        await using var db = app.Db();
        return await (from item in db.WorkItems
                where item.StepId == stepId && item.Status == WorkItemStatus.Open
                join instance in db.Instances on item.InstanceId equals instance.Id
                where programmeId == null || instance.ProgrammeId == programmeId
                select item.Id).SingleAsync();
    }

    private static Task<HttpResponseMessage> PutAsync(HttpClient client, string path, object body) =>
        client.PutAsJsonAsync(path, body, Api.Json);

    private static string[] Steps(InboxView view, string programmeId) =>
        view.Tasks.Where(t => t.ProgrammeId == programmeId).Select(t => t.Title).ToArray();

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task The_inbox_lists_a_persons_tasks_across_two_programmes_and_never_another_citys(DatabaseProvider provider)
    {
        await using var app = await StartAsync(provider);
        var livadeia = await app.ClientForAsync(Livadeia);
        var livadeiaPair = await WebAccessTests.PairIdAsync(app, "livadeia");
        var selfAssessment = await WebAccessTests.OpenTaskAsync(app, livadeiaPair, "mentee-needs-self-assessment");
        var strengths = await WebAccessTests.OpenTaskAsync(app, livadeiaPair, "mentor-strengths-on-theme");
        var plan = await ItemAsync(app, "partner-plan");
        var budget = await ItemAsync(app, "core-budget");

        // Signed in to IncluCities, Livadeia's "mine" has its mentee task there and its partner tasks in the network.
        var mine = await InboxAsync(livadeia);
        Assert.Equal(("mine", "due"), (mine.Filter, mine.Sort));
        Assert.Contains(mine.Tasks, t => t.Id == selfAssessment && t.ProgrammeId == "inclucities" && t.InCurrentProgramme && t.Mine);
        Assert.DoesNotContain(mine.Tasks, t => t.Id == strengths);
        Assert.Equal(["Write the partner's plan", "Write the partner's report"], Steps(mine, Network));
        var planRow = mine.Tasks.Single(t => t.Id == plan);
        Assert.Equal(("Cluster network", false, $"/tasks/{plan}"), (planRow.ProgrammeName, planRow.InCurrentProgramme, planRow.Link));
        Assert.DoesNotContain(mine.Tasks, t => t.Id == budget);
        // Larissa's budget and Fuenlabrada's strengths wait on the other city.
        var waiting = await InboxAsync(livadeia, "?filter=waiting");
        Assert.Contains(waiting.Tasks, t => t.Id == budget);
        Assert.Contains(waiting.Tasks, t => t.Id == strengths && t.Waiting);
        Assert.All(waiting.Tasks, t => Assert.False(t.Mine));
        // Larissa sees the same cluster from the other side.
        var larissa = await app.ClientForAsync(Larissa);
        Assert.Equal(["Draw up the cluster's budget"], Steps(await InboxAsync(larissa), Network));
        Assert.Equal(2, (await InboxAsync(larissa, "?filter=waiting")).Tasks.Count);

        // Capaci (pair 2) sees nothing of Livadeia's groups in any list, and cannot touch their tasks (404, as for a task
        // that does not exist); the facilitator of IncluCities sees nothing of the network.
        var capaci = await app.ClientForAsync(People.Coordinator("capaci"));
        var capaciPair = await WebAccessTests.PairIdAsync(app, "capaci");
        foreach (var filter in InboxQueries.Filters)
        {
            var view = await InboxAsync(capaci, $"?filter={filter}");
            Assert.DoesNotContain(view.Tasks, t => t.Id == selfAssessment || t.Id == plan || t.Id == budget || t.GroupId == livadeiaPair);
            Assert.All(view.Tasks, t => Assert.Equal(capaciPair, t.GroupId));
        }

        foreach (var item in new[] { selfAssessment, plan })
        {
            Assert.Equal(HttpStatusCode.NotFound, (await PutAsync(capaci, $"/api/me/tasks/{item}/priority", new { priority = "high" })).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await PutAsync(capaci, $"/api/me/tasks/{item}/follow-up", new { date = "2026-01-07" })).StatusCode);
        }

        var facilitator = await app.ClientForAsync(People.Facilitator);
        Assert.DoesNotContain((await InboxAsync(facilitator, "?filter=waiting")).Tasks, t => t.ProgrammeId == Network);
        Assert.Contains((await InboxAsync(facilitator, "?filter=waiting")).Tasks, t => t.Id == selfAssessment);
        // The facilitator may set any task's priority in the programme; Livadeia not that of a task waiting on Larissa.
        Assert.Equal(HttpStatusCode.OK, (await PutAsync(facilitator, $"/api/me/tasks/{selfAssessment}/priority", new { priority = "high" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await PutAsync(livadeia, $"/api/me/tasks/{budget}/priority", new { priority = "high" })).StatusCode);
        Assert.Equal("high", (await InboxAsync(livadeia)).Tasks.Single(t => t.Id == selfAssessment).Priority);

        // The page says the same: Capaci's inbox has none of Livadeia's tasks, its forms refuse them.
        var capaciPage = await WebClient.SignedInAsync(app, People.Coordinator("capaci"));
        Assert.Equal(HttpStatusCode.OK, (await capaciPage.GetAsync("/me/tasks?filter=waiting")).StatusCode);
        Assert.DoesNotContain(selfAssessment.ToString(), capaciPage.LastPage);
        Assert.DoesNotContain("Housing for newcomers", capaciPage.LastPage);
        var refused = await capaciPage.PostAsync("/me/tasks?handler=Priority", new Dictionary<string, string> { ["itemId"] = selfAssessment.ToString(), ["priority"] = "low" });
        Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
        refused = await capaciPage.PostAsync("/me/tasks?handler=FollowUp", new Dictionary<string, string> { ["itemId"] = plan.ToString(), ["on"] = "2026-01-07" });
        Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
        var livadeiaPage = await WebClient.SignedInAsync(app, Livadeia);
        await livadeiaPage.GetAsync("/me/tasks");
        Assert.Contains("Write the partner&#x27;s plan", livadeiaPage.LastPage);
        Assert.Contains("Switch to Cluster network and open", livadeiaPage.LastPage);
        Assert.Equal("high", (await InboxAsync(facilitator, "?filter=waiting")).Tasks.Single(t => t.Id == selfAssessment).Priority);
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task Filters_sorts_priorities_and_follow_ups_shape_the_inbox_and_the_header_count(DatabaseProvider provider)
    {
        await using var app = await StartAsync(provider);
        var livadeia = await app.ClientForAsync(Livadeia);
        var plan = await ItemAsync(app, "partner-plan");
        var report = await ItemAsync(app, "partner-report");

        // By due date the plan (8 January) comes before the report (25 January); made high, the report leads by priority.
        Assert.Equal(["Write the partner's plan", "Write the partner's report"], Steps(await InboxAsync(livadeia, "?sort=due"), Network));
        var first = await PutAsync(livadeia, $"/api/me/tasks/{report}/priority", new { priority = "high" });
        var again = await PutAsync(livadeia, $"/api/me/tasks/{report}/priority", new { priority = "high" });
        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (first.StatusCode, again.StatusCode));
        Assert.Equal(await first.Content.ReadAsStringAsync(), await again.Content.ReadAsStringAsync());
        Assert.Equal(["Write the partner's report", "Write the partner's plan"], Steps(await InboxAsync(livadeia, "?sort=priority"), Network));
        Assert.Equal(["Write the partner's plan", "Write the partner's report"], Steps(await InboxAsync(livadeia, "?sort=due"), Network));
        Assert.Equal(HttpStatusCode.OK, (await PutAsync(livadeia, $"/api/me/tasks/{plan}/priority", new { priority = "low" })).StatusCode);
        var byPriority = (await InboxAsync(livadeia, "?sort=priority")).Tasks;
        Assert.Equal("high", byPriority[0].Priority);
        Assert.Equal("low", byPriority[^1].Priority);
        Assert.Equal(plan, byPriority[^1].Id);

        // Due this week: the plan only; overdue: nothing yet.
        Assert.Equal(["Write the partner's plan"], Steps(await InboxAsync(livadeia, "?filter=due-this-week"), Network));
        Assert.Empty(Steps(await InboxAsync(livadeia, "?filter=overdue"), Network));
        var count = (await InboxAsync(livadeia)).Count;
        Assert.True(count >= 1);

        // Put off to Wednesday: gone from "mine" and from the count, still in "my team's" and "due this week".
        var snooze = await PutAsync(livadeia, $"/api/me/tasks/{plan}/follow-up", new { date = "2026-01-07" });
        Assert.Equal(HttpStatusCode.OK, snooze.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await PutAsync(livadeia, $"/api/me/tasks/{plan}/follow-up", new { date = "2026-01-07" })).StatusCode);
        await using (var db = app.Db())
            Assert.Equal(1, await db.Set<TaskFollowUpRecord>().CountAsync(f => f.WorkItemId == plan));
        var snoozed = await InboxAsync(livadeia);
        Assert.DoesNotContain(snoozed.Tasks, t => t.Id == plan);
        Assert.Equal(count - 1, snoozed.Count);
        var team = (await InboxAsync(livadeia, "?filter=team")).Tasks.Single(t => t.Id == plan);
        Assert.Equal((true, new DateOnly(2026, 1, 7)), (team.Snoozed, team.FollowUpOn));
        Assert.Contains((await InboxAsync(livadeia, "?filter=due-this-week")).Tasks, t => t.Id == plan);
        var page = await WebClient.SignedInAsync(app, Livadeia);
        await page.GetAsync("/me/calendar");
        Assert.Equal(count - 1, HeaderCount(page.LastPage));

        // Tuesday: still put off. Wednesday: back in "mine" and the count.
        app.Clock.Set(new DateTimeOffset(2026, 1, 6, 8, 0, 0, TimeSpan.Zero));
        Assert.DoesNotContain((await InboxAsync(livadeia)).Tasks, t => t.Id == plan);
        app.Clock.Set(new DateTimeOffset(2026, 1, 7, 8, 0, 0, TimeSpan.Zero));
        var back = await InboxAsync(livadeia);
        Assert.Contains(back.Tasks, t => t.Id == plan && !t.Snoozed);
        Assert.Equal(count, back.Count);
        // Two days on, the sign-in session has ended: sign in again.
        page = await WebClient.SignedInAsync(app, Livadeia);
        await page.GetAsync("/me/tasks");
        Assert.Equal(count, HeaderCount(page.LastPage));

        // Friday the 9th: the plan is overdue.
        app.Clock.Set(new DateTimeOffset(2026, 1, 9, 8, 0, 0, TimeSpan.Zero));
        Assert.Equal(["Write the partner's plan"], Steps(await InboxAsync(livadeia, "?filter=overdue"), Network));
        Assert.True((await InboxAsync(livadeia, "?filter=overdue")).Tasks.Single(t => t.Id == plan).Overdue);

        // A cleared follow-up is gone; bad values are problem details.
        Assert.Equal(HttpStatusCode.OK, (await PutAsync(livadeia, $"/api/me/tasks/{report}/follow-up", new { date = "2026-01-20" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await PutAsync(livadeia, $"/api/me/tasks/{report}/follow-up", new { date = (string?)null })).StatusCode);
        Assert.Contains((await InboxAsync(livadeia)).Tasks, t => t.Id == report && t.FollowUpOn is null);
        foreach (var (path, body, title) in new (string, object, string)[]
                 {
                     ($"/api/me/tasks/{report}/follow-up", new { date = "next week" }, "Not a date"),
                     ($"/api/me/tasks/{report}/follow-up", new { date = "2026-01-08" }, "The date has passed"),
                     ($"/api/me/tasks/{report}/follow-up", new { date = "2028-01-08" }, "The date is too far"),
                     ($"/api/me/tasks/{report}/priority", new { priority = "urgent" }, "Unknown priority"),
                 })
        {
            var response = await PutAsync(livadeia, path, body);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal(title, (await response.ProblemAsync()).GetProperty("title").GetString());
        }

        foreach (var (query, title) in new[] { ("?filter=everything", "Unknown filter"), ("?sort=title", "Unknown sort") })
        {
            var response = await livadeia.GetAsync("/api/me/tasks" + query);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal(title, (await response.ProblemAsync()).GetProperty("title").GetString());
        }

        // The page: a bad date is said in words (400), a good one is saved and the task leaves "mine".
        page = await WebClient.SignedInAsync(app, Livadeia);
        await page.GetAsync("/me/tasks");
        var bad = await page.PostAsync("/me/tasks?handler=FollowUp", new Dictionary<string, string> { ["itemId"] = report.ToString(), ["on"] = "2026-01-01" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("The follow-up date has passed", WebClient.Alert(page.LastPage));
        var saved = await page.PostAsync("/me/tasks?handler=FollowUp", new Dictionary<string, string> { ["itemId"] = report.ToString(), ["on"] = "2026-01-12", ["filter"] = "mine" });
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        await page.GetAsync(saved.Headers.Location!.OriginalString);
        Assert.DoesNotContain($"task-{report}", page.LastPage);
        await page.GetAsync("/me/tasks?filter=team&sort=priority");
        Assert.Contains($"task-{report}", page.LastPage);
        Assert.Equal(HttpStatusCode.BadRequest, (await page.GetAsync("/me/tasks?filter=everything")).StatusCode);
        Assert.Contains("This list does not exist", WebClient.Alert(page.LastPage));
    }

    private static int HeaderCount(string page) =>
        int.Parse(Regex.Match(page, "id=\"my-tasks\">[^<]*<span[^>]*>\\((\\d+)\\)</span>").Groups[1].Value);
}
