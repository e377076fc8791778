using System.Net;
using System.Net.Http.Json;
using Mentoring.Server.ActionPlans;
using Mentoring.Server.Data;
using Mentoring.Server.Tests.Infrastructure;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;
using WebClient = Mentoring.Server.Tests.Web.WebClient;

namespace Mentoring.Server.Tests.ActionPlans;

/// <summary>The action plan on its page, as a coordinator works on it: Jelgava writes an action (a negative cost refused
/// on the page, nothing written) and freezes the draft, Schaerbeek comments on it, the printable page shows it; another
/// group's city is kept out.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class ActionPlanPageTests(DatabaseFixture database)
{
    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_coordinator_writes_freezes_and_the_mentor_comments_the_plan_on_its_page(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var driver = await PairDriver.ForAsync(app, "schaerbeek", "jelgava");
        var path = $"/pairs/{driver.GroupId}/action-plan";
        var jelgava = await WebClient.SignedInAsync(app, People.Coordinator("jelgava"));
        Assert.Equal(HttpStatusCode.OK, (await jelgava.GetAsync(path)).StatusCode);
        Dictionary<string, string> Action(string cost) => new()
        {
            ["key"] = jelgava.Hidden("key"), ["title"] = "Evening language courses", ["description"] = "With childcare.",
            ["activities"] = "Agree the timetable\nRecruit two teachers", ["start"] = "2026-03-01", ["end"] = "2026-12-31",
            ["responsible"] = "Social services department", ["cost"] = cost, ["fundingSource"] = "AMIF", ["status"] = "planned",
            ["indicatorName"] = "Adults enrolled", ["indicatorBaseline"] = "20", ["indicatorTarget"] = "60", ["indicatorUnit"] = "people",
            ["risk"] = "Low attendance in winter", ["mitigation"] = "Online sessions",
        };

        // Refused on the page as the benchmark page refuses (422 with the reason), and nothing is written.
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await jelgava.PostAsync(path + "?handler=Action", Action("-5"))).StatusCode);
        Assert.NotEqual("", WebClient.Alert(jelgava.LastPage));
        var api = await app.ClientForAsync(People.Coordinator("jelgava"));
        Assert.Empty((await api.GetFromJsonAsync<ActionPlanView>($"/api/pairs/{driver.GroupId}/action-plan", Api.Json))!.Working.Actions);

        await jelgava.GetAsync(path);
        var added = await jelgava.PostAsync(path + "?handler=Action", Action("12000"));
        Assert.True(added.StatusCode == HttpStatusCode.Redirect, WebClient.Alert(jelgava.LastPage));
        await jelgava.GetAsync(path);
        Assert.Contains("Evening language courses", jelgava.LastPage);
        var frozen = await jelgava.PostAsync(path + "?handler=Freeze", new Dictionary<string, string> { ["key"] = jelgava.Hidden("key"), ["label"] = "draft" });
        Assert.True(frozen.StatusCode == HttpStatusCode.Redirect, WebClient.Alert(jelgava.LastPage));

        var plan = (await api.GetFromJsonAsync<ActionPlanView>($"/api/pairs/{driver.GroupId}/action-plan", Api.Json))!;
        var action = Assert.Single(plan.Working.Actions);
        Assert.Equal((12000m, "people"), (action.Cost, Assert.Single(action.Indicators).Unit));
        Assert.Equal(["draft"], plan.Versions.Select(v => v.Label));

        var schaerbeek = await WebClient.SignedInAsync(app, People.Coordinator("schaerbeek"));
        await schaerbeek.GetAsync(path);
        var comment = await schaerbeek.PostAsync(path + "?handler=Comment", new Dictionary<string, string>
        {
            ["key"] = schaerbeek.Hidden("key"), ["actionId"] = action.Id.ToString(), ["version"] = "draft",
            ["text"] = "In Schaerbeek the classes filled once childcare was offered.",
        });
        Assert.True(comment.StatusCode == HttpStatusCode.Redirect, WebClient.Alert(schaerbeek.LastPage));
        Assert.Equal(["draft"], (await api.GetFromJsonAsync<ActionPlanView>($"/api/pairs/{driver.GroupId}/action-plan", Api.Json))!
            .Comments.Select(c => c.Version));
        Assert.Equal(HttpStatusCode.OK, (await schaerbeek.GetAsync(path + "/print")).StatusCode);
        Assert.Contains("Evening language courses", schaerbeek.LastPage);

        var capaci = await WebClient.SignedInAsync(app, People.Coordinator("capaci"));
        var refused = await capaci.GetAsync(path);
        Assert.True(refused.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Redirect, refused.StatusCode.ToString());
        Assert.DoesNotContain("Evening language courses", capaci.LastPage);
    }
}
