using System.Net;
using System.Net.Http.Json;
using Mentoring.Server.Data;
using Mentoring.Server.Auth;
using Mentoring.Server.Setup;
using Mentoring.Server.Tests.Infrastructure;
using Mentoring.Server.Web;
using Microsoft.EntityFrameworkCore;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;

namespace Mentoring.Server.Tests.Web;

/// <summary>Setting up a programme over /api/programmes: an admin creates it, its facilitator adds members, forms groups
/// (whose workflows start) and adds people; nobody else may, and another programme's facilitator does not see it.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class ProgrammesApiTests(DatabaseFixture database)
{
    internal const string Network = "greek-network";
    internal const string NetworkFacilitator = "facilitator@greek-network.example";

    private static Task<HttpResponseMessage> PatchAsync(HttpClient client, string path, object body) =>
        client.PatchAsync(path, JsonContent.Create(body, options: Api.Json));

    /// <summary>An admin creates the network from a programme.json-like body and gives it a facilitator.</summary>
    internal static async Task<HttpClient> CreateNetworkAsync(MentoringApp app)
    {
        var admin = await app.ClientForAsync(People.Cemr);
        var created = await admin.CommandAsync("/api/programmes", new
        {
            id = Network, name = new { en = "Cities Network for Integration", el = "Δίκτυο Πόλεων για την Ένταξη" },
            languages = new[] { "el", "en" }, timeZone = "Europe/Athens", terms = new { group = new { en = "member" } },
        });
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        var added = await admin.CommandAsync($"/api/programmes/{Network}/people",
            new { name = "Network facilitator", email = NetworkFacilitator, role = "facilitator", language = "el", invite = false });
        Assert.Equal(HttpStatusCode.OK, added.StatusCode);
        return await app.ClientForAsync(NetworkFacilitator);
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_facilitator_sets_up_a_new_programme_and_its_group_starts_its_workflow(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var admin = await app.ClientForAsync(People.Cemr);
        var bad = await admin.CommandAsync("/api/programmes", new { id = "Not An Id", name = "", languages = new[] { "xx" }, timeZone = "Mars/Base" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = (await bad.ProblemAsync()).GetProperty("errors");
        foreach (var field in new[] { "id", "name", "languages", "timeZone" }) Assert.True(errors.TryGetProperty(field, out _), field);
        var network = await CreateNetworkAsync(app);
        Assert.Equal(HttpStatusCode.Conflict, (await admin.CommandAsync("/api/programmes",
            new { id = Network, name = "Again", languages = new[] { "en" }, timeZone = "Europe/Athens" })).StatusCode);
        var listed = (await network.GetFromJsonAsync<List<ProgrammeSummary>>("/api/programmes", Api.Json))!;
        Assert.Equal(("Cities Network for Integration", "Europe/Athens"), (Assert.Single(listed).Name, listed[0].TimeZone));

        // A new city, and an existing one of IncluCities (the same installation-wide city, not a copy).
        var invalid = await network.CommandAsync($"/api/programmes/{Network}/cities", new { cityId = "larissa", name = "Larissa", country = "Greece", timeZone = "Athens", language = "gr" });
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        errors = (await invalid.ProblemAsync()).GetProperty("errors");
        foreach (var field in new[] { "country", "timeZone", "language" }) Assert.True(errors.TryGetProperty(field, out _), field);
        var key = Guid.NewGuid().ToString();
        var body = new { cityId = "larissa", name = "Larissa", country = "GR", timeZone = "Europe/Athens", language = "el" };
        Assert.Equal(HttpStatusCode.OK, (await network.CommandAsync($"/api/programmes/{Network}/cities", body, key)).StatusCode);
        var again = await network.CommandAsync($"/api/programmes/{Network}/cities", body, key);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal("true", again.Headers.GetValues(HttpIdempotency.ReplayedHeader).Single());
        Assert.Equal(HttpStatusCode.OK, (await network.CommandAsync($"/api/programmes/{Network}/cities", new { cityId = "livadeia" })).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await network.CommandAsync($"/api/programmes/{Network}/cities", new { cityId = "livadeia" })).StatusCode);
        var cities = (await network.GetFromJsonAsync<List<MemberView>>($"/api/programmes/{Network}/cities", Api.Json))!;
        Assert.Equal(["larissa", "livadeia"], cities.Select(c => c.Id));
        await using (var db = app.Db()) Assert.Equal(1, await db.Cities.CountAsync(c => c.Id == "livadeia"));
        Assert.Equal(HttpStatusCode.BadRequest, (await PatchAsync(network, $"/api/programmes/{Network}/cities/larissa", new { timeZone = "Nowhere" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await PatchAsync(network, $"/api/programmes/{Network}/cities/larissa", new { language = "en" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await PatchAsync(network, $"/api/programmes/{Network}/cities/jelgava", new { language = "en" })).StatusCode);

        // A group: its roles must be filled from member cities, then its workflow runs.
        var unfilled = await network.CommandAsync($"/api/programmes/{Network}/groups", new
        {
            shape = "pair", workflow = "inclucities-pair", title = "Housing", members = new Dictionary<string, string[]> { ["mentor"] = ["larissa"], ["mentee"] = ["jelgava"] },
        });
        Assert.Equal(HttpStatusCode.BadRequest, unfilled.StatusCode);
        Assert.True((await unfilled.ProblemAsync()).GetProperty("errors").TryGetProperty("members.jelgava", out _));
        var formed = await network.CommandAsync($"/api/programmes/{Network}/groups", new
        {
            shape = "pair", workflow = "inclucities-pair", title = "Housing for newcomers",
            members = new Dictionary<string, string[]> { ["mentor"] = ["larissa"], ["mentee"] = ["livadeia"] },
        });
        Assert.Equal(HttpStatusCode.OK, formed.StatusCode);
        var group = (await formed.Content.ReadFromJsonAsync<GroupView>(Api.Json))!;
        Assert.Equal((1, "running"), (group.Number, group.Status));
        Assert.Equal(group.Id, Assert.Single(await network.PairsAsync()).Id);
        Assert.Contains("Housing for newcomers", await network.GetStringAsync("/dashboard/export.csv"));
        Assert.DoesNotContain("Housing for newcomers", await (await app.ClientForAsync(People.Facilitator)).GetStringAsync("/dashboard/export.csv"));

        var refused = await network.DeleteAsync($"/api/programmes/{Network}/cities/livadeia");
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("group 1 (Housing for newcomers)", (await refused.ProblemAsync()).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.Conflict, (await network.DeleteAsync($"/api/programmes/{Network}/groups/{group.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await PatchAsync(network, $"/api/programmes/{Network}/groups/{group.Id}", new { notes = "Rent guarantees" })).StatusCode);
        Assert.Equal("Rent guarantees", Assert.Single((await network.GetFromJsonAsync<List<GroupView>>($"/api/programmes/{Network}/groups", Api.Json))!).Notes);
        await using (var db = app.Db()) Assert.Equal(2, await db.ProgrammeMembers.CountAsync(m => m.ProgrammeId == Network));
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task Only_an_admin_or_the_programmes_facilitator_sets_it_up(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var network = await CreateNetworkAsync(app);
        var coordinator = await app.ClientForAsync(People.Coordinator("jelgava"));
        var inclucities = await app.ClientForAsync(People.Facilitator);
        var jelgavaId = (await inclucities.GetFromJsonAsync<List<ProgrammePersonView>>("/api/programmes/inclucities/people", Api.Json))!
            .Single(p => p.Email == People.Coordinator("jelgava")).Id;

        Assert.Equal(HttpStatusCode.Forbidden, (await coordinator.GetAsync("/api/programmes")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await inclucities.CommandAsync("/api/programmes",
            new { id = "mine", name = "Mine", languages = new[] { "en" }, timeZone = "Europe/Brussels" })).StatusCode);
        foreach (var (programme, client, expected) in new[]
                 {
                     ("inclucities", coordinator, HttpStatusCode.Forbidden), (Network, inclucities, HttpStatusCode.NotFound),
                     ("inclucities", network, HttpStatusCode.NotFound), ("nowhere", inclucities, HttpStatusCode.NotFound),
                 })
        {
            var root = $"/api/programmes/{programme}";
            var responses = new[]
            {
                await client.GetAsync($"{root}/cities"), await client.GetAsync($"{root}/groups"), await client.GetAsync($"{root}/people"),
                await client.CommandAsync($"{root}/cities", new { cityId = "jelgava" }),
                await PatchAsync(client, $"{root}/cities/jelgava", new { language = "en" }), await client.DeleteAsync($"{root}/cities/jelgava"),
                await client.CommandAsync($"{root}/groups", new { shape = "pair", workflow = "inclucities-pair", title = "T" }),
                await PatchAsync(client, $"{root}/groups/{Guid.NewGuid()}", new { title = "T" }), await client.DeleteAsync($"{root}/groups/{Guid.NewGuid()}"),
                await client.CommandAsync($"{root}/people", new { name = "N", email = "n@example.org", role = "observer", language = "en" }),
                await PatchAsync(client, $"{root}/people/{jelgavaId}", new { language = "en" }), await client.DeleteAsync($"{root}/people/{jelgavaId}"),
            };
            foreach (var response in responses)
            {
                Assert.True(response.StatusCode == expected, $"{client == coordinator} {programme} {response.RequestMessage!.Method} {response.RequestMessage.RequestUri}: {response.StatusCode}");
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            }
        }

        Assert.Equal(HttpStatusCode.OK, (await inclucities.GetAsync("/api/programmes/inclucities/cities")).StatusCode);
        await using var db = app.Db();
        Assert.True(await db.ProgrammePeople.AnyAsync(p => p.PersonId == jelgavaId && p.ProgrammeId == "inclucities"));
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task An_existing_person_added_to_a_second_programme_can_switch_to_it(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var network = await CreateNetworkAsync(app);
        Assert.Equal(HttpStatusCode.OK, (await network.CommandAsync($"/api/programmes/{Network}/cities", new { cityId = "livadeia" })).StatusCode);
        var noCity = await network.CommandAsync($"/api/programmes/{Network}/people",
            new { email = People.Coordinator("livadeia"), role = "coordinator", cityId = "jelgava", language = "el" });
        Assert.Equal(HttpStatusCode.BadRequest, noCity.StatusCode);
        Assert.True((await noCity.ProblemAsync()).GetProperty("errors").TryGetProperty("cityId", out _));
        int before;
        await using (var db = app.Db()) before = await db.People.CountAsync();

        var added = await network.CommandAsync($"/api/programmes/{Network}/people",
            new { email = People.Coordinator("livadeia").ToUpperInvariant(), role = "coordinator", cityId = "livadeia", language = "el", invite = true });
        Assert.Equal(HttpStatusCode.OK, added.StatusCode);
        var person = (await added.Content.ReadFromJsonAsync<ProgrammePersonView>(Api.Json))!;
        Assert.Equal(HttpStatusCode.Conflict, (await network.CommandAsync($"/api/programmes/{Network}/people",
            new { email = People.Coordinator("livadeia"), role = "observer", language = "el" })).StatusCode);
        await using (var db = app.Db())
        {
            Assert.Equal(before, await db.People.CountAsync());
            Assert.Equal(2, await db.ProgrammePeople.CountAsync(p => p.PersonId == person.Id));
        }

        var livadeia = await app.ClientForAsync(People.Coordinator("livadeia"));
        // The switch answers with a redirect, which this client follows; /api/me says where it went.
        await livadeia.PostAsync("/programme/switch", new FormUrlEncodedContent(new Dictionary<string, string> { ["programme"] = Network }));
        Assert.Equal(Network, (await livadeia.GetFromJsonAsync<MeView>("/api/me", Api.Json))!.Programme);

        Assert.Equal(HttpStatusCode.BadRequest, (await PatchAsync(network, $"/api/programmes/{Network}/people/{person.Id}", new { role = "mayor" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await PatchAsync(network, $"/api/programmes/{Network}/people/{person.Id}", new { role = "observer" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await network.DeleteAsync($"/api/programmes/{Network}/people/{person.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await network.DeleteAsync($"/api/programmes/{Network}/people/{person.Id}")).StatusCode);
        await using (var db = app.Db())
            Assert.Equal(["inclucities"], await db.ProgrammePeople.Where(p => p.PersonId == person.Id).Select(p => p.ProgrammeId).ToListAsync());
    }
}
