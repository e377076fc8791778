using Mentoring.Server.Tests.Infrastructure;
using Mentoring.Server.Web;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;

namespace Mentoring.Server.Tests.Web.Browser;

/// <summary>The facilitator's dashboard and the pair page, as facilitator and as coordinator, in each of the seven
/// languages: the layout holds with the longest texts (screenshots), axe-core finds no WCAG 2.1 AA violation, and no
/// shipped IncluCities text falls back to English. One app and one browser for all 21 pages.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class LanguageBrowserTests(DatabaseFixture database)
{
    [Fact]
    public async Task The_main_pages_pass_axe_in_all_seven_languages_without_English_fallbacks()
    {
        await using var app = await BrowserApp.StartAsync(database);
        foreach (var email in new[] { People.Facilitator, People.Coordinator("jelgava") }) await BrowserTests.SetPasswordAsync(app, email);
        Guid pairId;
        await using (var db = app.Db())
            pairId = await db.Groups.Where(p => db.GroupMembers.Any(m => m.GroupId == p.Id && m.Role == "mentee" && m.CityId == "jelgava")).Select(p => p.Id).SingleAsync();
        var facilitator = await BrowserTests.SignInAsync(app, People.Facilitator);
        var jelgava = await BrowserTests.SignInAsync(app, People.Coordinator("jelgava"));

        foreach (var language in Texts.Languages)
        {
            foreach (var (page, who, paths) in new[]
                     {
                         (facilitator, "facilitator", new[] { "/dashboard", $"/pairs/{pairId}" }),
                         (jelgava, "coordinator", new[] { $"/pairs/{pairId}" }),
                     })
            {
                await page.GotoAsync(app.BaseUrl + paths[0]);
                await page.Locator("header form[action='/language']").GetByRole(AriaRole.Button, new() { Name = Texts.Endonyms[language], Exact = true }).ClickAsync();
                foreach (var path in paths)
                {
                    await page.GotoAsync(app.BaseUrl + path);
                    Assert.Equal(language, await page.GetAttributeAsync("html", "lang"));
                    Assert.Equal(0, await page.Locator(".fallback").CountAsync());
                    await Axe.AssertNoViolationsAsync(page);
                    await Axe.ScreenshotAsync(page, $"lang-{language}-{who}{path.Split('/')[1]}");
                }
            }
        }
    }
}
