using System.Net;
using System.Net.Http.Json;
using Mentoring.Server.Data;
using Mentoring.Server.Tests.Infrastructure;
using Mentoring.Server.Visits;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;
using WebClient = Mentoring.Server.Tests.Web.WebClient;

namespace Mentoring.Server.Tests.Visits;

/// <summary>The visit page's plan form, beside the full page flow in <see cref="StudyVisitTests"/>.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class VisitPageTests(DatabaseFixture database)
{
    /// <summary>Regression: the form required the last day as well as the first, so a visit held on one day (one online
    /// session, a day in the host city) could not be proposed with its first day alone.</summary>
    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_one_day_visit_is_proposed_on_its_page_with_its_first_day_only(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var driver = await PairDriver.ForAsync(app, "schaerbeek", "jelgava");
        var item = await driver.RunUntilOpenAsync("visit-1");
        var path = $"/pairs/{driver.GroupId}/visits/{item.Id}";
        var page = await WebClient.SignedInAsync(app, People.Coordinator("jelgava"));
        Assert.Equal(HttpStatusCode.OK, (await page.GetAsync(path)).StatusCode);
        Assert.DoesNotMatch("name=\"end\"[^>]*required", page.LastPage);
        var day = DateOnly.FromDateTime(app.Clock.GetUtcNow().UtcDateTime).AddDays(21).ToString("yyyy-MM-dd");

        var proposed = await page.PostAsync(path + "?handler=Proposal", new Dictionary<string, string>
        {
            ["key"] = page.Hidden("key"), ["start"] = day, ["end"] = "", ["format"] = "online", ["hostCity"] = "schaerbeek",
            ["agenda"] = "The welcome desk, online.", ["sessionDate"] = day, ["sessionStarts"] = "10:00", ["sessionEnds"] = "12:00",
            ["sessionTitle"] = "The welcome desk", ["sessionPlace"] = "", ["sessionLink"] = "https://meet.example/welcome", ["delegation"] = "",
        });

        Assert.True(proposed.StatusCode == HttpStatusCode.Redirect, WebClient.Alert(page.LastPage));
        var visit = (await driver.As("mentee").GetFromJsonAsync<VisitDetailView>($"/api/pairs/{driver.GroupId}/visits/{item.Id}", Api.Json))!;
        Assert.Equal(("proposed", DateOnly.Parse(day), DateOnly.Parse(day)), (visit.Phase, visit.Start, visit.End));
        Assert.Equal("The welcome desk", Assert.Single(visit.Sessions).Title);
    }
}
