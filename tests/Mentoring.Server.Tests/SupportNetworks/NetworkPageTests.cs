using System.Net;
using Mentoring.Server.Data;
using Mentoring.Server.Tests.Infrastructure;
using WebClient = Mentoring.Server.Tests.Web.WebClient;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;

namespace Mentoring.Server.Tests.SupportNetworks;

/// <summary>The network pages: the coordinator's own city's network built through its forms (a person without consent
/// refused on the page too), the grid chart with its table, the withdrawal; the facilitator reads without forms; another
/// city's coordinator is refused; the pair page links the network and the step-3 task to it.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class NetworkPageTests(DatabaseFixture database)
{
    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_coordinator_builds_the_network_on_its_page_and_another_city_is_refused(DatabaseProvider provider)
    {
        await using var app = await MentoringApp.StartAsync(database, provider);
        var page = await WebClient.SignedInAsync(app, People.Coordinator("jelgava"));
        Assert.Equal("/networks/jelgava", (await page.GetAsync("/networks")).Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.OK, (await page.GetAsync("/networks/jelgava")).StatusCode);
        Assert.Contains("<li><a href=\"/networks\">", page.LastPage);
        var added = await page.PostAsync("/networks/jelgava?handler=Organisation", new Dictionary<string, string>
        {
            ["key"] = page.Hidden("key"), ["name"] = "Jelgava Adult Education Centre", ["kind"] = "school", ["importance"] = "5", ["influence"] = "2",
        });
        Assert.True(added.StatusCode == HttpStatusCode.Redirect, WebClient.Alert(page.LastPage));
        await page.GetAsync("/networks/jelgava");
        Assert.Contains("<title id=\"grid-title\">", page.LastPage);
        Assert.Contains("Jelgava Adult Education Centre", page.LastPage);
        var organisation = System.Text.RegularExpressions.Regex.Match(page.LastPage, "name=\"organisationId\">\\s*<option value=\"([^\"]+)\"").Groups[1].Value;

        var person = new Dictionary<string, string>
        {
            ["key"] = page.Hidden("key"), ["organisationId"] = organisation, ["name"] = "Dace Kļaviņa", ["email"] = "dace@example.org",
        };
        var refused = await page.PostAsync("/networks/jelgava?handler=Person", person);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("recorded consent", WebClient.Alert(page.LastPage));
        // A browser posts the key of the page it shows: the refused form came back with a new one.
        person["key"] = page.Hidden("key");
        person["purpose"] = "Network contact list";
        person["givenOn"] = "2026-01-05";
        person["how"] = "email";
        var withConsent = await page.PostAsync("/networks/jelgava?handler=Person", person);
        Assert.True(withConsent.StatusCode == HttpStatusCode.Redirect, WebClient.Alert(page.LastPage));
        await page.GetAsync("/networks/jelgava");
        Assert.Contains("Dace Kļaviņa", System.Net.WebUtility.HtmlDecode(page.LastPage));
        var personId = System.Text.RegularExpressions.Regex.Match(page.LastPage, "name=\"personId\" value=\"([^\"]+)\"").Groups[1].Value;
        Assert.Equal(HttpStatusCode.Redirect, (await page.PostAsync("/networks/jelgava?handler=Meeting", new Dictionary<string, string>
        {
            ["key"] = page.Hidden("key"), ["date"] = "2026-01-22", ["title"] = "Kick-off", ["people"] = personId,
        })).StatusCode);
        await page.GetAsync("/networks/jelgava");
        Assert.Equal(HttpStatusCode.Redirect, (await page.PostAsync("/networks/jelgava?handler=Withdraw", new Dictionary<string, string>
        {
            ["key"] = page.Hidden("key"), ["personId"] = personId,
        })).StatusCode);
        await page.GetAsync("/networks/jelgava");
        Assert.DoesNotContain("Kļaviņa", System.Net.WebUtility.HtmlDecode(page.LastPage));
        Assert.Contains("Consent withdrawn: data erased", page.LastPage);
        Assert.Contains("1 attended", page.LastPage);

        var capaci = await WebClient.SignedInAsync(app, People.Coordinator("capaci"));
        Assert.Contains("/forbidden", (await capaci.GetAsync("/networks/jelgava")).Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.NotFound, (await capaci.GetAsync("/networks/athens")).StatusCode);
        await capaci.GetAsync("/networks/capaci");
        var posted = await capaci.PostAsync("/networks/jelgava?handler=Organisation", new Dictionary<string, string>
        {
            ["key"] = capaci.Hidden("key"), ["name"] = "Not mine", ["kind"] = "ngo", ["importance"] = "1", ["influence"] = "1",
        });
        Assert.Contains("/forbidden", posted.Headers.Location!.OriginalString);
        var observer = await WebClient.SignedInAsync(app, People.Observer("LPS"));
        Assert.Contains("/forbidden", (await observer.GetAsync("/networks/jelgava")).Headers.Location!.OriginalString);

        var facilitator = await WebClient.SignedInAsync(app, People.Facilitator);
        Assert.Equal(HttpStatusCode.OK, (await facilitator.GetAsync("/networks")).StatusCode);
        Assert.Contains("href=\"/networks/jelgava\"", facilitator.LastPage);
        Assert.Equal(HttpStatusCode.OK, (await facilitator.GetAsync("/networks/jelgava")).StatusCode);
        Assert.Contains("Jelgava Adult Education Centre", facilitator.LastPage);
        Assert.DoesNotContain("handler=Organisation", facilitator.LastPage);
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task The_pair_page_links_the_step_3_task_to_the_network_of_the_readers_city(DatabaseProvider provider)
    {
        await using var app = await MentoringApp.StartAsync(database, provider);
        var api = await app.ClientForAsync(People.Coordinator("jelgava"));
        var pair = await api.PairOfAsync("jelgava");
        var page = await WebClient.SignedInAsync(app, People.Coordinator("jelgava"));
        await page.GetAsync($"/pairs/{pair.Id}");
        Assert.Contains("href=\"/networks/jelgava\"", page.LastPage);
        Assert.DoesNotContain("href=\"/networks/schaerbeek\"", page.LastPage);

        // The driver does steps 1 and 2; once the step-3 task is open, the pair page links it to the network.
        var driver = await PairDriver.ForAsync(app, "schaerbeek", "jelgava");
        var item = await driver.RunUntilOpenAsync("mentee-local-network");
        await page.GetAsync($"/pairs/{pair.Id}");
        Assert.Contains($"id=\"network-task-{item.Id}\"", page.LastPage);
    }
}
