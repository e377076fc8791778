using Mentoring.Server.Tests.Infrastructure;
using Mentoring.Server.Tests.Web.Browser;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;

namespace Mentoring.Server.Tests.Matching;

/// <summary>The matching page in a real browser: reachable from the header, the heat map a table of numbers with its
/// caption and headers, a lock set in the matrix and kept, and no accessibility violation (axe-core), in English and Latvian.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class MatchingBrowserTests(DatabaseFixture database)
{
    [Fact]
    public async Task The_matching_page_is_accessible_and_a_lock_set_in_the_matrix_is_kept()
    {
        await using var app = await BrowserApp.StartAsync(database);
        var facilitator = await BrowserTests.SignInAsync(app, People.Facilitator);

        await facilitator.GetByRole(AriaRole.Link, new() { Name = "Matching proposal" }).ClickAsync();
        var matrix = facilitator.GetByRole(AriaRole.Table, new() { Name = "Scores: mentors in rows, mentees in columns" });
        await Expect(matrix.GetByRole(AriaRole.Columnheader, new() { Name = "Jelgava" })).ToBeVisibleAsync();
        await Axe.AssertNoViolationsAsync(facilitator);
        await Axe.ScreenshotAsync(facilitator, "20-matching");

        await facilitator.GetByLabel("City of Brussels → Capaci").SelectOptionAsync("lock");
        await facilitator.GetByRole(AriaRole.Button, new() { Name = "Save and solve again" }).ClickAsync();
        await Expect(facilitator.GetByRole(AriaRole.Status)).ToContainTextAsync("your locks kept");
        await Expect(facilitator.GetByText("You locked this pairing.")).ToBeVisibleAsync();
        await Axe.AssertNoViolationsAsync(facilitator);

        var latvian = await BrowserTests.SignInAsync(app, People.Cemr, "lv-LV");
        await latvian.GotoAsync(app.BaseUrl + "/setup/programmes/inclucities/matching");
        await Expect(latvian.GetByRole(AriaRole.Heading, new() { Name = "Kā tiek vērtēti pāri" })).ToBeVisibleAsync();
        await Axe.AssertNoViolationsAsync(latvian);
    }
}
