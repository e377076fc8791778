using Mentoring.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;

namespace Mentoring.Server.Tests.Web.Browser;

/// <summary>Real Chromium on the pages of the method's later steps: the facilitator announces an event and records who
/// attended, files an output and reads the funder's report; a coordinator creates a calendar feed (by keyboard) and
/// writes an action into the pair's action plan and opens its printable page. Every page passes axe-core's WCAG 2.1 AA
/// rules. One app and one browser for all of them.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class MethodPagesBrowserTests(DatabaseFixture database)
{
    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);

    [Fact]
    public async Task Events_outputs_report_calendar_feeds_and_the_action_plan_work_in_the_browser_and_pass_axe()
    {
        await using var app = await BrowserApp.StartAsync(database);
        foreach (var email in new[] { People.Facilitator, People.Coordinator("jelgava") }) await BrowserTests.SetPasswordAsync(app, email);
        Guid pairId;
        await using (var db = app.Db())
            pairId = await db.Groups.Where(p => db.GroupMembers.Any(m => m.GroupId == p.Id && m.Role == "mentee" && m.CityId == "jelgava")).Select(p => p.Id).SingleAsync();

        // The facilitator reaches the events from the menu and announces a training academy.
        var facilitator = await BrowserTests.SignInAsync(app, People.Facilitator);
        await facilitator.GetByRole(AriaRole.Link, new() { Name = "Trainings, academies and workshops" }).First.ClickAsync();
        await Expect(facilitator.Locator("h1")).ToHaveTextAsync("Trainings, academies and workshops");
        await Axe.AssertNoViolationsAsync(facilitator);
        await facilitator.Locator("#new-title").FillAsync("Training academy in Madrid");
        await facilitator.Locator("#new-starts").FillAsync("2026-11-10T09:30");
        await facilitator.Locator("#new-ends").FillAsync("2026-11-11T17:00");
        await facilitator.Locator("#new-venue").FillAsync("Casa de la Villa");
        await facilitator.GetByRole(AriaRole.Button, new() { Name = "Announce an event" }).ClickAsync();
        // The new event's own page opens; the list shows it with its venue.
        await Expect(facilitator.Locator("h1")).ToHaveTextAsync("Training academy in Madrid");
        await facilitator.GetByRole(AriaRole.Link, new() { Name = "Trainings, academies and workshops" }).Last.ClickAsync();
        var row = facilitator.Locator("table tr", new() { HasText = "Training academy in Madrid" });
        await Expect(row).ToContainTextAsync("Casa de la Villa");
        await Axe.AssertNoViolationsAsync(facilitator);
        await Axe.ScreenshotAsync(facilitator, "method-01-events");

        // Its page: who attended is recorded and shows in the attendance table.
        await row.GetByRole(AriaRole.Link, new() { Name = "Training academy in Madrid" }).ClickAsync();
        await Expect(facilitator.Locator("h1")).ToHaveTextAsync("Training academy in Madrid");
        await Axe.AssertNoViolationsAsync(facilitator);
        await facilitator.Locator("input[name=people]").First.CheckAsync();
        await facilitator.GetByRole(AriaRole.Button, new() { Name = "Record who attended the event" }).ClickAsync();
        await Expect(facilitator.Locator("section[aria-labelledby=attendance-heading] table")).ToContainTextAsync("1 attended");
        await Axe.AssertNoViolationsAsync(facilitator);
        await Axe.ScreenshotAsync(facilitator, "method-02-event");

        // The outputs register: an output filed from the form shows in the table.
        await facilitator.GetByRole(AriaRole.Link, new() { Name = "Outputs register" }).ClickAsync();
        await Expect(facilitator.Locator("h1")).ToHaveTextAsync("Outputs register");
        await Axe.AssertNoViolationsAsync(facilitator);
        await facilitator.Locator("#output-title").FillAsync("Methodological guide on migrant integration");
        await facilitator.Locator("#output-link").FillAsync("https://example.org/guide");
        await facilitator.Locator("#output-languages").FillAsync("en, fr");
        await facilitator.GetByRole(AriaRole.Button, new() { Name = "Add an output" }).ClickAsync();
        await Expect(facilitator.Locator("table tr", new() { HasText = "Methodological guide on migrant integration" })).ToContainTextAsync("https://example.org/guide");
        await Axe.AssertNoViolationsAsync(facilitator);
        await Axe.ScreenshotAsync(facilitator, "method-03-outputs");

        // The funder's report, with the event just announced.
        await facilitator.GetByRole(AriaRole.Link, new() { Name = "Funder's progress report" }).First.ClickAsync();
        await Expect(facilitator.Locator("h1")).ToContainTextAsync("Progress report of");
        await Expect(facilitator.Locator("main")).ToContainTextAsync("Training academy in Madrid");
        await Axe.AssertNoViolationsAsync(facilitator);
        await Axe.ScreenshotAsync(facilitator, "method-04-report");

        // A coordinator creates a calendar feed with the keyboard only: the name, Tab to the button (its focus ring
        // shows), Enter.
        var jelgava = await BrowserTests.SignInAsync(app, People.Coordinator("jelgava"));
        await jelgava.GetByRole(AriaRole.Link, new() { Name = "Calendar feeds" }).ClickAsync();
        await Expect(jelgava.Locator("h1")).ToHaveTextAsync("Calendar feeds");
        await Axe.AssertNoViolationsAsync(jelgava);
        await jelgava.GetByLabel("Name of the new calendar feed").FocusAsync();
        await jelgava.Keyboard.TypeAsync("My phone");
        await jelgava.Keyboard.PressAsync("Tab");
        var focused = jelgava.Locator(":focus");
        await Expect(focused).ToHaveTextAsync("Create a calendar feed");
        Assert.NotEqual("none", await focused.EvaluateAsync<string>("e => getComputedStyle(e).outlineStyle"));
        Assert.NotEqual("0px", await focused.EvaluateAsync<string>("e => getComputedStyle(e).outlineWidth"));
        await jelgava.Keyboard.PressAsync("Enter");
        await Expect(jelgava.Locator("#new-feed")).ToContainTextAsync("/calendar/");
        await Expect(jelgava.Locator("table")).ToContainTextAsync("My phone");
        await Axe.AssertNoViolationsAsync(jelgava);
        await Axe.ScreenshotAsync(jelgava, "method-05-calendar");

        // The action plan, from the pair page: an action written on the form shows with its fields; the printable page.
        await jelgava.GotoAsync($"{app.BaseUrl}/pairs/{pairId}");
        await jelgava.GetByRole(AriaRole.Link, new() { Name = "Open the action plan: objectives, actions, versions and comments" }).ClickAsync();
        await Axe.AssertNoViolationsAsync(jelgava);
        await jelgava.Locator("#title-new").FillAsync("Evening language courses");
        await jelgava.Locator("#responsible-new").FillAsync("Social services department");
        await jelgava.Locator("#cost-new").FillAsync("12000");
        await jelgava.Locator("#ind-name-new-0").FillAsync("Adults enrolled");
        await jelgava.Locator("#ind-baseline-new-0").FillAsync("20");
        await jelgava.Locator("#ind-target-new-0").FillAsync("60");
        await jelgava.GetByRole(AriaRole.Button, new() { Name = "Add the action" }).ClickAsync();
        // Refused while the indicator has no unit: the reason shows on the page, which still passes axe.
        await Expect(jelgava.GetByRole(AriaRole.Alert)).ToContainTextAsync("Give the unit of the indicator");
        await Axe.AssertNoViolationsAsync(jelgava);
        await jelgava.Locator("#title-new").FillAsync("Evening language courses");
        await jelgava.Locator("#responsible-new").FillAsync("Social services department");
        await jelgava.Locator("#ind-name-new-0").FillAsync("Adults enrolled");
        await jelgava.Locator("#ind-baseline-new-0").FillAsync("20");
        await jelgava.Locator("#ind-target-new-0").FillAsync("60");
        await jelgava.Locator("#ind-unit-new-0").FillAsync("people");
        await jelgava.GetByRole(AriaRole.Button, new() { Name = "Add the action" }).ClickAsync();
        var action = jelgava.Locator("article.item", new() { HasText = "Evening language courses" });
        await Expect(action).ToContainTextAsync("Social services department");
        await Axe.AssertNoViolationsAsync(jelgava);
        await Axe.ScreenshotAsync(jelgava, "method-06-action-plan");
        await jelgava.GetByRole(AriaRole.Link, new() { Name = "Printable version" }).ClickAsync();
        await Expect(jelgava.Locator("main")).ToContainTextAsync("Evening language courses");
        await Axe.AssertNoViolationsAsync(jelgava);
        await Axe.ScreenshotAsync(jelgava, "method-07-action-plan-print");
    }

    /// <summary>The study visit's page as Jelgava's coordinator proposes a one-day visit (its first day only) with one
    /// session: empty, refused (the session has no place), and proposed; each state passes axe.</summary>
    [Fact]
    public async Task The_study_visit_page_proposes_a_one_day_visit_in_the_browser_and_passes_axe()
    {
        await using var app = await BrowserApp.StartAsync(database);
        await BrowserTests.SetPasswordAsync(app, People.Coordinator("jelgava"));
        Guid pairId;
        await using (var db = app.Db())
            pairId = await db.Groups.Where(p => db.GroupMembers.Any(m => m.GroupId == p.Id && m.Role == "mentee" && m.CityId == "jelgava")).Select(p => p.Id).SingleAsync();
        await BrowserTests.DriveToFirstVisitAsync(app, pairId);
        var facilitator = await app.ApiClientAsync(People.Facilitator);
        var item = (await facilitator.PairAsync(pairId)).OpenItems.Single(i => i.StepId == "visit-1");

        var jelgava = await BrowserTests.SignInAsync(app, People.Coordinator("jelgava"));
        await jelgava.GotoAsync($"{app.BaseUrl}/pairs/{pairId}/visits/{item.Id}");
        await Expect(jelgava.Locator("h1")).ToContainTextAsync("study visit");
        await Axe.AssertNoViolationsAsync(jelgava);
        await jelgava.GetByLabel("First day of the visit").FillAsync("2026-12-10");
        await jelgava.GetByLabel("Host city").SelectOptionAsync("Schaerbeek");
        await jelgava.GetByLabel("Agenda of the visit").FillAsync("The welcome desk and its volunteers.");
        await jelgava.Locator("input[name=sessionDate]").First.FillAsync("2026-12-10");
        await jelgava.Locator("input[name=sessionStarts]").First.FillAsync("10:00");
        await jelgava.Locator("input[name=sessionEnds]").First.FillAsync("12:30");
        await jelgava.Locator("input[name=sessionTitle]").First.FillAsync("The welcome desk");
        await jelgava.GetByRole(AriaRole.Button, new() { Name = "Propose the visit with this plan" }).ClickAsync();
        // Refused while the session has neither a place nor a link: the reason shows, the page still passes axe.
        await Expect(jelgava.GetByRole(AriaRole.Alert)).ToContainTextAsync("place or the online link");
        await Axe.AssertNoViolationsAsync(jelgava);

        await jelgava.GetByLabel("First day of the visit").FillAsync("2026-12-10");
        await jelgava.GetByLabel("Host city").SelectOptionAsync("Schaerbeek");
        await jelgava.Locator("input[name=sessionDate]").First.FillAsync("2026-12-10");
        await jelgava.Locator("input[name=sessionStarts]").First.FillAsync("10:00");
        await jelgava.Locator("input[name=sessionEnds]").First.FillAsync("12:30");
        await jelgava.Locator("input[name=sessionTitle]").First.FillAsync("The welcome desk");
        await jelgava.Locator("input[name=sessionPlace]").First.FillAsync("Schaerbeek town hall");
        await jelgava.GetByRole(AriaRole.Button, new() { Name = "Propose the visit with this plan" }).ClickAsync();
        await Expect(jelgava.Locator("section[aria-labelledby=sessions-heading] table")).ToContainTextAsync("The welcome desk");
        await Expect(jelgava.Locator("main")).ToContainTextAsync("Schaerbeek town hall");
        await Axe.AssertNoViolationsAsync(jelgava);
        await Axe.ScreenshotAsync(jelgava, "method-08-study-visit");
    }
}
