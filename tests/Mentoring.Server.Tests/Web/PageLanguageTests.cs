using System.Net;
using Mentoring.Server.Data;
using Mentoring.Server.Tests.Infrastructure;
using Mentoring.Server.Web;
using Microsoft.EntityFrameworkCore;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;

namespace Mentoring.Server.Tests.Web;

/// <summary>The page language: Accept-Language, the switch on every page, and the person's saved choice.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class PageLanguageTests(DatabaseFixture database)
{
    [Fact]
    public async Task The_sign_in_page_speaks_each_of_the_seven_languages_from_Accept_Language()
    {
        await using var app = await StartAsync(database, DatabaseProvider.Sqlite);
        foreach (var language in Texts.Languages)
        {
            var client = WebClient.For(app);
            client.Http.DefaultRequestHeaders.AcceptLanguage.ParseAdd($"{language}-XX,{language};q=0.9");
            await client.GetAsync("/signin");
            Assert.Contains($"<html lang=\"{language}\">", client.LastPage);
            Assert.Contains(System.Net.WebUtility.HtmlEncode(Resx.In(language)["Forgot your password?"]), System.Net.WebUtility.HtmlEncode(System.Net.WebUtility.HtmlDecode(client.LastPage)));
            foreach (var other in Texts.Endonyms.Values) Assert.Contains(other, client.LastPage);
        }
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_language_chosen_while_signed_in_is_saved_and_follows_the_person_to_another_browser(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var first = await WebClient.SignedInAsync(app, People.Coordinator("jelgava"));
        await first.GetAsync("/pairs");
        Assert.Contains("<html lang=\"en\">", first.LastPage);

        var switched = await first.PostAsync("/language", new Dictionary<string, string> { ["culture"] = "lv", ["returnUrl"] = "/pairs" });
        Assert.Equal("/pairs", switched.Headers.Location!.OriginalString);
        await using (var db = app.Db())
            Assert.Equal("lv", await db.People.Where(p => p.Email == People.Coordinator("jelgava")).Select(p => p.PageLanguage).SingleAsync());

        var second = await WebClient.SignedInAsync(app, People.Coordinator("jelgava"));
        second.Http.DefaultRequestHeaders.AcceptLanguage.ParseAdd("fr");
        await second.GetAsync("/pairs");
        Assert.Contains("<html lang=\"lv\">", second.LastPage);
        Assert.Contains(Resx.In("lv")["Next due date"], System.Net.WebUtility.HtmlDecode(second.LastPage));
    }

    [Fact]
    public async Task An_unknown_language_in_the_switch_is_a_400_naming_it()
    {
        await using var app = await StartAsync(database, DatabaseProvider.Sqlite);
        var client = WebClient.For(app);
        await client.GetAsync("/signin");
        var response = await client.PostAsync("/language", new Dictionary<string, string> { ["culture"] = "xx", ["returnUrl"] = "/signin" });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("'xx'", await response.Content.ReadAsStringAsync());
    }
}
