using System.Net;
using Mentoring.Server.Data;
using Mentoring.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;

namespace Mentoring.Server.Tests.Workflows;

/// <summary>
/// An approval with two levels (the mentor city, then the facilitator) through the whole server: the API's answers to
/// each person, the gate's emails, the journal, and the stage going on only after the last level.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class ApprovalLevelsServerTests(DatabaseFixture database) : IDisposable
{
    private readonly string _workflows = CopyOfWorkflows();

    public void Dispose() => Directory.Delete(_workflows, recursive: true);

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task The_mentor_city_then_the_facilitator_approve_in_order_and_a_send_back_at_level_two_starts_the_gate_again(DatabaseProvider provider)
    {
        // The matching gate of the IncluCities pair, given a second approver in front of the facilitator.
        var file = Path.Combine(_workflows, "inclucities", "inclucities-pair.v2.json");
        var json = File.ReadAllText(file);
        var gate = json.IndexOf("\"id\": \"approve-matching\"", StringComparison.Ordinal);
        var approver = json.IndexOf("\"approver\": \"facilitator\"", gate, StringComparison.Ordinal);
        Assert.True(gate > 0 && approver > gate);
        File.WriteAllText(file, json[..approver] + "\"approvers\": [\"mentor\", \"facilitator\"]" + json[(approver + "\"approver\": \"facilitator\"".Length)..]);

        await using var app = await StartAsync(database, provider, new Dictionary<string, string?> { ["Workflows:DefinitionsPath"] = _workflows });
        var driver = await PairDriver.ForAsync(app, "schaerbeek", "jelgava");
        var facilitator = driver.As("facilitator");
        var mentor = driver.As("mentor");
        var mentee = driver.As("mentee");

        var level1 = await driver.RunUntilOpenAsync("approve-matching");
        Assert.Equal("mentor", level1.Assignee);
        // The facilitator's dashboard lists the gate but offers no buttons while the mentor city's level waits.
        var dashboard = await Web.WebClient.SignedInAsync(app, People.Facilitator);
        await dashboard.GetAsync("/dashboard");
        Assert.Contains("The city&#x27;s approval comes first.", dashboard.LastPage);
        Assert.DoesNotContain($"value=\"{level1.Id}\"", dashboard.LastPage);
        Assert.Equal(HttpStatusCode.Forbidden, (await facilitator.CommandAsync($"/api/pairs/{driver.GroupId}/approvals/{level1.Id}/approve", new { comment = "Fine" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await mentee.CommandAsync($"/api/pairs/{driver.GroupId}/approvals/{level1.Id}/approve", new { comment = "Fine" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await mentor.CommandAsync($"/api/pairs/{driver.GroupId}/approvals/{level1.Id}/approve", new { comment = "Our strengths fit." })).StatusCode);

        var level2 = await facilitator.OpenItemAsync(driver.GroupId, "approve-matching");
        Assert.NotEqual(level1.Id, level2.Id);
        Assert.Equal("facilitator", level2.Assignee);
        // The pair page shows the facilitator which level waits, and who approved the level before it.
        var page = await Web.WebClient.SignedInAsync(app, People.Facilitator);
        await page.GetAsync($"/pairs/{driver.GroupId}");
        Assert.Contains("Level 2 of 2", page.LastPage);
        Assert.Contains("Level 1: approved by ", page.LastPage);
        Assert.Contains("Our strengths fit.", page.LastPage);
        Assert.Contains($"value=\"{level2.Id}\"", page.LastPage);
        var mentorPage = await Web.WebClient.SignedInAsync(app, People.Coordinator("schaerbeek"));
        await mentorPage.GetAsync($"/pairs/{driver.GroupId}");
        Assert.Contains("Level 2 of 2", mentorPage.LastPage);
        Assert.DoesNotContain($"value=\"{level2.Id}\"", mentorPage.LastPage);

        Assert.Equal(HttpStatusCode.Conflict, (await mentor.CommandAsync($"/api/pairs/{driver.GroupId}/approvals/{level1.Id}/approve", new { comment = "Again" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await mentor.CommandAsync($"/api/pairs/{driver.GroupId}/approvals/{level2.Id}/approve", new { comment = "Both levels" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await facilitator.CommandAsync($"/api/pairs/{driver.GroupId}/approvals/{level2.Id}/send-back", new { reason = " " })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await facilitator.CommandAsync($"/api/pairs/{driver.GroupId}/approvals/{level2.Id}/send-back",
            new { reason = "The mentee's needs on housing are not answered yet." })).StatusCode);

        var history = await facilitator.HistoryAsync(driver.GroupId);
        var sentBack = Assert.Single(history, h => h.Type == "sent-back");
        Assert.Equal(2, sentBack.Data.GetProperty("level").GetInt32());
        Assert.Equal(2, sentBack.Data.GetProperty("levels").GetInt32());
        Assert.Equal("The mentee's needs on housing are not answered yet.", sentBack.Data.GetProperty("reason").GetString());
        var approved = Assert.Single(history, h => h.Type == "approved");
        Assert.Equal(1, approved.Data.GetProperty("level").GetInt32());

        // Sent back, the stage runs again and its gate starts again at the mentor city; both levels then approve.
        var again = await driver.RunUntilOpenAsync("approve-matching");
        Assert.Equal("mentor", again.Assignee);
        Assert.Equal(HttpStatusCode.OK, (await mentor.CommandAsync($"/api/pairs/{driver.GroupId}/approvals/{again.Id}/approve", new { comment = "Answered now." })).StatusCode);
        var last = await facilitator.OpenItemAsync(driver.GroupId, "approve-matching");
        Assert.Equal("facilitator", last.Assignee);
        Assert.Equal(HttpStatusCode.OK, (await facilitator.CommandAsync($"/api/pairs/{driver.GroupId}/approvals/{last.Id}/approve", new { comment = "Approved." })).StatusCode);

        var detail = await facilitator.PairAsync(driver.GroupId);
        Assert.DoesNotContain(detail.OpenItems, i => i.StepId == "approve-matching");
        Assert.Contains(detail.OpenItems, i => i.StepId == "collect-good-practices");

        // Each level's approver was asked by email, in order: the mentor city's coordinator, then the facilitator.
        await using var db = app.Db();
        var instance = await db.Groups.Where(g => g.Id == driver.GroupId).Select(g => g.InstanceId).SingleAsync();
        var asked = await db.Outbox.AsNoTracking().Where(m => m.InstanceId == instance && m.Template == "gate-awaiting-approval")
            .OrderBy(m => m.CreatedAt).ThenBy(m => m.Id).Select(m => m.RecipientEmail).ToListAsync();
        Assert.Equal([People.Coordinator("schaerbeek"), People.Facilitator, People.Coordinator("schaerbeek"), People.Facilitator],
            asked.Where(a => a == People.Coordinator("schaerbeek") || a == People.Facilitator).ToList());
    }
}
