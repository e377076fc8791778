using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Mentoring.Server.Data;
using Mentoring.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;
using static Mentoring.Server.Tests.Web.WebAccessTests;

namespace Mentoring.Server.Tests.Web;

[Collection(DatabaseCollection.Name)]
public sealed class ApiTokenPageTests(DatabaseFixture database)
{
    [Fact]
    public async Task A_token_created_on_the_page_works_as_Bearer_until_it_is_revoked()
    {
        await using var app = await StartAsync(database, DatabaseProvider.Sqlite);
        var capaci = await WebClient.SignedInAsync(app, People.Coordinator("capaci"));
        await capaci.GetAsync("/me/tokens");
        await capaci.PostAsync("/me/tokens?handler=Create", new Dictionary<string, string> { ["name"] = "my script" });
        var token = Regex.Match(capaci.LastPage, "<code id=\"new-token\">(mtk_[^<]+)</code>").Groups[1].Value;
        Assert.StartsWith("mtk_", token);

        var api = app.CreateClient();
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var pairs = await api.PairsAsync();
        Assert.Equal("capaci", Assert.Single(pairs).Mentee.Id);

        await using (var db = app.Db())
        {
            var id = await db.ApiTokens.Where(t => t.Name == "my script").Select(t => t.Id).SingleAsync();
            await capaci.GetAsync("/me/tokens");
            await capaci.PostAsync("/me/tokens?handler=Revoke", new Dictionary<string, string> { ["id"] = id.ToString() });
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await api.GetAsync("/api/pairs")).StatusCode);
    }

    [Fact]
    public async Task Tokens_are_managed_through_the_API_and_nobody_revokes_anothers()
    {
        await using var app = await StartAsync(database, DatabaseProvider.Sqlite);
        var jelgava = await app.ClientForAsync(People.Coordinator("jelgava"));
        var capaci = await app.ClientForAsync(People.Coordinator("capaci"));

        var created = await jelgava.PostAsJsonAsync("/api/tokens", new { name = "ci" });
        var id = (await created.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("id").GetGuid();
        Assert.Equal(HttpStatusCode.NotFound, (await capaci.DeleteAsync($"/api/tokens/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await jelgava.DeleteAsync($"/api/tokens/{id}")).StatusCode);
    }

    [Fact]
    public async Task The_OpenAPI_document_describes_the_pair_commands_and_the_nudge()
    {
        await using var app = await StartAsync(database, DatabaseProvider.Sqlite);
        var json = await app.CreateClient().GetStringAsync("/openapi/v1.json");
        Assert.Contains("\"/api/pairs/{pairId}/tasks/{itemId}/complete\"", json);
        Assert.Contains("\"/api/tokens\"", json);
        Assert.Contains("\"/api/tasks/{itemId}/nudge\"", json);
    }

    [Fact]
    public async Task The_facilitator_nudges_through_the_API_and_a_coordinator_may_not()
    {
        await using var app = await StartAsync(database, DatabaseProvider.Sqlite);
        var item = await OpenTaskAsync(app, await PairIdAsync(app, "capaci"), "mentee-needs-self-assessment");
        var facilitator = await app.ClientForAsync(People.Facilitator);
        var capaci = await app.ClientForAsync(People.Coordinator("capaci"));

        Assert.Equal(HttpStatusCode.Forbidden, (await capaci.CommandAsync($"/api/tasks/{item}/nudge")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await facilitator.CommandAsync($"/api/tasks/{item}/nudge", key: "n1")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await facilitator.CommandAsync($"/api/tasks/{item}/nudge", key: "n1")).StatusCode);

        await using var db = app.Db();
        var nudge = await db.Outbox.SingleAsync(m => m.Template == "task-reminder");
        Assert.Equal(People.Coordinator("capaci"), nudge.RecipientEmail);
    }

    [Fact]
    public async Task The_facilitator_sets_up_people_and_cities_through_the_API_and_a_coordinator_may_not()
    {
        await using var app = await StartAsync(database, DatabaseProvider.Sqlite);
        var facilitator = await app.ClientForAsync(People.Facilitator);
        var capaci = await app.ClientForAsync(People.Coordinator("capaci"));
        var person = new { name = "Giulia Rossi", email = "giulia@capaci.example", role = "coordinator", cityId = "capaci", language = "it", invite = true };

        Assert.Equal(HttpStatusCode.Forbidden, (await capaci.PostAsJsonAsync("/api/setup/people", person)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await facilitator.PostAsJsonAsync("/api/setup/people", person)).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await facilitator.PostAsJsonAsync("/api/setup/people", person)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest,
            (await facilitator.PutAsJsonAsync("/api/setup/cities/capaci", new { timeZone = "Mars/Olympus", language = "it" })).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent,
            (await facilitator.PutAsJsonAsync("/api/setup/cities/capaci", new { timeZone = "Europe/Rome", language = "en" })).StatusCode);

        await using var db = app.Db();
        var invitation = await db.Outbox.SingleAsync(m => m.Template == "invitation");
        Assert.Equal(("giulia@capaci.example", "it"), (invitation.RecipientEmail, invitation.Language));
        Assert.Equal("en", (await db.Cities.SingleAsync(c => c.Id == "capaci")).Language);
    }
}
