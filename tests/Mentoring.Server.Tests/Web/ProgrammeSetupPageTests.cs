using System.Net;
using Mentoring.Server.Data;
using Mentoring.Server.Tests.Infrastructure;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;

namespace Mentoring.Server.Tests.Web;

/// <summary>The set-up pages of a programme: its facilitator forms a group there (and its workflow starts); nobody
/// else reaches them.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class ProgrammeSetupPageTests(DatabaseFixture database)
{
    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_facilitator_forms_a_group_from_the_set_up_page(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var network = await ProgrammesApiTests.CreateNetworkAsync(app);
        foreach (var city in new[] { "livadeia", "schaerbeek" })
            Assert.Equal(HttpStatusCode.OK, (await network.CommandAsync($"/api/programmes/{ProgrammesApiTests.Network}/cities", new { cityId = city })).StatusCode);
        var path = $"/setup/programmes/{ProgrammesApiTests.Network}";
        var page = await WebClient.SignedInAsync(app, ProgrammesApiTests.NetworkFacilitator);
        Assert.Equal(HttpStatusCode.OK, (await page.GetAsync("/setup/programmes")).StatusCode);
        Assert.Contains(path, page.LastPage);
        Assert.Equal(HttpStatusCode.OK, (await page.GetAsync(path)).StatusCode);

        var unfilled = await page.PostAsync($"{path}?handler=Group", new Dictionary<string, string>
            { ["shape"] = "pair", ["workflow"] = "inclucities-pair", ["title"] = "Language cafés", ["members.mentor"] = "schaerbeek" });
        Assert.Equal(HttpStatusCode.BadRequest, unfilled.StatusCode);
        Assert.Contains("mentee", WebClient.Alert(page.LastPage));
        var formed = await page.PostAsync($"{path}?handler=Group", new Dictionary<string, string>
        {
            ["shape"] = "pair", ["workflow"] = "inclucities-pair", ["title"] = "Language cafés",
            ["members.mentor"] = "schaerbeek", ["members.mentee"] = "livadeia",
        });
        Assert.Equal(HttpStatusCode.Redirect, formed.StatusCode);
        await page.GetAsync(path);
        Assert.Contains("Language cafés", page.LastPage);
        Assert.Contains("running", page.LastPage);
        Assert.Equal("Language cafés", Assert.Single(await network.PairsAsync()).Theme);

        var refused = await page.PostAsync($"{path}?handler=RemoveMember", new Dictionary<string, string> { ["cityId"] = "livadeia" });
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("Language cafés", WebClient.Alert(page.LastPage));
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task Only_the_programmes_facilitator_or_an_admin_reaches_its_set_up_pages(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        await ProgrammesApiTests.CreateNetworkAsync(app);
        var path = $"/setup/programmes/{ProgrammesApiTests.Network}";

        var other = await WebClient.SignedInAsync(app, People.Facilitator);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync(path)).StatusCode);
        await other.GetAsync("/setup/programmes");
        Assert.DoesNotContain(path, other.LastPage);
        await other.GetAsync("/setup");
        Assert.Equal(HttpStatusCode.NotFound, (await other.PostAsync($"{path}?handler=Member", new Dictionary<string, string> { ["cityId"] = "jelgava" })).StatusCode);

        var coordinator = await WebClient.SignedInAsync(app, People.Coordinator("jelgava"));
        foreach (var denied in new[] { "/setup/programmes", path, "/setup/programmes/inclucities" })
        {
            var response = await coordinator.GetAsync(denied);
            Assert.True(response.Headers.Location?.OriginalString.Contains("/forbidden") == true, $"{denied}: {response.StatusCode}");
        }

        var admin = await WebClient.SignedInAsync(app, People.Cemr);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync(path)).StatusCode);
        await using var db = app.Db();
        Assert.DoesNotContain("jelgava", db.ProgrammeMembers.Where(m => m.ProgrammeId == ProgrammesApiTests.Network).Select(m => m.CityId).ToList());
    }
}
