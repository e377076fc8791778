using Mentoring.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;

namespace Mentoring.Server.Tests.Web.Browser;

/// <summary>Real Chromium on the incident view: the facilitator's dashboard lists a faulted pair's incident (its step,
/// error and time, the pair's step cell marked stopped), Retry clears it once the cause is fixed, and the page passes
/// axe-core's WCAG 2.1 AA rules with the incident and without.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class IncidentBrowserTests(DatabaseFixture database)
{
    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);

    [Fact]
    public async Task The_dashboard_lists_a_faulted_pair_as_an_incident_and_Retry_clears_it()
    {
        await using var app = await BrowserApp.StartAsync(database);
        await BrowserTests.SetPasswordAsync(app, People.Facilitator);
        var pairId = await IncidentPageTests.FaultJelgavaAsync(app.ApiClientAsync, app.Db);
        Guid instanceId;
        await using (var db = app.Db())
            instanceId = await db.Groups.Where(g => g.Id == pairId).Select(g => g.InstanceId).SingleAsync();

        var facilitator = await BrowserTests.SignInAsync(app, People.Facilitator);
        await facilitator.GotoAsync(app.BaseUrl + "/dashboard");
        var incident = facilitator.Locator($"#incident-{instanceId}");
        await Expect(incident).ToContainTextAsync("Stopped by an error");
        await Expect(incident).ToContainTextAsync("Nobody can be emailed");
        await Expect(facilitator.Locator("td.state-stoppedbyerror")).ToHaveCountAsync(1);
        await Axe.AssertNoViolationsAsync(facilitator);
        await Axe.ScreenshotAsync(facilitator, "incident-01-dashboard");

        await IncidentPageTests.MendJelgavaAsync(app.Db);
        await incident.GetByRole(AriaRole.Button, new() { Name = "Retry" }).ClickAsync();

        await Expect(facilitator.Locator("h1")).ToHaveTextAsync("Dashboard");
        await Expect(facilitator.Locator($"#incident-{instanceId}")).ToHaveCountAsync(0);
        await Expect(facilitator.Locator("#incidents")).ToContainTextAsync("None.");
        await Expect(facilitator.Locator("td.state-stoppedbyerror")).ToHaveCountAsync(0);
        await Axe.AssertNoViolationsAsync(facilitator);
        await Axe.ScreenshotAsync(facilitator, "incident-02-retried");
        await using (var db = app.Db())
            Assert.Equal("running", await db.Instances.Where(i => i.Id == instanceId).Select(i => i.Status).SingleAsync());
    }
}
