using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Mentoring.Server.Data;
using Mentoring.Server.Pairs;
using Mentoring.Server.Tests.Infrastructure;
using Mentoring.Server.Accounts;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;

namespace Mentoring.Server.Tests.Web.Browser;

/// <summary>Real Chromium against the real server: people sign in and move a pair forward, and every page they
/// visit passes axe-core's WCAG 2.1 AA rules.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class BrowserTests(DatabaseFixture database)
{
    private const string Password = "a browser test password";

    [Fact]
    public async Task Coordinators_and_the_facilitator_move_a_pair_forward_in_the_browser()
    {
        await using var app = await BrowserApp.StartAsync(database);
        foreach (var email in new[] { People.Facilitator, People.Coordinator("jelgava"), People.Coordinator("schaerbeek"), People.Observer("LPS") })
            await SetPasswordAsync(app, email);
        var pairId = await PairIdAsync(app);

        // The mentee (Jelgava) signs in, lands on "my pair" and completes the self-assessment with a note and a file.
        var jelgava = await SignInAsync(app, People.Coordinator("jelgava"));
        Assert.EndsWith($"/pairs/{pairId}", jelgava.Url);
        await Axe.AssertNoViolationsAsync(jelgava);
        await Axe.ScreenshotAsync(jelgava, "01-coordinator-my-pair");
        var selfAssessment = jelgava.Locator("article", new() { HasText = "Complete the needs self-assessment" });
        await selfAssessment.GetByLabel("Note").FillAsync("Our needs: <b>evening language classes</b>.");
        await selfAssessment.GetByLabel("File", new() { Exact = false }).SetInputFilesAsync(new FilePayload
        {
            Name = "needs.pdf", MimeType = "application/pdf", Buffer = Encoding.ASCII.GetBytes("%PDF-1.7\n%%EOF\n"),
        });
        await selfAssessment.GetByRole(AriaRole.Button, new() { Name = "Complete the task" }).ClickAsync();
        await Expect(jelgava.GetByRole(AriaRole.Status)).ToContainTextAsync("Saved.");
        await Expect(jelgava.Locator(".timeline")).ToContainTextAsync("Our needs: <b>evening language classes</b>.");

        // The mentor (Schaerbeek) completes its part; the stage gate opens.
        var schaerbeek = await SignInAsync(app, People.Coordinator("schaerbeek"));
        var strengths = schaerbeek.Locator("article", new() { HasText = "Describe your strengths" });
        await strengths.GetByLabel("Note").FillAsync("CAMIM and VIA-BAPA language courses.");
        await strengths.GetByRole(AriaRole.Button, new() { Name = "Complete the task" }).ClickAsync();
        await Expect(schaerbeek.GetByRole(AriaRole.Status)).ToContainTextAsync("Saved.");

        // The facilitator sees the pair waiting at the gate and approves it from the dashboard.
        var facilitator = await SignInAsync(app, People.Facilitator);
        Assert.EndsWith("/dashboard", facilitator.Url);
        await Expect(facilitator.Locator("svg.chart title").First).ToHaveTextAsync("Timeline: Pairs");
        await Axe.AssertNoViolationsAsync(facilitator);
        await Axe.ScreenshotAsync(facilitator, "02-facilitator-dashboard");
        var gate = facilitator.Locator(".cards li", new() { HasText = "Pair 4" });
        await gate.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();
        await Expect(facilitator.GetByRole(AriaRole.Status)).ToContainTextAsync("Saved.");
        await Expect(facilitator.Locator(".step")).ToContainTextAsync("Step 2 of 7");
        await Axe.AssertNoViolationsAsync(facilitator);

        // A reminder that could not be delivered shows in the email log with its reason, and goes out again on Resend.
        await AddDeadEmailAsync(app, "550 5.1.1 mailbox unavailable");
        await facilitator.GotoAsync(app.BaseUrl + "/dashboard");
        await facilitator.GetByRole(AriaRole.Link, new() { Name = "Email log" }).ClickAsync();
        await Expect(facilitator.Locator("table.email-log")).ToContainTextAsync("550 5.1.1 mailbox unavailable");
        await Axe.AssertNoViolationsAsync(facilitator);
        await Axe.ScreenshotAsync(facilitator, "03-facilitator-email-log");
        await facilitator.Locator("tr.mail-dead").GetByRole(AriaRole.Button, new() { Name = "Resend", Exact = false }).ClickAsync();
        await Expect(facilitator.GetByRole(AriaRole.Status)).ToContainTextAsync("queued to be sent again");
        await Axe.AssertNoViolationsAsync(facilitator);

        foreach (var path in new[] { "/setup", "/pairs", "/me/tokens", "/dashboard/plan", "/dashboard/calendar" })
        {
            await facilitator.GotoAsync(app.BaseUrl + path);
            await Axe.AssertNoViolationsAsync(facilitator);
            await Axe.ScreenshotAsync(facilitator, "03-facilitator" + path.Replace('/', '-'));
        }

        // Through the API, the pair reaches its first study visit; the mentee proposes it and the mentor confirms it.
        await DriveToFirstVisitAsync(app, pairId);
        await jelgava.GotoAsync($"{app.BaseUrl}/pairs/{pairId}");
        var visit = jelgava.Locator("article", new() { HasText = "1st study visit" });
        await visit.GetByLabel("Date").FillAsync("2026-12-10");
        await visit.GetByLabel("Host city").SelectOptionAsync("Schaerbeek");
        await visit.GetByRole(AriaRole.Button, new() { Name = "Propose the visit" }).ClickAsync();
        await Expect(jelgava.GetByRole(AriaRole.Status)).ToContainTextAsync("Saved.");
        await Axe.AssertNoViolationsAsync(jelgava);
        await Axe.ScreenshotAsync(jelgava, "04-visit-proposed");

        await schaerbeek.GotoAsync($"{app.BaseUrl}/pairs/{pairId}");
        await schaerbeek.Locator("article", new() { HasText = "1st study visit" })
            .GetByRole(AriaRole.Button, new() { Name = "Confirm the visit" }).ClickAsync();
        await Expect(schaerbeek.GetByRole(AriaRole.Status)).ToContainTextAsync("Saved.");
        await Expect(schaerbeek.Locator("article", new() { HasText = "1st study visit" })).ToContainTextAsync("confirmed");

        // The observer (LPS, Jelgava's association) reads the pair in Greek and may comment, with no form that acts.
        var lps = await SignInAsync(app, People.Observer("LPS"), "el-GR");
        await lps.GotoAsync($"{app.BaseUrl}/pairs/{pairId}");
        Assert.Equal("el", await lps.GetAttributeAsync("html", "lang"));
        Assert.Equal(1, await lps.Locator("main #comments form").CountAsync());
        Assert.Equal(0, await lps.Locator("main form:not(#comments form)").CountAsync());
        await Axe.AssertNoViolationsAsync(lps);
        await Axe.ScreenshotAsync(lps, "05-observer-greek");
    }

    [Fact]
    public async Task The_sign_in_page_works_without_JavaScript_and_passes_axe_in_both_languages()
    {
        await using var app = await BrowserApp.StartAsync(database);
        await SetPasswordAsync(app, People.Coordinator("capaci"));
        var context = await app.Browser.NewContextAsync(new() { JavaScriptEnabled = false, BypassCSP = true });
        var page = await context.NewPageAsync();
        await page.GotoAsync(app.BaseUrl + "/signin");
        await page.GetByLabel("Email").FillAsync(People.Coordinator("capaci"));
        await page.GetByLabel("Password").FillAsync("wrong one");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Wrong email or password");
        await page.GetByLabel("Password").FillAsync(Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.Locator("h1")).ToContainTextAsync("Mechelen – Capaci");

        var withScript = await app.PageAsync();
        await withScript.GotoAsync(app.BaseUrl + "/signin");
        await Axe.AssertNoViolationsAsync(withScript);
        await Axe.ScreenshotAsync(withScript, "00-sign-in");
        await withScript.GetByRole(AriaRole.Button, new() { Name = "Ελληνικά" }).ClickAsync();
        await Expect(withScript.Locator("h1")).ToHaveTextAsync("Σύνδεση");
        await Axe.AssertNoViolationsAsync(withScript);
    }

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);

    internal static async Task<IPage> SignInAsync(BrowserApp app, string email, string? language = null)
    {
        var page = await app.PageAsync(language);
        await page.GotoAsync(app.BaseUrl + "/signin");
        await page.Locator("#email").FillAsync(email);
        await page.Locator("#password").FillAsync(Password);
        await page.Locator("main form button[type=submit]").ClickAsync();
        await page.WaitForLoadStateAsync();
        return page;
    }

    internal static async Task SetPasswordAsync(BrowserApp app, string email)
    {
        await using var db = app.Db();
        var person = await db.People.SingleAsync(p => p.Email == email);
        var account = await db.Set<Account>().SingleOrDefaultAsync(a => a.PersonId == person.Id);
        app.Services.GetRequiredService<AccountService>().SetPassword(db, person, account, Password);
        await db.SaveChangesAsync();
    }

    private static async Task AddDeadEmailAsync(BrowserApp app, string error)
    {
        await using var db = app.Db();
        var person = await db.People.SingleAsync(p => p.Email == People.Coordinator("jelgava"));
        var now = app.Services.GetRequiredService<TimeProvider>().GetUtcNow();
        db.Outbox.Add(new Mentoring.Server.Email.OutboxMessage
        {
            MessageId = $"<{Guid.NewGuid():N}@mentoring.test>", Template = "task-reminder", Language = "lv", RecipientId = person.Id,
            RecipientName = person.Name, RecipientEmail = person.Email, Model = "{}", Status = Mentoring.Server.Email.OutboxStatus.Dead,
            Attempts = 5, LastError = error, NextAttemptAt = now, CreatedAt = now,
        });
        await db.SaveChangesAsync();
    }

    private static async Task<Guid> PairIdAsync(BrowserApp app)
    {
        await using var db = app.Db();
        return await db.Groups.Where(p => db.GroupMembers.Any(m => m.GroupId == p.Id && m.Role == "mentee" && m.CityId == "jelgava")).Select(p => p.Id).SingleAsync();
    }

    /// <summary>Completes every open task and approval of the pair and of the programme through the REST API until the
    /// first study visit is open.</summary>
    internal static async Task DriveToFirstVisitAsync(BrowserApp app, Guid pairId)
    {
        var facilitator = await app.ApiClientAsync(People.Facilitator);
        var mentor = await app.ApiClientAsync(People.Coordinator("schaerbeek"));
        var mentee = await app.ApiClientAsync(People.Coordinator("jelgava"));
        for (var round = 0; round < 40; round++)
        {
            var pair = await facilitator.PairAsync(pairId);
            if (pair.OpenItems.Any(i => i.StepId == "visit-1")) return;
            foreach (var item in pair.OpenItems)
            {
                var response = item.Kind switch
                {
                    "task" => await (item.Assignee == "mentor" ? mentor : mentee).CompleteAsync(pairId, item.Id),
                    "approval" => await facilitator.ApproveAsync(pairId, item, "ok"),
                    _ => null,
                };
                if (response is not null) Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
            }

            var programme = await facilitator.GetFromJsonAsync<JsonElement>("/api/programme", Api.Json);
            foreach (var item in programme.GetProperty("openItems").EnumerateArray().Where(i => i.GetProperty("kind").GetString() == "task"))
            {
                var response = await facilitator.CompleteWithFileAsync($"/api/programme/tasks/{item.GetProperty("id").GetString()}/complete",
                    "Held.", "https://example.org/training");
                Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
            }

            // The scheduler is off in tests: deliver the programme's events to the waiting pairs by hand.
            await app.Services.GetRequiredService<Mentoring.Server.Scheduling.DueWorkProcessor>().DeliverProgrammeEventsAsync(CancellationToken.None);
        }

        var last = await facilitator.PairAsync(pairId);
        Assert.Fail($"The pair did not reach its first study visit: step {last.Pair.CurrentStep}, open: " +
                    string.Join(", ", last.OpenItems.Select(i => $"{i.Kind} {i.StepId} {i.Assignee}")) + "; programme: " +
                    await facilitator.GetStringAsync("/api/programme"));
    }
}
