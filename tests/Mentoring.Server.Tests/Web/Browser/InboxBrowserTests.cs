using System.Globalization;
using Mentoring.Server.Tests.Infrastructure;
using Microsoft.Playwright;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;

namespace Mentoring.Server.Tests.Web.Browser;

/// <summary>Real Chromium on "My tasks": a coordinator reaches it from the header (with its count), raises a task's
/// priority, puts a task off to a later day (it leaves "Mine" and the count, and shows in "My team's"), and sorts by
/// priority. Every state passes axe-core's WCAG 2.1 AA rules.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class InboxBrowserTests(DatabaseFixture database)
{
    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);

    [Fact]
    public async Task My_tasks_filters_prioritises_and_puts_off_in_the_browser_and_passes_axe()
    {
        await using var app = await BrowserApp.StartAsync(database);
        await BrowserTests.SetPasswordAsync(app, People.Coordinator("jelgava"));
        var jelgava = await BrowserTests.SignInAsync(app, People.Coordinator("jelgava"));

        var header = jelgava.Locator("#my-tasks");
        await Expect(header).ToContainTextAsync("My tasks");
        await header.ClickAsync();
        await Expect(jelgava.Locator("h1")).ToHaveTextAsync("My tasks");
        var row = jelgava.Locator("#inbox tr", new() { HasText = "Complete the needs self-assessment" });
        await Expect(row).ToHaveCountAsync(1);
        await Axe.AssertNoViolationsAsync(jelgava);
        await Axe.ScreenshotAsync(jelgava, "inbox-01-mine");

        // Priority high, by keyboard-reachable form controls: saved, said, and the row leads when sorted by priority.
        await row.GetByLabel("Priority").SelectOptionAsync("high");
        await row.GetByRole(AriaRole.Button, new() { Name = "Set the priority" }).ClickAsync();
        await Expect(jelgava.GetByRole(AriaRole.Status)).ToContainTextAsync("The priority is saved.");
        await jelgava.GetByRole(AriaRole.Link, new() { Name = "By priority" }).ClickAsync();
        await Expect(jelgava.Locator("#inbox tbody tr").First).ToContainTextAsync("Complete the needs self-assessment");
        await Expect(jelgava.Locator("#inbox tbody tr").First.GetByLabel("Priority")).ToHaveValueAsync("high");
        await Axe.AssertNoViolationsAsync(jelgava);

        // Put off to three days from now: gone from "Mine", shown (marked) in "My team's".
        var later = DateTime.UtcNow.AddDays(3).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        row = jelgava.Locator("#inbox tr", new() { HasText = "Complete the needs self-assessment" });
        await row.GetByLabel("Look at this again on").FillAsync(later);
        await row.GetByRole(AriaRole.Button, new() { Name = "Save the date" }).ClickAsync();
        await Expect(jelgava.GetByRole(AriaRole.Status)).ToContainTextAsync("You will see this task again on");
        await Expect(jelgava.Locator("#inbox tr", new() { HasText = "Complete the needs self-assessment" })).ToHaveCountAsync(0);
        await Axe.AssertNoViolationsAsync(jelgava);
        await jelgava.GetByRole(AriaRole.Link, new() { Name = "My team's" }).ClickAsync();
        var teamRow = jelgava.Locator("#inbox tr", new() { HasText = "Complete the needs self-assessment" });
        await Expect(teamRow).ToContainTextAsync("put off");
        await Expect(teamRow.GetByLabel("Look at this again on")).ToHaveValueAsync(later);
        await Axe.AssertNoViolationsAsync(jelgava);
        await Axe.ScreenshotAsync(jelgava, "inbox-02-team");

        // Waiting for others: the mentor city's task of the pair; its row opens the pair page at the task.
        await jelgava.GetByRole(AriaRole.Link, new() { Name = "Waiting for others" }).ClickAsync();
        var waiting = jelgava.Locator("#inbox tbody tr").First;
        await Expect(waiting).ToContainTextAsync("Waiting for others");
        await Axe.AssertNoViolationsAsync(jelgava);
        await waiting.GetByRole(AriaRole.Link).First.ClickAsync();
        await Assertions.Expect(jelgava).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/pairs/[0-9a-f-]+#item-"));
    }
}
