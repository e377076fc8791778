using Mentoring.Server.Tests.Infrastructure;
using Microsoft.Playwright;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;

namespace Mentoring.Server.Tests.Web.Browser;

/// <summary>Real Chromium on the needs assessment's pages and the matching page: a coordinator fills in, saves and
/// submits its city's form; the facilitator shares and reopens on the overview; every state of each page passes
/// axe-core's WCAG 2.1 AA rules (in Greek too: the longest texts).</summary>
[Collection(DatabaseCollection.Name)]
public sealed class AssessmentBrowserTests(DatabaseFixture database)
{
    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);

    [Fact]
    public async Task A_coordinator_fills_in_saves_and_submits_the_assessment_and_the_facilitator_shares_and_reopens_it_in_the_browser()
    {
        await using var app = await BrowserApp.StartAsync(database);
        foreach (var email in new[] { People.Facilitator, People.Coordinator("jelgava") }) await BrowserTests.SetPasswordAsync(app, email);
        var api = await app.ApiClientAsync(People.Facilitator);
        Assert.True((await api.CommandAsync("/api/programmes/inclucities/cities/jelgava/assessment/reopen")).IsSuccessStatusCode);

        // From the group page to the form: a scale, several choices, a free text; saved as a draft.
        var jelgava = await BrowserTests.SignInAsync(app, People.Coordinator("jelgava"));
        await jelgava.GetByRole(AriaRole.Link, new() { Name = "Fill in your city's assessment" }).ClickAsync();
        await Expect(jelgava.Locator("h1")).ToHaveTextAsync("Needs assessment: Jelgava");
        await Axe.AssertNoViolationsAsync(jelgava);
        await Axe.ScreenshotAsync(jelgava, "assessment-01-form");
        await jelgava.Locator("#q-lang-courses").GetByLabel("2 – Partly in place").CheckAsync();
        await jelgava.Locator("#q-context-priorities").GetByLabel("Building a vision of a", new() { Exact = false }).CheckAsync();
        await jelgava.GetByLabel("What would your city most like to learn from another city, and why?", new() { Exact = false }).FillAsync("");
        await jelgava.GetByRole(AriaRole.Button, new() { Name = "Save the draft" }).ClickAsync();
        await Expect(jelgava.GetByRole(AriaRole.Status)).ToContainTextAsync("Saved as a draft");
        await Expect(jelgava.Locator("#q-lang-courses").GetByLabel("2 – Partly in place")).ToBeCheckedAsync();

        // A submit with a required question left blank names it on the page and keeps the rest.
        await jelgava.GetByRole(AriaRole.Button, new() { Name = "Submit the assessment" }).ClickAsync();
        await Expect(jelgava.GetByRole(AriaRole.Alert)).ToContainTextAsync("What would your city most like to learn from another city");
        await Expect(jelgava.Locator("#q-lang-courses").GetByLabel("2 – Partly in place")).ToBeCheckedAsync();
        await Axe.AssertNoViolationsAsync(jelgava);
        await Axe.ScreenshotAsync(jelgava, "assessment-02-unanswered");
        await jelgava.GetByRole(AriaRole.Link, new() { Name = "What would your city most like to learn from another city, and why?" }).ClickAsync();
        await jelgava.GetByLabel("What would your city most like to learn from another city, and why?", new() { Exact = false })
            .FillAsync("How volunteers run conversation tables.");
        await jelgava.GetByRole(AriaRole.Button, new() { Name = "Submit the assessment" }).ClickAsync();
        await Expect(jelgava.GetByRole(AriaRole.Status)).ToContainTextAsync("Submitted.");
        await Expect(jelgava.Locator("#read-only")).ToContainTextAsync("Only the facilitator may reopen it");
        Assert.Equal(0, await jelgava.Locator("#assessment-form").CountAsync());
        await Axe.AssertNoViolationsAsync(jelgava);
        await Axe.ScreenshotAsync(jelgava, "assessment-03-submitted");

        // The facilitator reaches the overview from the programme's set-up, shares the answers and reopens Jelgava's.
        var facilitator = await BrowserTests.SignInAsync(app, People.Facilitator);
        await facilitator.GotoAsync(app.BaseUrl + "/setup/programmes/inclucities");
        await facilitator.GetByRole(AriaRole.Link, new() { Name = "Needs assessment of the cities" }).ClickAsync();
        await Expect(facilitator.Locator("svg[role=img] title").First).ToHaveTextAsync("Needs and strengths of the cities by theme");
        await Expect(facilitator.Locator("#assessment-profiles")).ToContainTextAsync("Jelgava");
        await Axe.AssertNoViolationsAsync(facilitator);
        await Axe.ScreenshotAsync(facilitator, "assessment-04-overview");
        await facilitator.GetByRole(AriaRole.Button, new() { Name = "Share the submitted answers with every city" }).ClickAsync();
        await Expect(facilitator.GetByRole(AriaRole.Status)).ToContainTextAsync("Shared:");
        await facilitator.GetByRole(AriaRole.Button, new() { Name = "Reopen the assessment of Jelgava" }).ClickAsync();
        await Expect(facilitator.GetByRole(AriaRole.Status)).ToContainTextAsync("Reopened");
        await Expect(facilitator.Locator("#assessment-cities")).ToContainTextAsync("draft, not submitted");
        await Axe.AssertNoViolationsAsync(facilitator);

        // Jelgava, in Greek, sees its draft again and the other cities' shared answers.
        await jelgava.GotoAsync(app.BaseUrl + "/programmes/inclucities/assessment");
        await jelgava.Locator("header form[action='/language']").GetByRole(AriaRole.Button, new() { Name = "Ελληνικά", Exact = true }).ClickAsync();
        await Expect(jelgava.Locator("h1")).ToHaveTextAsync("Αξιολόγηση αναγκών: Jelgava");
        await Expect(jelgava.Locator("#shared-heading")).ToBeVisibleAsync();
        Assert.Equal(1, await jelgava.Locator("#assessment-form").CountAsync());
        await Axe.AssertNoViolationsAsync(jelgava);
        await jelgava.GetByRole(AriaRole.Link, new() { Name = "Mechelen" }).ClickAsync();
        await Expect(jelgava.Locator("h1")).ToHaveTextAsync("Αξιολόγηση αναγκών: Mechelen");
        await Axe.AssertNoViolationsAsync(jelgava);
        await Axe.ScreenshotAsync(jelgava, "assessment-05-shared-greek");
    }

    [Fact]
    public async Task The_matching_page_passes_axe_with_its_proposal_and_after_a_constraint_is_saved()
    {
        await using var app = await BrowserApp.StartAsync(database);
        await BrowserTests.SetPasswordAsync(app, People.Facilitator);
        var facilitator = await BrowserTests.SignInAsync(app, People.Facilitator);

        await facilitator.GetByRole(AriaRole.Link, new() { Name = "Matching proposal" }).ClickAsync();
        await Expect(facilitator.Locator("h1")).ToContainTextAsync("Matching proposal");
        await Expect(facilitator.Locator("table.matrix")).ToBeVisibleAsync();
        await Axe.AssertNoViolationsAsync(facilitator);
        await Axe.ScreenshotAsync(facilitator, "matching-01-proposal");

        await facilitator.GetByLabel("Schaerbeek → Capaci").SelectOptionAsync("forbid");
        await facilitator.GetByRole(AriaRole.Button, new() { Name = "Save and solve again" }).ClickAsync();
        await Expect(facilitator.GetByRole(AriaRole.Status)).ToContainTextAsync("solved again");
        await Axe.AssertNoViolationsAsync(facilitator);
        await facilitator.Locator("details summary").First.ClickAsync();
        await Axe.AssertNoViolationsAsync(facilitator);
        await Axe.ScreenshotAsync(facilitator, "matching-02-forbid");
    }
}
