using System.Net;
using Mentoring.Server.Data;
using Mentoring.Server.Tests.Infrastructure;
using Mentoring.Server.Tests.Scheduling;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;

namespace Mentoring.Server.Tests.Plans;

[Collection(DatabaseCollection.Name)]
public sealed class PlanShiftTests(DatabaseFixture database)
{
    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task Shifting_a_pair_moves_its_open_due_dates_and_reminders_together_and_the_history_keeps_the_reason(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var pair = await app.PairAsync(4);
        var other = await app.PairAsync(1);
        var facilitator = await app.ClientForAsync(People.Facilitator);
        var due = await app.OpenDueAsync(pair.InstanceId);
        var timers = await app.TimersAsync(pair.InstanceId);
        var otherDue = await app.OpenDueAsync(other.InstanceId);
        Assert.Equal(2, due.Count);
        Assert.NotEmpty(timers);

        var key = Guid.NewGuid().ToString();
        var body = new { days = 14, reason = "The city council approves the questionnaire two weeks later." };
        var response = await facilitator.CommandAsync($"/api/pairs/{pair.Id}/plan/shift", body, key);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        Assert.Equal(due.Plus(14), await app.OpenDueAsync(pair.InstanceId));
        Assert.Equal(timers.Moments(14), (await app.TimersAsync(pair.InstanceId)).Moments());
        Assert.Equal(otherDue, await app.OpenDueAsync(other.InstanceId));
        var line = Assert.Single(await facilitator.HistoryAsync(pair.Id), h => h.Type == "plan-shifted");
        Assert.Equal(body.reason, line.Data.GetProperty("reason").GetString());
        Assert.Equal(14, line.Data.GetProperty("days").GetInt32());

        var retry = await facilitator.CommandAsync($"/api/pairs/{pair.Id}/plan/shift", body, key);
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Equal("true", retry.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(due.Plus(14), await app.OpenDueAsync(pair.InstanceId));
        Assert.Equal(HttpStatusCode.UnprocessableEntity,
            (await facilitator.CommandAsync($"/api/pairs/{pair.Id}/plan/shift", new { days = 7, reason = "other" }, key)).StatusCode);
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task Shifting_the_programme_to_a_date_moves_every_pair_and_the_programme_workflow_by_the_same_days(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var facilitator = await app.ClientForAsync(People.Facilitator);
        var programme = await app.ProgrammeInstanceAsync();
        var pairs = new List<Guid>();
        for (var number = 1; number <= 4; number++) pairs.Add((await app.PairAsync(number)).InstanceId);
        var before = new Dictionary<Guid, Dictionary<string, DateTimeOffset>>();
        foreach (var instance in pairs.Append(programme)) before[instance] = await app.OpenDueAsync(instance);

        // The first open due date is the programme's questionnaire, Monday 12 January: it moves to the 19th.
        var response = await facilitator.CommandAsync("/api/programme/plan/shift",
            new { toDate = new DateOnly(2026, 1, 19), reason = "Kick-off meeting postponed by a week." });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(7, (await response.ProblemAsync()).GetProperty("days").GetInt32());

        foreach (var instance in pairs.Append(programme))
        {
            Assert.Equal(before[instance].Plus(7), await app.OpenDueAsync(instance));
            Assert.Single(await app.JournalAsync(instance, "plan-shifted"));
        }
    }

    [Fact]
    public async Task A_shift_that_would_put_a_due_date_in_the_past_is_refused_unless_it_moves_forward()
    {
        await using var app = await StartAsync(database, DatabaseProvider.Sqlite);
        var pair = await app.PairAsync(4);
        var facilitator = await app.ClientForAsync(People.Facilitator);
        var due = await app.OpenDueAsync(pair.InstanceId);
        var path = $"/api/pairs/{pair.Id}/plan/shift";

        var back = await facilitator.CommandAsync(path, new { days = -30, reason = "Earlier" });
        Assert.Equal(HttpStatusCode.BadRequest, back.StatusCode);
        Assert.Contains("gone by", (await back.ProblemAsync()).GetProperty("errors").GetProperty("days")[0].GetString());
        Assert.Equal(due, await app.OpenDueAsync(pair.InstanceId));
        Assert.Empty(await app.JournalAsync(pair.InstanceId, "plan-shifted"));

        Assert.Equal(HttpStatusCode.BadRequest, (await facilitator.CommandAsync(path, new { days = 3 })).StatusCode); // no reason
        Assert.Equal(HttpStatusCode.BadRequest,
            (await facilitator.CommandAsync(path, new { days = 3, toDate = new DateOnly(2026, 2, 1), reason = "both" })).StatusCode);
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = System.Net.Http.Json.JsonContent.Create(new { days = 3, reason = "no key" }) };
        Assert.Equal(HttpStatusCode.BadRequest, (await facilitator.SendAsync(request)).StatusCode);

        // Five days overdue: two more days still leave the date in the past, and that is allowed (it is a move forward).
        app.Clock.Set(due.Values.Max().AddDays(5));
        Assert.Equal(HttpStatusCode.OK, (await facilitator.CommandAsync(path, new { days = 2, reason = "Extension" })).StatusCode);
        Assert.Equal(due.Plus(2), await app.OpenDueAsync(pair.InstanceId));
        Assert.Equal(HttpStatusCode.BadRequest, (await facilitator.CommandAsync(path, new { days = -1, reason = "Back" })).StatusCode);
    }
}
