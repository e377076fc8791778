using System.Net;
using System.Net.Http.Json;
using Mentoring.Server.Data;
using Mentoring.Server.Tests.Infrastructure;
using Mentoring.Server.Workflows;
using Microsoft.EntityFrameworkCore;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;

namespace Mentoring.Server.Tests.Workflows;

/// <summary>What every resume promises: one transaction, idempotent by key, no lost update, clear errors.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class ResumeSemanticsTests(DatabaseFixture database)
{
    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_retried_request_returns_the_first_result_and_changes_nothing(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var jelgava = await app.ClientForAsync(People.Coordinator("jelgava"));
        var pair = await jelgava.PairOfAsync("jelgava");
        var task = await jelgava.OpenItemAsync(pair.Id, "mentee-needs-self-assessment");

        var first = await jelgava.CompleteAsync(pair.Id, task.Id, key: "retry-me");
        var journalAfterFirst = await JournalCountAsync(app);
        app.Clock.Advance(TimeSpan.FromMinutes(5));
        var retry = await jelgava.CompleteAsync(pair.Id, task.Id, key: "retry-me");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await retry.Content.ReadAsStringAsync());
        Assert.Equal("true", retry.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(journalAfterFirst, await JournalCountAsync(app));
    }

    [Fact]
    public async Task A_key_reused_for_a_different_request_is_refused()
    {
        await using var app = await StartAsync(database, DatabaseProvider.Sqlite);
        var jelgava = await app.ClientForAsync(People.Coordinator("jelgava"));
        var pair = await jelgava.PairOfAsync("jelgava");
        var task = await jelgava.OpenItemAsync(pair.Id, "mentee-needs-self-assessment");
        await jelgava.CompleteAsync(pair.Id, task.Id, key: "one-key");

        var other = await jelgava.CompleteAsync(pair.Id, task.Id,
            new { note = "A different note", link = "https://example.org/x" }, key: "one-key");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, other.StatusCode);
        Assert.Equal("application/problem+json", other.Content.Headers.ContentType?.MediaType);
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task Completing_a_completed_task_says_when_and_by_whom(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var jelgava = await app.ClientForAsync(People.Coordinator("jelgava"));
        var facilitator = await app.ClientForAsync(People.Facilitator);
        var pair = await jelgava.PairOfAsync("jelgava");
        var task = await jelgava.OpenItemAsync(pair.Id, "mentee-needs-self-assessment");
        (await jelgava.CompleteAsync(pair.Id, task.Id)).EnsureSuccessStatusCode();

        var again = await facilitator.CompleteAsync(pair.Id, task.Id);

        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        var problem = await again.ProblemAsync();
        Assert.Contains("Jelgava coordinator", problem.GetProperty("detail").GetString());
        Assert.Contains("2026-01-05 08:00", problem.GetProperty("detail").GetString());
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task Concurrent_resumes_of_one_instance_lose_no_update(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var mentor = await app.ClientForAsync(People.Coordinator("schaerbeek"));
        var mentee = await app.ClientForAsync(People.Coordinator("jelgava"));
        var pair = await mentee.PairOfAsync("jelgava");
        var menteeTask = await mentee.OpenItemAsync(pair.Id, "mentee-needs-self-assessment");
        var mentorTask = await mentee.OpenItemAsync(pair.Id, "mentor-strengths-on-theme");

        // Both sides finish their parallel tasks at the same moment: both changes must survive and the join fire.
        var results = await Task.WhenAll(mentee.CompleteAsync(pair.Id, menteeTask.Id), mentor.CompleteAsync(pair.Id, mentorTask.Id));

        Assert.All(results, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var detail = await mentee.PairAsync(pair.Id);
        Assert.Equal(["approve-matching"], detail.OpenItems.Select(i => i.StepId));
        await using var db = app.Db();
        var instance = await db.Instances.SingleAsync(i => i.GroupId == pair.Id);
        Assert.Equal(3, instance.Version); // started, then one commit per completion
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task The_same_task_completed_twice_at_once_is_done_once(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var mentee = await app.ClientForAsync(People.Coordinator("jelgava"));
        var facilitator = await app.ClientForAsync(People.Facilitator);
        var pair = await mentee.PairOfAsync("jelgava");
        var task = await mentee.OpenItemAsync(pair.Id, "mentee-needs-self-assessment");

        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(i =>
            (i % 2 == 0 ? mentee : facilitator).CompleteAsync(pair.Id, task.Id)));

        Assert.Single(results, r => r.StatusCode == HttpStatusCode.OK);
        Assert.All(results.Where(r => r.StatusCode != HttpStatusCode.OK), r => Assert.Equal(HttpStatusCode.Conflict, r.StatusCode));
        await using var db = app.Db();
        Assert.Equal(1, await db.Journal.CountAsync(j => j.Type == "task-completed" && j.StepId == "mentee-needs-self-assessment"));
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task Bad_requests_get_problem_details_and_change_nothing(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var jelgava = await app.ClientForAsync(People.Coordinator("jelgava"));
        var pair = await jelgava.PairOfAsync("jelgava");
        var task = await jelgava.OpenItemAsync(pair.Id, "mentee-needs-self-assessment");
        var before = await JournalCountAsync(app);

        var missingFields = await jelgava.CompleteAsync(pair.Id, task.Id, new { note = "" });
        var badLink = await jelgava.CompleteAsync(pair.Id, task.Id, new { note = "n", link = "javascript:alert(1)" });
        var unknownPair = await jelgava.CompleteAsync(Guid.NewGuid(), task.Id);
        var unknownTask = await jelgava.CompleteAsync(pair.Id, Guid.NewGuid());
        var noKey = await jelgava.PostAsJsonAsync($"/api/pairs/{pair.Id}/tasks/{task.Id}/complete", new { note = "n" });
        var notJson = await jelgava.SendAsync(new HttpRequestMessage(HttpMethod.Post, $"/api/pairs/{pair.Id}/tasks/{task.Id}/complete")
        {
            Content = new StringContent("{ not json", System.Text.Encoding.UTF8, "application/json"),
            Headers = { { "Idempotency-Key", "k" } },
        });

        Assert.Equal(HttpStatusCode.BadRequest, missingFields.StatusCode);
        var errors = (await missingFields.ProblemAsync()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("note", out _));
        Assert.True(errors.TryGetProperty("file", out _));
        Assert.Equal(HttpStatusCode.BadRequest, badLink.StatusCode);
        Assert.True((await badLink.ProblemAsync()).GetProperty("errors").TryGetProperty("link", out _));
        Assert.Equal(HttpStatusCode.NotFound, unknownPair.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknownTask.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, noKey.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);
        foreach (var response in new[] { missingFields, badLink, unknownPair, unknownTask, noKey })
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(before, await JournalCountAsync(app));
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task People_act_only_for_their_own_side(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var capaci = await app.ClientForAsync(People.Coordinator("capaci"));
        var schaerbeek = await app.ClientForAsync(People.Coordinator("schaerbeek"));
        var observer = await app.ClientForAsync(People.Observer("LPS"));
        var jelgava = await app.ClientForAsync(People.Coordinator("jelgava"));
        var pair = await jelgava.PairOfAsync("jelgava");
        var menteeTask = await jelgava.OpenItemAsync(pair.Id, "mentee-needs-self-assessment");

        Assert.Equal(HttpStatusCode.Forbidden, (await capaci.GetAsync($"/api/pairs/{pair.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await capaci.CompleteAsync(pair.Id, menteeTask.Id)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await schaerbeek.CompleteAsync(pair.Id, menteeTask.Id)).StatusCode); // the mentor's side
        Assert.Equal(HttpStatusCode.OK, (await observer.GetAsync($"/api/pairs/{pair.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await observer.CompleteAsync(pair.Id, menteeTask.Id)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.CreateClient().GetAsync("/api/pairs")).StatusCode);
        Assert.Equal(["capaci"], (await capaci.PairsAsync()).Select(p => p.Mentee.Id));
        Assert.Equal(["jelgava"], (await observer.PairsAsync()).Select(p => p.Mentee.Id));
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task Sending_a_stage_back_reopens_its_tasks_with_the_reason(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var mentor = await app.ClientForAsync(People.Coordinator("schaerbeek"));
        var mentee = await app.ClientForAsync(People.Coordinator("jelgava"));
        var facilitator = await app.ClientForAsync(People.Facilitator);
        var pair = await mentee.PairOfAsync("jelgava");
        await mentee.CompleteAsync(pair.Id, (await mentee.OpenItemAsync(pair.Id, "mentee-needs-self-assessment")).Id);
        await mentor.CompleteAsync(pair.Id, (await mentor.OpenItemAsync(pair.Id, "mentor-strengths-on-theme")).Id);
        var gate = await facilitator.OpenItemAsync(pair.Id, "approve-matching");

        var noReason = await facilitator.CommandAsync($"/api/pairs/{pair.Id}/approvals/{gate.Id}/send-back", new { reason = " " });
        var byCoordinator = await mentee.CommandAsync($"/api/pairs/{pair.Id}/approvals/{gate.Id}/send-back", new { reason = "x" });
        var sentBack = await facilitator.CommandAsync($"/api/pairs/{pair.Id}/approvals/{gate.Id}/send-back",
            new { reason = "The self-assessment lacks figures on language courses." });

        Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, byCoordinator.StatusCode);
        Assert.Equal(HttpStatusCode.OK, sentBack.StatusCode);
        var detail = await mentee.PairAsync(pair.Id);
        Assert.Equal(["mentee-needs-self-assessment", "mentor-strengths-on-theme"], detail.OpenItems.Select(i => i.StepId).Order());
        Assert.DoesNotContain(detail.OpenItems, i => i.Id == gate.Id);
        var history = await mentee.HistoryAsync(pair.Id);
        Assert.Contains(history, h => h.Type == "sent-back" && h.Data.GetProperty("reason").GetString()!.Contains("language courses"));
        await using var db = app.Db();
        Assert.Equal(2, await db.Outbox.CountAsync(m => m.Template == "stage-sent-back"));
    }

    private static async Task<int> JournalCountAsync(MentoringApp app)
    {
        await using var db = app.Db();
        return await db.Journal.CountAsync();
    }
}
